#!/usr/bin/env python3
"""Generate each addon's README.rst (and its HTML twin) from readme/ fragments.

An OCA addon documents itself in small reStructuredText fragments under
``readme/`` (DESCRIPTION, CONFIGURE, USAGE, ...); the README.rst shown on the
forge and the ``static/description/index.html`` shown in the Apps menu are
generated from them and the manifest, never edited by hand.

The layout is the one OCA's ``oca-gen-addon-readme`` writes for an 18.0
addon (the generator pinned by OCA's 18.0 repository template): title, the
"generated" notice with the source digest, the badges (maturity, licence,
repository and, for an OCA repository, translation and runboat), the
description without a heading, the alpha warning, the table of contents, the
other fragments in OCA's order, the bug tracker, and the credits (authors,
contributors, other credits, maintainers). The repository (organization,
name) comes from the manifest's website, the branch from its version.

    python tools/gen_addon_readme.py            # regenerate what changed
    python tools/gen_addon_readme.py --check    # exit 1 if anything is stale

A digest of the sources (the manifest, the fragments and this script) is kept
in the README, so that unchanged sources leave the files untouched.
"""

import argparse
import ast
import hashlib
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

# the fragments after the description, with their titles, in OCA's order
FRAGMENTS = [
    ("CONTEXT", "Use Cases / Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
]
CREDITS = [("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits")]

DEVELOPMENT_STATUS_PAGE = "https://odoo-community.org/page/development-status"
MATURITY_BADGES = {
    "mature": ("Mature", "brightgreen"),
    "production/stable": ("Production/Stable", "green"),
    "beta": ("Beta", "yellow"),
    "alpha": ("Alpha", "red"),
}
LICENSE_URLS = {
    "AGPL-3": "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
    "LGPL-3": "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "GPL-3": "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
}
WEBSITE_RE = re.compile(r"^https?://github\.com/(?P<org>[^/]+)/(?P<repo>[^/]+?)/?$")
IMAGE_RE = re.compile(r".*\s*\.\..* (figure|image)::\s+(?P<path>.*?)\s*$")
DIGEST_RE = re.compile(r"!! source digest: sha256:(?P<digest>[0-9a-f]+)")
BANNER_WIDTH = 57

# docutils settings of OCA's generator (themselves those of readme_renderer)
RST2HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "halt_level": 2,
    "math_output": "MathJax",
    "raw_enabled": False,
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,
    "output_encoding": "utf-8",
}


def read_manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def repository(manifest, addon):
    """Return (organization, repository, branch) of the addon."""
    website = manifest.get("website", "")
    mo = WEBSITE_RE.match(website)
    if not mo:
        raise SystemExit(
            f"{addon.name}: the manifest's website {website!r} is not a "
            "repository address https://github.com/<organization>/<repository>"
        )
    branch = ".".join(manifest["version"].split(".")[:2])
    return mo.group("org"), mo.group("repo"), branch


def underline(title, char):
    return f"{title}\n{char * len(title)}\n"


def sources_digest(addon):
    digest = hashlib.sha256()
    for path in [addon / "__manifest__.py", *sorted((addon / "readme").glob("*"))]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def fragment(addon, name, raw_url):
    """Return the fragment's text, its relative images made absolute."""
    path = addon / "readme" / f"{name}.rst"
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if not lines:
        return None
    for index, line in enumerate(lines):
        mo = IMAGE_RE.match(line)
        if mo and not mo.group("path").startswith("http"):
            image = mo.group("path")
            lines[index] = line.replace(
                image, urljoin(raw_url, image.replace("../", ""))
            )
    text = "".join(lines)
    return text if text.endswith("\n") else text + "\n"


def badges(manifest, addon, org, repo, branch):
    result = []
    status = manifest.get("development_status", "Beta").lower()
    if status in MATURITY_BADGES:
        label, color = MATURITY_BADGES[status]
        result.append(
            (
                f"https://img.shields.io/badge/maturity-{label.replace('/', '%2F')}"
                f"-{color}.png",
                DEVELOPMENT_STATUS_PAGE,
                label,
            )
        )
    license_ = manifest.get("license")
    if license_ in LICENSE_URLS:
        result.append(
            (
                "https://img.shields.io/badge/licence-"
                f"{license_.replace('-', '--')}-blue.png",
                LICENSE_URLS[license_],
                f"License: {license_}",
            )
        )
    result.append(
        (
            "https://img.shields.io/badge/github-"
            f"{org.replace('-', '--')}%2F{repo.replace('-', '--')}"
            "-lightgray.png?logo=github",
            f"https://github.com/{org}/{repo}/tree/{branch}/{addon}",
            f"{org}/{repo}",
        )
    )
    if org == "OCA":
        series = branch.replace(".", "-")
        result.append(
            (
                "https://img.shields.io/badge/weblate-Translate%20me-F47D42.png",
                "https://translation.odoo-community.org/projects/"
                f"{repo}-{series}/{repo}-{series}-{addon}",
                "Translate me on Weblate",
            )
        )
        result.append(
            (
                "https://img.shields.io/badge/runboat-Try%20me-875A7B.png",
                "https://runboat.odoo-community.org/builds?"
                f"repo=OCA/{repo}&target_branch={branch}",
                "Try me on Runboat",
            )
        )
    return result


def generated_notice(digest):
    bar = "!" * BANNER_WIDTH
    lines = [
        "This file is generated by tools/gen_addon_readme.py",
        "changes will be overwritten.",
    ]
    width = BANNER_WIDTH - 6
    return [
        ".. ",
        f"   {bar}",
        *[f"   !! {line.ljust(width)} !!" for line in lines],
        f"   {bar}",
        f"   !! source digest: sha256:{digest}",
        f"   {bar}",
        "",
    ]


def maintainers_section(manifest, addon, org, repo, branch):
    parts = [underline("Maintainers", "~")]
    if org == "OCA":
        parts += [
            "This module is maintained by the OCA.",
            "",
            ".. image:: https://odoo-community.org/logo.png",
            "   :alt: Odoo Community Association",
            "   :target: https://odoo-community.org",
            "",
            "OCA, or the Odoo Community Association, is a nonprofit organization"
            " whose",
            "mission is to support the collaborative development of Odoo features"
            " and",
            "promote its widespread use.",
            "",
        ]
    maintainers = manifest.get("maintainers", [])
    if maintainers:
        for login in maintainers:
            parts += [
                f".. |maintainer-{login}| image:: "
                f"https://github.com/{login}.png?size=40px",
                f"    :target: https://github.com/{login}",
                f"    :alt: {login}",
            ]
        plural = "s" if len(maintainers) > 1 else ""
        parts.append("")
        if org == "OCA":
            parts.append(
                f"Current `maintainer{plural} "
                "<https://odoo-community.org/page/maintainer-role>`__:"
            )
        else:
            parts.append(f"Current maintainer{plural}:")
        parts += ["", "".join(f"|maintainer-{login}| " for login in maintainers), ""]
    parts += [
        f"This module is part of the `{org}/{repo} "
        f"<https://github.com/{org}/{repo}/tree/{branch}/{addon}>`_ project on GitHub.",
        "",
    ]
    if org == "OCA":
        parts.append(
            "You are welcome to contribute. To learn how please visit "
            "https://odoo-community.org/page/Contribute."
        )
    else:
        parts.append("You are welcome to contribute.")
    return parts


def render(addon, manifest, digest):
    org, repo, branch = repository(manifest, addon)
    name = addon.name
    raw_url = f"https://raw.githubusercontent.com/{org}/{repo}/{branch}/{name}/"
    title = manifest["name"]
    parts = ["=" * len(title), title, "=" * len(title), ""]
    parts += generated_notice(digest)
    addon_badges = badges(manifest, name, org, repo, branch)
    for index, (image, target, alt) in enumerate(addon_badges, start=1):
        parts += [
            f".. |badge{index}| image:: {image}",
            f"    :target: {target}",
            f"    :alt: {alt}",
        ]
    parts += [
        "",
        " ".join(f"|badge{index}|" for index in range(1, len(addon_badges) + 1)),
        "",
    ]
    description = fragment(addon, "DESCRIPTION", raw_url)
    if not description:
        raise SystemExit(f"{name}/readme/DESCRIPTION.rst is required")
    parts.append(description)
    if manifest.get("development_status", "Beta").lower() == "alpha":
        parts += [
            ".. IMPORTANT::",
            "   This is an alpha version, the data model and design can change at"
            " any time without warning.",
            "   Only for development or testing purpose, do not use in production.",
            f"   `More details on development status <{DEVELOPMENT_STATUS_PAGE}>`_",
            "",
        ]
    parts += ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    for key, heading in FRAGMENTS:
        text = fragment(addon, key, raw_url)
        if text:
            parts += [underline(heading, "="), text]
    issues = f"https://github.com/{org}/{repo}/issues"
    parts += [
        underline("Bug Tracker", "="),
        f"Bugs are tracked on `GitHub Issues <{issues}>`_.",
        "In case of trouble, please check there if your issue has already been"
        " reported.",
        "If you spotted it first, help us to smash it by providing a detailed and"
        " welcomed",
        f"`feedback <{issues}/new?body=module:%20{name}%0Aversion:%20{branch}"
        "%0A%0A**Steps%20to%20reproduce**%0A-%20...%0A%0A**Current%20behavior**"
        "%0A%0A**Expected%20behavior**>`_.",
        "",
        "Do not contact contributors directly about support or help with technical"
        " issues.",
        "",
        underline("Credits", "="),
    ]
    authors = [
        author.strip()
        for author in manifest.get("author", "").split(",")
        # the OCA is an author for the apps store's sake: it is credited
        # as the maintainer below
        if author.strip() and "(OCA)" not in author
    ]
    if authors:
        parts += [underline("Authors", "~"), *[f"* {a}" for a in authors], ""]
    for key, heading in CREDITS:
        text = fragment(addon, key, raw_url)
        if text:
            parts += [underline(heading, "~"), text]
    parts += maintainers_section(manifest, name, org, repo, branch)
    return "\n".join(parts) + "\n"


def render_html(rst_text):
    from docutils.core import publish_string

    html = publish_string(
        rst_text,
        writer_name="html4css1",
        settings_overrides=RST2HTML_SETTINGS,
    ).decode("utf-8")
    # no docutils version in the page: upgrading it changes nothing
    return re.sub(r"(<meta.*generator.*Docutils)\s*[\d.]+", r"\1", html)


def current_digest(readme):
    if not readme.is_file():
        return None
    mo = DIGEST_RE.search(readme.read_text(encoding="utf-8"))
    return mo.group("digest") if mo else None


def generate(addon, check):
    """Regenerate the addon's README; return True when it was stale."""
    readme = addon / "README.rst"
    html = addon / "static" / "description" / "index.html"
    digest = sources_digest(addon)
    if current_digest(readme) == digest and html.is_file():
        return False
    if check:
        return True
    text = render(addon, read_manifest(addon), digest)
    readme.write_text(text, encoding="utf-8")
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(render_html(text), encoding="utf-8")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addons-dir", default=".", type=Path)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("files", nargs="*", help="ignored (pre-commit passes them)")
    args = parser.parse_args(argv)
    stale = [
        manifest.parent.name
        for manifest in sorted(args.addons_dir.glob("*/__manifest__.py"))
        if (manifest.parent / "readme").is_dir()
        and read_manifest(manifest.parent).get("installable", True)
        and generate(manifest.parent, args.check)
    ]
    for name in stale:
        sys.stderr.write(
            f"{name}/README.rst {'is stale' if args.check else 'written'}\n"
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

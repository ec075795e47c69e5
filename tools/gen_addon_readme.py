#!/usr/bin/env python3
"""Generate each addon's README.rst (and its HTML twin) from readme/ fragments.

An OCA addon documents itself in small reStructuredText fragments under
``readme/`` (DESCRIPTION, CONFIGURE, USAGE, ...); the README.rst shown on the
forge and the ``static/description/index.html`` shown in the Apps menu are
generated from them and the manifest, never edited by hand.

    python tools/gen_addon_readme.py            # regenerate what changed
    python tools/gen_addon_readme.py --check    # exit 1 if anything is stale

A digest of the sources is kept in the README, so that unchanged fragments
leave the files untouched.
"""

import argparse
import ast
import hashlib
import sys
from pathlib import Path

FRAGMENTS = [
    ("DESCRIPTION", None),
    ("CONTEXT", "Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("DEVELOP", "Development"),
    ("HISTORY", "Changelog"),
]
CREDITS = [("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits")]
DIGEST_MARKER = ".. !! source digest: "
LICENSES = {
    "LGPL-3": "https://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "AGPL-3": "https://www.gnu.org/licenses/agpl-3.0-standalone.html",
}


def read_manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text())


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


def fragment(addon, name):
    path = addon / "readme" / f"{name}.rst"
    return path.read_text().strip() + "\n" if path.is_file() else None


def render(addon, manifest, digest):
    name = manifest["name"]
    license_ = manifest.get("license", "")
    status = manifest.get("development_status", "Beta")
    parts = [
        "=" * len(name),
        name,
        "=" * len(name),
        "",
        f"{DIGEST_MARKER}sha256:{digest}",
        "",
        f".. |maturity| image:: https://img.shields.io/badge/maturity-"
        f"{status.replace('/', '%2F')}-yellow.png",
        f"    :alt: {status}",
        ".. |license| image:: https://img.shields.io/badge/license-"
        f"{license_.replace('-', '--')}-blue.png",
        f"    :target: {LICENSES.get(license_, '')}",
        f"    :alt: License: {license_}",
        "",
        "|maturity| |license|",
        "",
        manifest.get("summary", "").strip(),
        "",
    ]
    description = fragment(addon, "DESCRIPTION")
    if not description:
        raise SystemExit(f"{addon}/readme/DESCRIPTION.rst is required")
    parts += [
        description,
        "**Table of contents**",
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for key, title in FRAGMENTS[1:]:
        text = fragment(addon, key)
        if text:
            parts += [underline(title, "="), text]
    credit_parts = []
    authors = [a.strip() for a in manifest.get("author", "").split(",")]
    credit_parts += [underline("Authors", "~"), *[f"* {a}" for a in authors], ""]
    for key, title in CREDITS:
        text = fragment(addon, key)
        if text:
            credit_parts += [underline(title, "~"), text]
    maintainers = manifest.get("maintainers", [])
    if maintainers:
        credit_parts += [
            underline("Maintainers", "~"),
            "Current maintainers: " + ", ".join(maintainers),
            "",
            f"This module is part of `{manifest.get('website', '')}"
            f" <{manifest.get('website', '')}>`_.",
            "",
        ]
    parts += [underline("Credits", "="), *credit_parts]
    return "\n".join(parts).rstrip() + "\n"


def render_html(rst_text):
    from docutils.core import publish_string

    return publish_string(
        rst_text,
        writer_name="html4css1",
        settings_overrides={
            "embed_stylesheet": False,
            "stylesheet_path": "",
            "output_encoding": "unicode",
            "xml_declaration": False,
            "doctitle_xform": True,
            "report_level": 2,
            "halt_level": 2,
        },
    )


def current_digest(readme):
    if not readme.is_file():
        return None
    for line in readme.read_text().splitlines():
        if line.startswith(DIGEST_MARKER):
            return line[len(DIGEST_MARKER) :].removeprefix("sha256:").strip()
    return None


def generate(addon, check):
    """Regenerate the addon's README; return True when it was stale."""
    readme = addon / "README.rst"
    digest = sources_digest(addon)
    if (
        current_digest(readme) == digest
        and (addon / "static" / "description" / "index.html").is_file()
    ):
        return False
    if check:
        return True
    text = render(addon, read_manifest(addon), digest)
    readme.write_text(text)
    html_dir = addon / "static" / "description"
    html_dir.mkdir(parents=True, exist_ok=True)
    (html_dir / "index.html").write_text(render_html(text))
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
        and generate(manifest.parent, args.check)
    ]
    for name in stale:
        sys.stderr.write(
            f"{name}/README.rst {'is stale' if args.check else 'written'}\n"
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

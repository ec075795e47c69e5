#!/usr/bin/env python3
"""Set the website key of every addon manifest to the repository's website.

The counterpart of OCA's ``oca-fix-manifest-website`` (maintainer-tools),
which is not published on a package registry: same argument, same rewrite.

    python tools/fix_manifest_website.py https://github.com/OCA/connector-coffee

Run by pre-commit with the website the manifests carry, it changes nothing;
a manifest whose website drifted is rewritten, and pre-commit fails on the
change. A manifest without a website key, or with two, is an error.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

MANIFEST_NAMES = ("__manifest__.py", "__openerp__.py", "__terp__.py")
WEBSITE_KEY_RE = re.compile(r"""(["']website["']\s*:\s*["'])([^"']*)(["'])""")


def manifest_path(addon_dir):
    for name in MANIFEST_NAMES:
        path = addon_dir / name
        if path.is_file():
            return path
    return None


def fix_manifest(path, url):
    """Rewrite the website of one manifest; return True when it changed."""
    text = path.read_text(encoding="utf-8")
    try:
        manifest = ast.literal_eval(text)
    except (SyntaxError, ValueError) as exc:
        raise SystemExit(f"Error parsing manifest {path}: {exc}") from exc
    if "website" not in manifest:
        raise SystemExit(f"website key not found in manifest {path}")
    new_text, count = WEBSITE_KEY_RE.subn(
        lambda mo: mo.group(1) + url + mo.group(3), text
    )
    if count == 0:
        raise SystemExit(f"no website key match in manifest {path}")
    if count > 1:
        raise SystemExit(f"more than one website key match in manifest {path}")
    if new_text == text:
        return False
    path.write_text(new_text, encoding="utf-8")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the website every manifest must carry")
    parser.add_argument("--addons-dir", default=".", type=Path)
    parser.add_argument("files", nargs="*", help="ignored (pre-commit passes them)")
    args = parser.parse_args(argv)
    changed = []
    for addon_dir in sorted(p for p in args.addons_dir.iterdir() if p.is_dir()):
        path = manifest_path(addon_dir)
        if path and fix_manifest(path, args.url):
            changed.append(path)
    for path in changed:
        sys.stderr.write(f"{path}: website set to {args.url}\n")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())

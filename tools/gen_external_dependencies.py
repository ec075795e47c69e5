#!/usr/bin/env python3
"""Generate requirements.txt from the addons' external_dependencies.

The counterpart of OCA's ``oca-gen-external-dependencies`` (maintainer-tools),
which is not published on a package registry: it asks the addons' build
backend (whool) for their Python requirements through
``pyproject-dependencies``, leaves out Odoo and the Odoo addons, and writes
what remains to requirements.txt (or removes it when nothing remains).

One difference: OCA's tool reads every ``*/pyproject.toml`` of the
repository; this one reads those of the addons only (directories with a
manifest), so that the protocol library ``coffee_machine`` (a pyproject.toml
of its own, not an addon) neither adds its own requirements nor hides the
addons' requirement on it. The library itself is installed from its
directory by test-requirements.txt.

    python tools/gen_external_dependencies.py
"""

import os
import subprocess
import sys
from pathlib import Path

HEADER = "# generated from manifests external_dependencies\n"


def projects(root):
    addons = [
        manifest.parent / "pyproject.toml"
        for manifest in sorted(root.glob("*/__manifest__.py"))
        if (manifest.parent / "pyproject.toml").is_file()
    ]
    return [*addons, *sorted(root.glob("setup/*/setup.py"))]


def main():
    root = Path.cwd()
    paths = projects(root)
    if not paths:
        return 1
    env = dict(
        os.environ,
        # for better performance, since precise versions do not matter here
        WHOOL_POST_VERSION_STRATEGY_OVERRIDE="none",
        SETUPTOOLS_ODOO_POST_VERSION_STRATEGY_OVERRIDE="none",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyproject_dependencies",
            "--no-isolation",  # whool must be installed beside this script
            "--ignore-build-errors",  # ignore uninstallable addons
            "--name-filter",
            r"^(odoo$|odoo\d*-addon-)",  # filter out odoo and odoo addons
            *[str(path.relative_to(root)) for path in paths],
        ],
        env=env,
        check=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    if result.returncode != 0:
        return result.returncode
    requirements_path = root / "requirements.txt"
    if result.stdout:
        requirements_path.write_text(HEADER + result.stdout)
    elif requirements_path.exists():
        requirements_path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())

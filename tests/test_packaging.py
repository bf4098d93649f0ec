"""The wheel's package list names every package of the code and every folder of files the
app serves (setuptools is given the list: a new package left out would be missing from an
installed app; .ci/wheel installs one and loads its pages)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_and_served_folder_is_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    code = ROOT / "backend"
    needed = {
        ".".join(path.parent.relative_to(code).parts)
        for path in code.rglob("__init__.py")
        if "egg-info" not in str(path)
    }
    needed |= {
        "symptom_journal.pages." + path.name
        for path in (code / "symptom_journal" / "pages").iterdir()
        if path.is_dir() and path.name != "__pycache__"
    }
    frontend = ROOT / "frontend"
    for path in frontend.rglob("*"):
        parts = path.relative_to(frontend).parts
        # Folders named like packages; vendor's own folders (uplot-1.6.32) ride with vendor.
        if path.is_dir() and all(part.isidentifier() for part in parts):
            needed.add(".".join(("symptom_journal", "frontend", *parts)))
    assert needed - listed == set()

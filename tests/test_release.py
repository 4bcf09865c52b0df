"""Citable and versioned: one version number, a valid CITATION.cff, a changelog."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import highroad

ROOT = Path(__file__).resolve().parents[1]


def test_one_version_number() -> None:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    assert highroad.__version__ == metadata.version("highroad") == version
    cff = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^version: (\S+)$", cff, re.MULTILINE).group(1) == version
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text()


def test_citation_cff_is_valid() -> None:
    """cffconvert validates it against the Citation File Format 1.2.0 schema it ships."""
    pytest.importorskip("cffconvert")
    from cffconvert import Citation

    citation = Citation((ROOT / "CITATION.cff").read_text())
    assert citation.cffversion == "1.2.0"
    citation.validate()  # raises jsonschema.ValidationError naming the offending key


def test_an_invalid_citation_cff_is_caught() -> None:
    """The check can fail: a file without authors is not valid CFF 1.2.0."""
    pytest.importorskip("cffconvert")
    import jsonschema
    from cffconvert import Citation

    text = (ROOT / "CITATION.cff").read_text()
    text = text.replace("authors:\n  - name:", "creators:\n  - name:")
    with pytest.raises(jsonschema.ValidationError):
        Citation(text).validate()

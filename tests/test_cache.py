"""One cache for every stage: entries keyed by the code that makes them, found by following imports, so
that an edit to any module a stage uses (or to a library it calls) rebuilds exactly what it feeds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from publish.cache import Cache, code_digest

from .testing_utils import ROOT, SAMPLE_ISSUES


def _entries(output: Path) -> dict[str, set[str]]:
    cache = output / ".cache"
    return {kind.name: {p.name for p in kind.iterdir()} for kind in cache.iterdir() if kind.is_dir()}


def test_editing_a_module_rebuilds_the_entries_it_feeds_and_only_those(tmp_path: Path) -> None:
    package = tmp_path / "code" / "publish"
    shutil.copytree(ROOT / "publish", package, ignore=shutil.ignore_patterns("__pycache__"))
    project = tmp_path / "project"
    shutil.copytree(SAMPLE_ISSUES, project / "issues")
    environment = {**os.environ, "PYTHONPATH": str(tmp_path / "code")}

    def build() -> dict[str, set[str]]:
        command = [
            sys.executable,
            "-c",
            "from publish.cli import main; main()",
            "build",
            "-q",
            "--format",
            "epub",
        ]
        result = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return _entries(project / "output")

    where = subprocess.run(
        [sys.executable, "-c", "import publish; print(publish.__file__)"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(package)  # the copy is the code that runs
    first = build()
    assert set(first) == {"render", "rendered-pictures", "typeset", "fonts", "pictures"} and all(first.values())
    assert build() == first  # nothing changed: every entry reused

    # cjk.py holds the character classes the Markdown plugins and the typography rules import (indirectly).
    with open(package / "cjk.py", "a", encoding="utf-8") as source:
        source.write("\n# an edit\n")
    second = build()
    for kind in ("render", "typeset"):
        assert len(second[kind] - first[kind]) == len(first[kind]), kind  # every issue made again
    assert second["fonts"] == first["fonts"]  # the font subsetting does not use cjk.py
    assert second["pictures"] == first["pictures"]  # nor does fitting the pictures

    with open(package / "writers" / "fonts.py", "a", encoding="utf-8") as source:
        source.write("\n# an edit\n")
    third = build()
    assert third["fonts"] - second["fonts"]
    assert third["render"] == second["render"] and third["typeset"] == second["typeset"]


def test_code_digest_follows_imports_through_the_package() -> None:
    render = code_digest("publish.render.markdown")
    assert render != code_digest("publish.writers.fonts")
    assert len(render) == 64


def test_imports_are_read_from_every_form_of_the_statement() -> None:
    """Read from the text (issue 29: parsing the package's syntax trees cost a third of a second a build)."""
    from publish.cache import _imports

    source = b"""import os, yaml as y
from . import sibling
from ..render import (
    markdown,  # a comment
    model as m,
)
from lxml import etree


def later() -> None:
    from publish.writers.pdf import merge
    import pikepdf.models
"""
    ours, theirs = _imports(source, "publish.writers.epub", is_package=True)
    assert {"publish.writers.epub.sibling", "publish.writers.render.markdown", "publish.writers.render.model"} <= ours
    assert "publish.writers.pdf.merge" in ours
    assert theirs == {"yaml", "lxml", "pikepdf"}


def test_an_entry_that_does_not_read_back_whole_is_missing(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("kind", "key", b"data")
    assert cache.get("kind", "key") == b"data"
    path = tmp_path / "kind" / "key"
    path.write_bytes(path.read_bytes()[:-1])
    assert cache.get("kind", "key") is None
    cache.put_json("kind", "json", {"a": 1})
    assert cache.get_json("kind", "json") == {"a": 1}
    assert not [p for p in (tmp_path / "kind").iterdir() if p.name.endswith(".part")]

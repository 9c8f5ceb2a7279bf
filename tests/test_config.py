"""book.toml: unknown keys, wrong types and unsafe paths are reported with their line."""

from __future__ import annotations

from pathlib import Path

from publish.config import load_config
from publish.writers.pdf.settings import PrintSettings

SECTIONS = {"print": PrintSettings}
"""What the built-in writers declare: the PDF writer's [print]."""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "book.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, tmp_path, SECTIONS)


def test_defaults_then_file(tmp_path: Path) -> None:
    config, problems = _load(
        tmp_path, '[book]\ntitle = "测试合订本"\n\n[print]\ntrim = "130x184"\nbleed_mm = 5\ncrop_marks = false\n'
    )
    assert problems == []
    assert config.book.title == "测试合订本" and config.book.language == "zh-Hans"
    printing = config.section("print", PrintSettings)
    assert printing.page_size_mm == (130.0, 184.0)
    assert (printing.bleed_mm, printing.crop_marks, printing.paper_thickness_mm) == (5.0, False, 0.1)
    assert config.project_root == tmp_path.resolve()


def test_unknown_keys_and_types_are_reported_with_lines(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, '[book]\ntitle = "x"\ncolour = "red"\nisbn = 978\n\n[paper]\nweight = "80g"\n')
    found = {(p.field, p.line) for p in problems}
    assert ("book.colour", 3) in found
    assert ("book.isbn", 4) in found
    assert ("paper", 6) in found


def test_cover_must_stay_inside_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = project / "book.toml"
    path.write_text('[book]\ncover = "../outside.png"\n', encoding="utf-8")
    _, problems = load_config(path, project, SECTIONS)
    assert [(p.field, p.line) for p in problems] == [("book.cover", 2)]
    assert "outside the project" in problems[0].message


def test_bad_page_size_and_language(tmp_path: Path) -> None:
    _, problems = _load(
        tmp_path, '[book]\nlanguage = "中文"\n[print]\ntrim = "A4-ish"\ncrop_marks = "yes"\nbleed_mm = 30\n'
    )
    assert {(p.field, p.line) for p in problems} == {
        ("book.language", 2),
        ("print.trim", 4),
        ("print.crop_marks", 5),
        ("print.bleed_mm", 6),
    }

"""Pathological issues build, or fail with a message, in time proportional to their size — never a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .testing_utils import Epub, publish_command, write_issue

CASES = {
    "half-megabyte-paragraph": lambda: "中文段落English混排，标点。" * 14_000 + "\n",  # just under MAX_ISSUE_BYTES
    # the next two stay under MAX_ELEMENTS (20,000 elements in one issue)
    "two-thousand-footnotes": lambda: (
        "".join(f"注{i}[^{i}]。" for i in range(2000)) + "\n\n" + "".join(f"[^{i}]: 脚注{i}。\n" for i in range(2000))
    ),
    "five-thousand-row-table": lambda: "| 项 | 值 |\n|---|---|\n" + "".join(f"| 行{i} | {i} |\n" for i in range(5_000)),
    "deeply-nested-lists-and-quotes": lambda: (
        "".join("  " * i + "- 层\n" for i in range(300)) + "\n" + ">" * 300 + " 引用\n"
    ),
    "empty-body": lambda: "",
}


def _build(source: Path, output: Path, fmt: str) -> subprocess.CompletedProcess[str]:
    command = publish_command("build", "--source", str(source), "--output", str(output), "--format", fmt, "--no-cache")
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=output.parent)


@pytest.mark.parametrize("case", list(CASES))
def test_pathological_issue_builds_an_epub(tmp_path: Path, case: str) -> None:
    source = tmp_path / "issues"
    write_issue(source, "a.md", title=f'"病例：{case}"', body=CASES[case]())
    result = _build(source, tmp_path / "output", "epub")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    epub = Epub(next((tmp_path / "output").glob("*.epub")))
    assert epub.spine_hrefs()[3] == "issue-0001.xhtml"
    epub.xhtml("issue-0001.xhtml")  # well-formed even at this size


@pytest.mark.parametrize("case", ["deeply-nested-lists-and-quotes", "empty-body"])
def test_small_pathological_issue_builds_a_pdf(tmp_path: Path, case: str) -> None:
    source = tmp_path / "issues"
    write_issue(source, "a.md", title=f'"病例：{case}"', body=CASES[case]())
    result = _build(source, tmp_path / "output", "pdf")
    assert result.returncode == 0, result.stderr[-2000:]


def test_frontmatter_only_file_builds(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    source.mkdir()
    (source / "a.md").write_text('---\ntitle: "只有元数据"\ndate: 2026-01-05\nissueNumber: 1\n---', encoding="utf-8")
    result = _build(source, tmp_path / "output", "all")
    assert result.returncode == 0, result.stderr
    assert "description: missing" in result.stderr


def test_binary_garbage_is_refused_with_a_message(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    source.mkdir()
    (source / "a.md").write_bytes(bytes(range(256)) * 40)
    result = _build(source, tmp_path / "output", "epub")
    assert result.returncode == 1
    assert "a.md:2: encoding: the file is not UTF-8 (byte 0x80) — find its encoding" in result.stderr
    assert "Traceback" not in result.stderr

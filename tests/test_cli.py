"""The CLI contract: exit codes, one line per problem, nothing written on error, atomic replacement."""

from __future__ import annotations

import errno
import shutil
import zipfile
from pathlib import Path

import pytest

from .testing_utils import Epub, run_cli, write_issue


@pytest.fixture(autouse=True)
def _outside_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where there is no book.toml, as a user with only an issues folder would."""
    monkeypatch.chdir(tmp_path)


def _good_source(folder: Path) -> Path:
    write_issue(
        folder,
        "a.md",
        number=1,
        title='"测试周刊第1期：开篇"',
        date='"2026-01-05"',
        body="## 第一节\n\n第一期的正文，含 English 与数字 2026。\n",
    )
    write_issue(
        folder, "b.md", number=2, title='"测试周刊第2期：续篇"', date='"2026-01-12"', body="## 小节\n\n第二期的正文。\n"
    )
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_build_writes_both_formats_named_by_slug_and_years(tmp_path: Path) -> None:
    source = _good_source(tmp_path / "src")
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_file()) == [
        "weekly-2026.epub",
        "weekly-2026.pdf",
    ]
    ranged = run_cli(
        "build", "--source", str(source), "--output", str(tmp_path / "r"), "--range", "2-2", "--format", "epub"
    )
    assert ranged.exit_code == 0, ranged.output
    epub = Epub(tmp_path / "r" / "weekly-2-2.epub")
    assert epub.spine_hrefs()[3:-1] == ["issue-0002.xhtml"]


def test_content_errors_exit_1_one_line_each_and_write_nothing(tmp_path: Path) -> None:
    source = _good_source(tmp_path / "src")
    output = tmp_path / "out"
    assert run_cli("build", "--source", str(source), "--output", str(output)).exit_code == 0
    before = _snapshot(output)
    write_issue(source, "c.md", number=3, title='""')
    write_issue(source, "d.md", number=4, date='"2026-02-30"', body="![图](images/missing.png)\n")
    (source / "e.md").write_bytes("---\ntitle: 第5期\n---\n中文".encode("gbk"))
    (source / "f.md").write_text("没有元数据的正文。\n", encoding="utf-8")
    (source / "g.md").write_text('---\ntitle: "第7期\nissueNumber: 7\n---\n正文\n', encoding="utf-8")
    write_issue(source, "h.md", number='"八"')
    write_issue(source, "i.md", number=1)
    result = run_cli("build", "--source", str(source), "--output", str(output))
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if ": " in line and ".md:" in line]
    assert any(
        line.endswith('c.md:2: title: missing or empty — add a line title: "周刊第N期：……" to the frontmatter')
        for line in lines
    ), lines
    assert any("d.md:3: date: '2026-02-30' is not a day of the calendar — " in line for line in lines), lines
    assert any("e.md:" in line and "encoding: the file is not UTF-8" in line for line in lines), lines
    assert any("f.md:1: frontmatter: the file does not start with a YAML frontmatter block" in line for line in lines)
    assert any("g.md:" in line and "frontmatter: broken YAML" in line for line in lines), lines
    assert any("h.md:4: issueNumber: '八' is not a whole number" in line for line in lines), lines
    assert any("i.md:4: issueNumber: issue 1 is also used by a.md" in line for line in lines), lines
    assert "nothing was written" in result.stderr
    assert _snapshot(output) == before
    assert not [p for p in output.iterdir() if p.name.startswith(".partial-")]


def test_check_validates_and_writes_nothing(tmp_path: Path) -> None:
    source = _good_source(tmp_path / "src")
    result = run_cli("check", "--source", str(source))
    assert result.exit_code == 0, result.output
    assert "2 issue(s) checked, 0 errors" in result.stderr
    write_issue(source, "c.md", number=2)
    bad = run_cli("check", "--source", str(source))
    assert bad.exit_code == 1 and "issue 2 is also used by" in bad.stderr
    assert not (tmp_path / "output").exists()
    assert sorted(p.name for p in source.iterdir()) == ["a.md", "b.md", "c.md"]


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--range", "9-3"],
        ["build", "--range", "abc"],
        ["build", "--format", "mobi"],
        ["build", "--year", "0"],
        ["nosuch"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(*args, "--source", str(_good_source(tmp_path / "src"))) if args[0] == "build" else run_cli(*args)
    assert result.exit_code == 2


def test_output_inside_source_is_refused(tmp_path: Path) -> None:
    source = _good_source(tmp_path / "src")
    result = run_cli("build", "--source", str(source), "--output", str(source / "out"))
    assert result.exit_code == 1 and "inside the source folder" in result.stderr
    assert not (source / "out").exists()


def test_failed_write_keeps_previous_output_and_leaves_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _good_source(tmp_path / "src")
    output = tmp_path / "out"
    assert run_cli("build", "--source", str(source), "--output", str(output), "--format", "epub").exit_code == 0
    before = _snapshot(output)
    write_issue(source, "c.md", number=3, title='"测试周刊第3期"', date='"2026-01-19"')

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("publish.build.os.fsync", disk_full)
    result = run_cli("build", "--source", str(source), "--output", str(output), "--format", "epub")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "previous output is unchanged" in result.stderr
    assert _snapshot(output) == before
    assert sorted(p.name for p in output.iterdir()) == [".cache", "weekly-2026.epub"]


def test_identical_input_gives_identical_bytes(tmp_path: Path) -> None:
    first = _good_source(tmp_path / "one")
    second = tmp_path / "two"
    shutil.copytree(first, second)
    for folder, out in ((first, "o1"), (second, "o2")):
        assert run_cli("build", "--source", str(folder), "--output", str(tmp_path / out), "--no-cache").exit_code == 0
    for name in ("weekly-2026.epub", "weekly-2026.pdf"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes(), name


def test_without_source_date_epoch_the_latest_issue_date_is_used(tmp_path: Path) -> None:
    source = _good_source(tmp_path / "src")
    result = run_cli(
        "build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "epub", epoch=None
    )
    assert result.exit_code == 0, result.output
    epub = Epub(tmp_path / "out" / "weekly-2026.epub")
    assert epub.meta_property("dcterms:modified") == ["2026-01-12T00:00:00Z"]
    with zipfile.ZipFile(epub.path) as archive:
        assert archive.infolist()[1].date_time == (2026, 1, 12, 0, 0, 0)


def test_paths_that_loop_get_a_message_not_a_traceback(tmp_path: Path) -> None:
    """A symbolic link to itself as --source, as --output, or as book.toml's cover."""
    source = tmp_path / "issues"
    write_issue(source, "a.md")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for args in (["--source", str(loop)], ["--source", str(source), "--output", str(loop)]):
        result = run_cli("build", *args)
        assert result.exit_code == 1, result.output
        assert "symbolic links form a loop" in result.stderr and "Traceback" not in result.output
    (tmp_path / "cover.png").symlink_to(tmp_path / "cover.png")
    (tmp_path / "book.toml").write_text('[book]\ncover = "cover.png"\n', encoding="utf-8")
    result = run_cli(
        "build", "--source", str(source), "--output", str(tmp_path / "out"), "--config", str(tmp_path / "book.toml")
    )
    assert result.exit_code == 1
    assert "book.toml:2: book.cover: cover.png is a symbolic link that leads back to itself" in result.stderr

"""`publish build --watch` (issue 29, item 2): a burst of saves is one rebuild; an edit is published, an error
keeps the previous books; Ctrl-C ends it with no worker left."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from publish.watch import Watched, changes, settled

from .testing_utils import ROOT, SAMPLE_ISSUES, publish_command


def test_a_burst_of_saves_is_one_change(tmp_path: Path) -> None:
    issue = tmp_path / "issues" / "a.md"
    issue.parent.mkdir()
    issue.write_text("一", encoding="utf-8")
    watch = Watched((tmp_path / "issues",), tmp_path / "output")
    seen = watch.snapshot()
    saves = iter(["二", "二三", "二三四"])

    def sleep(seconds: float) -> None:  # each poll, the editor saves again, until it is done
        time.sleep(seconds)
        text = next(saves, None)
        if text is not None:
            issue.write_text(text, encoding="utf-8")

    now, changed = settled(watch, seen, sleep)
    assert changed == [str(issue)]
    assert issue.read_text(encoding="utf-8") == "二三四" and now == watch.snapshot()
    assert changes(now, now) == []


def _lines(stream) -> queue.Queue:
    found: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [found.put(line) for line in stream], daemon=True).start()
    return found


def _wait_for(lines: queue.Queue, text: str, seconds: float = 120) -> list[str]:
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"no {text!r} in {seen}")


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(n) for n in found.stdout.split()]


def test_an_edit_is_published_an_error_keeps_the_books_and_ctrl_c_ends_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(SAMPLE_ISSUES, project / "issues")
    shutil.copy(ROOT / "book.toml", project / "book.toml")
    process = subprocess.Popen(
        [*publish_command("build", "--watch", "--no-cache")],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, SOURCE_DATE_EPOCH="1767225600"),
    )
    try:
        lines = _lines(process.stderr)
        _wait_for(lines, "Watching")
        epub = project / "output" / "shanhai-weekly-2026.epub"
        pdf = project / "output" / "shanhai-weekly-2026.pdf"
        first = (epub.read_bytes(), pdf.read_bytes())
        workers = _children(process.pid)
        assert workers  # the PDF's layout workers, kept between builds

        issue = sorted((project / "issues").glob("*.md"))[0]
        text = issue.read_text(encoding="utf-8")
        issue.write_text(text.replace("新年第一周", "新年的第一周"), encoding="utf-8")
        said = _wait_for(lines, "Watching after")
        assert any("Built 6 issue(s)" in line for line in said) and issue.name in said[-1]
        assert epub.read_bytes() != first[0] and pdf.read_bytes() != first[1]
        assert set(_children(process.pid)) == set(workers)  # the same workers served the rebuild

        published = (epub.read_bytes(), pdf.read_bytes())
        issue.write_text(text.replace("issueNumber: 1\n", "issueNumber: x\n"), encoding="utf-8")
        said = _wait_for(lines, "Not built")
        assert any("issueNumber: 'x' is not a whole number" in line for line in said)
        assert (epub.read_bytes(), pdf.read_bytes()) == published

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        time.sleep(0.5)
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_build_with_nothing_changed_takes_the_merged_book_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    """The merge is the largest cost of a build that changes nothing (issue 29); its one cache entry per book
    is replaced when an issue changes, never served stale."""
    from .testing_utils import run_cli

    shutil.copytree(SAMPLE_ISSUES, tmp_path / "issues")
    arguments = ("build", "--source", str(tmp_path / "issues"), "--output", str(tmp_path / "out"), "--format", "pdf")
    arguments += ("--config", str(ROOT / "book.toml"))
    assert run_cli(*arguments).exit_code == 0
    pdf = tmp_path / "out" / "shanhai-weekly-2026.pdf"
    first = pdf.read_bytes()
    entries = tmp_path / "out" / ".cache" / "merged-pdf"
    assert len(list(entries.iterdir())) == 1
    import publish.writers.pdf.merge as merge

    def no_merge(*_args: object, **_options: object) -> bytes:
        raise AssertionError("merged again")

    with monkeypatch.context() as patched:  # a PDF alone is merged in this process: a merge would fail here
        patched.setattr(merge, "merge_parts", no_merge)
        assert run_cli(*arguments).exit_code == 0
    assert pdf.read_bytes() == first

    issue = sorted((tmp_path / "issues").glob("*.md"))[0]
    issue.write_text(issue.read_text(encoding="utf-8").replace("新年第一周", "新年的第一周"), encoding="utf-8")
    assert run_cli(*arguments).exit_code == 0
    assert pdf.read_bytes() != first and len(list(entries.iterdir())) == 1

"""The editor's week: `publish new`, lint findings and safe fixes, the live preview, and the messages."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from publish.editor.lint_rules import BUILTIN_LINT_RULES

from ..testing_utils import publish_command, run_cli, tiny_png, write_issue

RULES = [rule.name for rule in BUILTIN_LINT_RULES]


def _source(folder: Path) -> Path:
    write_issue(folder, "a.md", number=1, title='"第1期：开篇"', date='"2026-01-05"')
    write_issue(folder, "b.md", number=2, title='"第2期：续篇"', date='"2026-01-12"')
    return folder


def test_new_writes_the_next_issue(tmp_path: Path) -> None:
    source = _source(tmp_path / "issues")
    result = run_cli("new", "--source", str(source))
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == source / "2026-01-19-issue-003.md"
    text = path.read_text(encoding="utf-8")
    assert 'title: "第3期："' in text and 'date: "2026-01-19"' in text and "issueNumber: 3" in text
    assert run_cli("check", "--source", str(source)).exit_code == 0  # the template is a valid issue
    chosen = run_cli("new", "--source", str(source), "--title", "第4期：春节特刊", "--date", "2026-02-01")
    assert Path(chosen.stdout.strip()).name == "2026-02-01-issue-004.md"
    assert 'title: "第4期：春节特刊"' in (source / "2026-02-01-issue-004.md").read_text(encoding="utf-8")
    bad = run_cli("new", "--source", str(source), "--date", "next friday")
    assert bad.exit_code == 2


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    write_issue(source, "a.md", number=1, date='"2026-01-05"')
    # Issue 2 happens to be saved under the name the next issue (3, a week later) would get.
    taken = write_issue(source, "2026-01-19-issue-003.md", number=2, date='"2026-01-12"')
    before = taken.read_bytes()
    result = run_cli("new", "--source", str(source))
    assert result.exit_code == 1
    assert "2026-01-19-issue-003.md already exists; it was left as it is" in result.stderr
    assert taken.read_bytes() == before


LINTED = """## 标题

中文,中文混排。 这里多了空格。
括号（不配对)的情况。
代码 `a,b` 和网址 https://example.com/a,b 不算。

![](images/x.png)
"""


def test_lint_reports_each_rule_with_line_and_column(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    (source / "images").mkdir(parents=True)
    (source / "images" / "x.png").write_bytes(tiny_png())
    write_issue(
        source, "a.md", number=1, title='"同名"', date='"2026-01-12"', body=LINTED, description='"' + "很长" * 50 + '"'
    )
    write_issue(source, "b.md", number=3, title='"同名"', date='"2026-01-05"')
    result = run_cli("check", "--source", str(source))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()

    def has(expected: str) -> bool:
        return any(line.endswith(expected) or expected in line for line in lines)

    assert has("a.md:10:3: halfwidth-punctuation: half-width ',' between Chinese characters; use '，'")
    assert has("a.md:10:9: space-after-punctuation:")
    assert has("a.md:11:3: mixed-brackets: '（' is closed by ')'")
    assert has("a.md:14:1: image-alt:")
    assert has("a.md:5:1: description-length: description is 100 characters")
    assert has("b.md:4:1: numbering-gap: issue 2 is missing")
    assert has("b.md:3:1: date-order: dated 2026-01-05, not after issue 1 (2026-01-12)")
    assert has("b.md:2:1: duplicate-title: same title as a.md")
    assert not any(":12:" in line for line in lines)  # code and URLs are left alone
    report = json.loads(run_cli("check", "--source", str(source), "--format", "json").stdout)
    rules = {f["rule"] for f in report["findings"]}
    assert rules == set(RULES)  # every rule fired once in this source
    ignored = json.loads(
        run_cli("check", "--source", str(source), "--format", "json", "--ignore", "image-alt,date-order").stdout
    )
    assert {f["rule"] for f in ignored["findings"]} == set(RULES) - {"image-alt", "date-order"}
    chosen = json.loads(
        run_cli("check", "--source", str(source), "--format", "json", "--select", "numbering-gap").stdout
    )
    assert {f["rule"] for f in chosen["findings"]} == {"numbering-gap"}
    unknown = run_cli("check", "--source", str(source), "--ignore", "image_alt")
    assert unknown.exit_code == 2 and "no lint rule image_alt; the rules are: halfwidth-punctuation" in unknown.stderr


def test_fix_applies_only_safe_fixes_keeps_line_endings_and_touches_nothing_else(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    write_issue(source, "a.md", number=1, body="")
    path = source / "a.md"
    crlf = path.read_text(encoding="utf-8").replace("\n", "\r\n") + "中文,中文。 好\r\n`代码,不改`\r\n括号（不配对)\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + crlf.encode("utf-8"))
    other = write_issue(source, "b.md", number=2, date='"2026-01-12"')
    other_before = (other.read_bytes(), other.stat().st_mtime_ns)
    result = run_cli("check", "--source", str(source), "--fix")
    assert result.exit_code == 0, result.output
    assert "-中文,中文。 好" in result.stdout and "+中文，中文。好" in result.stdout
    fixed = path.read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf")
    text = fixed.decode("utf-8-sig")
    assert "中文，中文。好\r\n" in text and "`代码,不改`\r\n" in text and "括号（不配对)\r\n" in text
    assert (other.read_bytes(), other.stat().st_mtime_ns) == other_before
    assert sorted(p.name for p in source.iterdir()) == ["a.md", "b.md"]  # no temporary file left
    assert "mixed-brackets" in result.stderr  # reported, not fixed


def _serve(source: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        publish_command("serve", "--source", str(source), "--port", str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=source.parent,
    )


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_serve_previews_and_reloads_on_change(tmp_path: Path) -> None:
    source = _source(tmp_path / "issues")
    server = _serve(source, 0)
    try:
        line = server.stdout.readline()
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:")
        page = _get(url)  # the HTML edition's index: the contents, each issue a page of its own
        assert 'href="issue-0001.html"' in page and 'href="issue-0002.html"' in page and 'lang="zh-Hans"' in page
        assert "<title>第1期：开篇</title>" in _get(url + "issue-0001.html")
        assert "<title>第2期：续篇</title>" in _get(url + "issue-0002.html")
        version = _get(url + "__version")
        time.sleep(0.05)
        write_issue(
            source,
            "b.md",
            number=2,
            title='"第2期：改过的标题"',
            date='"2026-01-12"',
            body="新写的段落，含English混排。\n",
        )
        deadline = time.monotonic() + 10
        while _get(url + "__version") == version and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _get(url + "__version") != version
        page = _get(url + "issue-0002.html")
        assert "改过的标" in page and '含 <span class="latin">English</span> 混' in page  # the EPUB's typography
        version = _get(url + "__version")
        write_issue(source, "c.md", number=3, title='""')
        deadline = time.monotonic() + 10  # the watcher rebuilds; requests answer from the last build meanwhile
        while _get(url + "__version") == version and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "书没有建成" in _get(url) and "c.md:2: title" in _get(url)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=10)
    assert server.returncode == 0
    assert "stopped" in stderr and "Traceback" not in stderr


def test_serve_says_when_the_port_is_taken(tmp_path: Path) -> None:
    source = _source(tmp_path / "issues")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _serve(source, port)
        _, stderr = server.communicate(timeout=20)
    assert server.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in stderr


def test_build_summary_and_quiet_and_no_colour(tmp_path: Path) -> None:
    source = _source(tmp_path / "issues")
    result = subprocess.run(
        publish_command("build", "--source", str(source), "--output", str(tmp_path / "out")),
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stderr
    assert "Built 2 issue(s) (2026-01-05 – 2026-01-12)" in result.stderr
    assert "weekly-2026.epub" in result.stderr and "pages" in result.stderr
    quiet = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""

"""Hostile and absurd inputs (issue 17): each ends with a correct book, or exit 1 and `path:line: field: what is
wrong` — never a traceback, a hang, a read outside the project, or a book a validator refuses."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from publish.editor.serve import local_host
from publish.limits import MAX_ISSUE_BYTES

from .testing_utils import Epub, epubcheck_findings, publish_command, tiny_png, write_issue

BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
"""Nine levels of nine aliases each: 387 million strings if expanded (the "billion laughs")."""


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


def _raw_issue(project: Path, text: str) -> None:
    (project / "issues").mkdir(parents=True, exist_ok=True)
    (project / "issues" / "a.md").write_text(text, encoding="utf-8")


def _issue(project: Path, **fields: str) -> None:
    write_issue(project / "issues", "a.md", **fields)


def _linked_outside(project: Path) -> None:
    _issue(project)
    outside = project.parent / "outside.md"
    outside.write_text('---\ntitle: "外面"\ndate: "2026-01-05"\nissueNumber: 2\n---\nSECRET\n', encoding="utf-8")
    (project / "issues" / "b.md").symlink_to(outside)


def _linked_proc(project: Path) -> None:
    _issue(project)
    (project / "issues" / "b.md").symlink_to("/proc/self/environ")


def _image_link_loop(project: Path) -> None:
    _issue(project, body="![图](images/loop/a.png)\n")
    (project / "issues" / "images").mkdir()
    (project / "issues" / "images" / "loop").symlink_to("loop")


def _picture(name: str, data: bytes) -> Callable[[Path], None]:
    def setup(project: Path) -> None:
        _issue(project, body=f"![图]({name})\n")
        (project / "issues" / name).write_bytes(data)

    return setup


def _config(text: str) -> Callable[[Path], None]:
    def setup(project: Path) -> None:
        _issue(project)
        (project / "book.toml").write_text(text, encoding="utf-8")

    return setup


def _cover(data: bytes) -> Callable[[Path], None]:
    def setup(project: Path) -> None:
        _config('[book]\ncover = "cover.png"\n')(project)
        (project / "cover.png").write_bytes(data)

    return setup


def _fifo_config(project: Path) -> None:
    _issue(project)
    os.mkfifo(project / "book.toml")


REFUSED: dict[str, tuple[Callable[[Path], None], str]] = {
    # what is set up → the message it must get (after "path:line: ")
    "issue linked from outside": (_linked_outside, "issues/b.md: file: is a link to "),
    "issue linked into /proc": (_linked_proc, "issues/b.md: file: is a link to /proc/"),
    "impossible date": (lambda p: _issue(p, date="2026-02-30"), "a.md:3: date: '2026-02-30' is not a day"),
    "month 13": (lambda p: _issue(p, date="2026-13-01"), "a.md:3: date: '2026-13-01' is not a day"),
    "year 0": (lambda p: _issue(p, date="0000-01-01"), "a.md:3: date: '0000-01-01' is not a day"),
    "control character in title": (lambda p: _issue(p, title=r'"标题\x01"'), "a.md:2: title: holds the control"),
    "NUL in description": (lambda p: _issue(p, description=r'"简介\0"'), "a.md:5: description: holds the control"),
    "alias bomb": (
        lambda p: _raw_issue(p, f'---\ntitle: "炸弹"\n{BOMB}date: *i\nissueNumber: 1\n---\n正文\n'),
        "a.md:4: frontmatter: broken YAML: YAML aliases (*name) are not allowed here",
    ),
    "duplicate key": (
        lambda p: _raw_issue(p, '---\ntitle: "一"\ntitle: "二"\ndate: "2026-01-05"\nissueNumber: 1\n---\n正文\n'),
        "a.md:3: frontmatter: broken YAML: the key 'title' is given twice",
    ),
    "hexadecimal number": (lambda p: _issue(p, number="0x10"), "a.md:4: issueNumber: '0x10' is not a whole number"),
    "underscored number": (lambda p: _issue(p, number="1_0"), "a.md:4: issueNumber: '1_0' is not a whole number"),
    "10,000-character title": (
        lambda p: _issue(p, title='"' + "长" * 10_000 + '"'),
        "a.md:2: title: is too long: 10,000 characters, the limit is 200",
    ),
    "frontmatter of 100 KB": (
        lambda p: _issue(p, extra=f'notes: "{"注" * 35_000}"\n'),
        "a.md:1: frontmatter: the frontmatter is too large",
    ),
    "issue over the size limit": (
        lambda p: _issue(p, body="中文段落，" * (MAX_ISSUE_BYTES // 15 + 1)),
        "a.md: file: the issue file is too large",
    ),
    "3,000 nested spans": (
        lambda p: _issue(p, body="<span>" * 3000 + "深" + "</span>" * 3000 + "\n"),
        "a.md:8: html: raw HTML elements are nested more than 64 deep",
    ),
    "600 nested lists": (
        lambda p: _issue(p, body="<ul><li>" * 600 + "深" + "</li></ul>" * 600 + "\n"),
        "a.md:8: html: raw HTML elements are nested more than 64 deep",
    ),
    "65,536 emphasis markers": (
        lambda p: _issue(p, body="*_" * 65_536 + "\n"),
        "a.md: body: the issue is too large: 43,692 HTML elements",
    ),
    "colspan of a million": (
        lambda p: _issue(p, body='<table><tr><td colspan="1000000">x</td></tr></table>\n'),
        "a.md:8: html: a table cell's colspan=1000000 is too large, the limit is 100",
    ),
    "link loop under images": (_image_link_loop, "a.md:8: image: 'images/loop/a.png' cannot be followed"),
    "PNG bomb": (_picture("b.png", _png(30_000, 30_000)), "a.md:8: image: b.png: "),
    "SVG named .png": (_picture("b.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "a.md:8: image: b.png: not a"),
    "truncated JPEG": (_picture("b.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 200), "a.md:8: image: b.jpg: "),
    "book.toml nested 1,000 deep": (
        _config("a = " + "[" * 1000 + "]" * 1000 + "\n"),
        "book.toml: config: the TOML is nested too deeply",
    ),
    "tiny trim": (_config('[print]\ntrim = "1x1 mm"\n'), "book.toml:2: print.trim: '1x1 mm' is not a page size"),
    "infinite trim": (_config(f'[print]\ntrim = "{"9" * 400}x210"\n'), "book.toml:2: print.trim: "),
    "NUL in the book title": (_config('[book]\ntitle = "书\\u0000名"\n'), "book.toml:2: book.title: holds the control"),
    "bell in the book title": (_config('[book]\ntitle = "书\\u0007名"\n'), "book.toml:2: book.title: holds the"),
    "NaN bleed": (_config("[print]\nbleed_mm = nan\n"), "book.toml:2: print.bleed_mm: is not a number"),
    "book.toml a FIFO": (_fifo_config, "book.toml: config: is not a regular file"),
    "cover that is HTML": (_cover(b"<html><script>alert(1)</script></html>"), "book.toml:2: book.cover: cover.png"),
    "cover that is a PNG bomb": (_cover(_png(30_000, 30_000)), "book.toml:2: book.cover: cover.png: "),
}


def _run(project: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = publish_command("build", "--source", "issues", "--output", "output", *args)
    if (project / "book.toml").exists():
        command += ["--config", "book.toml"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("case", list(REFUSED))
def test_hostile_input_is_refused_with_a_message(tmp_path: Path, case: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    setup, expected = REFUSED[case]
    setup(project)
    started = time.monotonic()
    result = _run(project, "--format", "epub")
    assert time.monotonic() - started < 30
    assert result.returncode == 1, result.stderr[-1500:]
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr[-1500:]
    assert "nothing was written" in result.stderr
    assert not list(project.glob("output/*.epub"))
    assert "SECRET" not in result.stderr


def test_output_under_a_file_is_a_message(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _issue(project)
    (project / "output").write_text("a file where the folder should be", encoding="utf-8")
    result = subprocess.run(
        publish_command("build", "--source", "issues", "--output", "output/books", "--format", "epub"),
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot write into the output folder output/books: Not a directory; nothing was written" in result.stderr


HOSTILE_MARKUP = """<li>游离的列表项</li><td>游离的单元格</td><tr><th>行</th></tr>
<p>段落里<div>块</div>和<figure><img src="x.png"></figure>还有<section>节</section></p>

<dt>术语</dt><dd>定义</dd><rt>注音</rt><caption>标题</caption><col span="2">
<time datetime="不是时间">某天</time> <q><blockquote>引用里的块</blockquote></q>
<ul><p>列表里的段落</p><li>一</li></ul>
<table><p>表格里的段落</p><tr><td colspan="abc" rowspan="0">一</td></tr><caption>迟到的标题</caption></table>
<details><p>没有摘要</p></details><summary>游离摘要</summary><figcaption>游离</figcaption>
<p id="x" lang="zz-invalid-tag-xx" dir="sideways">属性</p><ruby><rp>(</rp></ruby>
<dl><div><dt>分组</dt><dd>定义</dd></div><p>错</p></dl>
<ol start="-99999999999999999999" reversed="maybe"><li>一</li></ol>
<img src="x.png" width="-5" height="99999999999999">
<a href="#x">到 x</a> <a href="#nowhere">悬空</a> <a href="../x.html">相对</a> <a href="//example.org/a">协议相对</a>

[相对的 Markdown 链接](other.md)
"""


def test_raw_html_that_breaks_every_content_model_still_makes_a_valid_epub(tmp_path: Path) -> None:
    """Ids of two issues collide and one tries to take the other's anchors; hrefs are relative, out-of-range
    numbers and stray table parts abound: epubcheck still finds nothing, and the PDF's links stay inside."""
    project = tmp_path / "project"
    write_issue(project / "issues", "a.md", body=HOSTILE_MARKUP)
    write_issue(
        project / "issues",
        "b.md",
        number=2,
        body='<p id="x">二</p>\n<span id="issue-1">劫持</span><h2 id="issue-1-s1">劫持</h2>\n<a href="#x">到 x</a>\n',
    )
    (project / "issues" / "x.png").write_bytes(tiny_png())
    result = _run(project)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "a.md:20: warning: link: the link to '../x.html' leads nowhere in the book" in result.stderr
    assert "a.md:22: warning: link: the link to 'other.md' leads nowhere" in result.stderr
    epub_path = next((project / "output").glob("*.epub"))
    assert epubcheck_findings(epub_path) == []
    epub = Epub(epub_path)
    first, second = epub.xhtml("issue-0001.xhtml"), epub.xhtml("issue-0002.xhtml")
    ids = [e.get("id") for doc in (first, second) for e in doc.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert "issue-2-u-x" in ids and "issue-1-u-x" in ids
    hrefs = [a.get("href") for doc in (first, second) for a in doc.iter("{*}a") if a.get("href")]
    assert "https://example.org/a" in hrefs
    assert not [h for h in hrefs if not h.startswith(("https:", "http:", "mailto:", "#", "issue-", "nav"))]
    assert "#issue-1-u-x" in hrefs and "#issue-2-u-x" in hrefs and "#issue-1-u-nowhere" not in hrefs
    # The PDF's contents entry of issue 1 still leads to issue 1's opening, and no link leaves the book for a file.
    reader = PdfReader(next((project / "output").glob("*.pdf")))
    uris = [
        annotation.get_object().get("/A", {}).get("/URI", "")
        for page in reader.pages
        for annotation in page.get("/Annots") or []
    ]
    assert not [uri for uri in uris if str(uri).startswith("file:")]


def test_the_cache_never_follows_a_link_out_of_itself(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _issue(project)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "old.json").write_text("{}", encoding="utf-8")
    os.utime(victim / "old.json", (1, 1))
    (project / "output" / ".cache").mkdir(parents=True)
    (project / "output" / ".cache" / "render").symlink_to(victim)
    result = _run(project, "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in victim.iterdir()) == ["old.json"]


def test_an_oversized_cache_entry_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from publish import cache as cache_module

    cache = cache_module.Cache(tmp_path / ".cache")
    cache.put("render", "k", b"x" * 1000)
    assert cache.get("render", "k") == b"x" * 1000
    monkeypatch.setattr(cache_module, "MAX_CACHE_ENTRY_BYTES", 100)
    assert cache.get("render", "k") is None
    os.mkfifo(tmp_path / ".cache" / "render" / "pipe")
    assert cache.get("render", "pipe") is None  # returns at once: a pipe is not waited on


def test_preview_server_answers_only_this_machine() -> None:
    assert local_host("127.0.0.1:8000", 8000) and local_host("localhost:8000", 8000) and local_host("[::1]:8000", 8000)
    assert not local_host("evil.example:8000", 8000)
    assert not local_host("127.0.0.1.evil.example:8000", 8000)
    assert not local_host(None, 8000)


@pytest.mark.slow
def test_preview_server_refuses_a_rebound_name(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _issue(project)
    port = 48_000 + os.getpid() % 1000
    server = subprocess.Popen(
        publish_command("serve", "--source", "issues", "--port", str(port)),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                local = urllib.request.urlopen(f"http://127.0.0.1:{port}/__version", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert local.status == 200
        rebound = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": f"attacker.example:{port}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebound, timeout=5)
        assert refused.value.code == 403
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_killing_the_build_leaves_no_worker_and_the_next_build_cleans_up(tmp_path: Path) -> None:
    """kill -9 gives the build no chance to stop its workers: the kernel ends them. A staging folder of a
    build that is gone is removed by the next build."""
    project = tmp_path / "project"
    for number in range(1, 5):
        write_issue(project / "issues", f"{number}.md", number=number, body="正文段落。\n\n" * 400)
    abandoned = project / "output" / ".partial-999999999-x"
    abandoned.mkdir(parents=True)
    build = subprocess.Popen(
        publish_command("build", "--source", "issues", "--output", "output", "--format", "pdf", "--no-cache"),
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        found = subprocess.run(["pgrep", "-P", str(build.pid)], capture_output=True, text=True).stdout.split()
        workers = [int(pid) for pid in found]
    assert workers, "the build started no worker"
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=10)
    time.sleep(1)
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    result = _run(project, "--format", "epub")
    assert result.returncode == 0
    assert not abandoned.exists()


@pytest.mark.slow
def test_a_killed_worker_is_a_message(tmp_path: Path) -> None:
    """What the OOM killer does to a worker: the build stops with a message, not a BrokenProcessPool traceback."""
    project = tmp_path / "project"
    for number in range(1, 7):
        write_issue(project / "issues", f"{number}.md", number=number, body="正文段落。\n\n" * 600)
    build = subprocess.Popen(
        publish_command("build", "--source", "issues", "--output", "output", "--format", "pdf", "--no-cache"),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    workers: list[str] = []
    while not workers and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = subprocess.run(["pgrep", "-P", str(build.pid)], capture_output=True, text=True).stdout.split()
    os.kill(int(workers[0]), signal.SIGKILL)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 1
    assert "Traceback" not in stderr
    assert "a layout process died (killed, or out of memory) while " in stderr
    assert not list((project / "output").glob("*.pdf"))


PATHOLOGICAL = {
    "emphasis markers": lambda n: "*_" * (1024 * n) + "\n",
    "an unclosed img tag": lambda n: "<img " + "a" * (20_000 * n) + "\n",
    "a run with no break": lambda n: "前" + "x" * (20_000 * n) + "后。\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(PATHOLOGICAL))
def test_pathological_input_costs_time_in_proportion(tmp_path: Path, case: str) -> None:
    """8× the input may cost about 8× the time, not 64×: both books built from 1× and 8×."""
    times = {}
    for size in (1, 8):
        project = tmp_path / f"x{size}"
        _issue(project, body=PATHOLOGICAL[case](size))
        started = time.monotonic()
        result = _run(project, "--no-cache", timeout=120)
        times[size] = time.monotonic() - started
        assert result.returncode == 0, result.stderr[-1000:]
        assert "Traceback" not in result.stderr
    assert times[8] < 60
    assert times[8] < 12 * times[1], times


def test_a_failed_rename_says_which_book_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The books are renamed into place one after the other: when the second rename fails (EIO), the message
    says which book is new and which is still the previous build."""
    import errno

    from .testing_utils import run_cli

    source = tmp_path / "issues"
    _issue(tmp_path)
    output = tmp_path / "output"
    assert run_cli("build", "--source", str(source), "--output", str(output), "--format", "epub").exit_code == 0
    real_replace = os.replace
    books: list[str] = []

    def failing_replace(source_path: object, target: object) -> None:
        if Path(str(target)).parent == output and Path(str(target)).suffix in (".pdf", ".epub"):
            books.append(Path(str(target)).name)
            if len(books) == 2:
                raise OSError(errno.EIO, "Input/output error")
        real_replace(source_path, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    result = run_cli("build", "--source", str(source), "--output", str(output))
    assert result.exit_code == 1
    first, second = books
    assert f"Input/output error; {first} is the new build, but {second} is still the previous one" in result.output
    assert "Traceback" not in result.output


def test_the_cache_gives_way_on_a_nearly_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from publish import cache as cache_module

    cache = cache_module.Cache(tmp_path / ".cache")
    full = cache_module.shutil.disk_usage(tmp_path)._replace(free=cache_module.FREE_SPACE_KEPT // 2)
    monkeypatch.setattr(cache_module.shutil, "disk_usage", lambda path: full)
    cache.put("render", "k", b"x" * 1000)
    assert cache.get("render", "k") is None
    assert not cache.writable
    assert not [p for p in (tmp_path / ".cache").rglob("*") if p.is_file()]  # no entry, no partial file

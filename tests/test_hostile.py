"""Untrusted issues: no network, no reads outside the project, no script shipped, nothing lost under faults."""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from pypdf import PdfReader

from .testing_utils import ROOT, SAMPLE_ISSUES, pdf_pages_text, publish_command, run_cli, write_issue

SECRET = "SECRET-7f3a9c-不可外泄"


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(b"\x89PNG\r\n\x1a\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A web server on 127.0.0.1 that counts the requests it gets: the build must make none."""
    _CountingHandler.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the project whose bytes must appear in no output."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "secret.css").write_text(f'body::after {{ content: "{SECRET}" }}', encoding="utf-8")
    (folder / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n" + SECRET.encode())
    return folder


def _hostile_body(server: str, secret: Path) -> str:
    return f"""## 攻击

![远程图片]({server}/markdown.png)

<img src="{server}/raw.png" onerror="alert(1)">

<link rel="stylesheet" href="{server}/style.css">

<link rel="stylesheet" href="file://{secret}/secret.css">

<style>@import url("{server}/import.css"); @import url("file://{secret}/secret.css");</style>

<p style="background: url({server}/bg.png)">带背景的段落</p>

<iframe src="{server}/frame"></iframe>

<object data="file://{secret}/secret.txt"></object>

<embed src="file://{secret}/secret.txt">

<script src="{server}/x.js">alert(1)</script>

<video poster="{server}/poster.png" src="{server}/v.mp4"></video>

<svg><image href="file://{secret}/secret.png"/></svg>

<a href="javascript:alert(document.cookie)">点我</a>

<form action="{server}/steal"><input name="x"></form>

<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}/secret.txt">]>

实体：&xxe;

[普通链接]({server}/link)不会被访问，[脚本链接](javascript:alert(1))会被删掉。
"""


def test_hostile_issue_builds_without_network_or_outside_reads(tmp_path: Path, server: str, secret: Path) -> None:
    source = tmp_path / "project" / "issues"
    write_issue(source, "a.md", body=_hostile_body(server, secret))
    output = tmp_path / "project" / "output"
    sources_before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in source.rglob("*") if p.is_file()}
    result = run_cli("build", "--source", str(source), "--output", str(output))
    assert result.exit_code == 0, result.output
    assert _CountingHandler.hits == []
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in source.rglob("*") if p.is_file()} == sources_before
    warnings = [line for line in result.stderr.splitlines() if "warning: html:" in line]
    for what in (
        "<script>",
        "<iframe>",
        "<object>",
        "<embed>",
        "<style>",
        "<link>",
        "<form>",
        "<svg>",
        "an event attribute on <img>",
        "a javascript: URL on <a>",
    ):
        assert any(what in line for line in warnings), what
    assert all(line.startswith(str(source / "a.md")) or "a.md:" in line for line in warnings)
    assert not any("<video>" in line for line in warnings)  # kept as a frame linking to it (issue 28), unfetched

    epub = next(output.glob("*.epub"))
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert SECRET.encode() not in data, name
            if name.endswith(".xhtml"):
                text = data.decode()
                for banned in (
                    "<script",
                    "<iframe",
                    "<object",
                    "<embed",
                    "<form",
                    "javascript:",
                    "onerror",
                    '<link rel="stylesheet" href="http',
                    "127.0.0.1:" + server.rsplit(":", 1)[1] + "/x",
                ):
                    assert banned not in text, (name, banned)
        assert [n for n in archive.namelist() if n.startswith("EPUB/images/")] == ["EPUB/images/cover.png"]
    pdf = next(output.glob("*.pdf"))
    assert SECRET.encode() not in pdf.read_bytes()
    assert not any(SECRET in page for page in pdf_pages_text(pdf))
    reader = PdfReader(pdf)
    assert sum(len(page.images) for page in reader.pages) == 0


@pytest.mark.parametrize(
    "reference",
    ["../../outside/secret.png", "{secret}/secret.png", "file://{secret}/secret.png", "images/link.png"],
    ids=["dot-dot", "absolute", "file-url", "symlink"],
)
def test_local_image_outside_the_source_is_an_error(tmp_path: Path, secret: Path, reference: str) -> None:
    source = tmp_path / "project" / "issues"
    (source / "images").mkdir(parents=True)
    (source / "images" / "link.png").symlink_to(secret / "secret.png")
    write_issue(source, "a.md", body=f"正文。\n\n![秘密]({reference.format(secret=secret)})\n")
    output = tmp_path / "project" / "output"
    result = run_cli("build", "--source", str(source), "--output", str(output))
    assert result.exit_code == 1
    assert "a.md:10: image:" in result.stderr
    assert not output.exists() or not [p for p in output.iterdir() if p.suffix in (".epub", ".pdf")]


def test_image_dir_outside_the_project_is_refused(tmp_path: Path, secret: Path, monkeypatch) -> None:
    project = tmp_path / "project"
    write_issue(project / "issues", "a.md")
    monkeypatch.chdir(project)
    result = run_cli("build", "--image-dir", str(secret))
    assert result.exit_code == 2 and "outside the project" in result.stderr


def _synthetic_source(folder: Path, issues: int) -> Path:
    """A book big enough to take several seconds: the sample issues repeated under new numbers."""
    samples = sorted(SAMPLE_ISSUES.glob("*.md"))
    (folder / "images").mkdir(parents=True)
    shutil.copy(SAMPLE_ISSUES / "images" / "reading-devices.png", folder / "images")
    for number in range(1, issues + 1):
        text = samples[(number - 1) % len(samples)].read_text(encoding="utf-8")
        text = text.replace("issueNumber: ", f"issueNumber: {number}\nold: ", 1)
        (folder / f"issue-{number:03d}.md").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["TERM", "INT"])
def test_signal_during_a_build_keeps_the_previous_output(tmp_path: Path, sig: signal.Signals, status: int) -> None:
    source = _synthetic_source(tmp_path / "issues", 36)
    output = tmp_path / "output"
    command = publish_command("build", "--source", str(source), "--output", str(output), "--no-cache")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1770595200"}
    subprocess.run(
        [*command, "--format", "epub", "--range", "1-2"], check=True, env=env, capture_output=True, cwd=tmp_path
    )
    before = {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()}
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(output.glob(".partial-*")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    time.sleep(0.5)
    assert process.poll() is None, "the build ended before it could be interrupted"
    assert len(_processes_running(str(source))) >= 2  # the build and its layout workers
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == status, stderr.decode()
    assert "the previous output is unchanged" in stderr.decode()
    assert {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()} == before
    assert not list(output.glob(".partial-*"))
    assert not list(output.rglob("*.part"))
    assert "Traceback" not in stderr.decode()
    assert _processes_running(str(source)) == []  # the layout workers went with the build


def _processes_running(argument: str) -> list[int]:
    """Processes whose command line holds the argument (forked workers keep their parent's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if argument.encode() in (entry / "cmdline").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_rebuilds_at_different_times_from_different_folders_are_identical(tmp_path: Path) -> None:
    first = tmp_path / "a" / "issues"
    shutil.copytree(SAMPLE_ISSUES, first)
    second = tmp_path / "b" / "somewhere" / "else"
    shutil.copytree(SAMPLE_ISSUES, second)
    config = str(ROOT / "book.toml")
    assert (
        run_cli(
            "build", "--source", str(first), "--output", str(tmp_path / "o1"), "--config", config, epoch=None
        ).exit_code
        == 0
    )
    time.sleep(1.1)
    assert (
        run_cli(
            "build",
            "--source",
            str(second),
            "--output",
            str(tmp_path / "o2"),
            "--config",
            config,
            "--no-cache",
            epoch=None,
        ).exit_code
        == 0
    )
    for name in ("shanhai-weekly-2026.epub", "shanhai-weekly-2026.pdf"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes(), name
    for path in (tmp_path / "o1").glob("shanhai-weekly-2026.*"):
        assert str(tmp_path).encode() not in path.read_bytes()

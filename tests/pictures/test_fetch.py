"""`publish images fetch` against a picture server on 127.0.0.1: what it downloads, what it refuses and
why, with file and line; a second run fetches nothing; the build then shows the pictures."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from publish.pictures.fetch import FetchLimits, FetchRefused, GuardedRedirects, download, fetch_all
from publish.pictures.mirror import mirror_path

from ..testing_utils import run_cli, write_issue
from .conftest import Handler


def _issue_with(tmp_path: Path, server: str, names: list[str]) -> Path:
    source = tmp_path / "issues"
    body = "引言。\n\n" + "\n\n".join(f"![图{i}]({server}/{name})" for i, name in enumerate(names, 1)) + "\n"
    write_issue(source, "issue-001.md", body=body)
    return source


def test_fetch_downloads_checks_and_reports_every_failure_with_file_and_line(
    tmp_path: Path, picture_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = ["a.webp", "b.png", "c.jpg", "d.gif", "png-named.webp", "moved.png"]
    bad = ["error.webp", "missing.png", "bomb.png", "truncated.jpg", "loop", "huge.png"]
    source = _issue_with(tmp_path, picture_server, good + bad)
    mirror = tmp_path / "mirror"
    monkeypatch.chdir(tmp_path)
    result = run_cli("images", "fetch", "--source", str(source), "--mirror", str(mirror), "--allow-private")
    assert result.exit_code == 1
    host = picture_server.removeprefix("http://").replace(":", "_")
    for name in good:
        data = (mirror / host / name).read_bytes()
        Image.open(mirror / host / name).verify()  # a picture, whatever its name says
        assert data
    for name in bad:
        assert not (mirror / host / name).exists(), name
    errors = result.stderr
    assert "issue-001.md:" in errors
    expected = {
        "error.webp": "not a picture (the bytes are HTML",
        "missing.png": "HTTP 404",
        "bomb.png": "megapixels",
        "truncated.jpg": "damaged or truncated",
        "loop": "redirect",
        "huge.png": "too big",
    }
    for name, reason in expected.items():
        line = next(line for line in errors.splitlines() if f"/{name}:" in line)
        assert reason in line, line
        assert line.startswith("issues/issue-001.md:") or "issue-001.md:" in line.split(" ")[0]
    assert "6 fetched, 0 already there, 6 failed" in errors
    assert not list(mirror.rglob("*.part"))  # written atomically

    Handler.requests = []
    again = run_cli("images", "fetch", "--source", str(source), "--mirror", str(mirror), "--allow-private")
    assert "0 fetched, 6 already there, 6 failed" in again.stderr
    assert not {f"/{name}" for name in good} & set(Handler.requests)  # nothing good fetched twice

    listed = run_cli("images", "list", "--source", str(source), "--mirror", str(mirror), "--format", "json")
    rows = json.loads(listed.stdout)
    assert len(rows) == len(good + bad) and rows[0]["line"] == 10  # 7 lines of frontmatter, a paragraph
    assert sum(row["mirrored"] for row in rows) == len(good)


def test_private_addresses_are_refused_unless_allowed(tmp_path: Path, picture_server: str) -> None:
    with pytest.raises(FetchRefused, match="loopback, private or reserved"):
        download(f"{picture_server}/b.png", FetchLimits())
    assert download(f"{picture_server}/b.png", FetchLimits(allow_private=True)).startswith(b"\x89PNG")
    source = _issue_with(tmp_path, picture_server, ["b.png"])
    result = run_cli("images", "fetch", "--source", str(source), "--mirror", str(tmp_path / "m"))
    assert result.exit_code == 1 and "--allow-private allows it" in result.stderr
    assert "/b.png" not in Handler.requests[1:]


def test_only_http_and_https_and_never_from_https_to_http() -> None:
    for url in ("ftp://example.org/a.png", "file:///etc/passwd", "gopher://x/"):
        with pytest.raises(FetchRefused, match="only http and https"):
            download(url, FetchLimits(allow_private=True))
    handler = GuardedRedirects(FetchLimits())
    request = urllib.request.Request("https://example.org/a.png")
    with pytest.raises(FetchRefused, match="from https to http"):
        handler.redirect_request(request, None, 302, "Found", {}, "http://example.org/a.png")
    with pytest.raises(FetchRefused, match="loopback, private or reserved"):
        handler.redirect_request(request, None, 302, "Found", {}, "https://127.0.0.1/a.png")


def test_a_slow_picture_times_out_and_a_big_one_is_cut_off(tmp_path: Path, picture_server: str) -> None:
    results = fetch_all(
        [f"{picture_server}/slow.png", f"{picture_server}/a.webp"],
        tmp_path,
        FetchLimits(allow_private=True, timeout=1.0, max_bytes=50_000),
    )
    reasons = {r.url.rsplit("/", 1)[1]: (r.status, r.reason) for r in results}
    assert reasons["slow.png"][0] == "failed" and "timed out" in reasons["slow.png"][1]
    assert reasons["a.webp"][0] == "failed" and "too big" in reasons["a.webp"][1]


def test_the_mirror_never_reaches_outside_itself(tmp_path: Path) -> None:
    assert mirror_path(tmp_path, "https://cdn.example/a/../../../etc/passwd") == tmp_path / "cdn.example/etc/passwd"
    assert mirror_path(tmp_path, "https://cdn.example/%2e%2e/%2e%2e/x.png") == tmp_path / "cdn.example/x.png"
    assert mirror_path(tmp_path, "https://../x.png") is None
    assert mirror_path(tmp_path, "javascript:alert(1)") is None
    assert mirror_path(tmp_path, "//cdn.example/p.png?w=800") == tmp_path / "cdn.example/p.png?w=800"


def test_a_signed_url_with_a_long_query_gets_a_short_name(tmp_path: Path) -> None:
    url = "https://private-user-images.example/2/a.png?jwt=" + "eyJhbGciOi" * 100
    place = mirror_path(tmp_path, url)
    assert place is not None and len(place.name.encode()) <= 200
    assert place == mirror_path(tmp_path, url)  # the same name every time
    assert place != mirror_path(tmp_path, url + "x")
    source = tmp_path / "issues"
    write_issue(source, "issue-001.md", body=f"![]({url})\n")
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "epub")
    assert result.exit_code == 0, result.output  # missing from the mirror: a placeholder, not a traceback


def test_a_trickling_server_is_cut_off_at_the_picture_deadline_and_the_run_ends(
    tmp_path: Path, picture_server: str
) -> None:
    """A server that sends a byte a second trips no per-read limit: the picture's deadline stops it."""
    import time

    began = time.monotonic()
    results = fetch_all([f"{picture_server}/trickle.png"], tmp_path, FetchLimits(allow_private=True, timeout=2.0))
    assert time.monotonic() - began < 6
    assert results[0].status == "failed" and "timed out after 2 s" in results[0].reason
    began = time.monotonic()
    urls = [f"{picture_server}/trickle.png", f"{picture_server}/b.png"]
    late = fetch_all(urls, tmp_path, FetchLimits(allow_private=True, timeout=5.0, run_timeout=1.5), jobs=1)
    assert time.monotonic() - began < 6
    assert late[0].status == "failed" and "timed out" in late[0].reason
    assert late[1].status == "failed" and "not fetched: the run's 2 s were up" in late[1].reason


def test_an_address_with_a_null_byte_is_one_failed_picture(tmp_path: Path, picture_server: str) -> None:
    source = tmp_path / "issues"
    write_issue(source, "issue-001.md", body=f"![a](https://cdn.example/a%00b.png)\n\n![b]({picture_server}/b.png)\n")
    listing = run_cli("images", "list", "--source", str(source), "--mirror", str(tmp_path / "m"))
    assert listing.exit_code == 0 and "missing   https://cdn.example/a%00b.png" in listing.stdout
    fetched = run_cli("images", "fetch", "--source", str(source), "--mirror", str(tmp_path / "m"), "--allow-private")
    assert fetched.exit_code == 1 and "Traceback" not in fetched.output
    assert "issue-001.md:8: https://cdn.example/a%00b.png: the address names no place in the mirror" in fetched.stderr
    assert "1 fetched" in fetched.stderr

"""The HTML edition: a static site of the book that reads from file:// with no network, and `serve` answering
many browsers at once from what was built."""

from __future__ import annotations

import threading
import time
import urllib.parse
from pathlib import Path

from lxml import html

from ...testing_utils import ROOT, SAMPLE_ISSUES, run_cli, write_issue

XHTML = "{http://www.w3.org/1999/xhtml}"


def _site(tmp_path: Path) -> Path:
    result = run_cli("build", "--source", str(SAMPLE_ISSUES), "--output", str(tmp_path), "--format", "epub,html")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "shanhai-weekly-2026-html",
        "shanhai-weekly-2026.epub",
    ]
    return tmp_path / "shanhai-weekly-2026-html"


def test_the_site_has_an_index_a_page_per_issue_and_every_address_inside_it(tmp_path: Path) -> None:
    site = _site(tmp_path)
    pages = sorted(p.name for p in site.glob("*.html"))
    issues = sorted(SAMPLE_ISSUES.glob("*.md"))
    assert pages == ["colophon.html", "index.html", *[f"issue-{n:04d}.html" for n in range(1, len(issues) + 1)]]
    index = html.parse(str(site / "index.html")).getroot()
    assert [a.get("href") for a in index.iter("a") if "issue-" in (a.get("href") or "")] == [
        f"issue-{n:04d}.html" for n in range(1, len(issues) + 1)
    ]
    for page in site.glob("*.html"):
        root = html.parse(str(page)).getroot()
        assert root.get("lang", "").startswith("zh"), page.name
        ids = {element.get("id") for element in root.iter() if element.get("id")}
        for element in root.iter():
            for attribute in ("href", "src"):
                address = element.get(attribute)
                if not address or (address.startswith(("http://", "https://", "mailto:")) and element.tag == "a"):
                    continue  # links to the web are links; nothing the page loads comes from there
                assert "://" not in address, (page.name, address)
                target, _, fragment = address.partition("#")
                if target:
                    assert (site / urllib.parse.unquote(target)).is_file(), (page.name, address)
                if fragment and not target:
                    assert fragment in ids, (page.name, address)  # footnotes are links within the page
    css = (site / "styles" / "book.css").read_text(encoding="utf-8")
    for face in ("NotoSerifCJKSC-Regular.otf", "NotoSerifCJKSC-Bold.otf"):
        assert f'url("../fonts/{face}")' in css and (site / "fonts" / face).stat().st_size > 10_000
    assert "<script" not in "".join(p.read_text(encoding="utf-8") for p in site.glob("*.html"))


def test_an_issue_page_carries_its_metadata_and_the_epubs_typography(tmp_path: Path) -> None:
    site = _site(tmp_path)
    page = html.parse(str(site / "issue-0002.html")).getroot()
    assert page.find(".//p[@class='issue-number']").text_content() == "第 2 期"
    assert page.find(".//time").get("datetime") == "2026-01-12"
    assert page.find(".//p[@class='issue-description']") is not None
    text = (site / "issue-0002.html").read_text(encoding="utf-8")
    assert '<span class="latin">' in text and "gap-before" not in text  # the EPUB profile: spaces, no margins
    assert 'rel="next"' in text and 'rel="prev"' in text


def test_all_still_means_epub_and_pdf(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    write_issue(source, "a.md")
    assert run_cli("build", "--source", str(source), "--output", str(tmp_path / "out")).exit_code == 0
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [".epub", ".pdf"]
    bad = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "epub,docx")
    assert bad.exit_code == 2 and "the formats are epub, pdf, html, all" in bad.stderr


def test_a_rebuilt_site_replaces_the_previous_one_whole(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    write_issue(source, "a.md", number=1)
    write_issue(source, "b.md", number=2, date='"2026-01-12"')
    out = tmp_path / "out"
    assert run_cli("build", "--source", str(source), "--output", str(out), "--format", "html").exit_code == 0
    (source / "b.md").unlink()
    assert run_cli("build", "--source", str(source), "--output", str(out), "--format", "html").exit_code == 0
    site = next(out.glob("*-html"))
    assert not (site / "issue-0002.html").exists() and (site / "issue-0001.html").is_file()
    assert [p.name for p in out.iterdir() if p.name.startswith(".partial")] == []


CLIENTS = 200


def test_serve_answers_every_client_at_once_from_what_was_built(tmp_path: Path) -> None:
    """200 browsers opening the preview at once: every one answered, none reset, each within a second."""
    import http.client

    from publish.config import Config
    from publish.editor.serve import Preview, open_server
    from publish.model import BuildRequest
    from publish.plugins import make_registry

    source = tmp_path / "issues"
    write_issue(source, "a.md", body="正文。\n\n" * 50)
    preview = Preview(Config(project_root=tmp_path), make_registry(plugins=[]), BuildRequest(source, Path()))
    server = open_server(preview, 0)
    preview.start()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = server.server_address[1]
    results: list[tuple[int, float] | Exception] = [None] * CLIENTS  # type: ignore[list-item]
    start = threading.Barrier(CLIENTS)

    def client(index: int) -> None:
        try:
            start.wait()
            began = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/issue-0001.html")
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert b"</html>" in body
            results[index] = (response.status, time.monotonic() - began)
        except Exception as exc:  # a reset or a timeout
            results[index] = exc

    try:
        clients = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for each in clients:
            each.start()
        for each in clients:
            each.join(timeout=30)
    finally:
        server.shutdown()
        server.server_close()
        preview.close()
    failed = [r for r in results if not isinstance(r, tuple)]
    assert failed == []
    assert {status for status, _ in results} == {200}  # type: ignore[misc]
    assert max(seconds for _, seconds in results) < 1.0  # type: ignore[misc]


def test_the_sample_has_styles_for_the_html_edition() -> None:
    assert (ROOT / "styles" / "html.css").is_file()

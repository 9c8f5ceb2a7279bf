"""A part's HTML parsed by expat gives the tree WeasyPrint's HTML5 parser (tinyhtml5) gives, or is left to it
(issue 29): compared element by element — tags, attributes, text and tails — on every part of the sample book,
of ten corpus issues, and of an issue of hostile raw HTML (blocks in paragraphs, a table without row groups,
comments, entities, a newline after <pre>, items in items, a link in a link, SVG)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import tinyhtml5

import publish.writers.pdf.layout as layout
from publish.internals.weasy.html_parse import parse

from ...testing_utils import CORPUS, ROOT, SAMPLE_ISSUES, run_cli

HOSTILE = """---
title: "周刊第1期：原始 HTML"
date: "2026-01-05"
issueNumber: 1
description: "一期写满原始 HTML 的周刊。"
---

正文第一段。

<p>段落里有<div>一个块</div>还有字。</p>

<table><tr><td>没有行组的表格</td></tr></table>

<!-- 一条注释 -->

<p>实体&nbsp;与&copy;符号。</p>

<pre>
第一行前面有个换行
</pre>

<ul><li>外层<li>内层</li></li></ul>

<p><a href="https://example.org/a">外链<a href="https://example.org/b">内链</a></a></p>

<svg width="10" height="10"><rect width="10" height="10"/></svg>
"""


def _jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *arguments: str) -> list[layout.LayoutJob]:
    """The layout jobs of a build (the build stops there)."""
    captured: list[layout.LayoutJob] = []

    def capture(jobs: list[layout.LayoutJob], *_args: object, **_kwargs: object) -> list:
        captured.extend(jobs)
        raise KeyboardInterrupt

    monkeypatch.setattr(layout, "lay_out_all", capture)
    run_cli("build", "--format", "pdf", "--no-cache", "--output", str(tmp_path / "out"), *arguments)
    assert captured
    return captured


def _differences(ours: ElementTree.Element, theirs: ElementTree.Element, path: str = "") -> list[str]:
    here = f"{path}/{theirs.tag}"
    if (ours.tag, dict(ours.attrib), ours.text or "", ours.tail or "") != (
        theirs.tag,
        dict(theirs.attrib),
        theirs.text or "",
        theirs.tail or "",
    ):
        return [here]
    if len(ours) != len(theirs):
        return [f"{here}: {len(ours)} children, not {len(theirs)}"]
    return [found for mine, html5 in zip(ours, theirs, strict=True) for found in _differences(mine, html5, here)]


def _parsed_by_expat(jobs: list[layout.LayoutJob]) -> int:
    """How many of the jobs expat parsed; each such tree is the one tinyhtml5 builds."""
    count = 0
    for job in jobs:
        ours = parse(job.html, namespace_html_elements=False)
        if ours is None:
            continue
        count += 1
        assert _differences(ours, tinyhtml5.parse(job.html, namespace_html_elements=False)) == [], job.label
    return count


def test_the_sample_s_and_corpus_parts_parse_to_html5_s_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = ("--config", str(ROOT / "book.toml"))
    sample = _jobs(tmp_path, monkeypatch, "--source", str(SAMPLE_ISSUES), *config)
    assert _parsed_by_expat(sample) >= len(sample) - 2  # its issues with a table or ruby go to tinyhtml5
    corpus = _jobs(tmp_path, monkeypatch, "--source", str(CORPUS), "--range", "75-84", *config)
    assert _parsed_by_expat(corpus) >= len(corpus) - 2


def test_hostile_raw_html_is_left_to_html5_or_parsed_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "a.md").write_text(HOSTILE, encoding="utf-8")
    jobs = _jobs(tmp_path, monkeypatch, "--source", str(tmp_path / "issues"))
    _parsed_by_expat(jobs)
    for construct in (
        "<p>a<div>b</div>c</p>",
        "<table><tr><td>x</td></tr></table>",
        "<!-- c -->",
        "<p>a&nbsp;b</p>",
        "<ul><li>a<li>b</li></li></ul>",
        '<p><a href="#x">a<a href="#y">b</a></a></p>',
        '<svg width="1" height="1"></svg>',
        '<p xml:lang="en">a</p>',
        '<p title="a\nb">a</p>',
    ):
        document = (
            f'<!DOCTYPE html>\n<html lang="zh">\n<head><title>t</title></head>\n<body>{construct}</body>\n</html>\n'
        )
        assert parse(document, namespace_html_elements=False) is None, construct  # each left to tinyhtml5
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><title>码</title><path d="M0 0h1"/></svg>'
    document = f'<!DOCTYPE html>\n<html lang="zh">\n<head><title>t</title></head>\n<body><p>{svg}</p></body></html>'
    ours = parse(document, namespace_html_elements=False)  # a QR code, as links.py draws it
    assert ours is not None and _differences(ours, tinyhtml5.parse(document, namespace_html_elements=False)) == []
    pre = '<!DOCTYPE html>\n<html lang="zh">\n<head><title>t</title></head>\n<body><pre>\nline</pre></body>\n</html>\n'
    ours = parse(pre, namespace_html_elements=False)
    assert ours is not None and ours.find("body/pre").text == "line"  # HTML5 drops the newline after <pre>
    assert _differences(ours, tinyhtml5.parse(pre, namespace_html_elements=False)) == []


def test_weasyprint_s_html_goes_through_expat(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint hands HTML(string=…) over as a StringIO: the patch reads it from there, tinyhtml5 never runs."""
    from publish.internals.weasy import load_weasyprint

    load_weasyprint()
    from weasyprint import HTML

    from publish.internals.weasy.html_parse import parsed_by_expat_when_the_same

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("tinyhtml5 parsed it")

    monkeypatch.setattr(tinyhtml5, "parse", refuse)
    document = '<!DOCTYPE html>\n<html lang="zh">\n<head><title>t</title></head>\n<body><p>正文</p></body>\n</html>\n'
    with parsed_by_expat_when_the_same():
        html = HTML(string=document, base_url="file:///book/")
    assert html.etree_element.find("body/p").text == "正文"

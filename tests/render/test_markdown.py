"""Render: CJK line joins, glued URLs, heading levels, raw HTML, images and footnotes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from publish.errors import Severity
from publish.render.markdown import render_issue
from publish.source import read_issue

from ..testing_utils import tiny_png, write_issue


def _render(tmp_path: Path, body: str, number: int = 1):
    issue, problems = read_issue(write_issue(tmp_path, f"issue-{number}.md", number=number, body=body))
    assert issue is not None, problems
    chapter, found = render_issue(issue, tmp_path)
    # The body must be well-formed XML on its own.
    etree.fromstring(f"<div>{chapter.body}</div>".encode())
    return chapter, found


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("第一行中文\n第二行中文", "<p>第一行中文第二行中文</p>"),
        ("中文结尾，\n“引号开头”", "<p>中文结尾，“引号开头”</p>"),
        ("English line\nnext line", "<p>English line\nnext line</p>"),
        ("中文\nEnglish", "<p>中文\nEnglish</p>"),
    ],
)
def test_soft_break_between_cjk_joins_without_space(tmp_path: Path, body: str, expected: str) -> None:
    chapter, _ = _render(tmp_path, body)
    assert chapter.body.strip() == expected


@pytest.mark.parametrize(
    ("body", "href", "after"),
    [
        (
            "论文链接：https://www.nature.com/articles/s41586-022-04965-x",
            "https://www.nature.com/articles/s41586-022-04965-x",
            "",
        ),
        ("见https://example.com/a，然后再看", "https://example.com/a", "，然后再看"),
        ("地址https://example.com/path中文后面", "https://example.com/path", "中文后面"),
        (
            "（https://www.cell.com/fulltext/S1535-6108(22)00319-1）",
            "https://www.cell.com/fulltext/S1535-6108(22)00319-1",
            "）",
        ),
    ],
)
def test_bare_urls_glued_to_chinese_link_only_the_url(tmp_path: Path, body: str, href: str, after: str) -> None:
    chapter, _ = _render(tmp_path, body)
    root = etree.fromstring(f"<div>{chapter.body}</div>".encode())
    [link] = root.iter("a")
    assert link.get("href") == href
    assert link.text == href
    assert (link.tail or "") == after


def test_body_headings_nest_under_the_title_without_gaps(tmp_path: Path) -> None:
    chapter, _ = _render(tmp_path, "#### 一\n\n正文\n\n###### 二\n\n正文\n\n#### 三\n")
    assert [(s.level, s.title) for s in chapter.sections] == [(2, "一"), (3, "二"), (2, "三")]
    assert '<h2 id="issue-1-s1" data-label="一">一</h2>' in chapter.body
    assert '<h3 id="issue-1-s2" data-label="二">二</h3>' in chapter.body


def test_raw_html_is_rebuilt_from_the_allow_list(tmp_path: Path) -> None:
    body = (
        '<script>alert(1)</script>\n\n段落<span onclick="steal()">文字</span>'
        '<a href="javascript:alert(1)">链接</a><ruby>魑<rt>chī</rt></ruby>\n\n<iframe src="https://x.test"></iframe>\n'
    )
    chapter, problems = _render(tmp_path, body)
    assert "script" not in chapter.body and "alert" not in chapter.body
    assert "onclick" not in chapter.body and "iframe" not in chapter.body
    assert "javascript:" not in chapter.body
    assert "<ruby>魑<rt>chī</rt></ruby>" in chapter.body
    warnings = [p for p in problems if p.severity is Severity.WARNING and p.field == "html"]
    assert {p.line for p in warnings} == {8, 10, 12}


@pytest.mark.parametrize("body", ["<HTML", "<HTML\n", "<div"])
def test_a_lone_unclosed_tag_renders_as_nothing(tmp_path: Path, body: str) -> None:
    """libxml2 finds no content in a body that is only an unclosed tag: the issue renders empty, no traceback
    (found by the property test)."""
    chapter, _problems = _render(tmp_path, body)
    assert "HTML" not in chapter.body.upper().replace("XHTML", "")


def test_missing_local_image_is_an_error_with_its_line(tmp_path: Path) -> None:
    _, problems = _render(tmp_path, "第一段。\n\n第二段，\n![图](images/none.png)\n")
    [problem] = [p for p in problems if p.severity is Severity.ERROR]
    assert (problem.field, problem.line) == ("image", 11)
    assert "images/none.png" in problem.message


def test_image_outside_the_source_folder_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    issue, _ = read_issue(write_issue(source, "a.md", body="![x](../secret.png)\n"))
    _, problems = render_issue(issue, source)
    assert [p.field for p in problems] == ["image"]
    assert "outside the source folder" in problems[0].message


def test_local_image_gets_a_book_path_and_remote_one_becomes_a_link(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "图.png").write_bytes(tiny_png())
    chapter, problems = _render(tmp_path, "![本地](images/图.png)\n\n![](https://img.example/a.png)\n")
    assert problems == []
    [(href, data)] = chapter.images.items()
    assert href.startswith("images/") and href.endswith(".png") and data == tiny_png()
    assert f'src="{href}"' in chapter.body and 'alt="本地"' in chapter.body
    assert chapter.remote_images == 1
    # not mirrored: a quiet placeholder linked to where the picture lives, never its host name as text
    assert 'href="https://img.example/a.png" class="picture-missing-link"' in chapter.body
    assert ">图片未能收录<" in chapter.body and "<img" not in chapter.body.split("picture-missing")[1]


def test_footnote_ids_are_unique_per_issue(tmp_path: Path) -> None:
    chapter, _ = _render(tmp_path, "正文[^1]。\n\n[^1]: 注释。\n", number=7)
    assert 'id="fn-i7-1"' in chapter.body and 'href="#fn-i7-1"' in chapter.body


def test_invalid_xml_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    chapter, problems = _render(tmp_path, "正文\x0b有控制字符。\n")
    assert "\x0b" not in chapter.body
    assert [p.field for p in problems] == ["text"]


def test_mirrored_remote_image_is_used_from_image_dir(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "img.example" / "a"
    mirror.mkdir(parents=True)
    (mirror / "b.png?x=1").write_bytes(tiny_png((1, 2, 3)))
    issue, _ = read_issue(
        write_issue(
            tmp_path / "src",
            "a.md",
            body="![图](https://img.example/a/b.png?x=1)\n![](https://img.example/../../secret.png)\n",
        )
    )
    chapter, problems = render_issue(issue, tmp_path / "src", image_dir=tmp_path / "mirror")
    assert problems == []
    assert list(chapter.images.values()) == [tiny_png((1, 2, 3))]
    assert chapter.remote_images == 1  # the ../ one stays a link: it cannot climb out of the mirror


def test_data_image_is_packaged_and_a_lying_file_is_refused(tmp_path: Path) -> None:
    import base64

    png = base64.b64encode(tiny_png((9, 9, 9))).decode()
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "fake.png").write_bytes(b"<html>not a picture</html>")
    chapter, problems = _render(
        tmp_path,
        f"![a](data:image/png;base64,{png})\n\n![b](images/fake.png)\n"
        '\n<img src="data:text/html;base64,PHNjcmlwdD4=">\n',
    )
    assert tiny_png((9, 9, 9)) in chapter.images.values()
    assert "data:" not in chapter.body
    found = {(p.severity, p.line): p.message for p in problems}
    assert "not a picture (the bytes are HTML" in found[(Severity.ERROR, 10)]
    assert "data: URL that is not a base64" in found[(Severity.WARNING, 12)]


def test_a_picture_without_alt_text_gets_its_title_or_its_place_as_alt(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(tiny_png((1, 1, 1)))
    (tmp_path / "images" / "b.png").write_bytes(tiny_png((2, 2, 2)))
    chapter, problems = _render(tmp_path, '![](images/a.png "用电曲线")\n\n![](images/b.png)\n')
    assert problems == []
    alts = re.findall(r'alt="([^"]*)"', chapter.body)
    assert alts[0] == "用电曲线" and re.fullmatch(r"第 \d+ 期插图 2", alts[1])

"""Property-based tests: for any Markdown and any Unicode, rendering and typesetting give well-formed XHTML,
keep the text a reader copies, and are idempotent."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from publish.render.markdown import make_parser, render_issue
from publish.source import read_issue
from publish.typography import EPUB_RULES, PDF_RULES, builtin_rules, typeset_markup

from ..testing_utils import write_issue
from .copied_text import copied_text, only_gap_spaces_added

JOINERS = re.compile("[\u2060\u200b]")

# Pieces a real issue is made of, and the characters that break naive code.
MARKDOWN_PIECES = st.sampled_from(
    [
        "# ",
        "## ",
        "#### ",
        "- ",
        "1. ",
        "> ",
        "**",
        "*",
        "_",
        "`",
        "```\n",
        "~~",
        "[^1]",
        "\n\n[^1]: 注。\n",
        "[链接](https://example.com/路径)",
        "![](https://img.example/a.png)",
        "https://example.com/a，b",
        "<ruby>字<rt>zì</rt></ruby>",
        "<span>",
        "</span>",
        "<b>",
        "<script>x</script>",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "\n",
        "\n\n",
        "  \n",
        "&amp;",
        "&lt;",
        "&#x4E2D;",
        "<!-- c -->",
        "\\*",
        "“",
        "”",
        "「",
        "」",
        "，",
        "。",
        "（",
        "）",
        "……",
        "——",
    ]
)
UNICODE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
        st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # astral CJK
        st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining marks
        st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),  # Hebrew, Arabic (RTL)
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
        st.sampled_from(["\u200d", "\ufe0f", "\u200b", "\u2060", "\x00", "\x0b", "\x1f", "\ufffe", " ", "a", "Z", "9"]),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=40,
)
DOCUMENTS = st.lists(st.one_of(MARKDOWN_PIECES, UNICODE_TEXT), max_size=25).map("".join)
MD = make_parser()


def _text(markup: str) -> str:
    return "".join(etree.fromstring(f"<div>{markup}</div>".encode()).itertext())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=DOCUMENTS)
@example(body="“000000000000000000000000:0\\*\\*\\*000000000{")  # a run of 39 after a quote, 40 with its joiner
@example(body="000000000{000000000{000000000{0000{00000A00")  # 8 characters, 9 with the break the first pass added
def test_render_and_typeset_any_input(tmp_path: Path, body: str) -> None:
    issue, problems = read_issue(write_issue(tmp_path, "a.md", body=body))
    assert issue is not None, problems
    chapter, _ = render_issue(issue, tmp_path, MD)
    etree.fromstring(f"<div>{chapter.body}</div>".encode())  # well-formed XML
    again, _ = render_issue(issue, tmp_path, MD)
    assert again == chapter  # deterministic
    assert "<script" not in chapter.body
    for rules in (EPUB_RULES, PDF_RULES):
        typeset = typeset_markup(chapter.body, builtin_rules(rules))
        etree.fromstring(f"<div>{typeset}</div>".encode())
        # In both books the only characters added are the CJK–Latin spaces (typography/spacing.py).
        assert only_gap_spaces_added(copied_text(chapter.body), copied_text(typeset))
        assert typeset_markup(typeset, builtin_rules(rules)) == typeset  # idempotent

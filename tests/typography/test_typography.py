"""The CJK typography pass on whole chapters: properties of the sample issues (each rule's own cases are
fixtures, tests/typography/test_rules.py)."""

from __future__ import annotations

import re

import pytest

from publish.build import prepare_chapters
from publish.model import Selection
from publish.typography import EPUB_RULES, PDF_RULES, typeset_markup

from ..testing_utils import SAMPLE_ISSUES


@pytest.fixture(scope="module")
def sample_bodies() -> list[str]:
    chapters, problems = prepare_chapters(SAMPLE_ISSUES, Selection())
    assert chapters, problems
    return [c.body for c in chapters]


def _text(markup: str) -> str:
    from lxml import etree

    return "".join(etree.fromstring(f"<div>{markup}</div>").itertext())


@pytest.mark.parametrize("rules", [EPUB_RULES, PDF_RULES], ids=["epub", "pdf"])
def test_text_a_reader_copies_is_unchanged(sample_bodies: list[str], rules) -> None:
    for body in sample_bodies:
        typeset = typeset_markup(body, rules)
        assert re.sub("[\u2060\u200b]", "", _text(typeset)) == _text(body)


@pytest.mark.parametrize("rules", [EPUB_RULES, PDF_RULES], ids=["epub", "pdf"])
def test_typesetting_twice_changes_nothing(sample_bodies: list[str], rules) -> None:
    for body in sample_bodies:
        once = typeset_markup(body, rules)
        assert typeset_markup(once, rules) == once


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown typography rules: kerning"):
        typeset_markup("<p>字</p>", ["kerning"])

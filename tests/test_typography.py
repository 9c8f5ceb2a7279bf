"""The CJK typography pass: fixture pairs per rule, then properties on the sample issues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish.build import prepare_chapters
from publish.model import Selection
from publish.typography.chain import EPUB_RULES, PDF_RULES, typeset_markup

from .testing_utils import SAMPLE_ISSUES

FIXTURES = Path(__file__).parent / "fixtures" / "typography.txt"
INVISIBLE = {"{WJ}": "\u2060", "{ZW}": "\u200b"}


def _fixtures() -> list[tuple[str, str, str]]:
    text = "\n".join(line for line in FIXTURES.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    cases = []
    for block in re.findall(r"(\S[^\n]*)\n\.\n(.*?)\n\.\n(.*?)\n\.", text, re.DOTALL):
        title, source, expected = block
        for marker, char in INVISIBLE.items():
            expected = expected.replace(marker, char)
        cases.append((title, source, expected))
    return cases


@pytest.mark.parametrize(("title", "source", "expected"), _fixtures(), ids=[c[0] for c in _fixtures()])
def test_rule_fixture(title: str, source: str, expected: str) -> None:
    rule = title.split(":")[0]
    assert typeset_markup(source, [rule]) == expected


def test_fixture_file_is_read_whole() -> None:
    assert len(_fixtures()) == 11


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

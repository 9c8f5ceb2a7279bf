"""The CJK typography pass on whole chapters: properties of the sample issues (each rule's own cases are
fixtures, tests/typography/test_rules.py)."""

from __future__ import annotations

import pytest

from publish.build import prepare_chapters
from publish.model import Selection
from publish.typography import EPUB_RULES, PDF_RULES, builtin_rules, typeset_markup

from ..testing_utils import SAMPLE_ISSUES
from .copied_text import copied_text, only_gap_spaces_added


@pytest.fixture(scope="module")
def sample_bodies() -> list[str]:
    chapters, problems = prepare_chapters(SAMPLE_ISSUES, Selection())
    assert chapters, problems
    return [c.body for c in chapters]


@pytest.mark.parametrize("rules", [EPUB_RULES, PDF_RULES], ids=["epub", "pdf"])
def test_both_books_add_only_cjk_latin_spaces(sample_bodies: list[str], rules) -> None:
    """What a reader copies is the author's text, with a space where Chinese meets Latin (the gap, which
    both books set as a space: typography/spacing.py)."""
    added = 0
    for body in sample_bodies:
        typeset = copied_text(typeset_markup(body, builtin_rules(rules)))
        assert only_gap_spaces_added(copied_text(body), typeset)
        added += len(typeset) - len(copied_text(body))
    assert added >= 5  # issue 3 writes macOS, Linux, Windows and WSL glued to Chinese


@pytest.mark.parametrize("rules", [EPUB_RULES, PDF_RULES], ids=["epub", "pdf"])
def test_typesetting_twice_changes_nothing(sample_bodies: list[str], rules) -> None:
    for body in sample_bodies:
        once = typeset_markup(body, builtin_rules(rules))
        assert typeset_markup(once, builtin_rules(rules)) == once


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown typography rules: kerning"):
        typeset_markup("<p>字</p>", builtin_rules(["kerning"]))

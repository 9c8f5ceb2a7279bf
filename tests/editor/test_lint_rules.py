"""Each lint rule against its fixture (tests/editor/lint_fixtures/<rule>/): exactly the findings listed there."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish.editor.lint import lint_issues, read_texts
from publish.model import Selection
from publish.plugins import make_registry
from publish.source import collect_issues

FIXTURES = Path(__file__).parent / "lint_fixtures"
REGISTRY = make_registry(plugins=[])


def test_every_rule_has_a_fixture() -> None:
    folders = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
    assert folders == sorted(REGISTRY.lint_rules)


@pytest.mark.parametrize("name", sorted(REGISTRY.lint_rules))
def test_rule_reports_what_its_fixture_lists(name: str) -> None:
    folder = FIXTURES / name
    issues, problems = collect_issues(folder, Selection())
    assert [p for p in problems if p.severity.value == "error"] == []
    found = lint_issues(read_texts(issues), [REGISTRY.lint_rules[name]])
    assert all(f.rule == name for f in found)
    places = [f"{f.path.name}:{f.line}:{f.column}" for f in found]
    assert places == (folder / "expected.txt").read_text(encoding="utf-8").split()

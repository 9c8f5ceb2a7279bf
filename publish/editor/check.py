"""`publish check`: validate the issues exactly as the build does, then lint them; with fixes, apply the safe
ones and check again, so that what is reported is what is left."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from publish.editor.lint import LintRule, apply_fixes, lint_issues, read_texts, selected
from publish.errors import Diagnostic
from publish.model import Chapter, Selection


@dataclass(frozen=True)
class CheckResult:
    chapters: list[Chapter]
    problems: list[Diagnostic]
    findings: list[Diagnostic]


def check_issues(
    source: Path,
    selection: Selection,
    image_dir: Path | None,
    rules: Sequence[LintRule],
    *,
    select: Collection[str] = (),
    ignore: Collection[str] = (),
    fix: bool = False,
    show_diff: Callable[[str], None] = lambda diff: None,
) -> CheckResult:
    """Every problem and lint finding of the selected issues; with `fix`, the safe fixes applied first
    (their diff handed to `show_diff`), then everything checked again."""
    from publish.build import prepare_chapters

    chapters: list[Chapter] = []
    problems: list[Diagnostic] = []
    findings: list[Diagnostic] = []
    for attempt in ("check", "after fixes"):
        chapters, problems = prepare_chapters(source, selection, image_dir)
        issues = [chapter.issue for chapter in chapters]
        findings = selected(lint_issues(read_texts(issues), rules), select, ignore)
        if attempt == "after fixes" or not fix or not any(f.fixable for f in findings):
            break
        show_diff(apply_fixes(issues, findings, rules))
    return CheckResult(chapters, problems, findings)

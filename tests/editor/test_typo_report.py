"""The typography targets, measured on the sample book's PDF with `publish typo-report`."""

from __future__ import annotations

import json
from pathlib import Path

from publish.editor.typo_report import typo_report

from ..testing_utils import run_cli


def test_sample_book_meets_every_target(sample_books: dict[str, Path]) -> None:
    report = typo_report(sample_books["pdf"])
    assert report.full_lines >= 30 and report.body_lines >= 80
    assert report.closing_at_line_start == 0
    assert report.flush_right_percent >= 99.0
    assert report.cjk_latin_gap_em is not None and report.cjk_latin_gap_em >= 0.2
    assert report.punctuation_pairs >= 10 and report.punctuation_pairs_compressed_percent >= 95.0
    assert report.single_character_last_lines == 0
    assert report.quotes >= 10 and report.quote_width_em >= 0.9


def test_cli_prints_the_table_and_json(sample_books: dict[str, Path]) -> None:
    table = run_cli("typo-report", str(sample_books["pdf"]))
    assert table.exit_code == 0
    assert "full body lines flush right" in table.output and "target ≥ 99 %" in table.output
    figures = json.loads(run_cli("typo-report", str(sample_books["pdf"]), "--json").output)
    assert figures["closing_at_line_start"] == 0 and figures["flush_right_percent"] >= 99.0

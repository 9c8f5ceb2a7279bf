"""`publish typo-report`: a PDF's CJK typography measured against the project's targets."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from publish.cli.errors import PublishCommand


@click.command("typo-report", cls=PublishCommand)
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the figures and findings as JSON.")
@click.option("--findings", "shown", default=10, show_default=True, help="Findings listed per check (0: none).")
def typo_report_command(pdf: Path, as_json: bool, shown: int) -> None:
    """Measure a PDF's CJK typography from its glyph positions, against the project's targets; list where
    each target is missed, with page numbers. Exits 1 when a target is missed."""
    from publish.editor.typo_report import report_table, typo_report

    report = typo_report(pdf)
    if as_json:
        figures = {f.name: getattr(report, f.name) for f in dataclasses.fields(report) if f.name != "findings"}
        figures["findings"] = [found.as_dict() for found in report.findings]
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        click.echo(report_table(pdf, report, shown))
    if not report.met:
        sys.exit(1)

"""`publish check`: validate, then lint; `--fix` applies the safe fixes (publish/editor/check.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from publish.cli.common import (
    checked_image_dir,
    config_option,
    image_dir_option,
    load_settings,
    range_option,
    report,
    source_option,
    year_option,
)
from publish.cli.errors import PublishCommand
from publish.errors import ContentErrors, Severity, errors_in
from publish.registry import Registry


def _rule_names(registry: Registry, values: tuple[str, ...], option: str) -> frozenset[str]:
    names = frozenset(name.strip() for value in values for name in value.split(",") if name.strip())
    unknown = sorted(names - set(registry.lint_rules))
    if unknown:
        raise click.BadParameter(
            f"no lint rule {', '.join(unknown)}; the rules are: {', '.join(registry.lint_rules)}", param_hint=option
        )
    return names


def _rules_option(registry: Registry, flag: str, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An option naming lint rules of the registry, checked as they are given."""
    return click.option(
        flag,
        multiple=True,
        callback=lambda ctx, param, value: _rule_names(registry, value, flag),
        metavar="RULE[,RULE]",
        help=help,
    )


def check_command(registry: Registry) -> click.Command:
    @click.command("check", cls=PublishCommand)
    @source_option
    @year_option
    @range_option
    @config_option
    @image_dir_option
    @click.option("--fix", is_flag=True, help="Apply the safe fixes, show them as a diff, write each file atomically.")
    @click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @_rules_option(registry, "--select", "Only these lint rules (repeat, or separate with commas).")
    @_rules_option(registry, "--ignore", "Leave out these lint rules, e.g. --ignore image-alt.")
    def command(
        source: Path,
        year: int | None,
        number_range: tuple[int | None, int | None],
        config_path: Path | None,
        image_dir: Path | None,
        fix: bool,
        output_format: str,
        select: frozenset[str],
        ignore: frozenset[str],
    ) -> None:
        """Validate the issues exactly as `build` does, then lint them; write nothing unless --fix."""
        from publish.editor.check import CheckResult, check_issues
        from publish.editor.images import remote_pictures
        from publish.model import Selection

        config, settings_problems = load_settings(config_path, registry)
        result = CheckResult([], [], [])
        mirror = None
        if not errors_in(settings_problems):
            mirror = checked_image_dir(image_dir, config)
            selection = Selection(year=year, first=number_range[0], last=number_range[1])
            rules = list(registry.lint_rules.values())
            result = check_issues(
                source, selection, mirror, rules, select=select, ignore=ignore, fix=fix,
                show_diff=lambda diff: click.echo(diff, nl=False),
            )  # fmt: skip
        problems = [*settings_problems, *result.problems]
        if output_format == "json":
            listing = {"problems": [p.as_dict() for p in problems], "findings": [f.as_dict() for f in result.findings]}
            click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        else:
            report(problems)
            root = Path.cwd()
            for finding in result.findings:
                click.echo(finding.format(root), err=True)
        errors = errors_in(problems)
        if errors:
            raise ContentErrors(errors)
        if output_format == "text":
            warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
            click.echo(
                f"{len(result.chapters)} issue(s) checked, 0 errors, {warnings} warning(s), "
                f"{len(result.findings)} lint finding(s)",
                err=True,
            )
            remote = remote_pictures([chapter.issue for chapter in result.chapters], mirror)
            missing = sum(1 for picture in remote if not picture.mirrored)
            if missing:
                click.echo(
                    f"{missing} of {len(remote)} remote picture(s) not mirrored yet: "
                    "`publish images fetch` downloads them",
                    err=True,
                )

    return command

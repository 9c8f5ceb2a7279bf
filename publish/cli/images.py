"""`publish images list|fetch`: the remote pictures, and the one command that uses the network."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import click

from publish.cli.common import colour, config_option, fail_on_errors, load_settings, source_option
from publish.cli.errors import PublishGroup
from publish.config import Config
from publish.model import Issue
from publish.registry import Registry

mirror_option = click.option(
    "--mirror",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of mirrored pictures, as <host>/<path> (default: images/remote/ in the project folder).",
)


def _mirror_for(mirror: Path | None, config: Config) -> Path:
    from publish.pictures.mirror import DEFAULT_MIRROR

    return (mirror or config.project_root / DEFAULT_MIRROR).resolve()


def _issues(registry: Registry, source: Path, config_path: Path | None) -> tuple[Config, list[Issue]]:
    from publish.model import Selection
    from publish.source import collect_issues

    config, problems = load_settings(config_path, registry)
    issues, found = collect_issues(source, Selection())
    fail_on_errors([*problems, *found])
    return config, issues


def images_group(registry: Registry) -> click.Group:
    @click.group("images", cls=PublishGroup)
    def group() -> None:
        """Remote pictures: list them, or download them into the project's mirror (the only network use)."""

    @group.command("list")
    @source_option
    @config_option
    @mirror_option
    @click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def list_command(source: Path, config_path: Path | None, mirror: Path | None, output_format: str) -> None:
        """Every remote picture the issues show, with its file and line and whether the mirror holds it."""
        from publish.editor.images import remote_pictures
        from publish.errors import shown_path

        config, issues = _issues(registry, source, config_path)
        pictures = remote_pictures(issues, _mirror_for(mirror, config))
        root = Path.cwd()
        if output_format == "json":
            rows = [{"url": p.url, "path": str(p.path), "line": p.line, "mirrored": p.mirrored} for p in pictures]
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for picture in pictures:
            where = f"{shown_path(picture.path, root)}:{picture.line}"
            click.echo(f"{where}: {'mirrored' if picture.mirrored else 'missing '}  {picture.url}")
        missing = sum(1 for p in pictures if not p.mirrored)
        click.echo(
            f"{len(pictures)} remote picture(s), {len(pictures) - missing} mirrored, {missing} missing", err=True
        )

    @group.command("fetch")
    @source_option
    @config_option
    @mirror_option
    @click.option("--jobs", type=click.IntRange(1, 64), default=8, show_default=True, help="Downloads at a time.")
    @click.option(
        "--allow-private",
        is_flag=True,
        help="Also fetch from loopback, private and link-local addresses (refused by default).",
    )
    def fetch_command(
        source: Path, config_path: Path | None, mirror: Path | None, jobs: int, allow_private: bool
    ) -> None:
        """Download every remote picture the issues show into the mirror, where `build` finds it.

        Only http(s); a size cap, a timeout and a redirect limit per picture; the bytes checked to be a
        picture. Pictures already in the mirror are not fetched again. Exit 0 when every picture is there,
        1 when some failed."""
        from publish.editor.images import remote_pictures
        from publish.errors import shown_path
        from publish.pictures.fetch import FetchLimits, FetchResult, fetch_all

        config, issues = _issues(registry, source, config_path)
        folder = _mirror_for(mirror, config)
        pictures = remote_pictures(issues, folder)
        urls = list(dict.fromkeys(p.url for p in pictures))
        show_bar = sys.stderr.isatty()
        bar = (
            click.progressbar(length=len(urls), label="下载图片", file=sys.stderr, show_pos=True) if show_bar else None
        )
        lock = threading.Lock()

        def advance(result: FetchResult) -> None:
            if bar is not None:
                with lock:
                    bar.update(1)

        if bar is not None:
            bar.__enter__()
        try:
            results = fetch_all(urls, folder, FetchLimits(allow_private=allow_private), jobs, advance)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        root = Path.cwd()
        failed = {r.url: r.reason for r in results if r.status == "failed"}
        for picture in pictures:
            if picture.url in failed:
                where = f"{shown_path(picture.path, root)}:{picture.line}"
                click.echo(
                    click.style(f"{where}:", fg="red", bold=True) + f" {picture.url}: {failed[picture.url]}",
                    err=True,
                    color=colour(),
                )
        counts = {status: sum(1 for r in results if r.status == status) for status in ("fetched", "present", "failed")}
        click.echo(
            f"{len(urls)} remote picture(s): {counts['fetched']} fetched, {counts['present']} already there, "
            f"{counts['failed']} failed; mirror: {shown_path(folder, root)}",
            err=True,
        )
        if counts["failed"]:
            sys.exit(1)

    return group

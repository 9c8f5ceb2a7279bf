"""The `publish` command: one module per command (build, check, new, serve, images, typo-report), each thin;
the work lives in the stages and the editor's modules. The registry of this run (built-ins and plugins,
publish/plugins.py) gives `build` its writers' options and `check` its lint rules. The stages are imported
by the commands that use them, so that `publish --help` and `check` start fast."""

from __future__ import annotations

import gc
import logging
import signal
import sys

import click

from publish.cli.build import build_command
from publish.cli.check import check_command
from publish.cli.errors import PublishGroup
from publish.cli.images import images_group
from publish.cli.import_archive import import_command
from publish.cli.new import new_command
from publish.cli.serve import serve_command
from publish.cli.typo_report import typo_report_command
from publish.errors import InternalError, PublishError
from publish.plugins import make_registry

__all__ = ["cli", "main"]


@click.group(cls=PublishGroup)
@click.version_option(package_name="publish")
def cli() -> None:
    """Collect a Chinese weekly's issues into an EPUB 3 anthology and a print-ready PDF."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


REGISTRY = make_registry()
"""This run's parts. One process runs one command, so one registry serves it (tests make their own)."""
for command in (
    build_command(REGISTRY),
    check_command(REGISTRY),
    new_command,
    import_command,
    serve_command(REGISTRY),
    images_group(REGISTRY),
    typo_report_command,
):
    cli.add_command(command)


class Terminated(BaseException):
    """SIGTERM, raised so that every `finally` cleans up what the build had begun (not a
    KeyboardInterrupt, which click turns into a generic Abort)."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


GC_THRESHOLDS = (100_000, 50, 1_000)
"""A build allocates millions of small objects that live until the book is written (tokens, trees, boxes);
CPython's default thresholds (700, 10, 10) make the collector scan them again and again, which cost a
quarter of a cold EPUB build and a tenth of the PDF layout here. Cycles are still collected, less often."""


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        cli.main(standalone_mode=False)
    except Terminated:
        click.echo("terminated; the previous output is unchanged", err=True)
        sys.exit(143)
    except (KeyboardInterrupt, click.Abort):
        click.echo("interrupted; the previous output is unchanged", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PublishError as exc:  # raised outside a command (a plugin's setup, say)
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    except InternalError as exc:
        click.echo(
            f"internal error: {exc}. This is a bug in publish, not in your files: please report it with the "
            "command you ran; the previous output is unchanged",
            err=True,
        )
        sys.exit(70)

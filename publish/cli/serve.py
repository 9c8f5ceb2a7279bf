"""`publish serve`: the HTML edition on 127.0.0.1, rebuilt and reloaded when an issue changes
(publish/editor/serve.py)."""

from __future__ import annotations

from pathlib import Path

import click

from publish.cli.common import checked_image_dir, config_option, image_dir_option, settings_or_fail, source_option
from publish.cli.errors import PublishCommand
from publish.registry import Registry


def serve_command(registry: Registry) -> click.Command:
    @click.command("serve", cls=PublishCommand)
    @source_option
    @config_option
    @image_dir_option
    @click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=8000,
        show_default=True,
        help="Port on 127.0.0.1 (0 picks a free one).",
    )
    def command(source: Path, config_path: Path | None, image_dir: Path | None, port: int) -> None:
        """Preview the book in a browser as its HTML edition (typeset as the EPUB is); the page reloads when
        an issue changes."""
        from publish.editor.serve import Preview, open_server
        from publish.model import BuildRequest

        config = settings_or_fail(config_path, registry)
        request = BuildRequest(source=source, output=Path(), image_dir=checked_image_dir(image_dir, config))
        preview = Preview(config, registry, request)
        try:
            server = open_server(preview, port)
            preview.start()
            click.echo(f"serving {source} on http://127.0.0.1:{server.server_address[1]}/ — Ctrl-C stops")
            try:
                server.serve_forever(poll_interval=0.2)
            except KeyboardInterrupt:
                click.echo("stopped", err=True)
            finally:
                server.server_close()
        finally:
            preview.close()

    return command

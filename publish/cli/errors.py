"""The CLI's edge for errors: the core raises plain exceptions (publish/errors.py); here they become click's
messages and exit codes — 1 for a problem the user can fix, 2 for a wrong use of the command, 70 for a
bug of ours — the way Sphinx's command line handles the errors of its core."""

from __future__ import annotations

from typing import Any

import click

from publish.errors import PublishError, UsageError


class PublishCommand(click.Command):
    """A command whose core errors are shown as click shows its own, with the command's usage for a wrong use."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if exc.option:
                raise click.BadParameter(exc.message, ctx=ctx, param_hint=exc.option) from None
            raise click.UsageError(exc.message, ctx=ctx) from None
        except PublishError as exc:
            raise click.ClickException(exc.message) from None


class PublishGroup(click.Group):
    command_class = PublishCommand
    group_class = type  # click: subgroups are of this class too

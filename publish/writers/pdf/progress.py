"""A progress bar on the terminal while the PDF's parts are laid out: one step per part (each issue, the
contents, the folio template)."""

from __future__ import annotations

import sys

import click


class TerminalProgress:
    """Called with a part's label, how many parts are done and how many there are in this round."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, label: str, done: int, total: int) -> None:
        if self.bar is None or self.bar.length != total or done == 1:
            self.close()
            self.bar = click.progressbar(length=total, label="排版 PDF", show_pos=True, file=sys.stdout)
            self.bar.__enter__()
        self.bar.label = f"排版 PDF：{label}"
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

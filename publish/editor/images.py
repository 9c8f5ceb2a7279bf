"""`publish images list` and `publish images fetch`: the remote pictures the issues show, where (file and
line), and whether the project's mirror holds them; fetching drives publish/pictures/fetch.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from publish.model import Issue
from publish.pictures.mirror import is_remote, mirror_path
from publish.render.markdown import make_parser, picture_sources


@dataclass(frozen=True)
class RemotePicture:
    url: str
    path: Path
    """The issue file that shows it."""
    line: int | None
    mirrored: bool


def remote_pictures(issues: Sequence[Issue], mirror: Path | None) -> list[RemotePicture]:
    """Every remote picture of every issue, in issue and line order, with whether the mirror holds it."""
    md = make_parser()
    found = []
    for issue in issues:
        for src, line in picture_sources(issue, md):
            if not is_remote(src):
                continue
            place = mirror_path(mirror, src) if mirror is not None else None
            try:
                mirrored = place is not None and place.is_file()
            except OSError:
                mirrored = False
            found.append(RemotePicture(src, issue.path, line, mirrored))
    return found

"""Render: each issue's Markdown → an XHTML chapter (render/markdown.py), its raw HTML rebuilt from an
allow-list (render/sanitize.py), with markdown-it-py plugins for Chinese text (render/plugins/).

`render_cached` remembers each issue's chapter in the build's cache: after an edit to one issue, the others
are not parsed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

from publish.cache import Cache, code_digest, entry_key
from publish.errors import Diagnostic, Severity
from publish.model import Chapter, Issue, Section

PICTURE_KIND = "rendered-pictures"
"""The pictures of rendered chapters, by the SHA-256 of their bytes: the render entries name them, so a
picture is stored once as bytes (not as base64 in every issue's JSON)."""


def tree_fingerprint(*folders: Path | None) -> str:
    """Every file beside the issues (pictures, mirrored images): its path, size and time. Any change
    there renders every issue again, which is rare and keeps the rule simple and safe."""
    entries = []
    for folder in folders:
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix != ".md" and path.is_file():
                status = path.stat()
                entries.append(f"{path}|{status.st_size}|{status.st_mtime_ns}")
    return "\n".join(entries)


def render_cached(
    issue: Issue,
    render: Callable[[Issue], tuple[Chapter, list[Diagnostic]]],
    cache: Cache | None,
    fingerprint: str,
) -> tuple[Chapter, list[Diagnostic]]:
    """render(issue), or what it gave before for the same file, files beside it and rendering code.
    Renders with errors are not remembered (the build stops; the editor fixes the file)."""
    if cache is None:
        return render(issue)
    key = entry_key(code_digest("publish.render.markdown"), fingerprint, repr(issue))
    found = cache.get_json("render", key)
    try:
        if isinstance(found, dict):
            return _chapter_from(found, issue, cache), [_problem_from(p, issue) for p in found["problems"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    chapter, problems = render(issue)
    if not any(p.severity is Severity.ERROR for p in problems):
        for data in chapter.images.values():  # each picture once, as bytes, whichever issues show it
            digest = hashlib.sha256(data).hexdigest()
            if not cache.has(PICTURE_KIND, digest):
                cache.put(PICTURE_KIND, digest, data)
        cache.put_json("render", key, _chapter_to(chapter, problems))
    return chapter, problems


def _chapter_to(chapter: Chapter, problems: list[Diagnostic]) -> dict:
    return {
        "anchor": chapter.anchor,
        "body": chapter.body,
        "sections": [[s.anchor, s.title, s.level] for s in chapter.sections],
        "images": {href: hashlib.sha256(data).hexdigest() for href, data in chapter.images.items()},
        "image_lines": dict(chapter.image_lines),
        "remote_images": chapter.remote_images,
        "title_html": chapter.title_html,
        "description_html": chapter.description_html,
        "problems": [[p.line, p.field, p.message, p.hint, p.severity.value] for p in problems],
    }


def _chapter_from(entry: dict, issue: Issue, cache: Cache) -> Chapter:
    images = {}
    for href, digest in entry["images"].items():
        data = cache.get(PICTURE_KIND, str(digest))
        if data is None or hashlib.sha256(data).hexdigest() != digest or digest[:16] not in href:
            raise ValueError(f"the cached picture {href} is missing or damaged")
        images[str(href)] = data
    return Chapter(
        issue=issue,
        anchor=str(entry["anchor"]),
        body=str(entry["body"]),
        sections=tuple(Section(str(a), str(t), int(level)) for a, t, level in entry["sections"]),
        images=MappingProxyType(images),
        image_lines=MappingProxyType(
            {str(k): (None if v is None else int(v)) for k, v in entry["image_lines"].items()}
        ),
        remote_images=int(entry["remote_images"]),
        title_html=str(entry["title_html"]),
        description_html=str(entry["description_html"]),
    )


def _problem_from(fields: list, issue: Issue) -> Diagnostic:
    line, field, message, hint, severity = fields
    line = None if line is None else int(line)
    return Diagnostic(issue.path, line, str(field), str(message), str(hint), Severity(severity))

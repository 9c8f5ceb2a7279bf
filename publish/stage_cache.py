"""Remembered results of the render and typeset stages, under <output>/.cache, keyed by their inputs and
by the code that makes them: after an edit to one issue, the others are neither parsed nor typeset again.

Entries are JSON (never pickle: a cache file is data, not code). An entry that does not read back whole
counts as missing; nothing here is needed for a correct book, only for a fast one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from .errors import Problem, Severity
from .markdown import Chapter, Section
from .source import Issue

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).parent
RENDER_CODE = ("markdown.py", "sanitize.py", "plugins/cjk_breaks.py", "plugins/cjk_linkify.py", "source.py")
TYPESET_CODE = ("typography.py", "cjk.py")


def _code_digest(names: Iterable[str]) -> bytes:
    digest = hashlib.sha256()
    for name in names:
        path = _PACKAGE / name
        digest.update(path.read_bytes() if path.exists() else name.encode())
    return digest.digest()


def _key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part).digest())
    return digest.hexdigest()


MAX_AGE_DAYS = 30
"""Entries not used for this long are removed (prune), so that a cache under daily editing stays small."""


def _read(path: Path) -> object | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        os.utime(path)  # used now: pruning goes by the last use
        return value
    except (OSError, ValueError):
        return None


def prune(cache_dir: Path | None) -> None:
    """Remove render and typeset entries unused for MAX_AGE_DAYS."""
    if cache_dir is None:
        return
    cutoff = time.time() - MAX_AGE_DAYS * 86400
    for folder in ("render", "typeset"):
        for path in (cache_dir / folder).glob("*.json"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue


def _write(path: Path, value: object) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        log.debug("cannot cache in %s: %s", path.parent, exc)
    finally:
        partial.unlink(missing_ok=True)


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
    render: Callable[[Issue], tuple[Chapter, list[Problem]]],
    cache_dir: Path | None,
    fingerprint: str,
) -> tuple[Chapter, list[Problem]]:
    """render(issue), or what it gave before for the same file, files beside it and code. Renders
    with errors are not remembered (the build stops; the editor fixes the file)."""
    if cache_dir is None:
        return render(issue)
    path = cache_dir / "render" / f"{_key(_code_digest(RENDER_CODE), fingerprint, repr(issue))}.json"
    found = _read(path)
    try:
        if isinstance(found, dict):
            return _chapter_from(found, issue), [_problem_from(p, issue) for p in found["problems"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    chapter, problems = render(issue)
    if not any(p.severity is Severity.ERROR for p in problems):
        _write(path, _chapter_to(chapter, problems))
    return chapter, problems


def _chapter_to(chapter: Chapter, problems: list[Problem]) -> dict:
    return {
        "anchor": chapter.anchor,
        "body": chapter.body,
        "sections": [[s.anchor, s.title, s.level] for s in chapter.sections],
        "images": {href: base64.b64encode(data).decode("ascii") for href, data in chapter.images.items()},
        "image_lines": dict(chapter.image_lines),
        "remote_images": chapter.remote_images,
        "title_html": chapter.title_html,
        "description_html": chapter.description_html,
        "problems": [[p.line, p.field, p.message, p.hint, p.severity.value] for p in problems],
    }


def _chapter_from(entry: dict, issue: Issue) -> Chapter:
    images = {str(href): base64.b64decode(data, validate=True) for href, data in entry["images"].items()}
    for href, data in images.items():  # the href names the picture's content: a damaged entry shows
        if hashlib.sha256(data).hexdigest()[:16] not in href:
            raise ValueError(f"cached picture {href} does not match its name")
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


def _problem_from(fields: list, issue: Issue) -> Problem:
    line, field, message, hint, severity = fields
    line = None if line is None else int(line)
    return Problem(issue.path, line, str(field), str(message), str(hint), Severity(severity))


def typeset_cached(
    chapter: Chapter,
    rules: tuple[str, ...],
    typeset: Callable[[Chapter, tuple[str, ...]], Chapter],
    cache_dir: Path | None,
) -> Chapter:
    """typeset(chapter, rules), or what it gave before for the same text, rules and typography code."""
    if cache_dir is None:
        return typeset(chapter, rules)
    key = _key(_code_digest(TYPESET_CODE), repr(rules), chapter.body, chapter.title_html, chapter.description_html)
    path = cache_dir / "typeset" / f"{key}.json"
    found = _read(path)
    if isinstance(found, list) and len(found) == 3 and all(isinstance(x, str) for x in found):
        return replace(chapter, body=found[0], title_html=found[1], description_html=found[2])
    result = typeset(chapter, rules)
    _write(path, [result.body, result.title_html, result.description_html])
    return result

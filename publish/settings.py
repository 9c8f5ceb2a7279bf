"""Declared settings: a section of book.toml is a frozen dataclass whose fields say their type, default,
allowed values and range; one validator reads any section from its declaration, the way Sphinx's
`add_config_value` (with `ENUM`) lets each extension declare its own values. The core declares `[book]`;
each writer declares its own section (`[print]` is the PDF writer's), so a new writer's settings need no
edit here or in config.py.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publish.cjk import CONTROL
from publish.errors import Diagnostic

Check = Callable[[Any], tuple[str, str] | None]
"""Why a value (of the right type) is not acceptable, as (message, hint), or None when it is."""


def setting(
    default: Any,
    *,
    choices: tuple[Any, ...] = (),
    within: tuple[float, float] | None = None,
    noun: str = "one of the choices",
    unit: str = "",
    max_chars: int = 500,
    check: Check | None = None,
) -> Any:
    """A dataclass field declaring one setting. `choices` makes it an enumeration (a wrong value "is not
    `noun`"), `within` a number range (inclusive, in `unit`), `max_chars` the longest text; `check` says
    anything else that is wrong."""
    return dataclasses.field(
        default=default,
        metadata={
            "choices": choices,
            "noun": noun,
            "within": within,
            "unit": unit,
            "max_chars": max_chars,
            "check": check,
        },
    )


KEY_LINE = r"^[ \t]*\[?[ \t]*{key}[ \t]*(?:[:=\]]|$)"


def key_line(text: str, key: str) -> int | None:
    """The 1-based line on which a key (a TOML key or [section], a YAML field) is first written in `text`:
    the one place book.toml, the issues' frontmatter and lint look up where to point a message."""
    match = re.search(KEY_LINE.format(key=re.escape(key)), text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def section_key_line(text: str, section: str, key: str) -> int | None:
    """The line of `key` inside `[section]` of book.toml (another section may have a key of the same name)."""
    start = key_line(text, section)
    if start is None:
        return key_line(text, key)
    found = key_line("\n".join(text.splitlines()[start:]), key)
    return start + found if found is not None else None


def _fits(value: object, default: object) -> bool:
    """A value of the default's type; a whole number is fine where a float is expected."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


_EXAMPLES = {"str": '{key} = "…"', "float": "{key} = 3.0", "int": "{key} = 3", "bool": "{key} = true"}


def _value_problem(key: str, value: object, declared: dataclasses.Field) -> tuple[str, str] | None:
    """What is wrong with one value, by its declaration, as (message, hint)."""
    meta: Mapping[str, Any] = declared.metadata
    if not _fits(value, declared.default):
        expected = type(declared.default).__name__
        return f"must be a {expected}", f"e.g. {_EXAMPLES[expected].format(key=key)}"
    if isinstance(value, float) and value != value:
        return "is not a number", "e.g. 3.0"
    if isinstance(value, str):
        control = CONTROL.search(value)
        if control is not None:
            return f"holds the control character U+{ord(control[0]):04X}", "delete it"
        limit = meta.get("max_chars", 500)
        if len(value) > limit:
            return f"is too long: {len(value):,} characters, the limit is {limit:,}", "shorten it"
    if meta.get("choices") and value not in meta["choices"]:
        return f"{value!r} is not {meta['noun']}", f"use one of: {', '.join(repr(c) for c in meta['choices'])}"
    within = meta.get("within")
    if within is not None and not within[0] <= value <= within[1]:  # type: ignore[operator]
        unit = f" ({meta['unit']})" if meta.get("unit") else ""
        return f"{value} is out of range", f"use a value from {within[0]} to {within[1]}{unit}"
    check: Check | None = meta.get("check")
    return check(value) if check is not None else None


@dataclass(frozen=True)
class SectionSource:
    """Where a section's values came from, to point messages at their lines."""

    path: Path
    text: str


def read_section(name: str, declared: type, values: Mapping[str, object], source: SectionSource) -> tuple[Any, list]:
    """The section's settings from book.toml's values, by the dataclass `declared`; every unknown key and
    wrong value a problem with its line; a wrong value leaves the default in place."""
    known = {f.name: f for f in dataclasses.fields(declared)}
    problems: list[Diagnostic] = []
    accepted: dict[str, object] = {}
    for key, value in values.items():
        line = key_line(source.text, key)
        if key not in known:
            hint = f"known keys are: {', '.join(sorted(known))}"
            problems.append(Diagnostic(source.path, line, f"{name}.{key}", "unknown key", hint))
        elif (reason := _value_problem(key, value, known[key])) is not None:
            problems.append(Diagnostic(source.path, line, f"{name}.{key}", *reason))
        else:
            accepted[key] = float(value) if isinstance(known[key].default, float) else value  # type: ignore[arg-type]
    return declared(**accepted), problems

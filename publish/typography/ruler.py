"""An ordered chain of named rules, like markdown-it-py's `Ruler`: rules run in chain order, and a
profile (profiles.py) or a caller picks which of them run by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

RuleFunction = Callable[[etree._Element], None]
"""Changes a chapter's tree in place: adds spans and invisible joiners (and the EPUB's CJK–Latin spaces)."""


@dataclass(frozen=True)
class Rule:
    name: str
    function: RuleFunction
    blocks_only: bool = False
    """Runs on the body only, not on titles and descriptions (set as one line of text)."""


class Ruler:
    """The rules in the order they run. `push` adds at the end, `before`/`after` next to a named rule."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []

    def _index(self, name: str) -> int:
        for index, rule in enumerate(self._rules):
            if rule.name == name:
                return index
        raise KeyError(f"no typography rule named {name!r}; the rules are {', '.join(self.names())}")

    def _add(self, index: int, rule: Rule) -> None:
        if rule.name in self.names():
            raise ValueError(f"a typography rule named {rule.name!r} is already in the chain")
        self._rules.insert(index, rule)

    def push(self, name: str, function: RuleFunction, *, blocks_only: bool = False) -> None:
        self._add(len(self._rules), Rule(name, function, blocks_only))

    def before(self, anchor: str, name: str, function: RuleFunction, *, blocks_only: bool = False) -> None:
        self._add(self._index(anchor), Rule(name, function, blocks_only))

    def after(self, anchor: str, name: str, function: RuleFunction, *, blocks_only: bool = False) -> None:
        self._add(self._index(anchor) + 1, Rule(name, function, blocks_only))

    def names(self) -> list[str]:
        return [rule.name for rule in self._rules]

    def select(self, names: Iterable[str]) -> list[Rule]:
        """The named rules, in chain order; an unknown name is an error, not a rule silently skipped."""
        wanted = set(names)
        unknown = wanted - set(self.names())
        if unknown:
            raise ValueError(f"unknown typography rules: {', '.join(sorted(unknown))}")
        return [rule for rule in self._rules if rule.name in wanted]

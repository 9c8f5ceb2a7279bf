"""One build's registries — typography rules and profiles, output writers, lint rules — made anew for each
build, the way `MarkdownIt().use(plugin)` makes a parser: nothing is a module global changed at import.

Built-in parts and plugins fill a registry through the same door, a `setup(registry)` function; plugins are
found in the `publish.plugins` entry-point group (publish/plugins.py). A name given twice is refused, as
Sphinx's `add_builder` refuses a second builder of one name. The registry remembers which modules added
what, so that a plugin's code is part of the cache keys of the stage it changes.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from publish.errors import PublishError
from publish.typography.ruler import Rule, RuleFunction, Ruler

if TYPE_CHECKING:
    from publish.writers import Writer


class LintRule(Protocol):
    """What the registry needs of a lint rule (publish/editor/lint.py defines them): its name and its check."""

    @property
    def name(self) -> str: ...

    @property
    def check(self) -> Callable[..., Any]: ...


class RegistryError(PublishError):
    """A part registered twice, or asked for under a name nobody registered: a plugin's mistake or ours."""


@dataclass
class Registry:
    ruler: Ruler = field(default_factory=Ruler)
    profiles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    writers: dict[str, type[Writer]] = field(default_factory=dict)
    lint_rules: dict[str, LintRule] = field(default_factory=dict)
    contributors: dict[str, set[str]] = field(default_factory=dict)
    """By kind (`typography`, `writers`, `lint`): the modules whose code the registered parts run."""

    def _contributed(self, kind: str, function: Callable[..., object] | type) -> None:
        self.contributors.setdefault(kind, set()).add(function.__module__)

    def add_typography_rule(
        self,
        name: str,
        function: RuleFunction,
        *,
        before: str | None = None,
        after: str | None = None,
        blocks_only: bool = False,
    ) -> None:
        """A typography rule in the chain: at its end, or before or after a named rule."""
        try:
            if before is not None:
                self.ruler.before(before, name, function, blocks_only=blocks_only)
            elif after is not None:
                self.ruler.after(after, name, function, blocks_only=blocks_only)
            else:
                self.ruler.push(name, function, blocks_only=blocks_only)
        except (KeyError, ValueError) as exc:
            raise RegistryError(str(exc.args[0])) from None
        self._contributed("typography", function)

    def add_profile(self, name: str, rules: Iterable[str]) -> None:
        """The typography rules an output's engine needs, by the profile's name."""
        if name in self.profiles:
            raise RegistryError(f"a typography profile named {name!r} is already registered")
        self.profiles[name] = tuple(rules)

    def extend_profile(self, name: str, *rules: str) -> None:
        """More rules for an existing profile (a plugin's rule joining the EPUB's, say)."""
        if name not in self.profiles:
            raise RegistryError(f"no typography profile named {name!r}; the profiles are {', '.join(self.profiles)}")
        self.profiles[name] = (*self.profiles[name], *rules)

    def rules_for(self, profile: str) -> tuple[Rule, ...]:
        """The profile's rules, in chain order."""
        if profile not in self.profiles:
            raise RegistryError(f"no typography profile named {profile!r}")
        try:
            return tuple(self.ruler.select(self.profiles[profile]))
        except ValueError as exc:
            raise RegistryError(f"profile {profile!r}: {exc}") from None

    def add_writer(self, writer: type[Writer]) -> None:
        if writer.name in self.writers:
            raise RegistryError(
                f"a writer named {writer.name!r} is already registered ({self.writers[writer.name].__module__})"
            )
        self.writers[writer.name] = writer
        self._contributed("writers", writer)

    def add_lint_rule(self, rule: LintRule) -> None:
        if rule.name in self.lint_rules:
            raise RegistryError(f"a lint rule named {rule.name!r} is already registered")
        self.lint_rules[rule.name] = rule
        self._contributed("lint", rule.check)

    def code_digest(self, kind: str) -> str:
        """A digest of the source of every module that added parts of this kind: a changed plugin changes it."""
        digest = hashlib.sha256()
        for name in sorted(self.contributors.get(kind, ())):
            module = sys.modules.get(name) or import_module(name)
            path = getattr(module, "__file__", None)
            digest.update(name.encode() + b"\0")
            if path:
                digest.update(Path(path).read_bytes())
        return digest.hexdigest()

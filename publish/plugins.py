"""The one door for parts: the built-in typography rules, writers and lint rules, then every plugin of the
`publish.plugins` entry-point group, each through a `setup(registry)` function, into a registry made for
one build (publish/registry.py).

A plugin is a package whose entry point names its setup function:

    [project.entry-points."publish.plugins"]
    my-writer = "my_package:setup"

and `setup(registry)` calls `registry.add_writer(...)`, `registry.add_typography_rule(...)` (with
`registry.extend_profile(...)`), or `registry.add_lint_rule(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import entry_points

from publish.registry import Registry, RegistryError

PLUGIN_GROUP = "publish.plugins"


def builtin_setup(registry: Registry) -> None:
    """What publish itself brings, added through the same calls a plugin makes."""
    from publish.editor.lint_rules import BUILTIN_LINT_RULES
    from publish.typography import BUILTIN_PROFILES, BUILTIN_RULES
    from publish.writers.epub import EpubWriter
    from publish.writers.html import HtmlWriter
    from publish.writers.pdf import PdfWriter

    for rule in BUILTIN_RULES:
        registry.add_typography_rule(rule.name, rule.function, blocks_only=rule.blocks_only)
    for name, rules in BUILTIN_PROFILES.items():
        registry.add_profile(name, rules)
    for writer in (EpubWriter, PdfWriter, HtmlWriter):
        registry.add_writer(writer)
    for lint_rule in BUILTIN_LINT_RULES:
        registry.add_lint_rule(lint_rule)


def plugin_setups() -> list[tuple[str, Callable[[Registry], None]]]:
    """(name, setup function) of every installed plugin, in name order."""
    found = sorted(entry_points(group=PLUGIN_GROUP), key=lambda entry: entry.name)
    return [(entry.name, entry.load()) for entry in found]


def make_registry(plugins: Iterable[tuple[str, Callable[[Registry], None]]] | None = None) -> Registry:
    """A new registry of the built-ins and the plugins (the installed ones, unless given)."""
    registry = Registry()
    builtin_setup(registry)
    for name, setup in plugin_setups() if plugins is None else plugins:
        try:
            setup(registry)
        except RegistryError as exc:
            raise RegistryError(f"plugin {name!r}: {exc}") from None
    return registry

"""A build's registry: made anew each time, duplicates refused, plugins through one door, their code in the
cache keys of what they change."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from publish.editor.lint import LintRule
from publish.plugins import PLUGIN_GROUP, make_registry
from publish.registry import Registry, RegistryError
from publish.writers import Writer, WriterInput, WriterOutput
from publish.writers.epub import EpubWriter

from .testing_utils import write_issue


def mark_every_paragraph(root: etree._Element) -> None:
    for paragraph in root.iter("p"):
        paragraph.set("data-plugin", "yes")


class NotesWriter(Writer):
    """A writer of a plugin: a plain-text file of every issue's title, and a folder with one file per issue."""

    name = "notes"
    profile = "epub"
    makes = "notes"
    in_all = False

    def write(self, job: WriterInput) -> WriterOutput:
        titles = "\n".join(chapter.issue.title for chapter in job.book.chapters)
        job.staging.write_bytes(f"{job.book.meta.slug}.txt", titles.encode("utf-8"))
        for chapter in job.book.chapters:
            job.staging.write_bytes(f"{job.book.meta.slug}-notes/{chapter.issue.number}.txt", chapter.body.encode())
        return WriterOutput()


def notes_plugin(registry: Registry) -> None:
    registry.add_writer(NotesWriter)
    registry.add_typography_rule("mark_every_paragraph", mark_every_paragraph, after="orphan_binding")
    registry.extend_profile("epub", "mark_every_paragraph")


def test_each_registry_is_new_and_the_builtins_are_there() -> None:
    first, second = make_registry(plugins=[]), make_registry(plugins=[])
    assert first is not second and first.writers == second.writers
    assert {"epub", "pdf", "html"} <= set(first.writers)
    first.add_writer(NotesWriter)
    assert "notes" not in second.writers  # nothing is shared between builds


def test_a_second_part_of_one_name_is_refused() -> None:
    registry = make_registry(plugins=[])
    with pytest.raises(RegistryError, match="a writer named 'epub' is already registered"):
        registry.add_writer(EpubWriter)
    with pytest.raises(RegistryError, match="already in the chain"):
        registry.add_typography_rule("orphan_binding", mark_every_paragraph)
    with pytest.raises(RegistryError, match="lint rule named 'image-alt'"):
        registry.add_lint_rule(LintRule("image-alt", lambda text: []))
    with pytest.raises(RegistryError, match="plugin 'twice'"):
        make_registry(plugins=[("twice", lambda r: r.add_writer(EpubWriter))])


def test_plugins_come_from_one_entry_point_group(monkeypatch: pytest.MonkeyPatch) -> None:
    class Entry:
        name = "notes"

        def load(self):
            return notes_plugin

    asked: list[str] = []

    def entry_points(group: str) -> list[Entry]:
        asked.append(group)
        return [Entry()]

    monkeypatch.setattr("publish.plugins.entry_points", entry_points)
    registry = make_registry()
    assert asked == [PLUGIN_GROUP] and "notes" in registry.writers
    assert "mark_every_paragraph" in registry.profiles["epub"]


def test_a_plugin_writer_and_rule_run_in_a_build_and_its_code_keys_the_cache(tmp_path: Path) -> None:
    from publish.build import build
    from publish.config import Config
    from publish.model import BuildRequest

    source = tmp_path / "issues"
    write_issue(source, "a.md", number=1, body="第一段。\n\n第二段。\n")
    registry = make_registry(plugins=[("notes", notes_plugin)])
    request = BuildRequest(source=source, output=tmp_path / "out", formats=("notes",))
    result = build(Config(project_root=tmp_path), request, registry)
    names = sorted(path.name for path in result.files)
    assert names == ["weekly-2026-notes", "weekly-2026.txt"]
    note = (tmp_path / "out" / "weekly-2026-notes" / "1.txt").read_text(encoding="utf-8")
    assert note.count('data-plugin="yes"') == 2  # the plugin's rule ran, in the profile it joined
    assert registry.code_digest("typography") != make_registry(plugins=[]).code_digest("typography")
    assert registry.code_digest("writers") != make_registry(plugins=[]).code_digest("writers")

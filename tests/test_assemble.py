"""What the assemble stage and the templates make of the book's metadata: the line under the title, the
label outlines and running heads show, the description's Markdown."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from publish.assemble import assemble_book
from publish.build import prepare_chapters
from publish.config import BookSettings, Config
from publish.model import Selection
from publish.writers.page_templates import render_page

from .testing_utils import write_issue


def _book(tmp_path: Path, **settings: str):
    folder = tmp_path / "issues"
    write_issue(folder, "a.md", number=280, date='"2023-12-31"', title='"第280期：冬至"')
    write_issue(folder, "b.md", number=281, date='"2024-01-07"', title='"小寒"', description='"**粗体**与`代码`"')
    chapters, problems = prepare_chapters(folder, Selection())
    assert not problems
    config = Config(project_root=tmp_path, book=dataclasses.replace(BookSettings(), **settings))
    return assemble_book(config, chapters, Selection(), source_date_epoch=0)


def _title_page(book) -> str:
    return render_page("pdf_book.html", book=book, part="front", page_slot="000", stylesheets=[], href=lambda c: "#")


def test_volume_line_is_what_book_toml_says(tmp_path: Path) -> None:
    book = _book(tmp_path, subtitle="2024 年卷", volume="2024 年卷 · 上")
    assert book.meta.volume_line == "2024 年卷 · 上"
    assert '<p class="title-span">2024 年卷 · 上</p>' in _title_page(book)


def test_no_line_is_derived_under_a_subtitle(tmp_path: Path) -> None:
    """A subtitle such as "2024 年卷" says it already; "2023–2024 · 第 280–281 期" would contradict it."""
    book = _book(tmp_path, subtitle="2024 年卷")
    assert book.meta.volume_line == ""
    assert "title-span" not in _title_page(book) and "第 280–281 期" not in _title_page(book).split("版权信息")[0]


def test_the_span_is_derived_without_subtitle_or_volume(tmp_path: Path) -> None:
    book = _book(tmp_path)
    assert book.meta.volume_line == "2023–2024 · 第 280–281 期"


def test_labels_name_the_issue_number_once(tmp_path: Path) -> None:
    book = _book(tmp_path)
    labels = [chapter.issue.label for chapter in book.chapters]
    assert labels == ["第280期：冬至", "第 281 期　小寒"]


def test_description_markdown_is_rendered(tmp_path: Path) -> None:
    book = _book(tmp_path)
    assert book.chapters[1].description_html == "<strong>粗体</strong>与<code>代码</code>"


def test_running_heads_fit_one_line_and_name_the_issue() -> None:
    from types import SimpleNamespace

    from publish.writers.page_templates import RUNNING_HEAD_EMS, running_head

    long_title = "生信爱好者周刊（第 131 期）：2023诺贝尔生理医学奖给了mRNA疫苗技术，没有终身教职的她拿奖了"
    head = running_head(SimpleNamespace(label=long_title))
    assert head.startswith("第 131 期　2023诺贝尔") and head.endswith("…")
    assert sum(1.0 if "\u4e00" <= c <= "\u9fff" or c in "，　…" else 0.55 for c in head) <= RUNNING_HEAD_EMS
    assert running_head(SimpleNamespace(label="第 7 期　小寒")) == "第 7 期　小寒"

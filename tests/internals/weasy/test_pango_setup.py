"""The speed patches of pango_setup.py and percentages.py change nothing in the PDF: the same HTML laid out
with and without them gives the same bytes (issue 18). The HTML holds what takes each patch's other path:
justified Chinese and Latin, underlined text (WeasyPrint's own set-up), code with line breaks, a paragraph
separator (which Pango lays out on a new line), letter spacing and a percentage width."""

from __future__ import annotations

import contextlib

import pytest

from publish.internals.weasy import patched

HTML = """<html lang="zh"><body style="width: 20em; text-align: justify; font-family: 'Noto Serif CJK SC'">
<p>中文段落里有 Latin words 和数字 2026，两端对齐的每一行都要加宽字距，最后一行不加。
这是第二句，让段落更长一些，好换几行。</p>
<p><u>加下划线的文字</u>和 <a href="https://example.org">一个链接</a>。</p>
<pre>def f():
    return 1   # 注释
</pre>
<p>段落分隔符\u2029之后的文字</p>
<p style="letter-spacing: 0.1em; width: 50%">字距加宽的半宽段落，也要换行才行，所以再写几个字。</p>
</body></html>"""


def _pdf() -> bytes:
    from weasyprint import HTML as Document

    with patched(document_seed="test"):
        return Document(string=HTML).write_pdf(pdf_identifier=b"0" * 32)


def test_the_speed_patches_leave_the_pdf_byte_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    with_patches = _pdf()
    from publish.internals.weasy import pango_setup, percentages

    monkeypatch.setattr(pango_setup, "shared_pango_setup", contextlib.nullcontext)
    monkeypatch.setattr(pango_setup, "layouts_kept_for_drawing", contextlib.nullcontext)
    monkeypatch.setattr(percentages, "percentages_remembered", contextlib.nullcontext)
    assert _pdf() == with_patches

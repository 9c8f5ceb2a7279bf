"""The PDF's Latin in Chinese text without a span per run (issue 29): set in the Latin face by font fallback,
the quarter-em gap a real space, long words hyphenated as English, and the drawing's adjustments where the
face changes kept where every viewer reads them."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from publish.editor.typo_report import Glyph, Line, read_layout
from publish.internals.weasy.justify import _adjustments_carried

from ...testing_utils import run_cli, write_issue

LONG_WORDS = "transcriptomics hyperparameterization"
BODY = "让·鲍德里亚说过，我们用Python写脚本，再用Seedance 2.0做视频。" + "".join(
    f"第{n}段的正文里夹着一个很长的英文词{LONG_WORDS}，排到行尾就要断开。" for n in range(1, 13)
)


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    folder = tmp_path_factory.mktemp("latin")
    write_issue(folder / "issues", "issue-001.md", body=BODY + "\n")
    result = run_cli("build", "--source", str(folder / "issues"), "--output", str(folder / "out"), "--format", "pdf")
    assert result.exit_code == 0, result.output
    return [line for line in read_layout(next((folder / "out").glob("*.pdf"))).lines if line.visible]


def _glyphs(lines: list[Line]) -> list[Glyph]:
    return [glyph for line in lines for glyph in line.glyphs]


def test_latin_is_set_in_the_latin_face_and_chinese_marks_in_the_chinese_one(lines: list[Line]) -> None:
    glyphs = _glyphs(lines)
    python = next(i for i, (a, b) in enumerate(itertools.pairwise(glyphs)) if a.text + b.text == "Py")
    assert "Book-Latin" in glyphs[python].font and "Book-Latin" in glyphs[python + 5].font  # P … n
    assert "Noto-Serif-CJK" in glyphs[python - 1].font  # 用
    dot = next(glyph for glyph in glyphs if glyph.text == "·")
    assert "Noto-Serif-CJK" in dot.font  # the separator of a foreign name stays a full-width Chinese mark


def test_the_gap_beside_chinese_is_a_quarter_em_space(lines: list[Line]) -> None:
    glyphs = [glyph for glyph in _glyphs(lines) if glyph.text.strip()]
    python = next(i for i, (a, b) in enumerate(itertools.pairwise(glyphs)) if a.text + b.text == "Py")
    before, first = glyphs[python - 1], glyphs[python]
    assert 0.24 <= (first.x0 - before.x1) / first.size < 0.5


def test_a_long_english_word_in_chinese_is_hyphenated_in_the_latin_face(lines: list[Line]) -> None:
    hyphenated = [line for line in lines if line.visible[-1].text == "‐"]
    assert hyphenated, [line.text for line in lines]
    for line in hyphenated:
        hyphen = line.visible[-1]
        assert "Book-Latin" in hyphen.font  # a third of an em, not the Chinese face's whole em
        assert line.visible[-2].text.isascii() and line.visible[-2].text.isalpha()


def test_adjustments_after_an_arrays_last_glyph_are_carried_to_the_next() -> None:
    shown: list[str] = []
    show = _adjustments_carried(shown.append)
    show("0 <>-6.9<057c>493<>")  # a halved mark, then an invisible glyph, before the face changes
    show("<0059>0<0077>30<001d>")
    show("<>-3<>")  # nothing but adjustments: carried on
    show("<0001>-35")
    show("<0060>")
    assert shown == ["0 <>-6.9<057c>", "493 <0059>0<0077>30<001d>", "-3 <0001>", "-35 <0060>"]


def test_the_typeset_pdf_markup_has_no_span_for_plain_latin() -> None:
    from publish.typography import PDF_RULES, builtin_rules, typeset_markup

    markup = "<p>我们用Python写脚本，编号GCF_000001405.40，他说Don’t panic。</p>"
    body = typeset_markup(markup, builtin_rules(PDF_RULES))
    assert "用 Python 写" in body and "Python</span>" not in body
    assert 'class="latin break-anywhere"' in body  # an identifier needs a box that breaks anywhere
    assert '<span class="latin" lang="en">Don’t panic</span>' in body  # ’ is outside the Latin face's range


def test_no_file_outside_the_project_is_named_by_the_fonts_rules(tmp_path: Path) -> None:
    """The Latin face's @font-face rule names it by a URL of the book's own fetcher, never a file path."""
    from publish.config import load_config
    from publish.writers.look import book_look

    config, _problems = load_config(None, tmp_path)
    look = book_look(config, "SC")
    fonts = look.pdf_fonts(None)
    assert "Book Latin" in fonts.rules and "unicode-range" in fonts.rules
    assert "file:///usr" not in fonts.rules
    assert all(url.startswith("file:///book/fonts/latin/") for url in fonts.files if "latin/" in url)


def test_a_deep_latin_face_does_not_push_lines_apart(tmp_path: Path) -> None:
    """DejaVu Serif, chosen as the book's Latin face, is deeper than the Chinese face: a line holding Latin set
    in it by fallback came out 0.9 pt lower than the others until a text box holding Latin took its strut's
    height (internals/weasy/latin_metrics.py)."""
    (tmp_path / "book.toml").write_text('[book]\ntitle = "测试"\n[fonts]\nlatin = "DejaVu Serif"\n', encoding="utf-8")
    paragraph = "".join(f"第{n}句用Python和Rust写成，Layout与Typography都在行首行尾出现。" for n in range(1, 40))
    write_issue(tmp_path / "issues", "issue-001.md", body=paragraph + "\n")
    result = run_cli(
        "build", "--config", str(tmp_path / "book.toml"), "--source", str(tmp_path / "issues"),
        "--output", str(tmp_path / "out"), "--format", "pdf",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [line for line in read_layout(next((tmp_path / "out").glob("*.pdf"))).lines if "句" in line.text]
    pitches = [b.baseline - a.baseline for a, b in itertools.pairwise(lines) if a.page == b.page]
    pitches = [pitch for pitch in pitches if pitch < 2 * min(pitches)]  # one paragraph: not across a figure
    assert len(pitches) > 20
    assert max(pitches) - min(pitches) < 0.05, sorted(set(round(p, 2) for p in pitches))

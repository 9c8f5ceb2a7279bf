"""The EPUB on a phone (issue 16), measured in Debian's Chromium at exact widths: nothing wider than the
screen, no CJK–Latin gap left at a line's edge, no block ending with one hanzi alone on its last line, and
every glyph drawn with a face the book embeds (a reader without CJK fonts shows the rest as boxes)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from ...testing_utils import CORPUS, REQUIRE_TOOLS, build_sample, run_cli
from .phone import CHROMIUM, Phone

WIDTHS = (320, 400)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> Phone:
    if shutil.which("chromium") is None and not REQUIRE_TOOLS:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    assert CHROMIUM.exists()
    device = Phone(tmp_path_factory.mktemp("chromium-profile"))
    yield device
    device.close()


def _chapters(epub: Path, into: Path) -> list[Path]:
    with zipfile.ZipFile(epub) as archive:
        archive.extractall(into)
    return sorted(into.rglob("*.xhtml"))


def _look(phone: Phone, pages: list[Path], *, horizontal: bool = True) -> tuple[list[str], dict[str, int]]:
    overflowing: list[str] = []
    missing: dict[str, int] = {}
    for page in pages:
        for width in WIDTHS:
            report = phone.look_at(page, width)
            if horizontal:
                found = report.overflowing + report.edge_gaps
                if page.name != "nav.xhtml":  # its labels are shown in the reading system's own menus
                    found += report.lonely_last_characters
                overflowing += [f"{page.name} at {width} px: {what}" for what in found]
            for face, count in report.glyphs_not_embedded.items():
                missing[f"{page.name}: {face}"] = missing.get(f"{page.name}: {face}", 0) + count
    return overflowing, missing


@pytest.mark.parametrize("edition", [(), ("--edition", "traditional"), ("--vertical",)], ids=str)
def test_sample_editions_fit_a_phone_in_embedded_faces(phone: Phone, tmp_path: Path, edition: tuple) -> None:
    assert build_sample(tmp_path / "out", "--format", "epub", *edition).exit_code == 0
    pages = _chapters(next((tmp_path / "out").glob("*.epub")), tmp_path / "book")
    # A vertical book scrolls sideways by design: only its faces are checked here.
    overflowing, missing = _look(phone, pages, horizontal="--vertical" not in edition)
    assert overflowing == []
    assert missing == {}


@pytest.fixture(scope="module")
def corpus_pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Issues 75–100 of the real corpus as EPUB chapters, remote pictures left out (the build never fetches)."""
    if not CORPUS.is_dir():
        pytest.skip("the corpus is not beside the project")
    folder = tmp_path_factory.mktemp("corpus")
    source = folder / "issues"
    source.mkdir()
    for number in range(75, 101):
        shutil.copy(CORPUS / f"issue-{number:03d}.md", source)
    result = run_cli("build", "--source", str(source), "--output", str(folder / "out"), "--format", "epub")
    assert result.exit_code == 0, result.output
    return _chapters(next((folder / "out").glob("*.epub")), folder / "book")


def test_corpus_issues_fit_a_phone(phone: Phone, corpus_pages: list[Path]) -> None:
    overflowing, _ = _look(phone, corpus_pages)
    assert overflowing == []


def test_corpus_issues_draw_every_glyph_in_embedded_faces(phone: Phone, corpus_pages: list[Path]) -> None:
    _, missing = _look(phone, corpus_pages)
    assert missing == {}

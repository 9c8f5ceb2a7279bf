"""The EPUB in a second engine, MuPDF (Debian's mutool; the engine of many Android and e-ink reading apps): laid
out at phone widths, no line runs past the page, and every visible character is drawn with a face the book
embeds. MuPDF takes only the first family of a font stack and ignores `locl`, so it catches what Chromium's
per-character fallback hides: emoji drawn from the engine's own faces, Traditional text in mainland forms."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from ...testing_utils import REQUIRE_TOOLS, build_sample

pytestmark = pytest.mark.slow

WIDTHS = (320, 400)


@pytest.fixture(scope="module")
def mutool() -> str:
    found = shutil.which("mutool")
    if found is None:
        if REQUIRE_TOOLS:
            pytest.fail("mutool is missing: make test installs Debian's mupdf-tools")
        pytest.skip("mutool is not installed (make test installs mupdf-tools)")
    return found


def _embedded_families(epub: Path) -> set[str]:
    """The family names of the faces inside the EPUB, as MuPDF reports them ("Noto Serif CJK TC Regular")."""
    from fontTools.ttLib import TTFont

    families = set()
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.startswith("EPUB/fonts/"):
                with archive.open(name) as handle:
                    families.add(TTFont(handle)["name"].getDebugName(1))
    return families


def _look_in_mupdf(mutool: str, epub: Path, width: int) -> tuple[list[str], dict[str, str]]:
    """Lines past the page's right edge, and the visible characters drawn in faces the book does not embed."""
    text = subprocess.run(
        [mutool, "draw", "-q", "-F", "stext", "-W", str(width), "-H", "640", "-o", "-", str(epub)],
        capture_output=True,
        check=True,
        timeout=300,
    ).stdout
    root = etree.fromstring(text, etree.XMLParser(huge_tree=True))
    embedded = _embedded_families(epub)
    past_edge, foreign = [], {}
    for page in root.iter("page"):
        page_width = float(page.get("width"))
        for line in page.iter("line"):
            x0, _, x1, _ = (float(v) for v in line.get("bbox").split())
            if x1 > page_width + 0.5 or x0 < -0.5:
                past_edge.append("".join(c.get("c") for c in line.iter("char"))[:40])
        for font in page.iter("font"):
            family = font.get("name").rsplit(" ", 1)[0]
            if family in embedded:
                continue
            for char in font.iter("char"):
                c = char.get("c")
                if c.strip() and unicodedata.category(c) not in ("Cf", "Cc"):
                    foreign[c] = font.get("name")
    return past_edge, foreign


@pytest.mark.parametrize("edition", [(), ("--edition", "traditional")], ids=str)
def test_sample_editions_in_mupdf(mutool: str, tmp_path: Path, edition: tuple) -> None:
    assert build_sample(tmp_path, "--format", "epub", *edition).exit_code == 0
    epub = next(tmp_path.glob("*.epub"))
    if edition:  # Traditional text in the TC faces, whose default forms are Taiwan's
        assert {"Noto Serif CJK TC", "Noto Sans Mono CJK TC"} <= _embedded_families(epub)
    for width in WIDTHS:
        assert _look_in_mupdf(mutool, epub, width) == ([], {})


def test_corpus_in_mupdf(mutool: str, corpus_phone_epub: Path) -> None:
    """Issues 75–100, with their emoji (🌏 📡 🔧 in issue 82) in the embedded symbol face."""
    assert "Symbola" in _embedded_families(corpus_phone_epub)
    for width in WIDTHS:
        assert _look_in_mupdf(mutool, corpus_phone_epub, width) == ([], {})

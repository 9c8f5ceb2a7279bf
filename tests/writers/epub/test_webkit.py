"""The EPUB in a third engine, WebKit (Debian's WebKitGTK; Apple Books and Kobo's EPUB reader are WebKit): at a
320 px phone width nothing sticks out, no line starts with closing punctuation or with a CJK–Latin gap (WebKit
spaces with `text-autospace` itself, and before the gap was a space in the text it left 2 px at 117 line starts
of corpus issues 75–100), and no block ends with one hanzi alone.

A justified line's end is not checked here: the GTK port does not widen the gaps between ideographs (Apple's
does), so its lines of pure Chinese end wherever their last character does."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tools.phone import LINE_EDGES_SCRIPT, OVERFLOW_SCRIPT, unpack_chapters

from ...testing_utils import REQUIRE_TOOLS, build_sample

pytestmark = pytest.mark.slow

SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).with_name("webkit_probe.py")
WIDTH = 320


@pytest.fixture(scope="module")
def webkit() -> None:
    has_webkit = shutil.which("xvfb-run") is not None and (
        subprocess.run(
            [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"],
            capture_output=True,
        ).returncode
        == 0
    )
    if not has_webkit:
        if REQUIRE_TOOLS:
            pytest.fail("WebKitGTK is missing: make test installs xvfb, python3-gi and gir1.2-webkit2-4.1")
        pytest.skip("WebKitGTK is not installed (make test installs it)")


def _look_in_webkit(pages: list[Path]) -> list[str]:
    """What WebKit shows wrong on each page at 320 px."""
    job = {
        "width": WIDTH,
        "height": 640,
        "pages": [str(page) for page in pages],
        "expression": f"({{overflow: {OVERFLOW_SCRIPT.strip()}, lines: {LINE_EDGES_SCRIPT.strip()}}})",
    }
    done = subprocess.run(
        ["xvfb-run", "-a", SYSTEM_PYTHON, str(PROBE)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    assert sorted(results) == sorted(job["pages"])
    found = []
    for page, result in results.items():
        name = Path(page).name
        assert "error" not in result, f"{name}: {result}"
        lines = result["lines"]
        problems = result["overflow"] + lines["closing"] + [g for g in lines["gaps"] if g.startswith("line starts")]
        if name != "nav.xhtml":  # its labels are shown in the reading system's own menus
            problems += lines["lonely"]
        found += [f"{name}: {problem}" for problem in problems]
    return found


@pytest.mark.parametrize("edition", [(), ("--edition", "traditional"), ("--vertical",)], ids=str)
def test_sample_editions_in_webkit(webkit: None, tmp_path: Path, edition: tuple) -> None:
    assert build_sample(tmp_path / "out", "--format", "epub", *edition).exit_code == 0
    assert _look_in_webkit(unpack_chapters(next((tmp_path / "out").glob("*.epub")), tmp_path / "book")) == []


def test_corpus_in_webkit(webkit: None, corpus_phone_epub: Path, tmp_path: Path) -> None:
    assert _look_in_webkit(unpack_chapters(corpus_phone_epub, tmp_path / "book")) == []

"""Every use of WeasyPrint's internals, behind one version guard and one context manager.

WeasyPrint's public API (`HTML`, `CSS`, `write_pdf`, URL fetchers) is used anywhere; what reaches inside it lives
here: the CJK justification (justify.py), line breaks inside earlier boxes that fit the line (line_breaks.py), one
Pango context and font description per kind of text and text shaped once rather than twice (pango_setup.py), used
lengths remembered per style and containing block (percentages.py), the font handling that lets parts share fonts
(fonts.py), reading the laid-out boxes (boxes.py), PDF/X output the same on every build (pdfx.py), PNGs embedded
without being decoded and encoded again (images.py), a structure tree without a `Span` per piece of text (tags.py),
streams deflated at zlib's default level (compression.py), a part's HTML parsed by expat where that gives HTML5's
tree (html_parse.py), Latin in Chinese hyphenated as English (hyphenation.py), Latin set by font fallback kept to
the line's height (latin_metrics.py). `patched()` installs every patch and restores the originals on exit, the way
Sphinx's `patch_docutils` does; the PDF's layout (writers/pdf/layout.py) enters it around each part, and nothing
else patches WeasyPrint. Upgrading WeasyPrint means reading these modules against the new version, then changing
SUPPORTED.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from importlib.metadata import PackageNotFoundError, version

from publish.errors import PublishError

SUPPORTED = "70.0"
"""The one WeasyPrint version these modules are written against (pyproject.toml pins it)."""


class UnsupportedWeasyPrint(PublishError):
    """Another WeasyPrint is installed than the one our patches were written for."""


def check_version() -> None:
    """Refuse, with a message that says what to do, any WeasyPrint but SUPPORTED; imports nothing of it."""
    try:
        found = version("weasyprint")
    except PackageNotFoundError:
        found = None
    if found != SUPPORTED:
        raise UnsupportedWeasyPrint(
            f"publish needs WeasyPrint {SUPPORTED}, and {'WeasyPrint ' + found if found else 'none'} is installed: "
            f"run `pip install weasyprint=={SUPPORTED}` (or `make book`, which installs the pinned version)"
        )


def load_weasyprint() -> None:
    """Import WeasyPrint without ctypes' library search. cffi tries each of WeasyPrint's names for a library
    in turn, and for a name that is not a file it runs ctypes.util.find_library, which spawns ldconfig (and a
    compiler): a quarter of the import, for names that never match on Linux, where the `.so.N` names
    WeasyPrint also lists load directly. Where only the search finds the libraries, it runs as before."""
    if "weasyprint" in sys.modules:
        return
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except OSError:
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search
    import weasyprint  # noqa: F401


@contextmanager
def patched(*, document_seed: str, shared_fonts: frozenset = frozenset()) -> Iterator[dict]:
    """Every patch, for laying out and writing one part: CJK justification, font bytes copied once, the
    fonts in `shared_fonts` left out (what was left out is in the dict this yields), a DocumentID derived
    from `document_seed`, colour profiles written as read, PNG data as it is. The originals are back on
    exit, whatever happened. Parse the stylesheets inside it too: colour profiles are made then."""
    check_version()
    from publish.internals.weasy.compression import streams_deflated_at_default_level
    from publish.internals.weasy.fonts import font_bytes_copied_once, shared_fonts_left_out
    from publish.internals.weasy.html_parse import parsed_by_expat_when_the_same
    from publish.internals.weasy.hyphenation import latin_hyphenated_as_english
    from publish.internals.weasy.images import png_data_as_is
    from publish.internals.weasy.justify import justification
    from publish.internals.weasy.latin_metrics import latin_keeps_the_line_height
    from publish.internals.weasy.line_breaks import breaks_that_fit
    from publish.internals.weasy.line_end import line_end_compression
    from publish.internals.weasy.pango_setup import layouts_kept_for_drawing, shared_pango_setup
    from publish.internals.weasy.pdfx import profiles_as_read, stable_document_id
    from publish.internals.weasy.percentages import percentages_remembered
    from publish.internals.weasy.tags import plain_spans_flattened

    left_out: dict = {}
    with ExitStack() as stack:
        stack.enter_context(justification())
        stack.enter_context(latin_hyphenated_as_english())
        stack.enter_context(breaks_that_fit())
        stack.enter_context(latin_keeps_the_line_height())
        stack.enter_context(line_end_compression())
        stack.enter_context(shared_pango_setup())
        stack.enter_context(layouts_kept_for_drawing())
        stack.enter_context(percentages_remembered())
        stack.enter_context(font_bytes_copied_once())
        stack.enter_context(shared_fonts_left_out(shared_fonts, left_out))
        stack.enter_context(stable_document_id(document_seed))
        stack.enter_context(profiles_as_read())
        stack.enter_context(png_data_as_is())
        stack.enter_context(plain_spans_flattened())
        stack.enter_context(streams_deflated_at_default_level())
        stack.enter_context(parsed_by_expat_when_the_same())
        yield left_out

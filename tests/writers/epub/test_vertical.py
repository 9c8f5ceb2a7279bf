"""The vertical edition's own pass over each document (publish/writers/epub/vertical.py)."""

from __future__ import annotations

from publish.writers.epub.vertical import upright_numbers_in_document

_PAGE = '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>{}</body></html>'


def _body(markup: str) -> str:
    page = upright_numbers_in_document(_PAGE.format(markup))
    return page[page.index("<body>") + 6 : page.index("</body>")]


def test_an_upright_number_closes_up_with_the_hanzi_beside_it() -> None:
    assert _body("<p>第 12 期，共 <strong>3</strong> 期</p>") == (
        '<p>第<span class="tcy">12</span>期，共<strong><span class="tcy">3</span></strong>期</p>'
    )
    # the typography's spans, and the no-break space that binds a date's 日
    assert _body('<p><span class="latin">2026</span> 年 <span class="latin">1</span> 月 5\u00a0日</p>') == (
        '<p><span class="latin">2026</span> 年<span class="tcy">1</span>月<span class="tcy">5</span>日</p>'
    )


def test_a_space_between_an_upright_number_and_latin_stays() -> None:
    assert _body("<p>共 12 GB</p>") == '<p>共<span class="tcy">12</span> GB</p>'


def test_numbers_in_an_address_shown_as_a_link_stay_sideways() -> None:
    link = '<a href="https://a.org/S1535(23)00137?rss=1">https://a.org/S1535(23)00137?rss=1</a>'
    assert _body(f"<p>见{link}</p>") == f"<p>见{link}</p>"

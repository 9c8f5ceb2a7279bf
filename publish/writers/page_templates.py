"""The Jinja2 templates (package data) that lay out pages for both writers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

import jinja2
from markupsafe import Markup


@jinja2.pass_context
def cjk_date(context: jinja2.runtime.Context, value: dt.date) -> Markup:
    """A date as Chinese text sets it, with the markup the typography stage gives numbers in running text
    (`spacing.py`): each number a Latin run with a quarter-em gap beside the hanzi — a margin in the PDF, a
    space where the page sets `cjk_latin_gap="space"` (the EPUB's). The day's 日 is joined to its number (a
    word joiner), so a date at the end of a block never leaves 日 alone on the last line."""
    if context.get("cjk_latin_gap") == "space":
        year, month, day = (
            Markup('<span class="latin">{}</span>').format(n) for n in (value.year, value.month, value.day)
        )
        return Markup("{} 年 {} 月 {}\u00a0日").format(year, month, day)  # a space no engine breaks at
    year, month, day = (
        Markup('<span class="latin {}">{}</span>').format(gaps, number)
        for gaps, number in (
            ("gap-after", value.year),
            ("gap-before gap-after", value.month),
            ("gap-before gap-after", value.day),
        )
    )
    return Markup("{}年{}月{}\u2060日").format(year, month, day)  # never 日 alone at a line's start


RUNNING_HEAD_EMS = 30.0
"""How wide a running head may be, in its own em (ideographs 1, anything narrower 0.55): one line above the
text block of the smallest trim we offer, set at 8 pt."""
_NUMBERED_TITLE = re.compile(r"^.*?(第\s*\d+\s*期)[^：:]*[：:]\s*(.+)$")


def running_head(issue: object) -> str:
    """The issue's label for the head of its pages: 第 N 期 and the title, on one line — a title that names
    the weekly and the number (`生信爱好者周刊（第 131 期）：…`) gives only its number and what follows the
    colon, and what still does not fit ends with an ellipsis."""
    text = issue.label  # type: ignore[attr-defined]
    numbered = _NUMBERED_TITLE.match(text)
    if numbered:
        number = re.sub(r"\s+", " ", numbered[1])
        text = f"{number}　{numbered[2]}"
    width = 0.0
    for index, char in enumerate(text):
        width += 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.55
        if width > RUNNING_HEAD_EMS - 1:
            return text[:index].rstrip() + "…"
    return text


def label(text: str, book: object) -> str:
    """A fixed label of the templates (目录, 版权信息, …) in the book's script: the Traditional editions
    convert it as they convert the issues."""
    from publish.edition import label_in

    return label_in(text, book.meta.language)  # type: ignore[attr-defined]


def label_in_language(text: str, language: str) -> str:
    """A fixed label in the script of one issue (an issue written in Traditional inside a Simplified book)."""
    from publish.edition import label_in

    return label_in(text, language)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("publish", "templates"),
        autoescape=jinja2.select_autoescape(("html", "xhtml", "xml"), default=False),  # not the .css
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["cjk_date"] = cjk_date
    env.filters["t"] = label
    env.filters["t_in"] = label_in_language
    env.filters["running_head"] = running_head
    return env


def render_page(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)

"""The Jinja2 templates (package data) that lay out pages for both writers."""

from __future__ import annotations

import datetime as dt
from functools import cache

import jinja2
from markupsafe import Markup


def cjk_date(value: dt.date) -> Markup:
    """A date as Chinese text sets it, with the same markup the typography stage gives numbers in running
    text (`spacing.py`): each number a Latin run with a quarter-em gap beside the hanzi."""
    year, month, day = (
        Markup('<span class="latin {}">{}</span>').format(gaps, number)
        for gaps, number in (
            ("gap-after", value.year),
            ("gap-before gap-after", value.month),
            ("gap-before gap-after", value.day),
        )
    )
    return Markup("{}年{}月{}日").format(year, month, day)


def label(text: str, book: object) -> str:
    """A fixed label of the templates (目录, 版权信息, …) in the book's script: the Traditional editions
    convert it as they convert the issues."""
    from publish.edition import label_in

    return label_in(text, book.meta.language)  # type: ignore[attr-defined]


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
    return env


def render_page(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)

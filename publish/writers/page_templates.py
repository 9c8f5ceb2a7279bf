"""The Jinja2 templates (package data) that lay out pages for both writers."""

from __future__ import annotations

import datetime as dt
from functools import cache

import jinja2


def cjk_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


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

"""The Jinja2 templates (package data) that lay out pages for both writers."""

from __future__ import annotations

import datetime as dt
from functools import cache

import jinja2


def cjk_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("publish", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["cjk_date"] = cjk_date
    return env


def render_page(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)

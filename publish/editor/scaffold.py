"""Scaffold the next issue: the next number, the next weekly date, a frontmatter template. Never overwrites."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from publish.editor.lint import next_weekly_date
from publish.errors import PublishError
from publish.model import Issue

TEMPLATE = """---
title: {title}
date: "{date}"
issueNumber: {number}
description: ""
---

（导语：本期想说的一件事。）

## 本周话题

## 推荐阅读

1. （标题）：一句话推荐。
"""


def new_issue_path(source: Path, number: int, date: dt.date) -> Path:
    return source / f"{date.isoformat()}-issue-{number:03d}.md"


def write_new_issue(
    source: Path, issues: list[Issue], *, title: str | None, date: dt.date | None, today: dt.date
) -> Path:
    """Create the next issue's file; refuse if it exists. Returns its path."""
    number = max((i.number for i in issues), default=0) + 1
    date = date or next_weekly_date(issues, today)
    path = new_issue_path(source, number, date)
    text = TEMPLATE.format(
        title=json.dumps(title or f"第{number}期：", ensure_ascii=False), date=date.isoformat(), number=number
    )
    source.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as exc:
        raise PublishError(f"{path} already exists; it was left as it is") from exc
    return path

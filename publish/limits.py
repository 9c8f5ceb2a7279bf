"""Size limits on what the build accepts, each far above what a real newsletter reaches (README, "Limits").

Inside them every build ends within a minute and 1.5 GB on two cores; above them the source is refused with a
"too large" message naming the limit, instead of a build that runs for hours or is killed for its memory.
"""

from __future__ import annotations

import re

MAX_ISSUE_BYTES = 512 * 1024
"""One issue file: a real issue is 5–60 KB; 512 KiB of mixed Chinese and links is about 200 pages of A5, laid
out in half a minute (1 MiB took 59 s and 1 GB)."""
MAX_FRONTMATTER_BYTES = 64 * 1024
"""The YAML block at the top of an issue (a real one is under 1 KB)."""
MAX_CONFIG_BYTES = 64 * 1024
"""book.toml."""
MAX_TITLE_CHARS = 200
"""An issue's title, or the book's (a real one is under 60 characters)."""
MAX_DESCRIPTION_CHARS = 2000
"""An issue's description, or the book's."""
MAX_NESTING = 64
"""Elements inside elements in one issue (raw HTML included); real issues stay under 12."""
MAX_ELEMENTS = 20_000
"""Elements in one issue once its Markdown is rendered (emphasis, links, list items, cells…): the corpus's
largest issue has 234; 65,536 pairs of `*_` made as many `<em>` and a 28-second, 900 MB PDF."""
MAX_TABLE_SPAN = 100
"""`colspan` / `rowspan` of one table cell."""
MAX_CACHE_ENTRY_BYTES = 512 * 1024 * 1024
"""A cache entry larger than this is not read (it is not ours, or it is damaged); it is rebuilt."""


def too_large(what: str, size: int, limit: int, unit: str = "bytes") -> str:
    """The message for a source over a limit, the same words everywhere."""
    if unit == "bytes":
        return f"{what} is too large: {_bytes(size)}, the limit is {_bytes(limit)}"
    return f"{what} is too large: {size:,} {unit}, the limit is {limit:,}"


def _bytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"


WEB_ADDRESS = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
"""What a field holding a web address may hold (an issue's `url`, `[book] issue_url`): http(s), a host, no spaces."""

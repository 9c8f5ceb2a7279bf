"""The merged book's page plan: which laid-out parts go in, in order, and what the merge draws on each body
page — its folio, its running head — and the contents' page numbers. build_pdf (document.py) makes the plan
from the laid-out parts; the merge (merge.py) follows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class RunningHead(Enum):
    BOOK = "book"
    """The book's title, on versos."""
    ISSUE = "issue"
    """The issue's title, on rectos."""


@dataclass(frozen=True)
class PlannedPage:
    """One page of the book's body, in order, the blank versos the merge adds included."""

    issue: int
    """Index of the issue (its part) the page belongs to."""
    folio: int | None
    """The number printed on it; None on a blank page."""
    running_head: RunningHead | None
    """None on blank pages and on the issue's opening page."""
    blank: bool
    added: bool = False
    """A blank verso the merge adds after a part with an odd number of pages, so that the next opens on a recto."""


@dataclass(frozen=True)
class ContentsNumber:
    """A page number the merge draws right-aligned into the contents' slot for an issue."""

    page: int
    """Index of the front matter's page."""
    right: float
    baseline: float
    number: int


@dataclass(frozen=True)
class PagePlan:
    front: bytes
    """The front matter's PDF: title page, colophon, contents."""
    bodies: tuple[bytes, ...]
    """Each issue's PDF, in order."""
    folio_template: bytes
    """The pages the folios, contents numbers and running heads are drawn from (templates/pdf_folios.html)."""
    pages: tuple[PlannedPage, ...]
    contents_numbers: tuple[ContentsNumber, ...]

    @property
    def body_pages(self) -> int:
        return len(self.pages)


def even(pages: int) -> int:
    """A part's page count once the merge has added the blank verso that lets the next part open on a recto."""
    return pages + pages % 2


def plan_body_pages(blank_by_part: Sequence[Sequence[bool]]) -> tuple[PlannedPage, ...]:
    """Every body page: the parts' own pages (given as which are blank), each part padded to an even count;
    folios count every page from 1 and are printed on the pages that are not blank; the running head is the
    issue's on rectos and the book's on versos, except on an issue's opening page."""
    planned: list[PlannedPage] = []
    for issue, blank in enumerate(blank_by_part):
        padded = [*blank, *(True,) * (even(len(blank)) - len(blank))]
        for index, is_blank in enumerate(padded):
            number = len(planned) + 1
            head = None if is_blank or index == 0 else (RunningHead.ISSUE if index % 2 == 0 else RunningHead.BOOK)
            planned.append(
                PlannedPage(
                    issue=issue,
                    folio=None if is_blank else number,
                    running_head=head,
                    blank=is_blank,
                    added=index >= len(blank),
                )
            )
    return tuple(planned)


def volume_names(count: int) -> list[str]:
    """What the volumes of a book are called: 上册/下册, 上册/中册/下册, then 第一册, 第二册, …"""
    if count == 2:
        return ["上册", "下册"]
    if count == 3:
        return ["上册", "中册", "下册"]
    digits = "〇一二三四五六七八九"

    def numeral(n: int) -> str:
        if n < 10:
            return digits[n]
        tens, ones = divmod(n, 10)
        return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")

    return [f"第{numeral(n)}册" for n in range(1, count + 1)]


def balanced_volumes(sizes: Sequence[int], capacity: int) -> list[range]:
    """The parts (issues, of `sizes` pages each) cut into the fewest runs of at most `capacity` pages each,
    as even as the parts allow (the sum of squared run lengths is least). A part longer than the capacity
    gets a volume of its own."""
    if sum(sizes) <= capacity or not sizes:
        return [range(len(sizes))]
    if max(sizes) > capacity:  # no split keeps every volume under it: split around the long parts
        capacity = max(sizes)
    count = -(-sum(sizes) // capacity)
    while True:
        found = _least_squares_split(sizes, count, capacity)
        if found is not None:
            return found
        count += 1


def _least_squares_split(sizes: Sequence[int], count: int, capacity: int) -> list[range] | None:
    """`count` consecutive runs of at most `capacity` pages with the least sum of squared page counts (the
    most even), by dynamic programming over the run ends; None when no such split exists."""
    total = [0]
    for size in sizes:
        total.append(total[-1] + size)
    parts = len(sizes)
    infinite = float("inf")
    cost = [[infinite] * (parts + 1) for _ in range(count + 1)]
    start = [[0] * (parts + 1) for _ in range(count + 1)]
    cost[0][0] = 0.0
    for run in range(1, count + 1):
        for end in range(run, parts + 1):
            begin = end - 1
            while begin >= run - 1 and total[end] - total[begin] <= capacity:
                if cost[run - 1][begin] < infinite:
                    value = cost[run - 1][begin] + (total[end] - total[begin]) ** 2
                    if value < cost[run][end]:
                        cost[run][end], start[run][end] = value, begin
                begin -= 1
    if cost[count][parts] == infinite:
        return None
    runs: list[range] = []
    end = parts
    for run in range(count, 0, -1):
        begin = start[run][end]
        runs.append(range(begin, end))
        end = begin
    return runs[::-1]

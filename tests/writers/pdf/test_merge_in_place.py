"""The watch's merged book updated in place (issue 29, item 2): after an issue is edited, its new part is put
where the old one was, and the book is the one a merge from scratch makes — the same objects in the same
graph (compared once QPDF has written both out uncompressed, objects in the order it meets them), whether
the issue kept its page count or grew, moving the folios after it, the contents numbers and the parent tree's
keys of the issues after it."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pikepdf
import pytest

from publish.writers.pdf import merge, merge_in_place
from publish.writers.pdf.page_plan import PagePlan

from ...testing_utils import ROOT, SAMPLE_ISSUES, run_cli

GROWN = "\n\n" + "\n\n".join(
    f"补充说明第{n}段：这一段让这一期变长，附上一个链接 [参考资料{n}](https://example.org/more/{n}) 以便核对。"
    for n in range(40)
)


def _plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tagged: bool = True) -> dict[str, tuple[PagePlan, dict]]:
    """The sample's merge plan as it is, with a sentence added to its second issue, and with that issue grown
    by pages of paragraphs with links."""
    config = tmp_path / "book.toml"
    settings = (ROOT / "book.toml").read_text(encoding="utf-8")
    config.write_text(settings.replace("[print]\n", f"[print]\ntagged = {str(tagged).lower()}\n"), encoding="utf-8")
    issues = tmp_path / "issues"
    shutil.copytree(SAMPLE_ISSUES, issues)
    second = sorted(issues.glob("*.md"))[1]
    text = second.read_text(encoding="utf-8")
    captured: dict[str, tuple[PagePlan, dict]] = {}
    original = merge.merge_parts

    def capture(plan: PagePlan, **options: object) -> bytes:
        captured["plan"] = (plan, options)
        return original(plan, **options)

    monkeypatch.setattr(merge, "merge_parts", capture)
    plans = {}
    for name, body in (("as is", text), ("a sentence added", text + "\n\n编辑补了一句。\n"), ("grown", text + GROWN)):
        second.write_text(body, encoding="utf-8")
        arguments = ("build", "--source", str(issues), "--output", str(tmp_path / "out"), "--format", "pdf")
        result = run_cli(*arguments, "--config", str(config))
        assert result.exit_code == 0, result.output
        plans[name] = captured.pop("plan")
    return plans


def _as_graph(data: bytes) -> bytes:
    """The PDF written out by QPDF without compression or object streams, its objects in the order met from
    the catalogue, without the comments naming their numbers in the file read."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(
            out,
            qdf=True,
            static_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )
    return re.sub(rb"%% Original object ID: \d+ \d+\n", b"", out.getvalue())


@pytest.mark.parametrize("tagged", [True, False], ids=["tagged", "untagged"])
def test_an_edited_issue_is_put_in_place_as_a_merge_from_scratch_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tagged: bool
) -> None:
    plans = _plans(tmp_path, monkeypatch, tagged)
    with pikepdf.open(io.BytesIO(plans["as is"][0].front)) as front:
        assert ("/StructTreeRoot" in front.Root) is tagged
    pages = {name: plan.body_pages for name, (plan, _options) in plans.items()}
    assert pages["grown"] > pages["as is"] + 1  # the folios after it and the contents numbers move
    scratch = {name: _as_graph(merge.merge_parts(plan, **options)) for name, (plan, options) in plans.items()}
    monkeypatch.setattr(merge_in_place, "_kept", {})
    plan, options = plans["as is"]
    _data, from_scratch = merge_in_place.merge_kept("book", plan, **options)
    assert from_scratch
    for name in ("a sentence added", "grown", "as is", "grown", "a sentence added"):
        plan, options = plans[name]
        data, from_scratch = merge_in_place.merge_kept("book", plan, **options)
        assert not from_scratch, name
        assert _as_graph(data) == scratch[name], name
    assert merge_in_place._kept["book"].updates == 5


def test_what_an_update_cannot_take_is_merged_from_scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another front matter (here: the contents' slots one digit wider) or another number of issues: a merge
    from scratch, kept for the next build; so is the book after UPDATES_BEFORE_FRESH_MERGE updates."""
    plans = _plans(tmp_path, monkeypatch)
    plan, options = plans["as is"]
    monkeypatch.setattr(merge_in_place, "_kept", {})
    monkeypatch.setattr(merge_in_place, "UPDATES_BEFORE_FRESH_MERGE", 2)
    assert merge_in_place.merge_kept("book", plan, **options)[1]
    fewer = PagePlan(plan.front, plan.bodies[:-1], plan.folio_template, plan.pages, plan.contents_numbers)
    kept = merge_in_place._kept["book"]
    assert not kept.can_take(fewer, press=False)
    assert not kept.can_take(_other_front(plan), press=False)
    assert not kept.can_take(plan, press=True)
    edited = plans["a sentence added"][0]
    assert not merge_in_place.merge_kept("book", edited, **options)[1]
    assert not merge_in_place.merge_kept("book", plan, **options)[1]
    assert merge_in_place.merge_kept("book", edited, **options)[1]  # the third update: from scratch


def _other_front(plan: PagePlan) -> PagePlan:
    return PagePlan(plan.front + b"\n", plan.bodies, plan.folio_template, plan.pages, plan.contents_numbers)

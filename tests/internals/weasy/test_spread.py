"""The spreading of a short page (internals/weasy/spread.py) moves laid-out boxes in place: what WeasyPrint
placed when it laid the page out must move with them. A code block's grey ground and its wrapped lines' marks
are backgrounds, placed at layout: moved with `translate` alone they stayed behind, empty, above the code
(seen on a made-up technology year, p. 113)."""

from __future__ import annotations

from publish.internals.weasy import load_weasyprint
from publish.internals.weasy.spread import _moved_down


def _box(root, tag: str):
    for child in getattr(root, "children", []):
        if getattr(child, "element_tag", None) == tag:
            return child
        found = _box(child, tag)
        if found is not None:
            return found
    return None


def test_a_block_moved_down_takes_its_background_along() -> None:
    load_weasyprint()
    from weasyprint import CSS, HTML

    html = "<p>正文</p><pre style='background: #f3f1ec; padding: 4px'><span class='long'>print('spread')</span></pre>"
    style = ".long { display: block; background-image: linear-gradient(#999, #999); background-size: 1em 1em; }"
    page = HTML(string=html).render(stylesheets=[CSS(string=style)]).pages[0]
    pre = _box(page._page_box, "pre")
    line = _box(pre, "span")
    before = {id(box): box.background.layers[0].painting_area[1] for box in (pre, line)}
    _moved_down(pre, 100.0)
    for box in (pre, line):
        layer = box.background.layers[0]
        assert layer.painting_area[1] == before[id(box)] + 100.0
        assert abs(layer.painting_area[1] - box.border_box_y()) < 0.01  # where the box is now
        assert all(abs(clip[1] - box.border_box_y()) < 0.01 for clip in layer.clipped_boxes)

"""Lay pages out in WebKitGTK (Debian's gir1.2-webkit2-4.1) at a phone's width and run one JavaScript expression
on each, printing {page: result} as JSON. Run by Debian's own Python (`python3-gi` is a system package), under
`xvfb-run`: test_webkit.py sends {"width": W, "height": H, "pages": [...], "expression": "..."} on stdin.

WebKit is the engine of Apple Books and of Kobo's EPUB reader; WebKitGTK shares its line breaking, `@supports`
and `text-autospace`, not its justification (the GTK port does not widen the gaps between ideographs)."""

from __future__ import annotations

import json
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402 — after the versions are chosen


def main() -> None:
    job = json.load(sys.stdin)
    window = Gtk.OffscreenWindow()
    window.set_default_size(job["width"], job["height"])
    view = WebKit2.WebView()
    view.set_size_request(job["width"], job["height"])
    window.add(view)
    window.show_all()
    pages, results = list(job["pages"]), {}
    # The expression runs once the page's fonts are in (`await` needs the async function call).
    body = "await document.fonts.ready; return " + job["expression"].strip() + ";"

    def open_next() -> bool:
        if pages:
            view.load_uri("file://" + pages[0])
        else:
            Gtk.main_quit()
        return False

    def evaluated(view: WebKit2.WebView, result: object) -> None:
        try:
            results[pages[0]] = json.loads(view.call_async_javascript_function_finish(result).to_json(0))
        except Exception as error:  # reported with the page; the run goes on
            results[pages[0]] = {"error": str(error)}
        pages.pop(0)
        open_next()

    def loaded(view: WebKit2.WebView, event: WebKit2.LoadEvent) -> None:
        if event == WebKit2.LoadEvent.FINISHED:
            view.call_async_javascript_function(body, -1, None, None, None, None, evaluated)

    view.connect("load-changed", loaded)
    GLib.idle_add(open_next)
    Gtk.main()
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()

"""Serve: a live preview of the book on 127.0.0.1, typeset as the EPUB is, reloaded when an issue changes."""

from __future__ import annotations

import errno
import hashlib
import http.server
import re
import threading
from pathlib import Path

from publish.assemble import assemble_book
from publish.build import prepare_chapters
from publish.config import Config
from publish.errors import PublishError, errors_in
from publish.model import Selection
from publish.typography import EPUB_RULES, typeset_chapter
from publish.writers.page_templates import render_page

_FONT_FACE = re.compile(r"@font-face\s*{[^}]*}", re.DOTALL)


class Preview:
    """The book as one HTML page, rebuilt when the sources change (checked on each request)."""

    def __init__(self, config: Config, source: Path, image_dir: Path | None = None) -> None:
        self.config, self.source, self.image_dir = config, source, image_dir
        self._lock = threading.Lock()
        self._version = ""
        self._page = b""
        self._images: dict[str, bytes] = {}

    def version(self) -> str:
        """A token of every source file's name, size and modification time."""
        digest = hashlib.sha256()
        for path in sorted(p for p in self.source.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()[:16]

    def current(self) -> tuple[str, bytes, dict[str, bytes]]:
        with self._lock:
            version = self.version()
            if version != self._version:
                self._page, self._images = self._render(version)
                self._version = version
            return self._version, self._page, self._images

    def _render(self, version: str) -> tuple[bytes, dict[str, bytes]]:
        chapters, problems = prepare_chapters(self.source, Selection(), self.image_dir)
        if errors_in(problems) or not chapters:
            lines = [p.format(Path.cwd()) for p in errors_in(problems)] or ["没有可以预览的期刊"]
            return render_page("preview_errors.html", problems=lines, version=version).encode(), {}
        typeset = [typeset_chapter(chapter, EPUB_RULES) for chapter in chapters]
        book = assemble_book(self.config, typeset, Selection(), source_date_epoch=None)
        styles = self.config.styles_dir
        stylesheet = (styles / "common.css").read_text(encoding="utf-8") + _FONT_FACE.sub(
            "", (styles / "epub.css").read_text(encoding="utf-8")
        )
        page = render_page(
            "preview.html",
            book=book,
            stylesheet=stylesheet,
            version=version,
            href=lambda chapter: f"#{chapter.anchor}",
            cjk_latin_gap="space",  # typeset as the EPUB is: dates too
        )
        images = {href: data for chapter in chapters for href, data in chapter.images.items()}
        return page.encode("utf-8"), images


IDLE_SECONDS = 30
"""A connection that sends nothing for this long is closed: a silent client cannot hold a thread."""
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def local_host(header: str | None, port: int) -> bool:
    """Whether a request's Host names this machine: a page on another site that made its own name resolve to
    127.0.0.1 (DNS rebinding) sends its own name, and is refused."""
    if not header:
        return False
    value = header.strip().lower()
    if value.endswith("]") or ":" not in value:  # no port given: the name alone decides
        host, given = value, str(port)
    else:
        host, _, given = value.rpartition(":")
    return host in _LOCAL_HOSTS and given == str(port)


def make_handler(preview: Preview) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = IDLE_SECONDS

        def do_GET(self) -> None:
            if not local_host(self.headers.get("Host"), self.server.server_address[1]):
                self._send(403, "text/plain; charset=utf-8", b"only this machine may ask")
                return
            path = self.path.split("?", 1)[0]
            version, page, images = preview.current()
            if path == "/__version":
                self._send(200, "text/plain; charset=utf-8", version.encode())
            elif path in ("/", "/index.html"):
                self._send(200, "text/html; charset=utf-8", page)
            elif path.lstrip("/") in images:
                suffix = path.rsplit(".", 1)[-1]
                self._send(200, f"image/{'jpeg' if suffix == 'jpg' else suffix}", images[path.lstrip("/")])
            else:
                self._send(404, "text/plain; charset=utf-8", "没有这个页面".encode())

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def open_server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    """Bind 127.0.0.1 only: the preview is for the editor's own machine."""
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(preview))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PublishError(
                f"port {port} on 127.0.0.1 is already in use; pass another, e.g. --port {port + 1}"
            ) from exc
        raise PublishError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc

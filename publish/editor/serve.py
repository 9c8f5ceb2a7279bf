"""Serve: the HTML edition (publish/writers/html/) built by the ordinary build into a private folder, and a
server on 127.0.0.1 that answers from what was built, plus a script in each page that reloads it when the
sources change. A watcher thread rebuilds; requests never wait for a build, and a build that fails leaves
a page listing its problems.
"""

from __future__ import annotations

import errno
import hashlib
import http.server
import logging
import mimetypes
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from publish.build import build
from publish.config import Config
from publish.errors import ContentErrors, PublishError
from publish.model import BuildRequest
from publish.registry import Registry
from publish.writers.page_templates import render_page

log = logging.getLogger(__name__)

POLL_SECONDS = 0.3
"""How often the watcher looks at the sources' names, sizes and modification times."""


@dataclass(frozen=True)
class Built:
    """What one build left to serve: every file of the site by its path, or the page of its problems."""

    version: str
    files: dict[str, bytes] = field(default_factory=dict)


class Preview:
    """The book as the HTML edition, rebuilt when the sources change."""

    def __init__(self, config: Config, registry: Registry, request: BuildRequest) -> None:
        self.config, self.registry = config, registry
        self._folder = tempfile.TemporaryDirectory(prefix="publish-serve-")
        self.request = replace(request, output=Path(self._folder.name), formats=("html",), show_progress=False)
        self.built = Built("")
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def sources(self) -> list[Path]:
        """The files a change of which changes the book: the issues and their pictures, book.toml, styles and
        the project's fonts."""
        folders = [self.request.source, self.config.project_root / "styles", self.config.project_root / "fonts"]
        if self.request.image_dir is not None:
            folders.append(self.request.image_dir)
        files = [p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()]
        return sorted([*files, *([self.config.config_path] if self.config.config_path else [])])

    def version(self) -> str:
        """A token of every source file's name, size and modification time."""
        digest = hashlib.sha256()
        for path in self.sources():
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()[:16]

    def refresh(self) -> None:
        """Build again when the sources changed since the last build."""
        version = self.version()
        if version != self.built.version:
            self.built = self._build(version)

    def _build(self, version: str) -> Built:
        try:
            result = build(self.config, self.request, self.registry)
        except ContentErrors as exc:
            return self._errors(version, [p.format(Path.cwd()) for p in exc.problems])
        except PublishError as exc:
            return self._errors(version, [exc.message])
        site = next(path for path in result.files if path.is_dir())
        files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
        return Built(version, files)

    def _errors(self, version: str, lines: list[str]) -> Built:
        page = render_page("preview_errors.html", problems=lines or ["没有可以预览的期刊"], version=version)
        return Built(version, {"index.html": page.encode("utf-8")})

    def start(self) -> None:
        """The first build, then the watcher that rebuilds."""
        self.refresh()
        self._watcher = threading.Thread(target=self._watch, name="publish-serve-watcher", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.refresh()
            except Exception:  # a bug of ours must not stop the preview; the next change tries again
                log.exception("the preview could not be rebuilt")

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=30)
        self._folder.cleanup()


IDLE_SECONDS = 30
"""A connection that sends nothing for this long is closed: a silent client cannot hold a thread."""
LISTEN_BACKLOG = 1024
"""Connections the kernel holds while the server accepts: with the standard library's 5, 200 browsers
opening at once saw their connections reset."""
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


def with_reload_script(page: bytes, version: str) -> bytes:
    """An HTML page with the script that reloads it when /__version changes."""
    script = render_page("_reload.html", version=version).encode("utf-8")
    head, marker, tail = page.rpartition(b"</body>")
    return head + script + marker + tail if marker else page + script


def make_handler(preview: Preview) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = IDLE_SECONDS

        def do_GET(self) -> None:
            if not local_host(self.headers.get("Host"), self.server.server_address[1]):
                self._send(403, "text/plain; charset=utf-8", b"only this machine may ask")
                return
            built = preview.built
            path = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/") or "index.html"
            if path == "__version":
                self._send(200, "text/plain; charset=utf-8", built.version.encode())
            elif path in built.files:
                kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
                body = built.files[path]
                if kind == "text/html":
                    kind, body = "text/html; charset=utf-8", with_reload_script(body, built.version)
                elif kind == "text/css":
                    kind = "text/css; charset=utf-8"
                self._send(200, kind, body)
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


class PreviewServer(http.server.ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


def open_server(preview: Preview, port: int) -> PreviewServer:
    """Bind 127.0.0.1 only: the preview is for the editor's own machine."""
    try:
        return PreviewServer(("127.0.0.1", port), make_handler(preview))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PublishError(
                f"port {port} on 127.0.0.1 is already in use; pass another, e.g. --port {port + 1}"
            ) from exc
        raise PublishError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc

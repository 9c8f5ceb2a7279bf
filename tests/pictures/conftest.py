"""A picture server on 127.0.0.1: generated pictures, and every way a download goes wrong."""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from PIL import Image


def picture(kind: str, size: tuple[int, int] = (320, 200), mode: str = "RGB") -> bytes:
    """A photo-like picture (noise in three channels), so that the encoders have something to keep."""
    channels = [Image.effect_noise(size, sigma) for sigma in (30, 50, 70)]
    image = Image.merge("RGB", channels)
    if mode == "RGBA":
        image.putalpha(128)
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny PNG whose header claims width × height pixels."""
    data = bytearray(picture("PNG", (1, 1)))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/a.webp": (200, "image/webp", picture("WEBP", (1800, 1200))),
    "/b.png": (200, "image/png", picture("PNG")),
    "/c.jpg": (200, "image/jpeg", picture("JPEG", (3000, 9000))),
    "/d.gif": (200, "image/gif", picture("GIF")),
    "/png-named.webp": (200, "image/webp", picture("PNG")),
    "/error.webp": (200, "image/webp", b"<!DOCTYPE html><html><body>403 Forbidden</body></html>"),
    "/bomb.png": (200, "image/png", png_bomb()),
    "/truncated.jpg": (200, "image/jpeg", picture("JPEG", (400, 400))[:600]),
}


class Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Handler.requests.append(self.path)
        if self.path == "/slow.png":
            time.sleep(3)
        if self.path == "/trickle.png":  # a byte a second, for as long as anyone listens
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"\x89")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                return
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path == "/moved.png":
            self.send_response(301)
            self.send_header("Location", "/b.png")
            self.end_headers()
            return
        if self.path == "/huge.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(500_000_000))
            self.end_headers()
            return
        status, kind, body = ROUTES.get(self.path, (404, "text/html", b"<h1>Not Found</h1>"))
        if self.path == "/slow.png":
            status, kind, body = 200, "image/png", picture("PNG")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def picture_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True  # a trickling answer must not keep the tests waiting
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Handler.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

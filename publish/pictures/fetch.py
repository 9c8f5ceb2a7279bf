"""Download remote pictures into the mirror: the only network code of publish, run only by `publish images
fetch`. Safe by default: http(s) only; at most MAX_REDIRECTS redirects and never from https to http; no
address in a loopback, private, link-local or otherwise reserved range unless allowed (checked for the
first URL and every redirect, and again for the very address a connection is made to, so a name that
resolves differently the second time gains nothing); a size cap and a deadline per picture; the bytes
decoded whole and checked to be a picture whatever the name or Content-Type says, within the pixel limits;
written atomically. The usual proxy variables (http_proxy, https_proxy, no_proxy) are honoured.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from publish.atomic import write_atomically
from publish.pictures.inspect import MAX_BYTES, PictureError, inspect_picture, read_header
from publish.pictures.mirror import absolute_url, mirror_path

MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 30.0
"""For one picture, from the request to its last byte: a deadline, not a limit on each read (a server that
trickles a byte a second would never trip a per-read limit)."""
RUN_SECONDS = 1800.0
"""For the whole run: pictures not begun by then are reported as not fetched, each with its file and line."""
USER_AGENT = "Mozilla/5.0 (compatible; publish-images-fetch/0.1)"
_CHUNK = 65536


class FetchRefused(Exception):
    """Why a picture was not downloaded, in words for the editor (404, timeout, not a picture, too big…)."""


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = MAX_BYTES
    timeout: float = TIMEOUT_SECONDS
    max_redirects: int = MAX_REDIRECTS
    run_timeout: float = RUN_SECONDS
    allow_private: bool = False
    """Loopback, private and link-local addresses too (a local test server, a picture on the intranet)."""


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: str
    """"fetched", "present" (already in the mirror) or "failed"."""
    reason: str = ""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _vetted_addresses(host: str, port: int, allow_private: bool) -> list[tuple]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchRefused(f"cannot resolve {host} ({exc.strerror})") from None
    if not allow_private:
        for info in infos:
            if not _public(info[4][0]):
                raise FetchRefused(
                    f"{host} is at {info[4][0]}, a loopback, private or reserved address (--allow-private allows it)"
                )
    return infos


def _check_url(url: str, limits: FetchLimits) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"{parts.scheme or 'no'} scheme: only http and https are fetched")
    if not parts.hostname:
        raise FetchRefused("the address has no host")
    _vetted_addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), limits.allow_private)


def _guarded(base: type, allow_private: bool) -> type:
    """A connection class that connects only to an address it vetted itself, at connect time."""

    class Guarded(base):  # type: ignore[misc, valid-type]
        def connect(self) -> None:
            if getattr(self, "_tunnel_host", None):  # through a proxy the user configured: it resolves the name
                base.connect(self)
                return
            error: OSError | None = None
            for family, kind, proto, _, address in _vetted_addresses(self.host, self.port, allow_private):
                sock = socket.socket(family, kind, proto)
                sock.settimeout(self.timeout)
                try:
                    sock.connect(address)
                except OSError as exc:
                    sock.close()
                    error = exc
                    continue
                self.sock = sock
                if isinstance(self, http.client.HTTPSConnection):
                    self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
                return
            raise error or OSError(f"cannot connect to {self.host}")

    return Guarded


class GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """At most `max_redirects` redirects; never from https to http; each new address vetted like the first."""

    def __init__(self, limits: FetchLimits) -> None:
        super().__init__()
        self.limits = limits
        self.max_redirections = limits.max_redirects

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(req.full_url).scheme == "https" and urlsplit(newurl).scheme != "https":
            raise FetchRefused(f"redirected from https to {urlsplit(newurl).scheme or 'another scheme'}")
        _check_url(newurl, self.limits)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(limits: FetchLimits) -> urllib.request.OpenerDirector:
    class Http(urllib.request.HTTPHandler):
        def http_open(self, req):  # type: ignore[no-untyped-def]
            kind = (
                http.client.HTTPConnection
                if req.has_proxy()
                else _guarded(http.client.HTTPConnection, limits.allow_private)
            )
            return self.do_open(kind, req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req):  # type: ignore[no-untyped-def]
            kind = _guarded(http.client.HTTPSConnection, limits.allow_private)
            return self.do_open(kind, req, context=self._context)

    return urllib.request.build_opener(urllib.request.ProxyHandler(), GuardedRedirects(limits), Http(), Https())


def _socket_of(response: object) -> socket.socket | None:
    """The socket a response reads from (http.client keeps it in its buffered reader's raw SocketIO)."""
    raw = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _read_body(response: http.client.HTTPResponse, limits: FetchLimits, deadline: float) -> bytes:
    """The body, read as it arrives; each wait for more bytes lasts at most until the picture's deadline."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchRefused(f"too big ({int(declared) / 1e6:.0f} MB; at most {limits.max_bytes / 1e6:.0f} MB)")
    sock = _socket_of(response)
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchRefused(f"timed out after {limits.timeout:.0f} s")
        if sock is not None:
            sock.settimeout(remaining)
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchRefused(f"too big (over {limits.max_bytes / 1e6:.0f} MB)")
        chunks.append(chunk)


def download(url: str, limits: FetchLimits, deadline: float | None = None) -> bytes:
    """The picture's bytes, checked; FetchRefused says why not. The picture's deadline is `limits.timeout`
    from now, or `deadline` (the run's) when that comes first."""
    url = absolute_url(url)
    _check_url(url, limits)
    deadline = min(time.monotonic() + limits.timeout, deadline if deadline is not None else float("inf"))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "image/*,*/*;q=0.5"})
    try:
        with _opener(limits).open(request, timeout=max(0.01, deadline - time.monotonic())) as response:
            data = _read_body(response, limits, deadline)
    except FetchRefused:
        raise
    except urllib.error.HTTPError as exc:
        if exc.code in (301, 302, 303, 307, 308):
            raise FetchRefused(f"too many redirects (or a redirect loop): {exc.reason}") from None
        raise FetchRefused(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, FetchRefused):
            raise reason from None
        if isinstance(reason, socket.timeout | TimeoutError):
            raise FetchRefused(f"timed out after {limits.timeout:.0f} s") from None
        raise FetchRefused(f"cannot connect ({reason})") from None
    except TimeoutError:
        raise FetchRefused(f"timed out after {limits.timeout:.0f} s") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchRefused(f"the download failed ({exc})") from None
    try:
        inspect_picture(data)
    except PictureError as exc:
        raise FetchRefused(f"not a usable picture: {exc}") from None
    return data


def _already_there(path: Path) -> bool:
    """A file the mirror holds and whose header reads as a picture (a broken one is fetched again)."""
    try:
        read_header(path.read_bytes())
    except (OSError, PictureError):
        return False
    return True


def fetch_into_mirror(url: str, mirror: Path, limits: FetchLimits, deadline: float | None = None) -> FetchResult:
    target = mirror_path(mirror, url)
    if target is None:
        return FetchResult(url, "failed", "the address names no place in the mirror (no host, or an odd path)")
    try:
        if target.is_file() and _already_there(target):
            return FetchResult(url, "present")
        if deadline is not None and time.monotonic() >= deadline:
            return FetchResult(url, "failed", f"not fetched: the run's {limits.run_timeout:.0f} s were up")
        data = download(url, limits, deadline)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data, mode=0o644)
    except FetchRefused as exc:
        return FetchResult(url, "failed", str(exc))
    except OSError as exc:
        return FetchResult(url, "failed", f"cannot write {target} ({exc.strerror or exc})")
    return FetchResult(url, "fetched")


def fetch_all(
    urls: Iterable[str],
    mirror: Path,
    limits: FetchLimits,
    jobs: int = 8,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Each distinct URL fetched once, `jobs` at a time, in the order given, all within the run's deadline:
    a picture under way when it comes stops then, and those not begun are reported as not fetched."""
    unique = list(dict.fromkeys(urls))
    deadline = time.monotonic() + limits.run_timeout

    def one(url: str) -> FetchResult:
        result = fetch_into_mirror(url, mirror, limits, deadline)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, unique))

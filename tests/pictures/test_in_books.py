"""Pictures and links of a real newsletter in both books: mirrored remote pictures used without a flag,
fitted for each target; placeholders for the missing; captions; linked pictures; addresses on paper."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from lxml import etree
from PIL import Image

from ..testing_utils import NS, Epub, epubcheck_findings, run_cli, write_issue
from .conftest import picture

MM = 72 / 25.4
CDN = "https://cdn.weekly.example"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A project (no book.toml) whose mirror, images/remote/, holds what `images fetch` would have saved."""
    project = tmp_path_factory.mktemp("project")
    mirror = project / "images" / "remote" / "cdn.weekly.example"
    mirror.mkdir(parents=True)
    (mirror / "wide.webp").write_bytes(picture("WEBP", (2400, 1600)))
    (mirror / "tall.jpg").write_bytes(picture("JPEG", (800, 2400)))
    (mirror / "anim.gif").write_bytes(picture("GIF", (300, 200)))
    (mirror / "really-png.webp").write_bytes(picture("PNG", (600, 400)))
    (mirror / "alpha.png").write_bytes(picture("PNG", (500, 300), mode="RGBA"))
    (mirror / "broken.webp").write_bytes(b"<html>502 Bad Gateway</html>")
    body = f"""城市的树。

![一条街一年的树冠]({CDN}/wide.webp)

![]({CDN}/tall.jpg)

动图 ![]({CDN}/anim.gif) 在句中。

![截图]({CDN}/really-png.webp)

![透明背景的示意图]({CDN}/alpha.png)

![坏掉的镜像]({CDN}/broken.webp)

![没有镜像的图]({CDN}/never-fetched.png)

[![点开看大图]({CDN}/wide.webp)](https://weekly.example/gallery/trees)

[![]({CDN}/never-fetched-2.png)](https://weekly.example/gallery/missing)

"""
    body += (
        "延伸阅读：[城市自然观察](https://www.inaturalist.org/)，以及[同一个地址](https://www.inaturalist.org/)；"
        "维基百科的[行道树](https://zh.wikipedia.org/wiki/%E8%A1%8C%E9%81%93%E6%A8%B9)。"
        "直接写出的地址 https://example.org/already-shown 不再重复。\n"
    )
    write_issue(project / "issues", "issue-001.md", body=body)
    import os

    previous = Path.cwd()
    os.chdir(project)
    try:
        result = run_cli("build", "--no-cache")
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    assert "broken.webp cannot be used" in result.stderr and "warning" in result.stderr
    assert "3 remote picture(s) not mirrored or not usable" in result.stderr
    out = project / "output"
    return {"epub": next(out.glob("*.epub")), "pdf": next(out.glob("*.pdf")), "project": project}


def test_epub_pictures_are_jpeg_or_png_within_phone_limits(books: dict[str, Path]) -> None:
    epub = Epub(books["epub"])
    pictures = [i for i in epub.manifest().values() if i.get("media-type").startswith("image/")]
    assert {i.get("media-type") for i in pictures} <= {"image/jpeg", "image/png"}
    contents = [i for i in pictures if "cover" not in i.get("href")]
    assert len(contents) == 5  # wide (twice, one file), tall, anim, really-png, alpha
    for item in contents:
        image = Image.open(io.BytesIO(epub.read(item.get("href"))))
        assert image.format == {"image/jpeg": "JPEG", "image/png": "PNG"}[item.get("media-type")]
        assert max(image.size) <= 1600 and image.width * image.height <= 4_000_000, image.size
    alpha = [i for i in contents if Image.open(io.BytesIO(epub.read(i.get("href")))).mode == "RGBA"]
    assert len(alpha) == 1 and alpha[0].get("media-type") == "image/png"  # transparency kept
    assert epubcheck_findings(books["epub"]) == []


def test_placeholders_captions_and_linked_pictures(books: dict[str, Path]) -> None:
    document = Epub(books["epub"]).xhtml("issue-0001.xhtml")
    text = etree.tostring(document, encoding="unicode")
    assert "cdn.weekly.example" not in "".join(document.itertext())  # never a host name as text
    missing = document.findall(".//x:span[@class='picture-missing']", NS)
    assert ["".join(m.itertext()) for m in missing] == ["坏掉的镜像", "没有镜像的图", "图片未能收录"]
    captions = ["".join(c.itertext()).replace("\u2060", "") for c in document.iterfind(".//x:figcaption", NS)]
    assert captions == ["一条街一年的树冠", "透明背景的示意图", "点开看大图"]  # not "截图", not an empty alt
    for link in document.iter("{http://www.w3.org/1999/xhtml}a"):
        assert next(link.iterancestors("{http://www.w3.org/1999/xhtml}a"), None) is None
    linked = document.find(".//x:a[@href='https://weekly.example/gallery/trees']", NS)
    assert linked is not None and linked.find("x:img", NS) is not None
    assert text.count('href="https://weekly.example/gallery/missing"') == 1  # the placeholder keeps its one link


def test_pdf_pictures_stay_in_the_text_block_at_most_300_dpi(books: dict[str, Path]) -> None:
    pdf = pdfium.PdfDocument(books["pdf"])
    found = 0
    for index in range(len(pdf)):
        page = pdf[index]
        width, height = page.get_size()
        for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=5):
            left, bottom, right, top = obj.get_bounds()
            found += 1
            assert left >= 15 * MM - 1 and right <= width - 15 * MM + 1, (index, left, right)  # never in a margin
            assert bottom >= 22 * MM - 1 and top <= height - 20 * MM + 1, (index, bottom, top)  # nor the folio
            assert top - bottom <= (210 - 42) * 2 / 3 * MM + 1  # two thirds of the text block at most
            pixels_wide, _ = obj.get_px_size()
            # Fitted for 300 dpi at the size it would print; the layout may then draw it smaller to close a hole
            # (down to 60 % of its height: writers/pdf/layout.py), which leaves it denser, never coarser.
            assert pixels_wide / ((right - left) / 72) <= 302 / 0.6, (index, pixels_wide, right - left)
    assert found >= 5


def test_pdf_prints_each_link_address_once_at_the_end_of_the_issue(books: dict[str, Path]) -> None:
    text = subprocess.run(["pdftotext", str(books["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    listing = flat.split("本期链接", 1)[1]
    # placeholders first: where a missing picture lives is worth printing too
    assert listing.startswith("1.https://cdn.weekly.example/broken.webp2.https://cdn.weekly.example/never-fetched.png")
    assert "3.https://weekly.example/gallery/trees" in listing
    assert "https://www.inaturalist.org/" in listing and listing.count("inaturalist") == 1  # one number per address
    assert "https://zh.wikipedia.org/wiki/行道樹" in listing  # the address as a reader types it
    assert "already-shown" not in listing  # its text is its address already


@pytest.mark.parametrize(("mode", "listed"), [("footnotes", False), ("none", False)])
def test_links_as_footnotes_or_not_at_all(tmp_path: Path, mode: str, listed: bool) -> None:
    write_issue(tmp_path / "issues", "issue-001.md", body="读[这篇文章](https://weekly.example/long/article)。\n")
    (tmp_path / "book.toml").write_text(f'[print]\nlinks = "{mode}"\n', encoding="utf-8")
    result = run_cli(
        "build",
        "--source",
        str(tmp_path / "issues"),
        "--output",
        str(tmp_path / "out"),
        "--config",
        str(tmp_path / "book.toml"),
        "--format",
        "pdf",
    )
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", str(next((tmp_path / "out").glob("*.pdf"))), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "本期链接" not in text
    assert ("weekly.example/long/article" in text) == (mode == "footnotes")


def test_an_unknown_links_setting_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "book.toml").write_text('[print]\ntrim = "A5"\nlinks = "sidenotes"\n', encoding="utf-8")
    write_issue(tmp_path / "issues", "issue-001.md")
    result = run_cli("build", "--source", str(tmp_path / "issues"), "--config", str(tmp_path / "book.toml"))
    assert result.exit_code == 1
    assert "book.toml:3: print.links: 'sidenotes' is not a way to print links" in result.stderr


def test_a_broken_local_picture_is_the_editors_error(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    (source / "images").mkdir(parents=True)
    (source / "images" / "chart.png").write_bytes(picture("PNG")[:300])
    (source / "images" / "named.webp").write_bytes(picture("PNG"))  # a PNG behind a .webp name is fine
    write_issue(source, "issue-001.md", body="![图](images/chart.png)\n\n![图](images/named.webp)\n")
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "epub")
    assert result.exit_code == 1
    assert "issue-001.md:8: image: images/chart.png: the picture is damaged or truncated" in result.stderr
    assert "named.webp" not in result.stderr


def test_the_booklet_prints_links_as_the_book_does(tmp_path: Path) -> None:
    write_issue(tmp_path / "issues", "issue-001.md", body="读[这篇文章](https://weekly.example/long/article)。\n")
    (tmp_path / "book.toml").write_text('[print]\nlinks = "none"\n', encoding="utf-8")
    result = run_cli(
        "build", "--source", str(tmp_path / "issues"), "--output", str(tmp_path / "out"),
        "--config", str(tmp_path / "book.toml"), "--format", "pdf", "--print-ready", "--booklet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("*-booklet.pdf", "*-2026.pdf"):
        text = subprocess.run(
            ["pdftotext", str(next((tmp_path / "out").glob(name))), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "这篇文章" in text and "本期链接" not in text, name


def _private_photo() -> bytes:
    """A phone photo stored landscape (600 × 400) with orientation 6 (turn it a quarter right to view it),
    a GPS position, an owner's name and a comment."""
    image = Image.merge("RGB", [Image.effect_noise((600, 400), s) for s in (30, 50, 70)])
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation
    exif[0x013B] = "Zhang San Secret"  # Artist
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def _png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San Secret")
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 90, 160)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


PRIVATE = (b"Zhang San Secret", b"taken at home", b"Exif\x00\x00", b"tEXt")


def test_pictures_reach_neither_book_with_their_metadata_and_stand_upright(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    (source / "images").mkdir(parents=True)
    (source / "images" / "photo.jpg").write_bytes(_private_photo())
    (source / "images" / "chart.png").write_bytes(_png_with_text())
    write_issue(source, "issue-001.md", body="照片：\n\n![手机照片](images/photo.jpg)\n\n![图表](images/chart.png)\n")
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    epub = Epub(next((tmp_path / "out").glob("*.epub")))
    hrefs = [i.get("href") for i in epub.manifest().values() if i.get("media-type", "").startswith("image/")]
    pictures = {href: epub.read(href) for href in hrefs if "cover" not in href}
    assert len(pictures) == 2
    for name, data in pictures.items():
        assert not any(secret in data for secret in PRIVATE), name
        with Image.open(io.BytesIO(data)) as opened:
            assert opened.getexif().get(0x0112) in (None, 1)
            if opened.format == "JPEG":
                assert opened.size == (400, 600)  # upright: portrait
    pdf = pdfium.PdfDocument(next((tmp_path / "out").glob("*.pdf")))
    sizes = []
    for page in pdf:
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            sizes.append(tuple(item.get_px_size()))
            assert not any(secret in item.get_data(decode_simple=False) for secret in PRIVATE)
    assert (400, 600) in sizes
    raw = next((tmp_path / "out").glob("*.pdf")).read_bytes()
    assert b"Zhang San Secret" not in raw and b"taken at home" not in raw


def _photo_book(tmp_path: Path, max_mb: float, photos: int = 12) -> tuple[Path, object]:
    source = tmp_path / "issues"
    (source / "images").mkdir(parents=True)
    body = "一年的照片。\n\n"
    for n in range(photos):
        (source / "images" / f"p{n}.jpg").write_bytes(picture("JPEG", (2400, 1600)))
        body += f"![照片{n}](images/p{n}.jpg)\n\n"
    write_issue(source, "issue-001.md", body=body)
    (tmp_path / "book.toml").write_text(f"[epub]\nmax_mb = {max_mb}\n", encoding="utf-8")
    result = run_cli(
        "build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "epub",
        "--config", str(tmp_path / "book.toml"),
    )  # fmt: skip
    return next((tmp_path / "out").glob("*.epub"), tmp_path / "none"), result


def test_an_epub_of_large_photos_is_fitted_under_its_size(tmp_path: Path) -> None:
    epub, result = _photo_book(tmp_path, 8)
    assert result.exit_code == 0, result.output
    assert epub.stat().st_size <= 8_000_000  # the note below says the first step (1600 px, 85) was over it
    assert re.search(r"EPUB \d+\.\d MB: pictures fitted to 1[0-4]00 px, quality \d+, to stay under 8 MB", result.stderr)
    assert epubcheck_findings(epub) == []
    with zipfile.ZipFile(epub) as book:
        sides = [max(Image.open(io.BytesIO(book.read(name))).size) for name in book.namelist() if name.endswith(".jpg")]
    assert sides and min(sides) >= 1000  # never below the floor that keeps a screenshot legible


def test_an_epub_that_cannot_fit_is_built_with_a_warning_that_names_the_ways_out(tmp_path: Path) -> None:
    epub, result = _photo_book(tmp_path, 0.2, photos=3)
    assert result.exit_code == 0 and epub.is_file()
    assert "epub.max_mb: the EPUB is" in result.stderr and "over 0.2 MB" in result.stderr
    assert "--range or --year" in result.stderr


def _placed_pictures(pdf: Path) -> list[tuple[int, float, float, float, float]]:
    """(page, left, bottom, right, top) of every picture drawn, in points, in drawing order."""
    document = pdfium.PdfDocument(pdf)
    found = []
    for index, page in enumerate(document):
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            found.append((index, *item.get_bounds()))
    document.close()
    return found


def test_small_pictures_stand_side_by_side_in_a_row(tmp_path: Path) -> None:
    """A small photo, a tall capture (scaled to the height limit) and an icon in a run: one row, top-aligned,
    captions under each, as each prints under half the text block wide; a wide
    picture after them stands alone; in the EPUB the row is marked for the reading system to lay out."""
    source = tmp_path / "issues"
    (source / "images").mkdir(parents=True)
    small = (("a.jpg", (150, 200)), ("b.jpg", (600, 1600)), ("c.png", (60, 60)), ("wide.jpg", (1200, 500)))
    for name, size in small:
        (source / "images" / name).write_bytes(picture("JPEG" if name.endswith("jpg") else "PNG", size))
    body = (
        "三张竖图：\n\n![甲](images/a.jpg)\n\n![乙](images/b.jpg)\n\n![丙](images/c.png)\n\n![宽图](images/wide.jpg)\n"
    )
    write_issue(source, "issue-001.md", body=body)
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    placed = _placed_pictures(next((tmp_path / "out").glob("*.pdf")))
    pictures = [p for p in placed if p[0] > 0]  # the body's, not the cover's or title page's
    row, wide = pictures[:3], pictures[3]
    assert len({p[0] for p in row}) == 1  # one page
    assert max(abs(p[4] - row[0][4]) for p in row) < 0.5  # top-aligned
    assert row[0][3] <= row[1][1] and row[1][3] <= row[2][1]  # side by side, in order
    assert (wide[0], -wide[4]) > (row[0][0], -min(p[2] for p in row))  # the wide one after the row
    document = pdfium.PdfDocument(next((tmp_path / "out").glob("*.pdf")))
    page = document[row[0][0]]
    text = page.get_textpage()
    every = text.get_text_range()
    for caption, (_, left, bottom, right, _) in zip("甲乙丙", row, strict=True):
        x0, _, x1, top = text.get_charbox(every.index(caption))
        assert left <= (x0 + x1) / 2 <= right and top < bottom  # under its own picture
    document.close()
    epub = Epub(next((tmp_path / "out").glob("*.epub")))
    chapter = epub.xhtml("issue-0001.xhtml")
    rows = chapter.findall(".//{http://www.w3.org/1999/xhtml}div[@class='picture-row']")
    assert len(rows) == 1 and len(rows[0].findall("{http://www.w3.org/1999/xhtml}figure")) == 3
    assert b"@media (max-width: 30em)" in epub.read("styles/book.css")

"""Render: one issue's Markdown → a well-formed XHTML chapter body, its sections and the images it uses."""

from __future__ import annotations

import base64
import binascii
import hashlib
import posixpath
import re
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from lxml import html as lxml_html
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from publish.cjk import XML_INVALID
from publish.errors import Problem, Severity
from publish.model import Chapter, Issue, Section
from publish.render.plugins import cjk_breaks_plugin, cjk_linkify_plugin
from publish.render.sanitize import disallowed_tags, parse_fragment, sanitize_tree
from publish.xhtml import inner_markup

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
_DATA_IMAGE = re.compile(r"data:image/(?P<type>png|jpe?g|gif|webp);base64,(?P<data>[A-Za-z0-9+/=\s]+)$", re.IGNORECASE)
_MAGIC = {
    ".png": lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"),
    ".jpg": lambda data: data.startswith(b"\xff\xd8\xff"),
    ".gif": lambda data: data[:6] in (b"GIF87a", b"GIF89a"),
    ".webp": lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP",
}
"""Each image type's signature: a file must be what its name says."""
_UNSAFE_HREF = re.compile(r"\s*(javascript|vbscript|data|file):", re.IGNORECASE)
_RAW_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _render_footnote_backref(self, tokens: list[Token], idx: int, options, env) -> str:
    """The link back to the text: an arrow the CJK face has (its ↩ is missing), labelled for screen readers."""
    ident = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    if tokens[idx].meta.get("subId", 0) > 0:
        ident += f"-{tokens[idx].meta['subId']}"
    return f' <a href="#fnref{ident}" class="footnote-backref" aria-label="返回正文">↑</a>'


def make_parser() -> MarkdownIt:
    """CommonMark with tables, strikethrough, footnotes, linkify, and the CJK fixes."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": False, "xhtmlOut": True})
    md.enable(["table", "strikethrough", "linkify"])
    # Let every URL through to the render stage, which refuses bad ones with a message naming the line
    # (markdown-it would silently print `![x](file:///…)` as text).
    md.validateLink = lambda url: True
    md.use(footnote_plugin)
    md.add_render_rule("footnote_anchor", _render_footnote_backref)
    md.use(cjk_linkify_plugin)
    md.use(cjk_breaks_plugin)
    return md


def chapter_anchor(issue: Issue) -> str:
    return f"issue-{issue.number}"


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or () if c.type in ("text", "code_inline")).strip()


def _is_remote(src: str) -> bool:
    return src.startswith(("http://", "https://", "//"))


class _ChapterRenderer:
    """Walks one issue's tokens once, collecting sections, images and problems, then renders."""

    def __init__(self, issue: Issue, source_root: Path, md: MarkdownIt, image_dir: Path | None) -> None:
        self.issue = issue
        self.source_root = source_root.resolve()
        self.image_dir = image_dir.resolve() if image_dir is not None else None
        self.md = md
        self.problems: list[Problem] = []
        self.images: dict[str, bytes] = {}
        self.image_lines: dict[str, int | None] = {}
        self.image_hrefs: dict[str, str] = {}
        self.sections: list[Section] = []

    def problem(
        self, line: int | None, field: str, message: str, hint: str, severity: Severity = Severity.ERROR
    ) -> None:
        file_line = self.issue.body_first_line + line if line is not None else None
        self.problems.append(Problem(self.issue.path, file_line, field, message, hint, severity))

    def render(self) -> Chapter:
        body = self._strip_invalid_characters(self.issue.body)
        env = {"docId": f"i{self.issue.number}"}
        tokens = self.md.parse(body, env)
        self._renumber_headings(tokens)
        self._scan(tokens)
        markup = self.md.renderer.render(tokens, self.md.options, env)
        root = parse_fragment(markup)
        sanitize_tree(root)
        remote = self._rewrite_images(root)
        self._fix_ids(root)
        return Chapter(
            issue=self.issue,
            anchor=chapter_anchor(self.issue),
            body=inner_markup(root),
            sections=tuple(self.sections),
            images=MappingProxyType(dict(self.images)),
            image_lines=MappingProxyType(dict(self.image_lines)),
            remote_images=remote,
            title_html=escape(self.issue.title),
            description_html=escape(self.issue.description),
        )

    def _strip_invalid_characters(self, body: str) -> str:
        for match in XML_INVALID.finditer(body):
            self.problem(
                body.count("\n", 0, match.start()),
                "text",
                f"character U+{ord(match[0]):04X} is not allowed in a book and was removed",
                "delete it from the file",
                Severity.WARNING,
            )
        return XML_INVALID.sub("", body)

    def _renumber_headings(self, tokens: list[Token]) -> None:
        """Body headings nest under the issue title (h1) without gaps: levels {4, 6} become h2, h3."""
        levels = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
        mapping = {level: min(2 + rank, 6) for rank, level in enumerate(levels)}
        count = 0
        for index, token in enumerate(tokens):
            if token.type not in ("heading_open", "heading_close"):
                continue
            new_level = mapping[int(token.tag[1])]
            token.tag = f"h{new_level}"
            if token.type == "heading_open":
                count += 1
                anchor = f"{chapter_anchor(self.issue)}-s{count}"
                token.attrSet("id", anchor)
                title = _inline_text(tokens[index + 1]) or f"第{count}节"
                token.attrSet("data-label", title)  # plain text for outlines, whatever markup comes later
                self.sections.append(Section(anchor=anchor, title=title, level=new_level))

    def _scan(self, tokens: list[Token]) -> None:
        for token in tokens:
            line = token.map[0] if token.map else None
            if token.type == "html_block":
                self._check_raw_html(token.content, line)
            if token.type != "inline" or not token.children:
                continue
            offset = 0
            for child in token.children:
                if child.type in ("softbreak", "hardbreak"):
                    offset += 1
                child_line = line + offset if line is not None else None
                if child.type == "image":
                    self._resolve_image(str(child.attrGet("src") or ""), child_line)
                elif child.type == "link_open" and _UNSAFE_HREF.match(str(child.attrGet("href") or "")):
                    self.problem(
                        child_line,
                        "link",
                        f"a {str(child.attrGet('href')).split(':')[0]}: link was removed",
                        "link to an http(s) address instead",
                        Severity.WARNING,
                    )
                elif child.type == "html_inline":
                    self._check_raw_html(child.content, child_line)

    def _check_raw_html(self, raw: str, line: int | None) -> None:
        for what in disallowed_tags(raw):
            self.problem(
                line,
                "html",
                f"raw HTML {what} was removed",
                "write it in Markdown, or keep to the tags the README lists",
                Severity.WARNING,
            )
        for match in _RAW_IMG_SRC.finditer(raw):
            self._resolve_image(next(g for g in match.groups() if g is not None), line)

    def _resolve_image(self, src: str, line: int | None) -> None:
        """Vet one image reference; a good one is read and given a place inside the book."""
        src = src.strip()
        if not src or src in self.image_hrefs:
            return
        if _is_remote(src):
            mirrored = self._mirrored(src, line)
            if mirrored is not None:
                self._add_image(src, mirrored.read_bytes(), mirrored.suffix.lower(), mirrored.name, line)
            return
        if src.startswith("data:"):
            self._add_data_image(src, line)
            return
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            self.problem(
                line,
                "image",
                f"{src[:80]!r} is neither a file in the source folder nor an http(s) URL",
                "put the picture under issues/images/ and use a relative path, e.g. images/figure.png",
            )
            return
        relative = unquote(parts.path)
        target = (self.issue.path.parent / relative).resolve()
        if not target.is_relative_to(self.source_root):
            self.problem(
                line,
                "image",
                f"{src!r} is outside the source folder",
                "copy the picture under issues/images/ and link to it there",
            )
            return
        if not target.is_file():
            self.problem(
                line,
                "image",
                f"no image file at {relative}",
                "check the file name, or add the picture under issues/images/",
            )
            return
        self._add_image(src, target.read_bytes(), target.suffix.lower(), target.name, line)

    def _mirrored(self, url: str, line: int | None) -> Path | None:
        """The local copy of a remote image under --image-dir: <dir>/<host>/<path>, as `wget -x` saves it."""
        if self.image_dir is None:
            return None
        parts = urlsplit(url if not url.startswith("//") else "https:" + url)
        relative = posixpath.normpath("/" + unquote(parts.path)).lstrip("/")
        candidate = (self.image_dir / parts.netloc.lower() / relative).resolve()
        if not candidate.is_relative_to(self.image_dir) or not candidate.is_file():
            return None
        return candidate

    def _add_data_image(self, src: str, line: int | None) -> None:
        match = _DATA_IMAGE.match(src)
        if match is None:
            self.problem(
                line,
                "image",
                "a data: URL that is not a base64 PNG, JPEG, GIF or WebP image was removed",
                "save the picture as a file under issues/images/ and link to it",
                Severity.WARNING,
            )
            return
        try:
            data = base64.b64decode(match["data"], validate=True)
        except (binascii.Error, ValueError):
            self.problem(
                line,
                "image",
                "a data: image is not valid base64 and was removed",
                "save the picture as a file under issues/images/",
                Severity.WARNING,
            )
            return
        suffix = ".jpg" if match["type"] in ("jpeg", "jpg") else f".{match['type']}"
        self._add_image(src, data, suffix, "data: image", line)

    def _add_image(self, src: str, data: bytes, suffix: str, name: str, line: int | None) -> None:
        suffix = ".jpg" if suffix == ".jpeg" else suffix
        if suffix not in IMAGE_TYPES:
            self.problem(
                line,
                "image",
                f"{name}: {suffix or 'no extension'} is not a supported image type",
                f"convert it to one of {', '.join(sorted(IMAGE_TYPES))}",
            )
            return
        if not _MAGIC[suffix](data):
            self.problem(
                line,
                "image",
                f"{name} is not really a {suffix[1:].upper()} image (its bytes say otherwise)",
                "re-export the picture in the format its name says",
            )
            return
        href = f"images/{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
        self.images[href] = data
        self.image_hrefs[src] = href
        self.image_lines.setdefault(href, self.issue.body_first_line + line if line is not None else None)

    def _rewrite_images(self, root: lxml_html.HtmlElement) -> int:
        """Local images point into the book; remote ones become a link, since the build never fetches.
        A picture without alt text gets its title or its place in the issue as one (Send-to-Kindle and
        screen readers want words; `publish check` asks the editor for a real description)."""
        remote = pictures = 0
        for img in list(root.iter("img")):
            src = (img.get("src") or "").strip()
            alt = (img.get("alt") or "").strip()
            if src in self.image_hrefs:
                pictures += 1
                img.set("src", self.image_hrefs[src])
                img.set("alt", alt or (img.get("title") or "").strip() or f"第 {self.issue.number} 期插图 {pictures}")
                continue
            if _is_remote(src):
                remote += 1
                host = urlsplit(src if not src.startswith("//") else "https:" + src).netloc
                link = lxml_html.Element("a", {"class": "remote-image", "href": src})
                link.text = f"［图片：{alt or host}］"
                link.tail = img.tail
                img.getparent().replace(img, link)
            else:
                img.drop_tree()
        return remote

    @staticmethod
    def _fix_ids(root: lxml_html.HtmlElement) -> None:
        """Footnote ids like `fnref-i9-1:2` hold a colon; make them plain names."""
        for element in root.iter():
            for name in ("id", "href"):
                value = element.get(name)
                if value and ":" in value and (name == "id" or value.startswith("#")):
                    element.set(name, value.replace(":", "-"))


def render_issue(
    issue: Issue, source_root: Path, md: MarkdownIt | None = None, *, image_dir: Path | None = None
) -> tuple[Chapter, list[Problem]]:
    """Render one issue; problems found on the way come back with file lines. Remote images are never
    fetched: with `image_dir`, one mirrored there as <host>/<path> is used instead."""
    renderer = _ChapterRenderer(issue, source_root, md or make_parser(), image_dir)
    chapter = renderer.render()
    return chapter, renderer.problems

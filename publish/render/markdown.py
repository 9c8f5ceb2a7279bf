"""Render: one issue's Markdown → a well-formed XHTML chapter body, its sections and the images it uses."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from lxml import html as lxml_html
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from publish.cjk import XML_INVALID
from publish.errors import Diagnostic, Severity
from publish.limits import MAX_ELEMENTS, MAX_NESTING, MAX_TABLE_SPAN
from publish.model import Chapter, Issue, Section
from publish.pictures.inspect import PictureError, inspect_picture
from publish.pictures.mirror import absolute_url, is_remote, mirror_path
from publish.render.content_model import FLOW_ONLY, conform
from publish.render.plugins import cjk_breaks_plugin, cjk_linkify_plugin
from publish.render.sanitize import VOID_ELEMENTS, disallowed_tags, parse_fragment, safe_href, sanitize_tree
from publish.xhtml import inner_markup

_DATA_IMAGE = re.compile(r"data:image/(?P<type>png|jpe?g|gif|webp);base64,(?P<data>[A-Za-z0-9+/=\s]+)$", re.IGNORECASE)
_UNSAFE_HREF = re.compile(r"\s*(javascript|vbscript|data|file):", re.IGNORECASE)
_RAW_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_RAW_POSTER = re.compile(r"""<video\b[^>]*?\bposter\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
"""A video's poster picture: the frame the video is kept as shows it (render/sanitize.py)."""
_RAW_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
_RAW_ATTRIBUTE = re.compile(
    r"""(?<![\w-])(id|href|colspan|rowspan|span)(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE
)
_USER_ID = "u-"
"""Ids and fragment links an editor wrote are renamed issue-N-u-…: no issue can take another's anchors (or
the book's own issue-N-sK, fn…), and two issues may use the same name."""


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


_PLACEHOLDER_CAPTION = re.compile(
    r"(?i)^(?:(?:image|img|pic|picture|photo|screenshot|screen ?shot|snipaste|wechat|untitled|截图|图片|图|插图|配图)"
    r"[\s_\-.]*[\w\-]*|[\w\-]+\.(?:png|jpe?g|gif|webp|avif|bmp|svg)|[0-9a-f\-_]{8,}|\d+)$"
)


def meaningful_caption(text: str) -> bool:
    """Alt text or a title worth printing under a picture: words, not a file name, a number or a stock label."""
    text = text.strip()
    return bool(text) and not _PLACEHOLDER_CAPTION.match(text)


def _as_figure(element: lxml_html.HtmlElement, caption: str, *, missing: bool = False) -> None:
    """A picture (or its link, or its placeholder) alone in its paragraph becomes a figure, captioned when
    the caption says something: a block of its own in both books, whatever markers later join it."""
    holder = element
    parent = element.getparent()
    if parent is not None and parent.tag == "a" and len(parent) == 1 and not (parent.text or "").strip():
        holder, parent = parent, parent.getparent()
    if parent is None or parent.tag != "p" or len(parent) != 1:
        return
    if (parent.text or "").strip() or (holder.tail or "").strip():
        return
    figure = lxml_html.Element("figure", {"class": "picture-missing-figure" if missing else "picture"})
    holder.tail = None
    figure.append(holder)
    if caption:
        figcaption = lxml_html.Element("figcaption")
        figcaption.text = caption
        figure.append(figcaption)
    figure.tail = parent.tail
    parent.getparent().replace(parent, figure)


def _walk(tokens: list[Token]) -> Iterator[tuple[Token, int | None]]:
    """Every block token and every inline child, with its line in the body (0-based)."""
    for token in tokens:
        line = token.map[0] if token.map else None
        yield token, line
        offset = 0
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                offset += 1
            yield child, line + offset if line is not None else None


def picture_sources(issue: Issue, md: MarkdownIt | None = None) -> list[tuple[str, int | None]]:
    """Every picture the issue shows, in Markdown or raw HTML: its `src` and its line in the file."""
    found: list[tuple[str, int | None]] = []
    tokens = (md or make_parser()).parse(XML_INVALID.sub("", issue.body), {"docId": "scan"})
    for token, line in _walk(tokens):
        file_line = issue.body_first_line + line if line is not None else None
        if token.type == "image":
            found.append((str(token.attrGet("src") or "").strip(), file_line))
        elif token.type in ("html_block", "html_inline"):
            for match in _RAW_IMG_SRC.finditer(token.content):
                found.append((next(g for g in match.groups() if g is not None).strip(), file_line))
    return found


class _ChapterRenderer:
    """Walks one issue's tokens once, collecting sections, images and problems, then renders."""

    def __init__(self, issue: Issue, source_root: Path, md: MarkdownIt, image_dir: Path | None) -> None:
        self.issue = issue
        self.source_root = source_root.resolve()
        self.image_dir = image_dir.resolve() if image_dir is not None else None
        self.md = md
        self.problems: list[Diagnostic] = []
        self.images: dict[str, bytes] = {}
        self.image_lines: dict[str, int | None] = {}
        self.image_hrefs: dict[str, str] = {}
        self.sections: list[Section] = []
        self.raw_depth = 0
        self.too_deep = False

    def problem(
        self, line: int | None, field: str, message: str, hint: str, severity: Severity = Severity.ERROR
    ) -> None:
        file_line = self.issue.body_first_line + line if line is not None else None
        self.problems.append(Diagnostic(self.issue.path, file_line, field, message, hint, severity))

    def render(self) -> Chapter:
        body = self._strip_invalid_characters(self.issue.body)
        env = {"docId": f"i{self.issue.number}"}
        tokens = self.md.parse(body, env)
        self._renumber_headings(tokens)
        self._scan(tokens)
        markup = self.md.renderer.render(tokens, self.md.options, env)
        if self.too_deep:  # reported; nothing below may walk a tree that deep
            markup = ""
        root = parse_fragment(markup)
        elements = sum(1 for _ in root.iter())
        if elements > MAX_ELEMENTS:
            self.problem(
                None,
                "body",
                f"the issue is too large: {elements:,} HTML elements (emphasis, links, items, cells…), "
                f"the limit is {MAX_ELEMENTS:,}",
                "split it into several issues; check for stray * or _ that Markdown reads as emphasis",
            )
            root = parse_fragment("")
        sanitize_tree(root)
        conform(root)
        remote = self._rewrite_images(root)
        self._fix_ids(root)
        self._settle_anchors(root)
        return Chapter(
            issue=self.issue,
            anchor=chapter_anchor(self.issue),
            body=inner_markup(root),
            sections=tuple(self.sections),
            images=MappingProxyType(dict(self.images)),
            image_lines=MappingProxyType(dict(self.image_lines)),
            remote_images=remote,
            title_html=escape(self.issue.title),
            description_html=self._description_markup(),
        )

    def _description_markup(self) -> str:
        """The description's inline Markdown (emphasis, code) as markup, like the body's; links become their
        text and pictures their alt text: a description is a summary, read in contents and openings."""
        description = XML_INVALID.sub("", self.issue.description)
        root = parse_fragment(self.md.renderInline(description, {"docId": f"i{self.issue.number}-d"}))
        sanitize_tree(root)
        for element in list(root.iterdescendants()):  # set inside a paragraph: blocks keep only their text
            if element.tag in FLOW_ONLY:
                element.drop_tag()
        for image in list(root.iter("img")):
            image.tail = (image.get("alt") or "") + (image.tail or "")
            image.drop_tree()  # keeps the tail
        for link in list(root.iter("a")):
            link.drop_tag()
        return inner_markup(root)

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
        for token, line in _walk(tokens):
            if token.type in ("html_block", "html_inline"):
                self._check_raw_html(token, line)
            elif token.type == "image":
                self._resolve_image(str(token.attrGet("src") or ""), line)
            elif token.type == "link_open":
                href = str(token.attrGet("href") or "")
                self._check_href(href, line)
                if href.startswith("#"):
                    token.attrSet("href", "#" + self._user_id(href[1:]))

    def _check_href(self, href: str, line: int | None) -> None:
        if _UNSAFE_HREF.match(href):
            self.problem(
                line,
                "link",
                f"a {href.split(':')[0].strip()}: link was removed",
                "link to an http(s) address instead",
                Severity.WARNING,
            )
        elif safe_href(href) is None:
            self.problem(
                line,
                "link",
                f"the link to {href[:80]!r} leads nowhere in the book and was removed (its text stays)"
                if href.strip()
                else "a link with no address was removed (its text stays)",
                "link to the page's full address, https://…",
                Severity.WARNING,
            )

    def _user_id(self, name: str) -> str:
        """An editor's anchor name, renamed into this issue's own space, spelled as an XML name."""
        spelled = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else f"_{ord(c):x}" for c in name)
        return f"{chapter_anchor(self.issue)}-{_USER_ID}{spelled}"

    def _check_raw_html(self, token: Token, line: int | None) -> None:
        """Warn of what the allow-list removes, check nesting and table spans, read the pictures, and rename
        the editor's ids and fragment links into this issue's space (the token is rewritten)."""
        raw = token.content
        for match in _RAW_TAG.finditer(raw):
            name = match[2].lower()
            if name in VOID_ELEMENTS or match[3]:
                continue
            self.raw_depth = max(0, self.raw_depth + (-1 if match[1] else 1))
            if self.raw_depth > MAX_NESTING and not self.too_deep:
                self.too_deep = True
                self.problem(
                    None if line is None else line + raw.count("\n", 0, match.start()),
                    "html",
                    f"raw HTML elements are nested more than {MAX_NESTING} deep (the limit)",
                    "close the tags you open; a newsletter needs a few levels at most",
                )

        def line_of(offset: int) -> int | None:  # a raw HTML block spans lines: name the one with the tag
            return None if line is None else line + raw.count("\n", 0, offset)

        token.content = _RAW_TAG.sub(
            lambda tag: _RAW_ATTRIBUTE.sub(lambda match: self._raw_attribute(match, line_of(tag.start())), tag[0]),
            raw,
        )
        for what in disallowed_tags(raw):
            self.problem(
                line,
                "html",
                f"raw HTML {what} was removed",
                "write it in Markdown, or keep to the tags the README lists",
                Severity.WARNING,
            )
        for match in (*_RAW_IMG_SRC.finditer(raw), *_RAW_POSTER.finditer(raw)):
            self._resolve_image(next(g for g in match.groups() if g is not None), line)

    def _raw_attribute(self, match: re.Match, line: int | None) -> str:
        name = match[1].lower()
        value = next((g for g in match.groups()[2:] if g is not None), "")
        if name == "id":
            return f'id="{self._user_id(value.strip())}"'
        if name == "href":
            self._check_href(value, line)
            return f'href="#{self._user_id(value.strip()[1:])}"' if value.strip().startswith("#") else match[0]
        if re.fullmatch(r"\s*[0-9]{1,12}\s*", value) and int(value) > MAX_TABLE_SPAN:
            self.problem(
                line,
                "html",
                f"a table cell's {name}={value.strip()} is too large, the limit is {MAX_TABLE_SPAN}",
                "a cell spans the columns or rows the table has; split a very wide table",
            )
        return match[0]

    def _resolve_image(self, src: str, line: int | None) -> None:
        """Vet one image reference; a good one is read and given a place inside the book."""
        src = src.strip()
        if not src or src in self.image_hrefs:
            return
        if is_remote(src):
            mirrored = mirror_path(self.image_dir, src) if self.image_dir is not None else None
            try:
                data = mirrored.read_bytes() if mirrored is not None and mirrored.is_file() else None
            except OSError:
                data = None  # unreadable: the picture is missing from the book, as if never fetched
            if data is not None:
                self._add_image(src, data, src, line, remote=True)
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
        try:
            target = (self.issue.path.parent / relative).resolve()
        except (RuntimeError, OSError, ValueError):  # a link loop (RuntimeError before 3.13), a NUL in the name
            self.problem(
                line,
                "image",
                f"{src[:80]!r} cannot be followed (a loop of symbolic links, or not a file name)",
                "put the picture itself under issues/images/ and name it there",
            )
            return
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
        try:
            data = target.read_bytes()
        except OSError as exc:
            self.problem(line, "image", f"cannot read {relative} ({exc.strerror})", "check the file's permissions")
            return
        self._add_image(src, data, relative, line, remote=False)

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
        self._add_image(src, data, "a data: image", line, remote=False)

    def _add_image(self, src: str, data: bytes, name: str, line: int | None, *, remote: bool) -> None:
        """Keep a picture the book can use, its format read from its bytes. One that cannot be used is the
        editor's error when the editor put it here, and a warning (and a placeholder) when it is the web's."""
        try:
            info = inspect_picture(data)
        except PictureError as exc:
            if remote:
                self.problem(
                    line,
                    "image",
                    f"the mirrored picture of {name[:120]} cannot be used: {exc}; a placeholder stands in for it",
                    "fetch it again (`publish images fetch`), or delete it from the mirror",
                    Severity.WARNING,
                )
            else:
                self.problem(line, "image", f"{name}: {exc}", "save the picture again as a PNG, JPEG or WebP")
            return
        href = f"images/{hashlib.sha256(data).hexdigest()[:16]}{info.extension}"
        self.images[href] = data
        self.image_hrefs[src] = href
        self.image_lines.setdefault(href, self.issue.body_first_line + line if line is not None else None)

    def _rewrite_images(self, root: lxml_html.HtmlElement) -> int:
        """Pictures in the book point into it, with a caption when their alt text or title says something;
        a remote picture the mirror does not hold becomes a quiet placeholder (its caption, or 图片未能收录)
        linked to where it lives. Returns how many remote pictures are missing."""
        missing = pictures = 0
        for img in list(root.iter("img")):
            src = (img.get("src") or "").strip()
            alt = (img.get("alt") or "").strip()
            caption = next((text for text in (alt, (img.get("title") or "").strip()) if meaningful_caption(text)), "")
            if src in self.image_hrefs:
                pictures += 1
                img.set("src", self.image_hrefs[src])
                img.set("alt", alt or caption or f"第 {self.issue.number} 期插图 {pictures}")
                _as_figure(img, caption)
                continue
            if not is_remote(src):
                img.drop_tree()
                continue
            missing += 1
            placeholder = lxml_html.Element("span", {"class": "picture-missing", "role": "img"})
            placeholder.text = caption or "图片未能收录"
            placeholder.set("aria-label", placeholder.text)
            placeholder.tail = img.tail
            if next(img.iterancestors("a"), None) is None:  # a linked picture keeps its own link, once
                link = lxml_html.Element("a", {"href": absolute_url(src), "class": "picture-missing-link"})
                link.append(placeholder)
                link.tail, placeholder.tail = placeholder.tail, None
                img.getparent().replace(img, link)
                _as_figure(link, "", missing=True)
            else:
                img.getparent().replace(img, placeholder)
                _as_figure(placeholder, "", missing=True)
        for inner in [a for a in root.iter("a") if next(a.iterancestors("a"), None) is not None]:
            inner.drop_tag()  # raw HTML may nest links: the outer one stays
        return missing

    @staticmethod
    def _settle_anchors(root: lxml_html.HtmlElement) -> None:
        """Each id once (the first keeps it), and a fragment link only to an anchor the issue has: a book's
        validator (epubcheck) refuses both, and a reader's tap on a dangling one does nothing."""
        seen: set[str] = set()
        for element in root.iter():
            ident = element.get("id")
            if ident is not None:
                if ident in seen or not ident:
                    del element.attrib["id"]
                seen.add(ident)
        for link in root.iter("a"):
            href = link.get("href") or ""
            if href.startswith("#") and href[1:] not in seen:
                del link.attrib["href"]

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
) -> tuple[Chapter, list[Diagnostic]]:
    """Render one issue; problems found on the way come back with file lines. Remote images are never
    fetched: with `image_dir`, one mirrored there as <host>/<path> is used instead."""
    renderer = _ChapterRenderer(issue, source_root, md or make_parser(), image_dir)
    chapter = renderer.render()
    return chapter, renderer.problems

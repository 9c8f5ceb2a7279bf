"""End a linkified bare URL where Chinese text begins: `见https://a.org/x，然后` links only the URL."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from publish.cjk import NOT_IN_URL


def _trim_links(state: StateCore, md: MarkdownIt) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        index = 0
        while index + 2 < len(children):
            opening, text, closing = children[index : index + 3]
            is_autolink = (
                opening.type == "link_open"
                and opening.markup == "linkify"
                and text.type == "text"
                and closing.type == "link_close"
            )
            match = NOT_IN_URL.search(text.content) if is_autolink else None
            if match is None or match.start() == 0:
                index += 1
                continue
            url_text, rest = text.content[: match.start()], text.content[match.start() :]
            href = url_text if "://" in url_text or url_text.startswith("mailto:") else "http://" + url_text
            opening.attrSet("href", md.normalizeLink(href))
            text.content = url_text
            tail = Token("text", "", 0)
            tail.content = rest
            children.insert(index + 3, tail)
            index += 3


def cjk_linkify_plugin(md: MarkdownIt) -> None:
    """Run after markdown-it's linkify rule, which otherwise swallows the Chinese text after a URL."""
    md.core.ruler.after("linkify", "cjk_linkify", lambda state: _trim_links(state, md))

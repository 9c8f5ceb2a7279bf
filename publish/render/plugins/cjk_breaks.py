"""Drop the soft line break between two Chinese characters, which a browser would show as a space."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from publish.cjk import is_cjk


def _last_char(tokens: list[Token], index: int) -> str:
    for token in reversed(tokens[:index]):
        if token.type in ("text", "code_inline"):
            return token.content[-1:] if token.content else ""
        if token.type in ("softbreak", "hardbreak", "image"):
            return ""
    return ""


def _first_char(tokens: list[Token], index: int) -> str:
    for token in tokens[index + 1 :]:
        if token.type in ("text", "code_inline"):
            return token.content[:1] if token.content else ""
        if token.type in ("softbreak", "hardbreak", "image"):
            return ""
    return ""


def _join_cjk_lines(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        for index, token in enumerate(children):
            if token.type != "softbreak":
                continue
            if is_cjk(_last_char(children, index)) and is_cjk(_first_char(children, index)):
                replacement = Token("text", "", 0)
                replacement.content = ""
                children[index] = replacement


def cjk_breaks_plugin(md: MarkdownIt) -> None:
    """A line broken between two CJK characters joins without a space (pandoc's `east_asian_line_breaks`)."""
    md.core.ruler.push("cjk_breaks", _join_cjk_lines)

"""markdown-it-py plugins for Chinese text, each a plain `x_plugin(md)` function used with `md.use`."""

from .cjk_breaks import cjk_breaks_plugin
from .cjk_linkify import cjk_linkify_plugin

__all__ = ["cjk_breaks_plugin", "cjk_linkify_plugin"]

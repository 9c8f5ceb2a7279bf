"""markdown-it-py plugins for Chinese text, each a plain `x_plugin(md)` function used with `md.use`."""

from publish.render.plugins.cjk_breaks import cjk_breaks_plugin
from publish.render.plugins.cjk_linkify import cjk_linkify_plugin

__all__ = ["cjk_breaks_plugin", "cjk_linkify_plugin"]

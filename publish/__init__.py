"""Publish a Chinese weekly's Markdown issues as an EPUB 3 anthology and a print-ready PDF."""

__version__ = "0.1.0"

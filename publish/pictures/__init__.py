"""Pictures: where a remote picture lives in the project's mirror (mirror.py), what a picture really is,
read from its bytes and bounded (inspect.py), each made fit for a target — the EPUB's JPEG or PNG, the
PDF's 300 dpi (convert.py) — and `publish images fetch`, the only code that uses the network (fetch.py)."""

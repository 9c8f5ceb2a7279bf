"""Every use of another library's internals, in one room, each behind a version guard: WeasyPrint's
(weasy/), ebooklib's writer hooks (ebooklib_writer.py) and stopping a
process pool at once (process_pool.py). The rest of the package calls the functions here, never a private
name of a library; an upgrade of one of these libraries means reading its module here again."""

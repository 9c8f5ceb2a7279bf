"""Tools of the project's own, used by the tests and by `make pictures`: the phone driver (phone.py, Debian's
Chromium at exact widths over the DevTools protocol) and DAISY Ace's lock (ace/)."""

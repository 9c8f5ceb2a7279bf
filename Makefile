# Two commands on a fresh Debian 12 machine: `make book` builds the books, `make test` runs the tests.
# Each first installs what is missing (Debian packages, then the .venv); a second run installs nothing.

# Debian's own Python 3.11 when it is there: built with profile-guided optimisation and LTO, it runs our
# pure-Python layout (WeasyPrint) about 18 % faster than a default pyenv or source build of 3.11.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3)
VENV := .venv
STAMP := $(VENV)/.installed
# Fonts and the libraries WeasyPrint needs, poppler for the tests; a JRE is checked separately (epubcheck).
DEBIAN_PACKAGES := fontconfig fonts-dejavu-core fonts-noto-cjk fonts-symbola fonts-texgyre libgs-common libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils

# DAISY Ace (accessibility checker) from npm for the tests, run in Debian's Chromium: no browser download.
# zbar (zbarimg) reads the PDF's QR codes back, as a phone would. calibre converts each EPUB to AZW3, as Kindle
# readers do, for the tests to read back; MuPDF (mutool) lays the
# EPUB out as a second engine, WebKitGTK (driven by Debian's Python through python3-gi, in Xvfb) as a third.
ACE := tools/ace/node_modules/.bin/ace-cli
TEST_PACKAGES := chromium calibre mupdf-tools xvfb xauth python3-gi gir1.2-webkit2-4.1 zbar-tools fonts-lxgw-wenkai

.PHONY: book test system test-system lint bench pictures phone-picture clean

book: system $(STAMP)
	$(VENV)/bin/publish build

test: system test-system $(STAMP) $(ACE)
	$(VENV)/bin/pytest

bench: system $(STAMP)
	@command -v pandoc >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends pandoc; }
	@[ -x bench/.venv/bin/python ] && [ bench/.venv/.installed -nt bench/requirements.txt ] || { \
	  $(PYTHON) -m venv bench/.venv && bench/.venv/bin/pip install -q -r bench/requirements.txt && touch bench/.venv/.installed; }
	$(VENV)/bin/python bench/run.py

# The README's pictures, from the sample issues: the printed cover, the contents, an issue opening, a booklet sheet,
# the vertical edition, and issue 2 of each EPUB edition on a 320 px phone.
pictures: system test-system $(STAMP)
	$(VENV)/bin/publish build --quiet --format pdf --print-ready --booklet --output output/pictures
	$(VENV)/bin/publish build --quiet --format pdf --output output/pictures
	pdftoppm -r 40 -png -singlefile output/pictures/*-cover.pdf docs/cover
	pdftoppm -r 60 -png -singlefile -f 3 -l 3 $$(ls output/pictures/*.pdf | grep -v -e cover -e booklet) docs/contents
	pdftoppm -r 60 -png -singlefile -f 5 -l 5 $$(ls output/pictures/*.pdf | grep -v -e cover -e booklet) docs/issue-opening
	pdftoppm -r 40 -png -singlefile -f 3 -l 3 output/pictures/*-booklet.pdf docs/booklet-sheet
	sed 's/^\[print\]/[print]\nlinks = "qrcodes"/' book.toml > output/pictures/qrcodes.toml
	$(VENV)/bin/publish build --quiet --format pdf --config output/pictures/qrcodes.toml --output output/pictures/qrcodes
	pdftoppm -r 60 -png -singlefile -f $$($(VENV)/bin/python -m tools.find_page output/pictures/qrcodes/*.pdf 本期链接) \
	  -l $$($(VENV)/bin/python -m tools.find_page output/pictures/qrcodes/*.pdf 本期链接) output/pictures/qrcodes/*.pdf docs/qrcodes
	printf '[book]\ntitle = "山海周刊合订本"\n[fonts]\nbody = "LXGW WenKai"\n[style]\naccent = "#2a6f97"\n' > output/pictures/look.toml
	$(VENV)/bin/publish build --quiet --format pdf --source issues --config output/pictures/look.toml --output output/pictures/look
	pdftoppm -r 60 -png -singlefile -f 5 -l 5 output/pictures/look/*.pdf docs/look-wenkai
	$(VENV)/bin/publish build --quiet --vertical --output output/pictures
	$(VENV)/bin/python -c "import glob, zipfile; zipfile.ZipFile(glob.glob('output/pictures/*-vertical.epub')[0]).extractall('output/pictures/vertical')"
	tools/ace/chromium --headless --hide-scrollbars --user-data-dir=$(CURDIR)/output/pictures/chromium --window-size=3000,600 \
	  --screenshot=$(CURDIR)/output/pictures/vertical.png file://$(CURDIR)/output/pictures/vertical/EPUB/issue-0003.xhtml
	$(VENV)/bin/python -c "from PIL import Image; i = Image.open('output/pictures/vertical.png'); i.crop((i.width - 1100, 0, i.width, i.height)).save('docs/vertical.png')"
	$(VENV)/bin/publish build --quiet --format epub --output output/pictures
	$(VENV)/bin/publish build --quiet --format epub --edition traditional --output output/pictures
	$(MAKE) --no-print-directory phone-picture BOOK=output/pictures/shanhai-weekly-2026.epub PICTURE=docs/phone-simplified.png
	$(MAKE) --no-print-directory phone-picture BOOK=output/pictures/shanhai-weekly-2026-traditional-tw.epub PICTURE=docs/phone-traditional.png
	$(MAKE) --no-print-directory phone-picture BOOK=output/pictures/shanhai-weekly-2026-vertical.epub PICTURE=docs/phone-vertical.png

# Issue 2 of one EPUB as a 320 px phone shows it, in Debian's Chromium (tools/phone.py).
phone-picture:
	rm -rf output/pictures/phone
	$(VENV)/bin/python -c "import zipfile; zipfile.ZipFile('$(BOOK)').extractall('output/pictures/phone')"
	$(VENV)/bin/python -m tools.phone output/pictures/phone/EPUB/issue-0002.xhtml 320 $(PICTURE)

lint: $(STAMP)
	$(VENV)/bin/ruff check publish tests bench tools/*.py

system:
	@missing=""; \
	for pkg in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	$(PYTHON) -c "import ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(ACE): tools/ace/package.json tools/ace/package-lock.json | test-system
	cd tools/ace && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-system:
	@missing=""; \
	for pkg in $(TEST_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the tests:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf output $(VENV) tools/ace/node_modules

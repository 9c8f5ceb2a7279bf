"""The fast peer of issue 18: pandoc 3 → Typst → PDF, the pipeline users reach for when they want speed.

Run by bench/run.py with the bench-only environment's Python (bench/requirements.txt: pandoc 3 from
`pypandoc-binary`, Typst from `typst`, both wheels from PyPI), as
`python bench/typst_peer.py ISSUES_FOLDER OUT.pdf`. The template, documented here because the comparison
depends on it: A5 paper, Noto Serif CJK SC, justified paragraphs, pandoc's contents, each issue a level-1
heading that starts a new page (its date and description under it), the issues' own headings one level down.
Pictures are whatever the Markdown holds (bench/run.py strips remote ones for every tool alike).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pypandoc
import typst

FIELD = re.compile(r'^(title|date|description):\s*"?(.*?)"?\s*$', re.MULTILINE)
HEADING = re.compile(r"^(#{1,5}) ", re.MULTILINE)
EMPTY_LINK = re.compile(r"\[([^\]]*)\]\(\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)

HEADER = """#set par(justify: true, first-line-indent: 2em)
#set text(lang: "zh", region: "cn")
#show heading.where(level: 1): it => { pagebreak(weak: true); it }
"""


def issue_markdown(path: Path) -> str:
    """One issue as a chapter: its title as a level-1 heading, date and description, the body one level down."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    fields = dict(FIELD.findall(front))
    fenced = {}

    def keep(match: re.Match[str]) -> str:  # headings inside code fences stay as they are
        fenced[f"\0{len(fenced)}\0"] = match[0]
        return f"\0{len(fenced) - 1}\0"

    body = FENCE.sub(keep, body)
    body = HEADING.sub(lambda m: "#" + m[1] + " ", body)
    body = EMPTY_LINK.sub(r"\1", body)  # Typst refuses a link to nowhere; the text stays
    for placeholder, code in fenced.items():
        body = body.replace(placeholder, code)
    title, date, description = fields.get("title", path.stem), fields.get("date", ""), fields.get("description", "")
    return f"# {title}\n\n{date}\n\n> {description}\n\n{body}\n"


def main(issues: Path, output: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="typst-peer-") as folder:
        work = Path(folder)
        markdown = "\n".join(issue_markdown(path) for path in sorted(issues.glob("*.md")))
        (work / "book.md").write_text(markdown, encoding="utf-8")
        (work / "header.typ").write_text(HEADER, encoding="utf-8")
        subprocess.run(
            [
                pypandoc.get_pandoc_path(),
                "--from=markdown-tex_math_dollars-raw_tex-raw_html-citations",  # $, \ce, @name stay text (CommonMark)
                "--to=typst",
                "--standalone",
                "--toc",
                "--variable=papersize:a5",
                "--variable=mainfont:Noto Serif CJK SC",
                f"--include-in-header={work / 'header.typ'}",
                f"--output={work / 'book.typ'}",
                str(work / "book.md"),
            ],
            check=True,
        )
        typst.compile(str(work / "book.typ"), output=str(output), root=str(work))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

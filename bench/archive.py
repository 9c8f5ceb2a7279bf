"""An archive kept the way Chinese weeklies keep theirs on GitHub, made from the corpus's issues
(../shared/corpus/openbiox-weekly): no frontmatter, the first line an H1 `# openbiox 周刊（第 N 期）：标题`,
the description as the first paragraph in some issues and nowhere in others, the date only in git (each issue
committed on its day) or, for a few, in a dateline; then `publish import` on it, counting which source each
field came from and how many needed a hand, then `--write`, `publish build` and `publish check`.

Run with `.venv/bin/python bench/archive.py [--issues 60] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "openbiox-weekly" / "issues"
sys.path.insert(0, str(ROOT))

from publish.editor.importer import import_archive  # noqa: E402
from publish.source import read_issue  # noqa: E402


def _publish(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from publish.cli import main; main()", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def make_archive(folder: Path, count: int) -> None:
    """The corpus's issues rewritten as an archive of H1 files, committed to git on their dates."""
    environment = dict(os.environ, GIT_AUTHOR_NAME="编辑部", GIT_AUTHOR_EMAIL="weekly@example.com")
    environment |= {"GIT_COMMITTER_NAME": "编辑部", "GIT_COMMITTER_EMAIL": "weekly@example.com"}
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    issues = [read_issue(path)[0] for path in sorted(CORPUS.glob("*.md"))[:count]]
    for index, issue in enumerate(i for i in issues if i is not None):
        title = re.sub(r"^.*?第\s*\d+\s*期\s*[）)]?\s*[：:|]?\s*", "", issue.title) or issue.title
        lines = [f"# openbiox 周刊（第 {issue.number} 期）：{title}", ""]
        if index % 3 == 0 and issue.description:  # a third carry a summary paragraph
            lines += [issue.description if issue.description.endswith("。") else issue.description + "。", ""]
        if index % 10 == 5:  # a few carry a dateline
            lines += [f"{issue.date.year} 年 {issue.date.month} 月 {issue.date.day} 日", ""]
        text = "\n".join(lines) + "\n" + issue.body.lstrip("\n")
        (folder / f"{issue.number}.md").write_text(text, encoding="utf-8")
        day = f"{issue.date.isoformat()}T21:00:00+08:00"
        subprocess.run(["git", "add", "."], cwd=folder, check=True)
        subprocess.run(
            ["git", "commit", "-q", "-m", f"第 {issue.number} 期"],
            cwd=folder,
            check=True,
            env=environment | {"GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day},
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=int, default=60)
    parser.add_argument("--keep", type=Path, help="Make the archive here (an empty folder) and keep it.")
    arguments = parser.parse_args()
    folder = arguments.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    try:
        make_archive(folder, arguments.issues)
        imported = import_archive(folder)
        sources: dict[str, Counter] = {name: Counter() for name in ("number", "title", "date", "description")}
        for issue in imported:
            for name in sources:
                found = getattr(issue, name)
                sources[name][found.source if found else "none"] += 1
        problems = [p for issue in imported for p in issue.problems]
        print(f"{len(imported)} issues in an archive of H1 files, dates in git only (a few datelines):")
        for name, counted in sources.items():
            print(f"  {name:12} " + ", ".join(f"{source} {n}" for source, n in counted.most_common()))
        truth = {i.number: i for i in (read_issue(path)[0] for path in sorted(CORPUS.glob("*.md"))) if i}
        right = Counter()
        for issue in imported:
            original = truth.get(issue.number.value) if issue.number else None
            right["date"] += bool(original and issue.date and issue.date.value == original.date)
            right["title"] += bool(original and issue.title and str(issue.title.value) in original.title)
        print(f"  as the corpus has them: dates {right['date']} of {len(imported)}, titles {right['title']}")
        severities = Counter(p.severity.value for p in problems)
        print(f"  problems: {dict(severities) or 'none'}")
        fields = 4 * len(imported)
        by_hand = sum(counted["none"] + counted["weekly cadence (a guess)"] for counted in sources.values())
        empty = sources["description"]["none"]
        print(f"  fields needing a hand: {by_hand} of {fields} (descriptions left empty: {empty})")
        written = _publish("import", "--source", ".", "--write", cwd=folder)
        output = Path(tempfile.mkdtemp())
        built = _publish("build", "--source", ".", "--output", str(output), "--format", "pdf", cwd=folder)
        shutil.rmtree(output, ignore_errors=True)
        checked = _publish("check", "--source", ".", cwd=folder)
        exits = (written.returncode, built.returncode, checked.returncode)
        print("  exit status of import --write, build, check: {}, {}, {}".format(*exits))
        print("  check: " + next((line for line in checked.stderr.splitlines() if "checked" in line), "?"))
    finally:
        if arguments.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

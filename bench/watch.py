"""Benchmark: `publish build --watch` after an edit (issue 29, item 2). 52 corpus issues
(../shared/corpus/openbiox-weekly) in a temporary project: a cold `publish build` (empty output folder), then
`publish build --watch` started, and one issue's text edited: the time from the save to both books published
(the watch's "Watching after … changed"), against the cold build, in the same run; a second edit to another
issue too. Both books, the default formats.

Run with `.venv/bin/python bench/watch.py [--issues 52]`.
"""

from __future__ import annotations

import argparse
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from projects import corpus_project

PUBLISH = [sys.executable, "-c", "from publish.cli import main; main()"]


def _edit_and_wait(issue: Path, lines: queue.Queue, sentence: str) -> float:
    text = issue.read_text(encoding="utf-8")
    started = time.perf_counter()
    issue.write_text(text.rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")
    while True:
        line = lines.get(timeout=600)
        if "Watching after" in line:
            return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=int, default=52)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = corpus_project(Path(folder), arguments.issues)
        started = time.perf_counter()
        subprocess.run([*PUBLISH, "build", "--quiet", "--output", "cold"], cwd=project, check=True)
        cold = time.perf_counter() - started

        watcher = subprocess.Popen(
            [*PUBLISH, "build", "--watch", "--quiet"], cwd=project, stderr=subprocess.PIPE, text=True
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in watcher.stderr], daemon=True).start()
        try:
            while "Watching" not in lines.get(timeout=600):
                pass
            issues = sorted((project / "issues").glob("*.md"))
            first = _edit_and_wait(issues[10], lines, "编辑在最后补了一句话，看看重新出书要多久。")
            second = _edit_and_wait(issues[30], lines, "又改了另一期的一句话。")
        finally:
            watcher.send_signal(signal.SIGINT)
            watcher.wait(timeout=60)
        print(f"{arguments.issues} corpus issues, EPUB and PDF:")
        print(f"  cold build                 {cold:6.1f} s")
        print(f"  --watch, an issue edited   {first:6.1f} s  ({first / cold:.1%} of cold)")
        print(f"  --watch, another edited    {second:6.1f} s  ({second / cold:.1%} of cold)")


if __name__ == "__main__":
    main()

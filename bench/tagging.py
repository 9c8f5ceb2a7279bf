"""Benchmark: what the tagged reading PDF costs (issue 28). The corpus's issues (../shared/corpus/openbiox-weekly)
built cold into a PDF, tagged (`[print] tagged = true`, the default) against untagged (`tagged = false`) in the
same run, alternating, each the best of `--runs`; prints both times, the ratio and the sizes.

Run with `.venv/bin/python bench/tagging.py [--issues 60] [--runs 2]`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from projects import corpus_project


def _build(project: Path, tagged: bool) -> tuple[float, int]:
    config = project / f"book-{tagged}.toml"
    config.write_text(f'[book]\ntitle = "openbiox"\n[print]\ntagged = {str(tagged).lower()}\n', encoding="utf-8")
    output = project / f"out-{tagged}"
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-c", "from publish.cli import main; main()", "build", "--source", "issues"]
    command += ["--config", str(config), "--output", str(output), "--format", "pdf", "--no-cache", "--quiet"]
    started = time.perf_counter()
    subprocess.run(command, cwd=project, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, sum(path.stat().st_size for path in output.glob("*.pdf"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=int, default=60)
    parser.add_argument("--runs", type=int, default=2)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = corpus_project(Path(folder), arguments.issues)
        times: dict[bool, list[float]] = {True: [], False: []}
        sizes: dict[bool, int] = {}
        for _ in range(arguments.runs):
            for tagged in (False, True):
                elapsed, sizes[tagged] = _build(project, tagged)
                times[tagged].append(elapsed)
        untagged, tagged = min(times[False]), min(times[True])
        print(f"{arguments.issues} corpus issues, PDF, cold (best of {arguments.runs}):")
        print(f"  untagged {untagged:6.1f} s   {sizes[False] / 1e6:5.1f} MB")
        print(f"  tagged   {tagged:6.1f} s   {sizes[True] / 1e6:5.1f} MB")
        print(f"  tagging costs {tagged / untagged:.2f}× the untagged build ({tagged - untagged:+.1f} s)")


if __name__ == "__main__":
    main()

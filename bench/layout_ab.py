"""Benchmark: the PDF's layout CPU per page, two versions of the code in one run (issue 29, item 1).

Each version (a checkout of this repository: `git worktree add /tmp/before <commit>`) makes the layout jobs of
the bench book (the first 52 corpus issues, remote pictures removed, as bench/run.py makes them) with its own
typography, then lays every part out in one process, one after another, measuring the process's CPU time;
the versions take turns, round after round, so that the machine's slow minutes fall on both, and the medians
are compared. What this measures is WeasyPrint's work on our markup (layout, drawing, writing each part), not
the workers, the cache or the merge.

Run with `.venv/bin/python bench/layout_ab.py /tmp/before . [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import prepare_52

CAPTURE = """
import pickle, sys
import publish.writers.pdf.layout as layout
target, source, output = sys.argv[1:4]
class Captured(Exception):
    pass
def capture(jobs, *args, **kwargs):
    with open(target, "wb") as out:
        pickle.dump(list(jobs), out)
    raise Captured()
layout.lay_out_all = capture
from publish.cli import main
sys.argv = ["publish", "build", "--format", "pdf", "--no-cache", "--quiet", "--source", source, "--output", output]
try:
    main()
except (Captured, SystemExit):
    pass
"""

TIME = """
import gc, json, pickle, sys, time
from publish.writers.pdf.layout import lay_out
jobs = pickle.load(open(sys.argv[1], "rb"))
lay_out(jobs[-2])  # WeasyPrint imported and the faces loaded before the clock starts
gc.collect()
started = time.process_time()
pages = 0
for job in jobs:
    pages += lay_out(job).pages
    gc.collect()
print(json.dumps({"cpu": time.process_time() - started, "pages": pages}))
"""


def _python(tree: Path, code: str, *args: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{tree}: {done.stderr[-2000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, type=Path, help="the version before, the version after")
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    trees = [tree.resolve() for tree in arguments.trees]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        prepare_52(work / "issues")
        jobs = []
        for number, tree in enumerate(trees):
            captured = work / f"jobs-{number}.pickle"
            project = work / f"project-{number}"  # each version's own cwd: no book.toml, the defaults
            project.mkdir()
            _python(tree, CAPTURE, str(captured), str(work / "issues"), str(work / f"out-{number}"), cwd=project)
            jobs.append(captured)
        samples: list[list[dict]] = [[], []]
        for _ in range(arguments.rounds):
            for number, tree in enumerate(trees):
                started = time.perf_counter()
                result = json.loads(_python(tree, TIME, str(jobs[number]), cwd=work / f"project-{number}"))
                result["wall"] = time.perf_counter() - started
                samples[number].append(result)
                print(f"  {tree.name:<12} {result['cpu']:6.1f} s CPU, {result['pages']} pages", flush=True)
    cpu = [statistics.median(s["cpu"] for s in runs) for runs in samples]
    pages = [runs[0]["pages"] for runs in samples]
    per_page = [seconds / count * 1000 for seconds, count in zip(cpu, pages, strict=True)]
    for tree, seconds, count, ms in zip(trees, cpu, pages, per_page, strict=True):
        print(f"{tree}: {seconds:.1f} s CPU for {count} pages, {ms:.1f} ms a page (median of {arguments.rounds})")
    print(f"after / before, CPU a page: {per_page[1] / per_page[0]:.3f} ({1 - per_page[1] / per_page[0]:.1%} less)")


if __name__ == "__main__":
    main()

"""A temporary project made of the corpus's issues (../shared/corpus/openbiox-weekly), for the benchmarks that
build a year in a folder of their own. The corpus is read where it is and copied only into that folder."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "openbiox-weekly" / "issues"


def corpus_project(folder: Path, count: int) -> Path:
    """`folder` with an `issues/` of the corpus's first `count` issues; the folder, for `cwd=`."""
    (folder / "issues").mkdir(parents=True)
    for path in sorted(CORPUS.glob("*.md"))[:count]:
        shutil.copy(path, folder / "issues" / path.name)
    return folder

"""Builds shared by several test modules, made once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .testing_utils import CORPUS, ROOT, SAMPLE_ISSUES, control_environment, run_cli


def pytest_configure(config: pytest.Config) -> None:
    """The same environment for every test, whatever the caller exported (testing_utils.CONTROLLED_ENVIRONMENT)."""
    control_environment()


@pytest.fixture(scope="session")
def sample_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample issues built as both formats, with the project's book.toml and a fixed clock."""
    output = tmp_path_factory.mktemp("sample-output")
    result = run_cli(
        "build", "--source", str(SAMPLE_ISSUES), "--output", str(output), "--config", str(ROOT / "book.toml")
    )
    assert result.exit_code == 0, result.output
    return {p.suffix[1:]: p for p in output.iterdir() if p.suffix in (".epub", ".pdf")}


@pytest.fixture(scope="session")
def corpus_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 60 real issues of ../shared/corpus/openbiox-weekly, when that folder is present."""
    if not CORPUS.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS}")
    output = tmp_path_factory.mktemp("corpus-output")
    result = run_cli("build", "--source", str(CORPUS), "--output", str(output), "--no-cache")
    assert result.exit_code == 0, result.output
    return {p.suffix[1:]: p for p in output.iterdir() if p.suffix in (".epub", ".pdf")}


@pytest.fixture(scope="session")
def corpus_phone_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Issues 75–100 of the real corpus as an EPUB, remote pictures left out (the build never fetches), for the
    reading-system tests (tests/writers/epub)."""
    if not CORPUS.is_dir():
        pytest.skip("the corpus is not beside the project")
    folder = tmp_path_factory.mktemp("corpus-75-100")
    source = folder / "issues"
    source.mkdir()
    for number in range(75, 101):
        shutil.copy(CORPUS / f"issue-{number:03d}.md", source)
    result = run_cli("build", "--source", str(source), "--output", str(folder / "out"), "--format", "epub")
    assert result.exit_code == 0, result.output
    return next((folder / "out").glob("*.epub"))

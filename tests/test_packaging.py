"""The package as a user gets it from `pip install .`: a wheel with every subpackage, stylesheet and
template, which builds the sample book from a fresh virtual environment outside the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from publish.config import Config
from publish.writers.look import book_look

from .testing_utils import ROOT, SAMPLE_ISSUES, Epub, pdf_pages_text


def test_a_wheel_installed_outside_the_checkout_builds_the_sample_book(tmp_path: Path) -> None:
    # Build from a copy, so that the build leaves nothing in the checkout.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(".venv", ".git", "output", "node_modules", "build", "*.egg-info", "__pycache__"),
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("publish-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packaged = {str(p.relative_to(ROOT)) for p in (ROOT / "publish").rglob("*.py")}
    assert packaged <= set(names), packaged - set(names)  # every module of every subpackage
    styles = {f"publish/styles/{p.name}" for p in (ROOT / "styles").glob("*.css")}
    templates = {f"publish/templates/{p.name}" for p in (ROOT / "publish" / "templates").iterdir()}
    assert styles and styles <= set(names) and templates <= set(names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    # The dependencies come from the test environment (no download at test time); its own `publish`, an
    # editable install, is not seen: a path added by a .pth file has its own .pth files left unread.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    project = tmp_path / "project"  # no styles/, no book.toml: everything comes from the wheel
    shutil.copytree(SAMPLE_ISSUES, project / "issues")
    where = subprocess.run(
        [str(python), "-c", "import publish; print(publish.__file__)"], cwd=project, capture_output=True, text=True
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where
    result = subprocess.run(
        [str(venv / "bin" / "publish"), "build", "--quiet"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    epub_path, pdf_path = sorted((project / "output").glob("*.epub")), sorted((project / "output").glob("*.pdf"))
    assert len(epub_path) == 1 and len(pdf_path) == 1
    epub = Epub(epub_path[0])
    (css,) = [item.get("href") for item in epub.manifest().values() if item.get("media-type") == "text/css"]
    installed_css = epub.read(css).decode("utf-8")
    look = book_look(Config(project_root=project), "SC")  # the built-in tokens, written in
    for name in ("common.css", "epub.css"):  # the packaged stylesheets, whole
        assert look.stylesheet((ROOT / "styles" / name).read_text(encoding="utf-8")).strip() in installed_css, name
    text = "".join(pdf_pages_text(pdf_path[0]))
    assert "目录" in text and len(text) > 5000

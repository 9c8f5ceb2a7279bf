"""DAISY Ace, in Debian's Chromium, on the sample book and its Traditional and vertical editions."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ...testing_utils import REQUIRE_TOOLS, ROOT, SAMPLE_ISSUES, run_cli

ACE = ROOT / "tools" / "ace" / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = ROOT / "tools" / "ace" / "chromium"


def _violations(report: dict) -> list[str]:
    return [
        f"{assertion['earl:testSubject']['url']}: {check['earl:test']['dct:title']} "
        f"({check['earl:test']['earl:impact']}) {check['earl:result'].get('html', '')}"
        for assertion in report["assertions"]
        for check in assertion.get("assertions", [])
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "edition",
    [[], ["--edition", "traditional", "--variant", "tw"], ["--vertical"]],
    ids=["default", "traditional-tw", "vertical"],
)
def test_ace_finds_no_accessibility_violation(tmp_path: Path, edition: list[str]) -> None:
    if not (ACE.exists() and Path("/usr/bin/chromium").exists()):
        message = "DAISY Ace or Chromium is not installed: `make test` installs both"
        if REQUIRE_TOOLS:
            pytest.fail(message)
        pytest.skip(message)
    result = run_cli(
        "build",
        "--source",
        str(SAMPLE_ISSUES),
        "--output",
        str(tmp_path),
        "--format",
        "epub",
        "--config",
        str(ROOT / "book.toml"),
        *edition,
    )
    assert result.exit_code == 0, result.output
    epub = next(tmp_path.glob("*.epub"))
    environment = {
        **os.environ,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM),
        "HOME": str(tmp_path),  # Ace and Chromium keep their profile here, not in the user's home
    }
    ran = subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(tmp_path / "ace"), str(epub)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report_path = tmp_path / "ace" / "report.json"
    assert report_path.exists(), ran.stdout + ran.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert _violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    # Ace read the whole book: its outline holds every issue, its image list the sample's picture
    assert report["outlines"]["toc"].count("期") >= 6
    assert any("images/" in image["src"] and image["alt"] for image in report["data"]["images"])
    assert report["earl:testSubject"]["metadata"]["dc:language"].startswith("zh")

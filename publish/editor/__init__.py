"""The editor's tools around the build: lint and safe fixes (lint.py, `publish check`), the next issue's
file (scaffold.py, `publish new`), the live preview (serve.py, `publish serve`), and the typography measured
from a finished PDF (typo_report.py, `publish typo-report`)."""

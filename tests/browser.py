"""Headless Chromium for the tests that look at the report as a reviewer would.

Needs Debian's `chromium` (scripts/system-deps.sh installs it); `CHROMIUM` is None
where it is not installed, and the tests that need it skip, saying so.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

__all__ = ["CHROMIUM", "chromium", "measured"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--enable-logging=stderr",
    "--v=0",
)


def chromium(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={home / 'profile'}", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
    )


_MEASURE = """<script>
addEventListener("load", () => {
  const root = document.documentElement;
  const overview = document.getElementById("overview") || document.querySelector("section.top");
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({
    width: innerWidth,
    scrollWidth: root.scrollWidth,
    height: root.scrollHeight,
    firstTop: overview.getBoundingClientRect().top,
    screen: innerHeight,
  });
  document.body.append(out);
});
</script>"""


def measured(report: Path, tmp_path: Path, width: int) -> dict[str, float]:
    """Chromium's layout of the page at `width` px: the page's own script-free HTML,
    with a measuring script added to a copy (the shipped page has none)."""
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(
        report.read_text(encoding="utf-8").replace("</body>", f"{_MEASURE}</body>"),
        encoding="utf-8",
    )
    run = chromium(
        f"--window-size={width},900", "--dump-dom", probe.as_uri(), home=tmp_path / str(width)
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Uncaught" not in run.stderr
    found = re.search(r'<pre id="measured">(.*?)</pre>', run.stdout)
    assert found is not None, run.stdout[-2000:]
    measured: dict[str, float] = json.loads(html.unescape(found.group(1)))
    return measured

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
from typing import Any

__all__ = ["CHROMIUM", "chromium", "diagram_scales", "measured"]

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


_SCALES = """<script>
addEventListener("load", () => {
  for (const folded of document.querySelectorAll("details")) folded.open = true;
  const rows = [];
  for (const svg of document.querySelectorAll("figure.diagram svg")) {
    const box = svg.closest(".svg");
    rows.push({
      id: svg.closest("figure").id,
      natural: parseFloat(svg.getAttribute("width")) * 4 / 3,
      shown: svg.getBoundingClientRect().width,
      room: box.clientWidth,
    });
  }
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(rows);
  document.body.append(out);
});
</script>"""


def diagram_scales(report: Path, tmp_path: Path, width: int) -> list[dict[str, Any]]:
    """Every diagram of the page at `width` px, every section unfolded: its id, its
    natural width, the width it is shown at and the width of its box (px)."""
    probe = tmp_path / f"scales-{width}.html"
    probe.write_text(
        report.read_text(encoding="utf-8").replace("</body>", f"{_SCALES}</body>"),
        encoding="utf-8",
    )
    run = chromium(
        f"--window-size={width},900", "--dump-dom", probe.as_uri(), home=tmp_path / f"s{width}"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="measured">(.*?)</pre>', run.stdout)
    assert found is not None, run.stdout[-2000:]
    rows: list[dict[str, Any]] = json.loads(html.unescape(found.group(1)))
    return rows

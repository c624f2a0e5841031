"""The report opens in a real browser: headless Chromium renders it, with no console errors.

Needs Debian's `chromium` (scripts/system-deps.sh installs it); skipped, saying so,
where it is not installed. The screenshot is checked to be more than a blank page by
counting distinct pixel values in the PNG, decoded with zlib (no image library).
"""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from importlib import resources
from pathlib import Path

import pytest
from browser import CHROMIUM, chromium, measured
from twin_report import twin_page

from stepcheck.diagrams.report import render_report
from stepcheck.diagrams.report_data import read_results
from stepcheck.diagrams.report_svg import svg_renderer
from stepcheck.spec.loader import load_spec

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
RESULTS = Path("tests/golden/cli/verify_example.json")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (scripts/system-deps.sh installs it)"
    ),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    schema_file = resources.files("stepcheck.checker.writers").joinpath("verify-output.schema.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    results = read_results(RESULTS.read_text(encoding="utf-8"), schema, name=str(RESULTS))
    renderer = svg_renderer() if shutil.which("dot") else None
    page = render_report(results, [load_spec(EXAMPLE)], version="test", renderer=renderer)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_report_screenshot_is_not_blank(report_file, tmp_path):
    """Chromium draws the report: the screenshot has many distinct colours, no console errors."""
    shot = tmp_path / "report.png"

    run = chromium(
        f"--screenshot={shot}", "--window-size=1280,2000", report_file.as_uri(), home=tmp_path
    )

    assert shot.exists(), run.stderr[-2000:]
    width, height, colours = _png_colours(shot.read_bytes())
    assert (width, height) == (1280, 2000)
    assert colours > 20
    assert "Uncaught" not in run.stderr
    assert "ERROR:CONSOLE" not in run.stderr


def test_report_dom_renders_every_section(report_file, tmp_path):
    """Chromium's rendered DOM has the summary, the authority, the story and the comparison."""
    run = chromium("--dump-dom", report_file.as_uri(), home=tmp_path)

    assert run.returncode == 0, run.stderr[-2000:]
    for fragment in (
        'id="summary"',
        'id="authority-examplevale"',
        'class="story"',
        'id="comparison"',
    ):
        assert fragment in run.stdout
    assert "Uncaught" not in run.stderr


def _png_colours(data: bytes) -> tuple[int, int, int]:
    """Width, height and the number of distinct pixel values of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8, "an 8-bit screenshot"
    assert colour_type in (2, 6), "an RGB or RGBA screenshot"
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows = [raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)] for y in range(height)]
    # Filtered bytes differ from pixel values, but a blank page filters to near-constant
    # rows too, so distinct filtered pixels still tell blank from drawn.
    pixels = {row[x : x + channels] for row in rows[::8] for x in range(0, stride, channels * 4)}
    return width, height, len(pixels)


@pytest.fixture(scope="module")
def twin_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example as two authorities (the page then opens with an overview)."""
    page = twin_page(svg_renderer() if shutil.which("dot") else None)
    path = tmp_path_factory.mktemp("twin") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.mark.parametrize("width", [1400, 400])
def test_the_problems_are_on_the_first_screen_and_nothing_scrolls_sideways(
    twin_file, tmp_path, width
):
    """At a desktop's and a phone's width: the page body never scrolls sideways (wide
    tables and diagrams scroll inside their own box), the overview starts within the
    first screen, and the page with its details folded stays short."""
    layout = measured(twin_file, tmp_path, width)

    assert layout["scrollWidth"] <= layout["width"], layout
    assert layout["firstTop"] < layout["screen"], layout
    assert layout["height"] < 12 * layout["screen"], layout

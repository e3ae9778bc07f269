"""The HTML report: self-contained (nothing fetched), complete, and rendered by headless Chromium without errors."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from PIL import Image


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--enable-logging=stderr", "--v=0",
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def html(bundled_out):
    return (bundled_out / "report.html").read_text(encoding="utf-8")


def test_report_needs_no_network(html):
    assert "<script" not in html.lower()
    assert not re.search(r"<link\b", html, re.IGNORECASE)
    assert "@import" not in html and "url(" not in html
    sources = re.findall(r'\bsrc="([^"]*)"', html)
    assert len(sources) == 7 and all(source.startswith("data:image/svg+xml;base64,") for source in sources)


def test_report_says_what_was_simulated_and_the_headline(html, bundled_summary):
    for text in ("What was simulated", "Social pension (ex-SAII) base amount raised to USD 80 a month", "SYNTHETIC",
                 "benefits.saii.amount", "Method", "Rao-Wu bootstrap", "Provenance", "consumer price index"):
        assert text in html, text
    headline = bundled_summary["headline"]
    # Money in millions with two decimals, the change of a rate in percentage points with a sign (by hand).
    assert f"{headline['total_cost']['reform'] / 1e6:,.2f}" in html
    assert f"{100 * headline['poverty_headcount']['change']:+.2f}" in html
    assert bundled_summary["provenance"]["survey"]["sha256"] in html


# Added to a copy of the report (the report itself has no script): after loading, count the images that did not
# decode, and log anything unexpected to the console, which Chromium prints on stderr as INFO:CONSOLE lines.
PROBE = """<script>
window.addEventListener("load", () => {
  const images = [...document.images];
  const broken = images.filter((image) => !(image.complete && image.naturalWidth > 0));
  document.body.dataset.images = String(images.length);
  document.body.dataset.broken = String(broken.length);
  document.body.dataset.width = String(document.documentElement.scrollWidth);
});
</script></body>"""


@pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_report_renders_in_headless_chromium(bundled_out, tmp_path):
    probe = tmp_path / "report_probe.html"
    probe.write_text((bundled_out / "report.html").read_text(encoding="utf-8").replace("</body>", PROBE), encoding="utf-8")
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    dom = subprocess.run([chromium(), *CHROMIUM_FLAGS, *profile, "--window-size=1280,2400", "--dump-dom",
                          probe.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Headline: what the reform changes" in dom.stdout
    assert 'data-images="7"' in dom.stdout and 'data-broken="0"' in dom.stdout, dom.stdout[:300]
    assert 'data-width="1280"' in dom.stdout  # nothing wider than the window
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line or "net::ERR" in line]
    assert console == []
    page = (bundled_out / "report.html").resolve().as_uri()
    screenshot = tmp_path / "report.png"
    shot = subprocess.run([chromium(), *CHROMIUM_FLAGS, *profile, f"--screenshot={screenshot}",
                           "--window-size=1280,2400", page], capture_output=True, text=True, timeout=120,
                          check=False)
    assert shot.returncode == 0, shot.stderr[-2000:]
    with Image.open(screenshot) as image:
        assert image.size == (1280, 2400)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 50  # text, tables and charts were drawn


def test_report_states_the_population_and_the_gdp(html, bundled_summary):
    population, gdp = bundled_summary["population"], bundled_summary["cost_denominators"]["gdp"]
    assert f"Population {population['year']}: {population['persons']:,.0f} persons" in html
    assert f"GDP {gdp['year']}: USD {gdp['value'] / 1e6:,.2f} million" in html
    share = bundled_summary["headline"]["total_cost"]["reform"] / gdp["value"]  # by hand
    assert "share of GDP" in html and f"{100 * share:.2f}%" in html

"""Charts: every chart is written as a valid PNG and a valid SVG."""

from __future__ import annotations

from xml.etree import ElementTree

from PIL import Image

from floorsim.simulations.reports.charts import CHARTS, FORMATS


def test_every_chart_is_a_valid_png_and_svg(bundled_out):
    charts = bundled_out / "charts"
    assert sorted(path.name for path in charts.iterdir()) == sorted(f"{n}.{e}" for n in CHARTS for e in FORMATS)
    for name in CHARTS:
        png = charts / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(png) as image:
            image.verify()
        with Image.open(png) as image:
            width, height = image.size
            assert width >= 600 and height >= 300
            colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
            assert colours is not None and len(colours) > 10  # something was drawn
        root = ElementTree.parse(charts / f"{name}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.find(".//{http://www.w3.org/2000/svg}path") is not None


def test_charts_are_reproducible(bundled_out, written_report):
    """SVGs carry no date and stable ids: the same figures draw the same files (the CLI's run and an in-process
    report of the same survey, reform and seed)."""
    folder, _ = written_report
    for name in CHARTS:
        assert (folder / "charts" / f"{name}.svg").read_bytes() == (bundled_out / "charts" / f"{name}.svg").read_bytes()

"""The dashboards' SVG charts: well-formed, titled for screen readers, escaped, drawn to scale, and marking a unit
below its target with a sign as well as a colour."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from lms_core.blended import charts
from lms_core.blended.charts import Bar, Point
from lms_core.i18n import use_locale

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def test_bars_are_drawn_to_scale_with_the_target_and_a_mark() -> None:
    with use_locale("en"):
        svg = charts.bar_chart([Bar("6A", 5.0, 10.0, "/blended/class/1"), Bar("6B", 12.5, 10.0),
                                Bar("7A", 0.0, 10.0, empty=True)], title="By class")
    root = _parse(svg)
    assert root.get("aria-label") == "By class" and root.find(f"{NS}title").text == "By class"
    texts = _texts(root)
    assert "5.0% ▼" in texts and "12.5% ✓" in texts and "no periods planned" in texts
    # the scale runs to 20 %: the 5 % bar is a quarter of the track, the 12.5 % one five eighths
    groups = list(root.iter(f"{NS}g"))
    widths = []
    for g in groups[:2]:
        track, bar = g.findall(f"{NS}rect")
        widths.append(float(bar.get("width")) / float(track.get("width")))
        # the target (10 %) is a line at half the track
        assert float(g.find(f"{NS}line").get("x1")) == pytest.approx(float(track.get("width")) / 2, abs=0.1)
    assert widths == [pytest.approx(0.25, abs=0.01), pytest.approx(0.625, abs=0.01)]
    assert groups[0].get("class") == "below" and groups[1].get("class") == "meets"
    # a unit without planned periods has no bar; a unit with a link is wrapped in one
    assert groups[2].findall(f"{NS}rect") == []
    assert [a.get("href") for a in root.iter(f"{NS}a")] == ["/blended/class/1"]


def test_text_and_links_are_escaped() -> None:
    name = 'Trường <b>"A"</b> & Co'
    svg = charts.bar_chart([Bar(name, 3.0, 5.0, "/x?a=1&b=<2>")], title='Schools <of> "D1" & more')
    assert "<b>" not in svg
    root = _parse(svg)
    assert root.get("aria-label") == 'Schools <of> "D1" & more'
    assert name in _texts(root)
    assert next(root.iter(f"{NS}a")).get("href") == "/x?a=1&b=<2>"
    # a translated title comes from the templates as Markup: it is escaped as well
    assert _parse(charts.bar_chart([Bar("A", 1.0, 5.0)], title=Markup("Lớp & môn"))).get("aria-label") == "Lớp & môn"


def test_long_labels_are_shortened_in_the_chart_but_whole_in_the_tooltip() -> None:
    name = "Trường Trung học cơ sở và Trung học phổ thông Nguyễn Trãi, xã Tân Cương"
    root = _parse(charts.bar_chart([Bar(name, 3.0, 5.0)], title="t"))
    shown = _texts(root)[-2]
    assert shown.endswith("…") and len(shown) == charts.MAX_LABEL and name.startswith(shown[:-1])
    assert name in next(root.iter(f"{NS}g")).find(f"{NS}title").text


def test_trend_has_a_column_a_point_per_week_and_the_target_line() -> None:
    points = [Point(1, 50.0, 50.0), Point(2, 0.0, 25.0), Point(4, 50.0, 25.0)]
    with use_locale("en"):
        root = _parse(charts.trend_chart(points, title="Week by week", target=10.0, last_week=35))
    columns = [r for r in root.iter(f"{NS}rect")]
    assert len(columns) == 3
    assert [c.find(f"{NS}title").text for c in columns][0] == "Week 1: 50.0% · 50.0%"
    line = root.find(f"{NS}polyline").get("points").split()
    assert len(line) == 3
    # higher shares are drawn higher: week 1's cumulative 50 % above week 2's 25 %
    assert float(line[0].split(",")[1]) < float(line[1].split(",")[1])
    assert "Target 10.0%" in _texts(root)
    # the weeks axis runs to the last week asked for
    assert "35" in _texts(root)
    assert charts.trend_chart([], title="t", target=10.0) == ""


def test_meter_shows_share_planned_share_and_target() -> None:
    with use_locale("en"):
        below = _parse(charts.meter(share=2.9, target=10.0, planned_share=4.3, title="Headline"))
        above = _parse(charts.meter(share=12.0, target=10.0, planned_share=15.0, title="Headline"))
    assert below.get("aria-label") == "Headline"
    share_bar = below.findall(f"{NS}rect")[1]
    assert share_bar.get("fill") == charts.ORANGE and above.findall(f"{NS}rect")[1].get("fill") == charts.GREEN
    # scale 0..20 (1.5 × the target, rounded up): 2.9 % fills 14.5 % of the width
    assert float(share_bar.get("width")) == pytest.approx(charts.WIDTH * 2.9 / 20, abs=0.1)
    assert "Target 10.0%" in _texts(below)


@pytest.mark.parametrize(("values", "top"), [((2.9,), 10.0), ((12.0, 10.0), 20.0), ((21.0,), 25.0), ((60.0,), 100.0),
                                             ((150.0,), 200.0), ((float("nan"), 3.0), 10.0)])
def test_scales_are_round(values: tuple[float, ...], top: float) -> None:
    assert charts.nice_max(*values) == top


def test_numbers_are_written_as_the_reader_writes_them() -> None:
    with use_locale("vi"):
        assert (charts.percent(2.857), charts.number(7.14)) == ("2,9 %", "7,1")
    with use_locale("en"):
        assert (charts.percent(2.857), charts.number(7.14)) == ("2.9%", "7.1")

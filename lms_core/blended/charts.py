"""Small server-rendered SVG charts of online shares: bars per unit against their targets, the weekly trend, and the
headline meter. No script and no library: each builder returns SVG markup with a title and an aria-label, scaled to
the screen by its viewBox; pages always show the numbers in a table beside it. Every text is escaped.

Colour is never the only mark: a unit at or above its target carries "✓", one below it "▼", and the target is a
dark line across the bar."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from lms_core.i18n import N_, current_locale, gettext

MEETS = "✓"
BELOW = "▼"
GREEN = "#0b6e4f"
ORANGE = "#b54708"
PALE = "#8fc2ad"
TRACK = "#e3e7ea"
INK = "#1b1f23"
MUTED = "#4a535c"
WIDTH = 340  # viewBox units: a phone's content width in CSS pixels, so text keeps its size on a phone
MAX_LABEL = 46
NO_PERIODS = N_("no periods planned")
TARGET_LABEL = N_("Target {value}")


@dataclass(frozen=True)
class Bar:
    """One unit's bar: its online share and the target it carries (percent), where it links to."""

    label: str
    value: float
    target: float
    href: str | None = None
    empty: bool = False  # no period planned: no bar, a note instead

    @property
    def meets(self) -> bool:
        """Return whether the share reaches the target."""
        return not self.empty and self.value >= self.target


@dataclass(frozen=True)
class Point:
    """One week of the trend: that week's share and the cumulative share so far (percent)."""

    week: int
    weekly: float
    cumulative: float


def percent(value: float) -> str:
    """Return a percentage as the reader writes it: 12,5 % in Vietnamese, 12.5% in English."""
    text = f"{value:.1f}"
    return f"{text.replace('.', ',')} %" if current_locale() == "vi" else f"{text}%"


def _tick(value: float) -> str:
    """Return an axis label: a percentage without a useless decimal (0%, 12.5%, 100%)."""
    text = f"{value:g}"
    return f"{text.replace('.', ',')} %" if current_locale() == "vi" else f"{text}%"


def number(value: float) -> str:
    """Return a number with one decimal as the reader writes it (7,1 in Vietnamese, 7.1 in English)."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if current_locale() == "vi" else text


def nice_max(*values: float) -> float:
    """Return a round upper bound of a scale holding every value (at least 10 %)."""
    top = max([10.0, *[v for v in values if math.isfinite(v)]])
    for step in (10, 20, 25, 50, 100):
        if top <= step:
            return float(step)
    return float(math.ceil(top / 100) * 100)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> Markup:
    t = escape(str(title))  # str(): a translated Markup title is escaped too, so the SVG stays well-formed XML
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
                  f'role="img" aria-label="{t}" preserveAspectRatio="xMinYMin meet"><title>{t}</title>'
                  + "".join(body) + "</svg>")


def bar_chart(bars: Sequence[Bar], *, title: str) -> Markup:
    """Return horizontal bars of each unit's online share, the target marked on each, "✓" or "▼" after the value."""
    if not bars:
        return Markup("")
    top = nice_max(*[b.value for b in bars], *[b.target for b in bars])
    plot = WIDTH - 84  # room on the right for the value and its mark
    row = 46
    height = 10 + row * len(bars) + 20
    body = []
    for tick in (0, top / 2, top):
        x = plot * tick / top
        body.append(f'<line x1="{x:.1f}" y1="6" x2="{x:.1f}" y2="{height - 16}" stroke="{TRACK}"/>'
                    f'<text x="{x:.1f}" y="{height - 3}" font-size="12" fill="{MUTED}" '
                    f'text-anchor="{"start" if tick == 0 else "middle" if tick < top else "end"}">'
                    f'{escape(_tick(tick))}</text>')
    for i, b in enumerate(bars):
        y = 8 + i * row
        status = gettext(NO_PERIODS) if b.empty else f"{percent(b.value)} {MEETS if b.meets else BELOW}"
        tip = f"{b.label}: {status}" if b.empty else \
            f"{b.label}: {percent(b.value)} ({gettext(TARGET_LABEL).format(value=percent(b.target))})"
        parts = [f"<title>{escape(tip)}</title>",
                 f'<text x="0" y="{y + 15}" font-size="15" fill="{INK}">{escape(_short(b.label))}</text>']
        if b.empty:
            parts.append(f'<text x="0" y="{y + 34}" font-size="13" fill="{MUTED}">{escape(status)}</text>')
        else:
            colour = GREEN if b.meets else ORANGE
            width = max(0.0, min(plot, plot * b.value / top))
            tx = plot * min(b.target, top) / top
            parts.append(f'<rect x="0" y="{y + 21}" width="{plot:.1f}" height="16" fill="{TRACK}"/>'
                         f'<rect x="0" y="{y + 21}" width="{width:.1f}" height="16" fill="{colour}"/>'
                         f'<line x1="{tx:.1f}" y1="{y + 18}" x2="{tx:.1f}" y2="{y + 40}" stroke="{INK}" '
                         f'stroke-width="2.5"/>'
                         f'<text x="{WIDTH}" y="{y + 35}" font-size="15" font-weight="700" fill="{colour}" '
                         f'text-anchor="end">{escape(status)}</text>')
        group = f'<g class="{"meets" if b.meets else "below"}">' + "".join(parts) + "</g>"
        # out of the tab order: the table beside the chart holds the same links for the keyboard and screen readers
        body.append(f'<a href="{escape(b.href)}" tabindex="-1">{group}</a>' if b.href else group)
    return _svg(WIDTH, height, title, body, "bars")


def trend_chart(points: Sequence[Point], *, title: str, target: float, last_week: int | None = None) -> Markup:
    """Return columns of each week's online share, a line of the cumulative share and the target as a dashed line."""
    if not points:
        return Markup("")
    weeks = max(max(p.week for p in points), last_week or 1)
    top = nice_max(*[p.weekly for p in points], *[p.cumulative for p in points], target)
    left, right, upper, lower = 46, 6, 18, 26
    height = 210
    plot_w, plot_h = WIDTH - left - right, height - upper - lower
    step = plot_w / weeks

    def y(value: float) -> float:
        return upper + plot_h * (1 - max(0.0, min(value, top)) / top)

    body = []
    for tick in (0, top / 2, top):
        body.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{WIDTH - right}" y2="{y(tick):.1f}" '
                    f'stroke="{TRACK}"/><text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="13" fill="{MUTED}" '
                    f'text-anchor="end">{escape(_tick(tick))}</text>')
    every = max(1, math.ceil(weeks / 8))
    for week in range(1, weeks + 1):
        if week == 1 or week % every == 0:
            body.append(f'<text x="{left + step * (week - 0.5):.1f}" y="{height - 8}" font-size="13" '
                        f'fill="{MUTED}" text-anchor="middle">{week}</text>')
    for p in points:
        x = left + step * (p.week - 1) + step * 0.15
        body.append(f'<rect x="{x:.1f}" y="{y(p.weekly):.1f}" width="{step * 0.7:.1f}" '
                    f'height="{upper + plot_h - y(p.weekly):.1f}" fill="{PALE}">'
                    f'<title>{escape(_week_tip(p))}</title></rect>')
    line = " ".join(f"{left + step * (p.week - 0.5):.1f},{y(p.cumulative):.1f}" for p in points)
    body.append(f'<polyline points="{line}" fill="none" stroke="{GREEN}" stroke-width="2.5"/>')
    body.extend(f'<circle cx="{left + step * (p.week - 0.5):.1f}" cy="{y(p.cumulative):.1f}" r="2.5" '
                f'fill="{GREEN}"/>' for p in points)
    body.append(f'<line x1="{left}" y1="{y(target):.1f}" x2="{WIDTH - right}" y2="{y(target):.1f}" stroke="{INK}" '
                f'stroke-width="2" stroke-dasharray="6 4"/>'
                f'<text x="{WIDTH - right}" y="{y(target) - 5:.1f}" font-size="13" fill="{INK}" text-anchor="end">'
                f'{escape(gettext(TARGET_LABEL).format(value=percent(target)))}</text>')
    return _svg(WIDTH, height, title, body, "trend")


def _week_tip(p: Point) -> str:
    return f"{gettext(N_('Week {n}')).format(n=p.week)}: {percent(p.weekly)} · {percent(p.cumulative)}"


def meter(*, share: float, target: float, planned_share: float, title: str) -> Markup:
    """Return the headline meter: a thick bar of the online share, a thin one of the planned share, the target line."""
    top = nice_max(share, planned_share, target * 1.5)
    colour = GREEN if share >= target and target >= 0 else ORANGE
    height = 64
    tx = WIDTH * min(target, top) / top
    anchor = "start" if tx < 60 else "end" if tx > WIDTH - 60 else "middle"
    body = [f'<rect x="0" y="18" width="{WIDTH}" height="22" fill="{TRACK}"/>',
            f'<rect x="0" y="18" width="{WIDTH * min(share, top) / top:.1f}" height="22" fill="{colour}"/>',
            f'<rect x="0" y="44" width="{WIDTH}" height="8" fill="{TRACK}"/>',
            f'<rect x="0" y="44" width="{WIDTH * min(planned_share, top) / top:.1f}" height="8" fill="{PALE}"/>',
            f'<line x1="{tx:.1f}" y1="14" x2="{tx:.1f}" y2="56" stroke="{INK}" stroke-width="3"/>',
            f'<text x="{tx:.1f}" y="12" font-size="14" fill="{INK}" text-anchor="{anchor}">'
            f'{escape(gettext(TARGET_LABEL).format(value=percent(target)))}</text>',
            f'<text x="0" y="{height + 3}" font-size="12" fill="{MUTED}">{escape(_tick(0))}</text>',
            f'<text x="{WIDTH}" y="{height + 3}" font-size="12" fill="{MUTED}" text-anchor="end">'
            f'{escape(_tick(top))}</text>']
    return _svg(WIDTH, height + 6, title, body, "meter")

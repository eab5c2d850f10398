"""Inline SVG charts, drawn on the server: the page needs no JavaScript and no network.

Every text that reaches the SVG goes through ``html.escape``; coordinates are numbers.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

# Colour-blind-safe palette (Okabe-Ito), one colour per brand line.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _nice_ceiling(value: float, step: float) -> float:
    """The smallest multiple of ``step`` at or above ``value`` (and at least one step)."""
    return max(step, -(-value // step) * step)


def _y_axis(top: float, step: float, scale, left: int, right: int) -> list[str]:
    parts = []
    tick = 0.0
    while tick <= top + 1e-9:
        y = scale(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{tick:g}%</text>'
        )
        tick += step
    return parts


def share_lines(months: list[str], brands: list[str], shares: dict[tuple[str, str], float]) -> str:
    """Share of each brand per month as lines; a month a brand sold nothing is a gap."""
    if not months or not brands:
        return ""
    width, height, left, right, top_pad, bottom = 900, 300, 48, 880, 12, 260
    peak = max(shares.values(), default=0.0)
    top = _nice_ceiling(peak, 10.0)

    def x(i: int) -> float:
        return left + (right - left) * (i / max(1, len(months) - 1))

    def y(value: float) -> float:
        return bottom - (bottom - top_pad) * value / top

    parts = _y_axis(top, 10.0, y, left, right)
    # About nine labels whatever the span; every third month reads as quarters.
    label_every = max(1, -(-len(months) // 9))
    for i, month in enumerate(months):
        if i % label_every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{bottom + 18}" class="tick" '
                f'text-anchor="middle">{escape(month)}</text>'
            )
    for b, brand in enumerate(brands):
        parts.extend(_brand_line(brand, colour(b), months, shares, x, y))
    return (
        f'<svg viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-label="share of the band by brand per month">{"".join(parts)}</svg>'
    )


def _brand_line(brand, stroke, months, shares, x, y) -> list[str]:
    """One polyline per unbroken run of months, with a dot and a tooltip per month."""
    runs: list[list[str]] = [[]]
    dots = []
    for i, month in enumerate(months):
        value = shares.get((month, brand))
        if value is None:
            runs.append([])
            continue
        runs[-1].append(f"{x(i):.1f},{y(value):.1f}")
        dots.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="2.5" fill="{stroke}">'
            f"<title>{escape(brand)} {escape(month)}: {value:.1f}%</title></circle>"
        )
    lines = [
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{stroke}" stroke-width="2"/>'
        for run in runs
        if len(run) > 1
    ]
    return lines + dots


def duty_steps(intervals: list[tuple]) -> str:
    """Total duty per interval as a step area over time; an open interval runs a year past
    its start (or to today, if later) so that it has a visible width."""
    if not intervals:
        return ""
    width, height, left, right, top_pad, bottom = 900, 220, 48, 880, 16, 180
    start = intervals[0][0]
    last_from = max(row[0] for row in intervals)
    end = max(
        [row[1] for row in intervals if row[1] is not None]
        + [last_from + timedelta(days=365), date.today()]
    )
    span = max(1, (end - start).days)
    peak = max(row[2] for row in intervals)
    top = _nice_ceiling(peak, 25.0 if peak > 50 else 10.0)
    step = 25.0 if peak > 50 else 10.0

    def x(day: date) -> float:
        return left + (right - left) * (day - start).days / span

    def y(value: float) -> float:
        return bottom - (bottom - top_pad) * value / top

    parts = _y_axis(top, step, y, left, right)
    for valid_from, valid_to, rate, components, *_ in intervals:
        stop = (valid_to + timedelta(days=1)) if valid_to else end
        x0, x1 = x(valid_from), x(stop)
        parts.append(
            f'<rect x="{x0:.1f}" y="{y(rate):.1f}" width="{max(1.0, x1 - x0):.1f}" '
            f'height="{bottom - y(rate):.1f}" class="step">'
            f"<title>{valid_from} to {valid_to or 'open'}: {rate:.1f}% "
            f"({escape(components or '')})</title></rect>"
        )
    for year in range(start.year + 1, end.year + 1):
        tick = date(year, 1, 1)
        parts.append(
            f'<text x="{x(tick):.1f}" y="{bottom + 18}" class="tick" '
            f'text-anchor="middle">{year}</text>'
        )
    return (
        f'<svg viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-label="total duty over time">{"".join(parts)}</svg>'
    )

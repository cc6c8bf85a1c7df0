"""Small charts drawn on the server as inline SVG: no script, nothing the Content Security
Policy has to allow, colours from the site's stylesheet (classes, no style attributes).

Each chart comes with its figures (``Chart.rows``) so the page can print them as a table:
the SVG is the picture, the table its text equivalent, both from the same query."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Geometry in SVG user units; the element scales to its container.
HEIGHT = 120
LABEL_ROOM = 20
TOP_ROOM = 16
LEFT = 4
COLUMN = 22
GAP = 6
MOST_LABELS = 8


@dataclass(frozen=True)
class Column:
    label: str  # what the axis prints under it: "2017", "Dec 2017"
    values: tuple[int, ...]  # one per series, stacked from the bottom

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class Chart:
    """Columns of counts, stacked when there are several series."""

    columns: tuple[Column, ...]
    series: tuple[str, ...]  # names, one per value of each column
    description: str  # what the picture shows, for its accessible name

    @property
    def rows(self) -> list[tuple[str, tuple[int, ...], int]]:
        """(label, values, total) per column: the table that says what the picture shows."""
        return [(column.label, column.values, column.total) for column in self.columns]

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1

    def svg(self) -> SafeString:
        if not self.columns:
            return mark_safe("")
        peak = max(column.total for column in self.columns) or 1
        width = LEFT * 2 + len(self.columns) * (COLUMN + GAP)
        height = TOP_ROOM + HEIGHT + LABEL_ROOM
        every = math.ceil(len(self.columns) / MOST_LABELS)
        # Each name escaped once, not at every bar: they are translated lazily, and a
        # list's chart has sixty bars.
        names = [f"{escape(name)}: " for name in self.series] if self.stacked else None
        parts = [
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(self.description)}" xmlns="http://www.w3.org/2000/svg">',
            f'<text class="chart__scale" x="{LEFT}" y="12">{peak}</text>',
            f'<line class="chart__axis" x1="0" x2="{width}" y1="{TOP_ROOM + HEIGHT}" '
            f'y2="{TOP_ROOM + HEIGHT}"/>',
        ]
        for index, column in enumerate(self.columns):
            x = LEFT + index * (COLUMN + GAP) + GAP // 2
            bottom = TOP_ROOM + HEIGHT
            label = escape(column.label)
            for series, value in enumerate(column.values):
                if not value:
                    continue
                tall = max(1, round(HEIGHT * value / peak))
                bottom -= tall
                name = names[series] if names else ""
                parts.append(
                    f'<rect class="chart__bar chart__bar--{series}" x="{x}" y="{bottom}" '
                    f'width="{COLUMN}" height="{tall}"><title>{label} · '
                    f"{name}{value}</title></rect>"
                )
            if index % every == 0:
                parts.append(
                    f'<text class="chart__label" x="{x + COLUMN / 2:g}" '
                    f'y="{TOP_ROOM + HEIGHT + 15}" text-anchor="middle">'
                    f"{label}</text>"
                )
        parts.append("</svg>")
        # Safe: every text above is escaped; the rest is numbers and fixed markup.
        return mark_safe("".join(parts))


def per_year(
    counts: Iterable[tuple[int, str, int]], series: Sequence[tuple[str, str]], description: str
) -> Chart:
    """A column per year from the first to the last (empty years included), stacked by
    series: ``counts`` are (year, series key, count); ``series`` (key, name) in order."""
    table: dict[int, dict[str, int]] = {}
    for year, key, count in counts:
        table.setdefault(year, {})[key] = count
    if not table:
        return Chart((), tuple(name for _, name in series), description)
    columns = tuple(
        Column(str(year), tuple(table.get(year, {}).get(key, 0) for key, _ in series))
        for year in range(min(table), max(table) + 1)
    )
    return Chart(columns, tuple(name for _, name in series), description)


def timeline(monthly: Iterable[tuple[dt.date, int]], description: str, name: str) -> Chart:
    """Counts per month ((first day of the month, count)) as a column per month when
    they span two years or less, else per year; empty months or years included."""
    counts = {(month.year, month.month): count for month, count in monthly}
    if not counts:
        return Chart((), (name,), description)
    first, last = min(counts), max(counts)
    if last[0] - first[0] >= 2:
        years: dict[int, int] = {}
        for (year, _), count in counts.items():
            years[year] = years.get(year, 0) + count
        columns = tuple(
            Column(str(year), (years.get(year, 0),)) for year in range(first[0], last[0] + 1)
        )
        return Chart(columns, (name,), description)
    columns = []
    year, month = first
    while (year, month) <= last:
        label = dt.date(year, month, 1).strftime("%b %Y")
        columns.append(Column(label, (counts.get((year, month), 0),)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Chart(tuple(columns), (name,), description)


def share(value: int, peak: int) -> SafeString:
    """A bar as wide as ``value`` is of ``peak``, for a row of a table that also prints
    the number (so the bar is decoration, hidden from assistive technology)."""
    width = 0 if peak <= 0 else max(1, round(100 * value / peak)) if value else 0
    return mark_safe(
        '<svg class="share" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" '
        f'focusable="false" xmlns="http://www.w3.org/2000/svg"><rect class="share__bar" '
        f'width="{width}" height="8"/></svg>'
    )

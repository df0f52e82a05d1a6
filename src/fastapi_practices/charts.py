"""Charts of the figures a behaviour test recorded, drawn as small SVG files.

`make measure` draws them (the pytest plugin calls `draw` after it writes a practice's
figures) next to the figures: `tests/measurements/<ID>.svg`. The site build only reads the
files, so it needs no plotting library; `tests/test_charts.py` draws each chart again from
its figures and fails when the committed file differs.

Each chart is drawn with matplotlib in placeholder colours that are then replaced by the
page's own: text and axes in `currentColor`, the bad and good series in the theme's
`--fbp-bad` and `--fbp-good`, on a transparent background, so one file reads in the light and
the dark scheme once the page includes it inline. Its `<title>` states the figures, as the
chart's text alternative.
"""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi_practices.model import Measurements

# Placeholder colours (never used for anything else) and what the page shows instead.
_FG, _BAD, _GOOD, _GOOD_2 = "#010101", "#020202", "#030303", "#040404"
_REPLACE = {
    _FG: "currentColor",
    _BAD: "var(--fbp-bad, #b3261e)",
    _GOOD: "var(--fbp-good, #1b6e3a)",
    _GOOD_2: "var(--fbp-good, #1b6e3a)",
}
MAX_BYTES = 20_000
_SVG, _XLINK = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
# Written back as `<svg xmlns=...>` and `<use xlink:href>`: an `ns0:` or `ns1:href` would not draw
# inline in HTML. (ElementTree's table of prefixes is module-wide; nothing else here writes XML.)
ET.register_namespace("", _SVG)
ET.register_namespace("xlink", _XLINK)


@dataclass(frozen=True)
class Series:
    """One thing measured: the figure's key, its label on the chart, and its colour."""

    key: str
    label: str
    colour: str


def chart_file(measurements_file: Path) -> Path:
    """`tests/measurements/FBP201.json` -> `tests/measurements/FBP201.svg`."""
    return measurements_file.with_suffix(".svg")


def _figure(values: Measurements) -> dict[str, object]:
    return {f.key: f.value for f in values.figures}


def _setup(width: float, height: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcdefaults()
    plt.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: small, selectable, the page's font
            "svg.hashsalt": "fastapi-practices",  # the same figures draw the same file
            "font.size": 9,
            "text.color": _FG,
            "axes.edgecolor": _FG,
            "axes.labelcolor": _FG,
            "xtick.color": _FG,
            "ytick.color": _FG,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.facecolor": "none",
            "axes.facecolor": "none",
            "savefig.transparent": True,
        }
    )
    return plt, plt.figure(figsize=(width, height))


def _flatten(svg: str) -> str:
    """matplotlib wraps each bar, tick and label in a `<g id="...">` of its own. Inline on the
    page each is one more element the browser styles again whenever a script changes the
    page's colours or size (Material does so several times as it starts), so a group that
    only names its content is replaced by that content; groups that clip, move or style
    stay. The chart draws the same."""
    root = ET.fromstring(svg)  # noqa: S314 (matplotlib's own output, not untrusted input)
    group = f"{{{_SVG}}}g"

    def unwrap(element: ET.Element) -> None:
        children: list[ET.Element] = []
        for child in element:
            unwrap(child)
            if child.tag == group and set(child.attrib) <= {"id"}:
                children.extend(child)
            else:
                children.append(child)
        element[:] = children

    unwrap(root)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode")


def _finish(plt, figure, title: str) -> str:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or DOCTYPE: it is included inline
    for placeholder, colour in _REPLACE.items():
        svg = svg.replace(placeholder, colour)
    svg = re.sub(r"font-family:[^;\"]*", "font-family: inherit", svg)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # matplotlib's `*{...}` rule would style the whole page once the SVG is inline.
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    svg = _flatten(svg)
    svg = re.sub(r' width="[\d.]+pt" height="[\d.]+pt"', "", svg, count=1)
    alt = html.escape(title)
    svg = re.sub(
        r"<svg ([^>]*)>",
        rf'<svg \1 role="img" aria-label="{alt}" class="fbp-chart__svg"><title>{alt}</title>',
        svg,
        count=1,
    )
    return "\n".join(line.rstrip() for line in svg.splitlines()) + "\n"


def timeline(series: list[Series], *, caption: str) -> Callable[[Measurements], str]:
    """Each request of a burst as a bar from when it was sent to when it was answered, in
    units of one request's latency; one panel per app, so a queue shows as a staircase."""

    def draw(values: Measurements) -> str:
        figures = _figure(values)
        plt, figure = _setup(6.4, 0.5 + 1.25 * len(series))
        axes = figure.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0]
        spoken = []
        for ax, one in zip(axes, series, strict=True):
            spans = sorted(figures[f"timeline-{one.key}"], key=lambda s: s[1])  # type: ignore[arg-type,index]
            for row, (start, end) in enumerate(spans):
                ax.barh(row, end - start, left=start, height=0.7, color=one.colour)
            ax.set_yticks([])
            ax.set_ylabel(one.label, rotation=0, ha="right", va="center")
            ax.invert_yaxis()
            ends = ", ".join(f"{end:.1f}" for _, end in spans)
            spoken.append(f"{one.label}: answered at {ends}")
        axes[-1].set_xlabel("time since the requests were sent, in units of one request alone")
        axes[-1].set_xlim(left=0)
        figure.align_ylabels(axes)
        figure.tight_layout(h_pad=0.4)
        return _finish(plt, figure, f"{caption}. " + "; ".join(spoken) + ".")

    return draw


def bars(
    series: list[Series], *, caption: str, unit: str, value: Callable[[object], float] = float
) -> Callable[[Measurements], str]:
    """One horizontal bar per figure, on a shared axis labelled with `unit`."""

    def draw(values: Measurements) -> str:
        figures = _figure(values)
        plt, figure = _setup(6.4, 0.6 + 0.42 * len(series))
        ax = figure.subplots()
        numbers = [value(figures[one.key]) for one in series]
        rows = range(len(series))
        ax.barh(list(rows), numbers, height=0.65, color=[one.colour for one in series])
        ax.set_yticks(list(rows), [one.label for one in series])
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        for row, number in zip(rows, numbers, strict=True):
            ax.annotate(f"{number:.2g}", (number, row), xytext=(3, 0), textcoords="offset points",
                        va="center")  # fmt: skip
        ax.set_xlim(0, max(numbers) * 1.15)
        figure.tight_layout()
        spoken = "; ".join(f"{one.label}: {n:.2g}" for one, n in zip(series, numbers, strict=True))
        return _finish(plt, figure, f"{caption} ({unit}). {spoken}.")

    return draw


CHARTS: dict[str, Callable[[Measurements], str]] = {
    "FBP201": timeline(
        [
            Series("bad", "bad.py: time.sleep", _BAD),
            Series("good", "good.py: def route", _GOOD),
            Series("good_await", "good_await.py: await", _GOOD_2),
        ],
        caption="Eight requests sent at once to each app",
    ),
    "FBP204": timeline(
        [
            Series("bad", "bad.py: httpx.Client", _BAD),
            Series("good", "good.py: thread pool", _GOOD),
            Series("good_async_client", "AsyncClient", _GOOD_2),
        ],
        caption="Eight requests sent at once to each app",
    ),
    "FBP202": bars(
        [
            Series("bad", "bad.py: default pool, 80 at once", _BAD),
            Series("good", "good.py: 100 threads, 80 at once", _GOOD),
            Series("whoami-bad", "bad.py: async route, def dependency", _BAD),
            Series("whoami-good", "good.py: async dependency", _GOOD),
        ],
        caption="Waiting for the thread pool",
        unit="time, in units of one request alone",
    ),
    "FBP203": bars(
        [
            Series("probe-bad", "bad.py: async def route", _BAD),
            Series("probe-def", "bad_def_route.py: def route", _BAD),
            Series("probe-good", "good.py: process pool", _GOOD),
        ],
        caption="How long a health check waited while one CPU-bound request ran",
        unit="wait, in units of the CPU-bound request",
    ),
    "FBP404": bars(
        [
            Series("bad_latency", "bad.py: def dependency", _BAD),
            Series("good_latency", "good.py: async def dependency", _GOOD),
        ],
        caption="Latency of /items while 60 exports hold the thread pool",
        unit="latency, in units of one export",
    ),
    "FBP605": bars(
        [
            Series("bad-queries", "bad.py: a query per post", _BAD),
            Series("good-queries", "good.py: one query with a join", _GOOD),
        ],
        caption="SQL statements for one page of 100 posts",
        unit="statements",
    ),
}


def draw(values: Measurements) -> str | None:
    """The chart of these figures, if the practice has one."""
    chart = CHARTS.get(values.practice)
    return chart(values) if chart else None

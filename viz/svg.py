"""Hand-written SVG: the dashboard's drawing layer.

Each view is a few dozen shapes, so writing SVG text directly costs about a millisecond per chart, and the
browser draws it at once with no JavaScript library (matplotlib took most of a step's time; vega needs a
re-embed per update). SVG also stays sharp on a projector at any size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "Roboto, Helvetica, Arial, sans-serif"
INK = "#222"
GRID = "#ddd"
MUTED = "#666"

# Tableau 10: distinct on a projector; the entrants that appear mid-run share one green family instead.
VENDOR_COLOURS = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F",
                  "#BAB0AC", "#59A14F"]
ENTRANT_COLOURS = ["#2E8B57", "#66C2A5", "#1B7837", "#A6DBA0", "#5AAE61", "#ACD39E"]

# A diverging red-to-blue ramp for trust and perceived neutrality (colour-blind safe, ColorBrewer RdYlBu).
TRUST_RAMP = [(0.0, (215, 48, 39)), (0.25, (252, 141, 89)), (0.5, (254, 224, 144)), (0.75, (145, 191, 219)),
              (1.0, (69, 117, 180))]


def vendor_colour(index: int, first_entrant: int) -> str:
    """A vendor's colour, fixed by its position in the market so it never changes between charts."""
    if index < first_entrant:
        return VENDOR_COLOURS[index % len(VENDOR_COLOURS)]
    return ENTRANT_COLOURS[(index - first_entrant) % len(ENTRANT_COLOURS)]


def trust_colour(value: float) -> str:
    """Colour of a 0..1 trust (or neutrality) value on the red-to-blue ramp."""
    value = min(1.0, max(0.0, float(value)))
    for (x0, c0), (x1, c1) in zip(TRUST_RAMP, TRUST_RAMP[1:]):
        if value <= x1:
            t = (value - x0) / (x1 - x0)
            return "#%02x%02x%02x" % tuple(round(a + t * (b - a)) for a, b in zip(c0, c1))
    return "#%02x%02x%02x" % TRUST_RAMP[-1][1]


def document(width: float, height: float, label: str, shapes: Sequence[str], role: str = "img") -> str:
    """A whole SVG that scales to its container; ``label`` is what a screen reader (and a test) reads.

    A chart whose labs and vendors can be clicked is a ``figure`` (an ``img`` hides its parts from
    assistive technology)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="100%" '
            f'role="{role}" aria-label="{escape(label)}" font-family="{FONT}" style="display:block">'
            f"<title>{escape(label)}</title>{''.join(shapes)}</svg>")


def agent_target(name: str, shapes: Sequence[str]) -> str:
    """Shapes that open the agent inspector for ``name`` when clicked, or focused and opened with Enter."""
    return (f'<g data-agent="{escape(name)}" role="button" tabindex="0" aria-label="Inspect {escape(name)}" '
            f'style="cursor:pointer">{"".join(shapes)}</g>')


def text_width(content: str, size: float) -> float:
    """A generous estimate of the width of ``content`` at ``size`` px in the page's sans-serif font."""
    return 0.6 * size * len(content)


def text(x: float, y: float, content: str, size: float = 14, anchor: str = "start", colour: str = INK,
         weight: str = "normal", baseline: str = "auto", rotate: float = 0.0) -> str:
    turn = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{colour}" '
            f'font-weight="{weight}" dominant-baseline="{baseline}"{turn}>{escape(content)}</text>')


def line(x1: float, y1: float, x2: float, y2: float, colour: str = INK, width: float = 1.0,
         dash: str = "", opacity: float = 1.0) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width:.2f}" stroke-opacity="{opacity:g}"{dashes}/>')


def polyline(points: Sequence[tuple[float, float]], colour: str, width: float = 2.0, dash: str = "") -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{width:g}" '
            f'stroke-linejoin="round"{dashes}/>')


def polygon(points: Sequence[tuple[float, float]], fill: str, label: str = "") -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    title = f"<title>{escape(label)}</title>" if label else ""
    return f'<polygon points="{coords}" fill="{fill}" stroke="white" stroke-width="0.5">{title}</polygon>'


def rect(x: float, y: float, width: float, height: float, fill: str, label: str = "") -> str:
    title = f"<title>{escape(label)}</title>" if label else ""
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}">{title}</rect>'


def circle(cx: float, cy: float, r: float, fill: str, stroke: str = "white", stroke_width: float = 1.5,
           label: str = "") -> str:
    title = f"<title>{escape(label)}</title>" if label else ""
    return (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{stroke_width:g}">{title}</circle>')


@dataclass(frozen=True)
class Frame:
    """A plot area inside an SVG: maps data coordinates (x: weeks, y: values) to pixels."""

    left: float
    top: float
    right: float
    bottom: float
    x_min: float
    x_max: float
    y_min: float
    y_max: float

    def x(self, value: float) -> float:
        span = (self.x_max - self.x_min) or 1.0
        return self.left + (value - self.x_min) / span * (self.right - self.left)

    def y(self, value: float) -> float:
        span = (self.y_max - self.y_min) or 1.0
        return self.bottom - (value - self.y_min) / span * (self.bottom - self.top)

    def axes(self, x_ticks: Sequence[float], y_ticks: Sequence[float], y_format=str, x_title: str = "",
             size: float = 14) -> list[str]:
        """Grid lines, tick labels and the x-axis title."""
        shapes = []
        for value in y_ticks:
            y = self.y(value)
            shapes.append(line(self.left, y, self.right, y, GRID))
            shapes.append(text(self.left - 6, y, y_format(value), size, "end", baseline="middle"))
        for value in x_ticks:
            x = self.x(value)
            shapes.append(line(x, self.bottom, x, self.bottom + 5, INK))
            shapes.append(text(x, self.bottom + 8 + size, f"{value:g}", size, "middle"))
        shapes.append(line(self.left, self.bottom, self.right, self.bottom, INK))
        if x_title:
            shapes.append(text((self.left + self.right) / 2, self.bottom + 16 + 2 * size, x_title, size, "middle"))
        return shapes


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 x 10^k) covering low..high."""
    span = max(high - low, 1e-9)
    raw = span / max(count, 1)
    magnitude = 10 ** int(f"{raw:e}".split("e")[1])
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = -(-low // step) * step
    ticks, value = [], first
    while value <= high + 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def trust_legend(x: float, y: float, title: str, width: float = 160) -> list[str]:
    """A small colour bar explaining the trust ramp: low on the left, high on the right."""
    steps = 20
    shapes = [text(x, y - 6, title, 14, colour=MUTED)]
    for k in range(steps):
        shapes.append(rect(x + k * width / steps, y, width / steps + 0.5, 12, trust_colour(k / (steps - 1))))
    shapes.append(text(x, y + 30, "0 low", 14, colour=MUTED))
    shapes.append(text(x + width, y + 30, "1 high", 14, "end", colour=MUTED))
    return shapes

"""The report's one chart: defects by journey stage, this period beside the last, as a PNG.

Drawn server-side with matplotlib's Agg canvas (no display, no pyplot state, safe in
a worker thread), imported only when a chart is drawn so start-up stays light. The
house style is restrained: one accent colour for this period and a quiet grey for the
last, the counts written at the bars' ends instead of an axis, no grid, no frame.
It is drawn 800 px wide at 200 dpi, so it stays readable shown 400 px wide on a phone,
and saved with a small palette (Pillow, which matplotlib brings): about 15 KB.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

ACCENT = "#1b7f79"  # this period
QUIET = "#c5ccd3"  # the period before
INK = "#2b2f33"
WIDTH_INCHES = 4.0
DPI = 200
PALETTE = 48  # colours: white, two bar colours, the ink, and their anti-aliased edges


@dataclass(frozen=True)
class StageBars:
    stage: str  # the stage's name, as people read it
    this: int
    last: int


def stage_chart(bars: list[StageBars], *, this_label: str, last_label: str) -> bytes:
    """The chart as PNG bytes: one row per stage, this period's bar above the last's."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = max(len(bars), 1)
    height = 0.6 + 0.5 * rows
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, facecolor="white")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0.34, 0.1 / height, 0.60, 1 - 0.5 / height))
    positions = range(rows)
    thickness = 0.38
    this_bars = axes.barh(
        [p - thickness / 2 for p in positions],
        [b.this for b in bars],
        height=thickness,
        color=ACCENT,
        label=this_label,
    )
    last_bars = axes.barh(
        [p + thickness / 2 for p in positions],
        [b.last for b in bars],
        height=thickness,
        color=QUIET,
        label=last_label,
    )
    for group, weight in ((this_bars, "bold"), (last_bars, "normal")):
        axes.bar_label(group, padding=2, fontsize=7, color=INK, fontweight=weight)
    axes.set_yticks(list(positions), [b.stage for b in bars], fontsize=7.5, color=INK)
    axes.set_ylim(rows - 0.5, -0.5)  # the journey reads top to bottom, no margins
    top = max([b.this for b in bars] + [b.last for b in bars] + [1])
    axes.set_xlim(0, top * 1.18)
    axes.set_xticks([])
    axes.tick_params(axis="y", length=0, pad=4)
    for side in ("top", "right", "bottom", "left"):
        axes.spines[side].set_visible(False)
    figure.legend(
        loc="upper left",
        bbox_to_anchor=(0.02, 0.995),
        ncols=2,
        frameon=False,
        fontsize=7.5,
        labelcolor=INK,
        handlelength=1.0,
        handletextpad=0.4,
        columnspacing=1.2,
    )
    canvas.draw()
    return _small_png(canvas)


def _small_png(canvas) -> bytes:
    """The drawn pixels with a palette of their few colours: a third of the size of
    matplotlib's own PNG, the same to the eye (so it fits inline in a Teams card, which
    counts an image's base64 against its limit), and encoded once."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    pixels = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    small = pixels.convert("RGB").quantize(colors=PALETTE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", compress_level=9)
    return out.getvalue()

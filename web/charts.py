"""Server-rendered SVG charts for the dashboard (no script, no outside resource, presentation attributes only:
the page's CSP allows no inline style)."""

from __future__ import annotations

import html

from appliance.usecases.glance import HISTORY_WINDOW, ModemHistory
from web.present import Present

WIDTH, HEIGHT = 640, 170
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 10, 42
BAND = 10  # the registration band under the plot
TOP_DBM, BOTTOM_DBM = -50, -115


def signal_chart(history: ModemHistory, p: Present) -> str:
    """Signal (dBm) over the last 24 h as a line that breaks where nothing was measured, and under it a band:
    green while registered, red while not registered or not responding, grey where no sample was taken."""
    minutes = HISTORY_WINDOW.total_seconds() / 60
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM - BAND - 6

    def x(minutes_ago: float) -> float:
        # Time runs the way the page reads: right to left in Persian, left to right in English.
        share = 1 - minutes_ago / minutes
        return LEFT + (plot_w * (1 - share) if p.fa else plot_w * share)

    def y(dbm: int) -> float:
        dbm = max(BOTTOM_DBM, min(TOP_DBM, dbm))
        return TOP + (TOP_DBM - dbm) * plot_h / (TOP_DBM - BOTTOM_DBM)

    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{html.escape(p.word("signal_24h"))}" xmlns="http://www.w3.org/2000/svg">',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#f4f6f9"/>',
    ]
    for dbm in (-60, -80, -100):
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(dbm):.1f}" y2="{y(dbm):.1f}" stroke="#d5dae2"/>'
            f'<text x="{LEFT - 4}" y="{y(dbm) + 4:.1f}" font-size="11" text-anchor="end" direction="ltr" '
            'fill="#5d636e">'
            f"{html.escape(p.num(dbm).replace('-', '−'))}</text>"
        )
    for hours in (0, 6, 12, 18, 24):
        at = x(hours * 60)
        label = p.word("now") if hours == 0 else p.num(hours)
        out.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#e3e6eb"/>'
            f'<text x="{at:.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle" fill="#5d636e">'
            f"{html.escape(label)}</text>"
        )
    # The signal line, one polyline per run of measured samples.
    runs: list[list[str]] = [[]]
    for point in history.points:
        if point.signal_dbm is None or not point.responsive:
            runs.append([])
            continue
        runs[-1].append(f"{x(point.minutes_ago):.1f},{y(point.signal_dbm):.1f}")
    for run in runs:
        if len(run) == 1:
            cx, cy = run[0].split(",")
            out.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="#0b5394"/>')
        elif run:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="#0b5394" stroke-width="2" '
                'stroke-linejoin="round"/>'
            )
    # The registration band: each sample colours its stretch up to the next one (15 minutes at most).
    band_y = TOP + plot_h + 4
    out.append(f'<rect x="{LEFT}" y="{band_y}" width="{plot_w}" height="{BAND}" fill="#e3e6eb"/>')
    step = HISTORY_WINDOW.total_seconds() / 60 / 96
    points = history.points
    for i, point in enumerate(points):
        until = points[i + 1].minutes_ago if i + 1 < len(points) else 0.0
        until = max(until, point.minutes_ago - step)
        a, b = sorted((x(point.minutes_ago), x(until)))
        ok = point.responsive and point.registered
        colour = "#2e8b57" if ok else "#c62828"
        out.append(
            f'<rect class="{"reg" if ok else "unreg"}" x="{a:.1f}" y="{band_y}" width="{max(b - a, 1.5):.1f}" '
            f'height="{BAND}" fill="{colour}"/>'
        )
    out.append("</svg>")
    return "".join(out)

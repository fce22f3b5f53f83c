"""The exposure report as one self-contained HTML page: tables and plotly charts, no network.

plotly.js is inlined once; the map is the upstream facilities at their latitude and
longitude (sized by the share of end-item units that rest on them, coloured by
country group) on plain axes, because a geographic base map would need map tiles
or topology files from the internet.
"""

import html
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from arsenalnet.risk.results import ExposureReport

CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:80em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.2em .6em;font-size:.9em}
th{background:#f3f3f3}td.n{text-align:right}.bad{color:#b00020;font-weight:600}h2{margin-top:2em}"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(v: object) -> str:
        if isinstance(v, float):
            return f'<td class="n">{v:,.3f}</td>' if abs(v) < 10 else f'<td class="n">{v:,.0f}</td>'
        if isinstance(v, int) and not isinstance(v, bool):
            return f'<td class="n">{v:,}</td>'
        return f"<td>{html.escape('' if v is None else str(v))}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(v) for v in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _adversaries(report: ExposureReport) -> set[str]:
    return {c.country for c in report.by_country if c.foreign_adversary}


def _figures(report: ExposureReport, coords: dict[str, tuple[float, float]]) -> tuple[go.Figure, go.Figure]:
    """The map of upstream facilities and the bars of foreign exposure by tier."""
    allied = {c.country: c.allied for c in report.by_country}
    adversary = _adversaries(report)
    m = go.Figure()

    def group(country: str) -> str:
        if country in adversary:
            return "foreign adversary"
        return "allied or U.S." if allied.get(country, False) else "non-allied"

    for label, colour in (
        ("foreign adversary", "#b00020"),
        ("non-allied", "#e08a00"),
        ("allied or U.S.", "#1f5fa8"),
    ):
        rows = [f for f in report.facilities if group(f.country) == label and f.facility_id in coords]
        m.add_trace(
            go.Scatter(
                x=[coords[f.facility_id][1] for f in rows],
                y=[coords[f.facility_id][0] for f in rows],
                mode="markers",
                name=label,
                marker={"size": [8 + 30 * f.share for f in rows], "color": colour, "opacity": 0.7},
                text=[
                    f"{f.facility_id} ({f.country}): {', '.join(f.products)}; share {f.share:.2f}"
                    for f in rows
                ],
                hoverinfo="text",
            )
        )
    m.update_layout(
        title=f"Upstream facilities of {report.product_id} (longitude, latitude; size = share of units)",
        xaxis={"range": [-180, 180], "title": "longitude"},
        yaxis={"range": [-60, 80], "title": "latitude", "scaleanchor": "x"},
        height=520,
    )
    tiers = [t.tier for t in report.by_tier]
    b = go.Figure(
        [
            go.Bar(x=tiers, y=[t.foreign_adversary for t in report.by_tier], name="foreign adversary"),
            go.Bar(x=tiers, y=[t.non_allied for t in report.by_tier], name="non-allied"),
        ]
    )
    b.update_layout(
        title="Share of input lines through foreign-adversary and non-allied sites, by tier",
        xaxis={"title": "tier", "dtick": 1},
        yaxis={"title": "share", "range": [0, 1]},
        barmode="group",
        height=380,
    )
    return m, b


def _section(report: ExposureReport, coords: dict[str, tuple[float, float]], first: bool) -> str:
    m, b = _figures(report, coords)
    js: bool | str = "inline" if first else False
    parts = [
        f"<h1>{html.escape(report.product_id)}</h1>",
        f"<p>DPAS {report.priority}; demand {report.demand_per_day:,.1f}/day; upstream: "
        f"{report.upstream_facilities:,} facilities, {report.upstream_products:,} products, "
        f"{report.tiers} tiers, {report.countries} countries. Foreign-adversary share of input lines "
        f"<b>{report.foreign_adversary_share:.1%}</b>, non-allied <b>{report.non_allied_share:.1%}</b>.</p>",
        m.to_html(full_html=False, include_plotlyjs=js),
        b.to_html(full_html=False, include_plotlyjs=False),
        "<h2>Single points of failure</h2>",
        _table(
            ["product", "tier", "one", "facilities", "countries", "makers in twin", "share", "units/day"],
            [
                [
                    s.product_id,
                    s.tier,
                    ", ".join(s.kinds),
                    s.facilities,
                    " ".join(s.countries),
                    s.makers_in_twin,
                    s.share,
                    s.units_per_day,
                ]
                for s in report.single_points
            ],
        ),
        "<h2>Concentration (HHI, 0–10,000)</h2>",
        _table(
            ["product", "tier", "facilities", "HHI facility", "HHI country", "top country", "its share"],
            [
                [
                    c.product_id,
                    c.tier,
                    c.facilities,
                    c.hhi_facility,
                    c.hhi_country,
                    c.top_country,
                    c.top_country_share,
                ]
                for c in report.concentration
            ],
        ),
        "<h2>Foreign exposure by country</h2>",
        _table(
            ["country", "share", "foreign adversary", "allied"],
            [
                [c.country, c.share, "yes" if c.foreign_adversary else "", "yes" if c.allied else ""]
                for c in report.by_country
            ],
        ),
        "<h2>Paths that carry the most</h2>",
        _table(
            ["facility", "country", "tier", "share", "path share", "path"],
            [
                [p.facility_id, p.country, p.tier, p.share, p.path_share, " → ".join(p.path)]
                for p in report.paths
            ],
        ),
        "<h2>Criticality (simulated outages for each facility's TTR)</h2>",
        _table(
            ["rank", "facility", "country", "TTS days", "TTR days", "units lost", "REI"],
            [
                [
                    r.rank,
                    r.facility_id,
                    r.country,
                    "unbounded" if r.tts_days is None else r.tts_days,
                    r.ttr_days,
                    r.units_lost,
                    r.rei,
                ]
                for r in report.criticality
            ],
        ),
        "<h2>Time to survive and time to recover, per upstream facility</h2>",
        _table(
            [
                "facility",
                "country",
                "tier",
                "share",
                "TTS days",
                "TTR days",
                "flagged",
                "screened units lost",
            ],
            [
                [
                    r.facility_id,
                    r.country,
                    r.tier,
                    r.share,
                    "unbounded" if r.tts_days is None else r.tts_days,
                    r.ttr_days,
                    "TTR > TTS" if r.flagged else "",
                    r.screened_units_lost,
                ]
                for r in report.facilities
            ],
        ),
        "<h2>Common-mode cyber exposure</h2>",
        _table(
            ["platform", "upstream facilities", "in the twin", "share", "days down", "units lost"],
            [
                [p.platform, p.facilities, p.facilities_in_twin, p.share, p.days, p.units_lost]
                for p in report.cyber
            ],
        ),
    ]
    return "\n".join(parts)


def write_html(reports: Sequence[ExposureReport], coords: dict[str, tuple[float, float]], path: Path) -> None:
    """Write the reports as one HTML page at ``path`` (atomically: a temporary file, then renamed).

    ``coords`` maps facility ids to (lat, lon); facilities without coordinates are left off the map.
    """
    body = "\n<hr>\n".join(_section(r, coords, i == 0) for i, r in enumerate(reports))
    page = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>ArsenalNet exposure report</title>'
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)

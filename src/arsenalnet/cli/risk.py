"""Risk and exposure: ``arsenal risk``."""

from pathlib import Path
from typing import Annotated

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import typer
from rich.table import Table

from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.cli.risk_html import write_html
from arsenalnet.model.errors import InputError
from arsenalnet.network import Network, compile_network
from arsenalnet.propagate.system import build_system
from arsenalnet.risk.report import CYBER_DAYS, end_items, exposure_report
from arsenalnet.risk.results import ExposureReport
from arsenalnet.store import Store


def _days(v: float | None) -> str:
    return "unbounded" if v is None else f"{v:,.1f}"


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], more: int = 0) -> None:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="right" if c[0].isdigit() or c in _NUMERIC else "left")
    for r in rows:
        t.add_row(*r)
    console.print(t)
    if more > 0:
        console.print(f"  … {more:,} more (use --limit or --json)")


_NUMERIC = {
    "tier",
    "share",
    "units/day",
    "facilities",
    "makers in twin",
    "HHI facility",
    "HHI country",
    "units lost",
}
_NUMERIC |= {
    "TTS days",
    "TTR days",
    "REI",
    "rank",
    "in twin",
    "screened loss",
    "FA",
    "non-allied",
    "its share",
}


def render(r: ExposureReport, limit: int) -> None:
    """Print one end item's report as rich tables, ``limit`` rows per table."""
    console.print(
        f"[bold]{r.product_id}[/bold] (DPAS {r.priority}, {r.demand_per_day:,.1f}/day): "
        f"{r.upstream_facilities:,} upstream facilities, {r.upstream_products:,} products, {r.tiers} tiers, "
        f"{r.countries} countries; foreign-adversary share of input lines "
        f"[bold]{_pct(r.foreign_adversary_share)}[/bold], non-allied [bold]{_pct(r.non_allied_share)}[/bold]"
    )
    sp = r.single_points
    _table(
        "Single points of failure",
        ("product", "tier", "only one", "countries", "makers in twin", "share", "units/day"),
        [
            (
                s.product_id,
                str(s.tier),
                ", ".join(s.kinds),
                " ".join(s.countries),
                str(s.makers_in_twin),
                f"{s.share:.2f}",
                f"{s.units_per_day:,.1f}",
            )
            for s in sp[:limit]
        ],
        len(sp) - limit,
    )
    cc = r.concentration
    _table(
        "Concentration of supply (HHI, 0-10,000)",
        ("product", "tier", "facilities", "HHI facility", "HHI country", "top country", "its share"),
        [
            (
                c.product_id,
                str(c.tier),
                str(c.facilities),
                f"{c.hhi_facility:,.0f}",
                f"{c.hhi_country:,.0f}",
                c.top_country,
                _pct(c.top_country_share),
            )
            for c in cc[:limit]
        ],
        len(cc) - limit,
    )
    _table(
        "Foreign exposure by tier",
        ("tier", "facilities", "FA", "non-allied"),
        [(str(t.tier), str(t.facilities), _pct(t.foreign_adversary), _pct(t.non_allied)) for t in r.by_tier],
    )
    console.print(
        "By country: "
        + ", ".join(
            (
                f"[red]{c.country} {_pct(c.share)}[/red]"
                if c.foreign_adversary
                else f"{c.country} {_pct(c.share)}"
            )
            for c in r.by_country[:12]
        )
    )
    _table(
        "Paths from foreign-adversary and non-allied sites that carry the most",
        ("facility", "country", "share", "path"),
        [(p.facility_id, p.country, f"{p.share:.2f}", " → ".join(p.path)) for p in r.paths[:limit]],
    )
    fl = r.facilities
    _table(
        "Time to survive and time to recover (worst screened loss first)",
        ("facility", "country", "tier", "share", "TTS days", "TTR days", "flagged", "screened loss"),
        [
            (
                f.facility_id,
                f.country,
                str(f.tier),
                f"{f.share:.2f}",
                _days(f.tts_days),
                f"{f.ttr_days:,.0f}" + ("" if f.ttr_from_data else "*"),
                "[red]TTR > TTS[/red]" if f.flagged else "",
                f"{f.screened_units_lost:,.0f}",
            )
            for f in fl[:limit]
        ],
        len(fl) - limit,
    )
    cr = r.criticality
    if cr:
        _table(
            f"Criticality: each facility out for its TTR, simulated ({len(cr)} facilities, "
            f"{r.horizon_days} days)",
            ("rank", "facility", "country", "TTR days", "units lost", "REI"),
            [
                (
                    str(f.rank),
                    f.facility_id,
                    f.country,
                    f"{f.ttr_days:,.0f}",
                    f"{f.units_lost or 0:,.0f}",
                    f"{f.rei or 0:.3f}",
                )
                for f in cr[:limit]
            ],
            len(cr) - limit,
        )
    _table(
        "Common-mode cyber exposure: every upstream plant on one platform down",
        ("platform", "facilities", "in twin", "share", "units lost"),
        [
            (
                p.platform,
                str(p.facilities),
                f"{p.facilities_in_twin:,}",
                f"{p.share:.2f}",
                f"{p.units_lost:,.0f}",
            )
            for p in r.cyber
        ],
    )


def render_brief(reports: list[ExposureReport]) -> None:
    """A few lines per end item: the headline figures of its report (the demo's view)."""
    for r in reports:
        worst = r.criticality[0] if r.criticality else None
        console.print(
            f"[bold]{r.product_id}[/bold]: {r.upstream_facilities} upstream facilities over {r.tiers} tiers; "
            f"{len(r.single_points)} single points of failure; "
            f"{_pct(r.foreign_adversary_share)} of input lines "
            f"through foreign-adversary sites, {_pct(r.non_allied_share)} non-allied; "
            f"{sum(f.flagged for f in r.facilities)} facilities with TTR > TTS"
            + (
                f"; most critical: {worst.facility_id} ({worst.units_lost or 0:,.0f} units lost)"
                if worst
                else ""
            )
        )
    console.print("Full reports: `arsenal risk ID` (tables), `--json`, `--html FILE`.")


def _coords(store: Store, reports: list[ExposureReport]) -> dict[str, tuple[float, float]]:
    """(lat, lon) of the facilities in the reports that have them."""
    ids = sorted({f.facility_id for r in reports for f in r.facilities})
    fac = store.read_table("facility").select(["facility_id", "lat", "lon"])
    fac = fac.filter(pc.is_in(fac["facility_id"], value_set=pa.array(ids, pa.string())))
    return {
        str(i): (float(a), float(o))
        for i, a, o in zip(
            fac["facility_id"].to_pylist(), fac["lat"].to_pylist(), fac["lon"].to_pylist(), strict=True
        )
        if a is not None and o is not None and np.isfinite(a) and np.isfinite(o)
    }


def risk_reports(
    net: Network, products: list[str], top: int, cyber_days: int, quiet: bool
) -> list[ExposureReport]:
    """The reports of ``products``, with a progress bar."""
    with progress("Exposure", steps=1 + len(products), quiet=quiet) as step:
        step("firm-level system and baseline")
        system = build_system(net)
        reports = []
        for p in products:
            step(f"{p}: exposure, TTS/TTR, {top} outages simulated, cyber")
            reports.append(exposure_report(net, system, p, top=top, cyber_days=cyber_days))
    return reports


@app.command()
def risk(
    product: Annotated[str | None, typer.Argument(help="The end item (prd:…).")] = None,
    program: Annotated[
        str | None,
        typer.Option("--program", help="`all`: every end item with demand (or one end item's id)."),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top", min=0, help="Facilities simulated out for their TTR in the criticality ranking."
        ),
    ] = 100,
    cyber_days: Annotated[
        int,
        typer.Option("--cyber-days", min=1, help="Days every plant on one control-system platform is down."),
    ] = CYBER_DAYS,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows shown per table.")] = 10,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write one self-contained HTML page here.")
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Exposure of an end item over its whole upstream network: single points of failure, concentration,
    foreign exposure by tier and country, time to survive vs. time to recover, criticality (simulated
    outages) and common-mode cyber exposure. Definitions: docs/risk.md.

    Examples: `arsenal risk prd:155mm-shell`, `arsenal risk --program all --json`,
    `arsenal risk prd:guided-missile --html report.html`
    """
    if (product is None) == (program is None):
        raise InputError("give one end item (arsenal risk prd:…) or --program all")
    if html is not None and (html.is_dir() or not html.absolute().parent.is_dir()):
        raise InputError(f"--html {html}: not a file in an existing folder")
    with Store(db, read_only=True) as store:
        net = compile_network(store.read_tables())
        wanted = end_items(net) if program == "all" else [product or program or ""]
        if not wanted:
            raise InputError("the twin has no end item with demand (see `arsenal info`)")
        reports = risk_reports(net, wanted, top, cyber_days, quiet=json)
        coords = _coords(store, reports) if html else {}
    if html:
        write_html(reports, coords, html)
    if json:
        print_json(reports if program == "all" else reports[0])
        return
    for r in reports:
        render(r, limit)
    if html:
        console.print(f"HTML report: {html}")

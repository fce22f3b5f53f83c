"""Twins small enough to solve by hand (utilization 1: no ramp-up; no stocks unless said)."""

from pathlib import Path

from arsenalnet.amnet.capacity import am_capacity
from arsenalnet.network import Network, compile_network
from arsenalnet.network.am import compile_am
from arsenalnet.optimize.am import AmRoutes, am_routes
from arsenalnet.store import Store
from factories import Rows, network_of, store_rows

ORG = [{"org_id": "org:a", "name": "A", "country": "USA", "size_class": "small"}]


def fac(fid: str) -> dict[str, object]:
    return {"facility_id": fid, "org_id": "org:a", "name": fid, "country": "USA", "naics": "3329"}


def product(pid: str, kind: str = "end_item") -> dict[str, object]:
    return {"product_id": pid, "name": pid, "kind": kind, "unit": "each"}


def cap(fid: str, pid: str, capacity: float, inventory_days: float = 0.0) -> dict[str, object]:
    return {
        "facility_id": fid,
        "product_id": pid,
        "capacity_per_day": capacity,
        "utilization": 1.0,
        "inventory_days": inventory_days,
        "ramp_days": 1.0,
    }


def need(
    pid: str, customer: str, qty: float, priority: str, start: int, end: int | None
) -> dict[str, object]:
    return {
        "product_id": pid,
        "customer": customer,
        "qty_per_day": qty,
        "priority": priority,
        "start_day": start,
        "end_day": end,
    }


def option(fid: str, pid: str, name: str, extra: float, lead: float, cost: float) -> dict[str, object]:
    return {
        "facility_id": fid,
        "product_id": pid,
        "option": name,
        "extra_capacity_per_day": extra,
        "lead_time_days": lead,
        "cost": cost,
    }


def one_plant(
    tmp: Path, demand: list[dict[str, object]], capacity: float, options: Rows | None = None
) -> Network:
    """One plant fac:m makes prd:e (no inputs) at ``capacity`` a day."""
    rows: Rows = {
        "organization": ORG,
        "facility": [fac("fac:m")],
        "product": [product("prd:e")],
        "capability": [cap("fac:m", "prd:e", capacity)],
        "demand": demand,
    }
    return network_of(tmp / "one.duckdb", rows | (options or {}))


def two_tier_rows(lead: float, inventory_days: float = 0.0) -> Rows:
    """The rows of :func:`two_tiers`."""
    return {
        "organization": ORG,
        "facility": [fac("fac:s"), fac("fac:m")],
        "product": [product("prd:e"), product("prd:p", "part")],
        "bom_line": [{"parent_id": "prd:e", "child_id": "prd:p", "qty_per_unit": 1.0}],
        "capability": [cap("fac:s", "prd:p", 100), cap("fac:m", "prd:e", 100, inventory_days)],
        "supply_link": [
            {
                "supplier_id": "fac:s",
                "buyer_id": "fac:m",
                "product_id": "prd:p",
                "share": 1.0,
                "lead_time_days": lead,
                "mode": "truck",
            }
        ],
        "demand": [need("prd:e", "prog:x", 10, "DX", 0, 9)],
    }


def two_tiers(tmp: Path, lead: float, inventory_days: float = 0.0) -> Network:
    """fac:s makes prd:p (100/day); fac:m makes prd:e from one prd:p (100/day), holding
    ``inventory_days`` of it; prd:p travels ``lead`` days; a DX program needs 10 prd:e a day, days 0-9."""
    return network_of(tmp / "two.duckdb", two_tier_rows(lead, inventory_days))


def with_am_printer(tmp: Path, lead: float) -> tuple[Network, AmRoutes]:
    """:func:`two_tiers` plus an AM bureau fac:am whose one machine (on call from day 1) is
    qualified to print prd:p at 2.4 hours a unit (10 a day) with 1 day of post-processing."""
    rows = two_tier_rows(lead)
    rows["facility"] = [*rows["facility"], fac("fac:am")]
    rows["am_machine"] = [
        {
            "machine_id": "am:1",
            "facility_id": "fac:am",
            "process": "PBF-LB",
            "materials": ["17-4PH"],
            "build_x_mm": 250,
            "build_y_mm": 250,
            "build_z_mm": 300,
            "status": "available",
            "activation_days": 1,
        }
    ]
    rows["part_qualification"] = [
        {
            "qualification_id": "qual:p",
            "product_id": "prd:p",
            "process": "PBF-LB",
            "material": "17-4PH",
            "facility_id": "fac:am",
            "standard": "ISO/ASTM 52920",
            "print_hours_per_unit": 2.4,
            "post_processing_days": 1,
        }
    ]
    with Store(store_rows(tmp / "am.duckdb", rows), read_only=True) as store:
        tables = store.read_tables()
    net = compile_network(tables)
    fleet = compile_am(tables, net)
    return net, am_routes(net, fleet, am_capacity(fleet))

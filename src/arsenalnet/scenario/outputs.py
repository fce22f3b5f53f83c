"""Files a run leaves behind: the daily series (Parquet), end-item fulfillment, a plot, the summary."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from arsenalnet.network import Network
from arsenalnet.scenario.run import ScenarioRun


def series_table(net: Network, run: ScenarioRun) -> pa.Table:
    """One row per node and day on which the node's production differed from its baseline."""
    tr, sy = run.trajectory, run.system
    node = tr.change_node.astype(np.int64)
    facility = pa.DictionaryArray.from_arrays(
        pa.array(net.cap_facility[node].astype(np.int32)), net.facilities.ids
    )
    product = pa.DictionaryArray.from_arrays(
        pa.array(net.cap_product[node].astype(np.int32)), net.products.ids
    )
    base = sy.x0[sy.cap_node[node]]
    return pa.table(
        {
            "day": pa.array(tr.change_day),
            "facility_id": facility,
            "product_id": product,
            "production": pa.array(tr.change_production.astype(np.float64)),
            "baseline": pa.array(base),
            "ratio": pa.array(np.where(base > 0, tr.change_production / np.where(base > 0, base, 1.0), 1.0)),
        }
    )


def end_item_table(run: ScenarioRun) -> pa.Table:
    """One row per end item and day: demand, delivered, share met (units per day)."""
    days = run.trajectory.days
    cols: dict[str, list[object]] = {"day": [], "product_id": [], "priority": [], "met": []}
    for item in run.summary.end_items:
        cols["day"] += list(range(days))
        cols["product_id"] += [item.product_id] * days
        cols["priority"] += [item.priority] * days
        cols["met"] += item.met
    return pa.table(cols)


def write_plot(run: ScenarioRun, path: Path) -> None:
    """PNG of each end item's share of demand met, day by day."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    for item in run.summary.end_items:
        ax.plot(
            range(run.trajectory.days),
            [100 * m for m in item.met],
            label=f"{item.product_id} ({item.priority})",
        )
    ax.set_xlabel("day")
    ax.set_ylabel("demand met (%)")
    ax.set_ylim(-2, 102)
    ax.set_title(f"End-item fulfillment: {run.scenario.name}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_outputs(net: Network, run: ScenarioRun, directory: Path) -> list[Path]:
    """Write series.parquet, end_items.parquet, fulfillment.png and summary.json into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [
        directory / n for n in ("series.parquet", "end_items.parquet", "fulfillment.png", "summary.json")
    ]
    pq.write_table(series_table(net, run), paths[0])
    pq.write_table(end_item_table(run), paths[1])
    write_plot(run, paths[2])
    paths[3].write_text(json.dumps(dataclasses.asdict(run.summary), indent=2) + "\n")
    return paths

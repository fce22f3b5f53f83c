"""Files a sweep leaves behind, written all at once or not at all.

Into one folder: ``draws.parquet`` (one row per draw and end item), ``daily.parquet``
(one row per draw, end item and day), ``critical_path.parquet`` (one row per draw,
end item and facility on its critical path), ``summary.json`` and
``fulfillment_bands.png``. :func:`atomic_folder` writes them beside the target
and moves them into place only once all are written.
"""

import dataclasses
import json
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from arsenalnet.scenario.errors import SweepError
from arsenalnet.scenario.sweep import SweepResult
from arsenalnet.scenario.sweep_summary import SweepSummary, share_met

FILES = ("draws.parquet", "daily.parquet", "critical_path.parquet", "summary.json", "fulfillment_bands.png")
"""What a sweep writes, in that order."""


def check_out_folder(folder: Path) -> None:
    """Refuse, before any work, a folder that exists and holds something other than the files
    of an earlier run (``summary.json``): a sweep replaces such a folder whole."""
    if folder.exists() and (
        not folder.is_dir() or (any(folder.iterdir()) and not (folder / "summary.json").exists())
    ):
        raise SweepError(f"--out {folder}: exists and is not the folder of an earlier run; give another")


@contextmanager
def atomic_folder(folder: Path) -> Iterator[Path]:
    """Yield a new temporary folder beside ``folder``; when the block ends without an error it
    replaces ``folder`` (an earlier run's folder is removed), otherwise it is removed and
    ``folder`` is left as it was."""
    check_out_folder(folder)
    parent = folder.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{folder.name}.new-{secrets.token_hex(3)}"
    tmp.mkdir()  # with the user's umask, as the folder will keep
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = parent / f".{folder.name}.old-{secrets.token_hex(3)}" if folder.exists() else None
    if old is not None:
        folder.rename(old)
    tmp.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _item_ids(r: SweepResult, item: np.ndarray) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(item.astype(np.int32)), pa.array(r.items.product_ids))


def draws_table(r: SweepResult) -> pa.Table:
    """One row per draw and end item: units demanded, delivered and lost over the run, the
    lowest daily share met, and the events that occurred."""
    n, _, n_items = r.delivered.shape
    draw, item = np.repeat(np.arange(n), n_items), np.tile(np.arange(n_items), n)
    demanded, delivered = r.demand.sum(axis=1).ravel(), r.delivered.sum(axis=1).ravel()
    names = [e.name for e in r.scenario.events]
    events = [[names[e] for e in np.flatnonzero(row)] for row in r.occurred]
    return pa.table(
        {
            "draw": pa.array(draw, pa.int64()),
            "seed": pa.array(np.full(len(draw), r.seed), pa.int64()),
            "product_id": _item_ids(r, item),
            "demanded": demanded,
            "delivered": delivered,
            "lost": demanded - delivered,
            "worst_share": share_met(r.delivered, r.demand).min(axis=1).ravel(),
            "events": pa.array([events[d] for d in draw], pa.list_(pa.string())),
        }
    )


def daily_table(r: SweepResult) -> pa.Table:
    """One row per draw, end item and day: demand, delivered (units/day) and the share met."""
    n, days, n_items = r.delivered.shape
    grid = np.meshgrid(np.arange(n), np.arange(days), np.arange(n_items), indexing="ij")
    draw, day, item = (a.ravel() for a in grid)
    return pa.table(
        {
            "draw": pa.array(draw, pa.int64()),
            "product_id": _item_ids(r, item),
            "day": pa.array(day, pa.int32()),
            "demand": r.demand.ravel(),
            "delivered": r.delivered.ravel(),
            "met": share_met(r.delivered, r.demand).ravel(),
        }
    )


def critical_table(r: SweepResult) -> pa.Table:
    """One row per draw, end item and facility on that item's critical path in that draw;
    ``root``: the facility was shocked itself or its exports blocked."""
    c = r.critical
    return pa.table(
        {
            "draw": pa.array(c[:, 0], pa.int64()),
            "product_id": _item_ids(r, c[:, 1]),
            "facility_id": pa.DictionaryArray.from_arrays(
                pa.array(c[:, 2].astype(np.int32)), pa.array(r.facility_ids, pa.string())
            ),
            "root": pa.array(c[:, 3].astype(bool)),
        }
    )


def write_bands_plot(summary: SweepSummary, path: Path) -> None:
    """PNG: per end item, the P5-P95 band and the P50 line of the daily share of demand met."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = summary.end_items
    fig, axes = plt.subplots(len(items), 1, figsize=(9, 2.6 * len(items) + 0.8), dpi=110, squeeze=False)
    for ax, item in zip(axes[:, 0], items, strict=True):
        days = range(len(item.p50))
        p5, p50, p95 = ([100 * v for v in band] for band in (item.p5, item.p50, item.p95))
        ax.fill_between(days, p5, p95, alpha=0.3, label="P5-P95")
        ax.plot(days, p50, label="P50")
        low, high = item.lost_ci
        ax.set_title(
            f"{item.product_id} ({item.priority}): expected {item.lost:,.0f} units lost "
            f"[95% CI {low:,.0f}-{high:,.0f}], short in {100 * item.short_share:.1f}% of draws",
            fontsize=9,
        )
        ax.set_ylabel("demand met (%)")
        ax.set_ylim(-2, 102)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", fontsize=8)
    axes[-1, 0].set_xlabel("day")
    fig.suptitle(f"{summary.scenario}: {summary.runs:,} draws, seed {summary.seed}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_sweep(r: SweepResult, summary: SweepSummary, folder: Path) -> list[Path]:
    """Write :data:`FILES` into ``folder`` (a new or an emptied one)."""
    paths = [folder / name for name in FILES]
    pq.write_table(draws_table(r), paths[0])
    pq.write_table(daily_table(r), paths[1])
    pq.write_table(critical_table(r), paths[2])
    paths[3].write_text(json.dumps(dataclasses.asdict(summary), indent=2) + "\n")
    write_bands_plot(summary, paths[4])
    return paths

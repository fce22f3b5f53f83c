"""Files a plan leaves behind: its tables (Parquet), the plot, the summary, and the state a what-if
starts from; and where the last plan is remembered (a pointer in the user's cache folder)."""

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from arsenalnet.optimize.errors import PlanError
from arsenalnet.optimize.extract import Plan
from arsenalnet.optimize.frames import plan_tables
from arsenalnet.optimize.planner import Planned
from arsenalnet.optimize.state import from_arrays, to_arrays
from arsenalnet.optimize.summary import PlanSummary

STATE = "state.npz"
REQUEST = "request.json"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/arsenalnet/mobilize`` (default ``~/.cache/arsenalnet/mobilize``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "arsenalnet" / "mobilize"


def write_plot(plan: Plan, path: Path, title: str) -> None:
    """PNG: per end item, cumulative deliveries (solid) against cumulative requirements (dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = plan.problem
    items = list(dict.fromkeys(p.row_product.tolist()))
    fig, axes = plt.subplots(len(items), 1, figsize=(9, 2.8 * len(items) + 0.6), dpi=110, squeeze=False)
    days = p.bucket_start + p.bucket_len - 1
    for ax, item in zip(axes[:, 0], items, strict=True):
        rows = p.row_product == item
        ax.step(
            days, p.required[rows].sum(axis=0), where="post", linestyle="--", color="0.4", label="required"
        )
        ax.step(days, plan.delivered[rows].sum(axis=0), where="post", color="C0", label="delivered")
        ax.set_title(item, fontsize=9, loc="left")
        ax.set_ylabel("units (cumulative)")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    axes[-1, 0].set_xlabel("day")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_plan(
    planned: Planned, summary: PlanSummary, request: dict[str, Any], folder: Path, title: str
) -> None:
    """Tables, plot, summary and (for a base plan) the what-if state into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in plan_tables(planned.plan).items():
        pq.write_table(table, folder / f"{name}.parquet")
    write_plot(planned.plan, folder / "deliveries.png", title)
    (folder / "summary.json").write_text(json.dumps(dataclasses.asdict(summary), indent=2) + "\n")
    if request:
        np.savez(folder / STATE, **to_arrays(planned))  # type: ignore[arg-type]
        (folder / REQUEST).write_text(json.dumps(request, indent=2) + "\n")
        cache_dir().mkdir(parents=True, exist_ok=True)
        (cache_dir() / "last").write_text(str(folder.resolve()) + "\n")


def last_plan(folder: Path | None) -> Path:
    """The folder of the plan a what-if starts from: ``folder``, else the last plan made."""
    if folder is None:
        pointer = cache_dir() / "last"
        if not pointer.exists():
            raise PlanError("no plan to start the what-if from: run arsenal mobilize without --what-if first")
        folder = Path(pointer.read_text().strip())
    if not (folder / STATE).exists():
        raise PlanError(f"{folder} holds no plan to start a what-if from (no {STATE}): make one there first")
    return folder


def load_plan(folder: Path) -> tuple[Planned, dict[str, Any]]:
    """The plan stored in ``folder`` (a fresh HiGHS model, the stored bases) and its request."""
    with np.load(folder / STATE) as data:
        arrays = {k: data[k] for k in data.files}
    return from_arrays(arrays), json.loads((folder / REQUEST).read_text())

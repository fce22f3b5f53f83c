"""The plan read back from a solve: arrays in the problem's shapes, and per end item figures."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.optimize.problem import CLASS_NAMES, Problem
from arsenalnet.optimize.solve import Lp, SolveResult, Stage

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ItemOutcome:
    """One end item over the horizon (units): ``required`` and ``delivered`` by the last day,
    ``short`` = required - delivered, ``on_time`` units delivered in the bucket they were
    required in (the oldest need served first), ``late_unit_days`` the area between the
    cumulative requirement and cumulative deliveries (unit-days of lateness, counting what is
    never delivered until the horizon)."""

    product_id: str
    priority: str
    required: float
    delivered: float
    short: float
    on_time: float
    late_unit_days: float


@dataclass(frozen=True)
class Plan:
    """A solved plan. Shapes as in :class:`Problem` (K nodes, A arcs, S slots, R final arcs,
    D demand rows, O options, B buckets); quantities in units per bucket, ``delivered``
    cumulative, ``expansion`` the share of each option taken."""

    problem: Problem
    stages: tuple[Stage, ...]
    production: FloatArray
    shipment: FloatArray
    stock: FloatArray
    finished: FloatArray
    delivery: FloatArray
    delivered: FloatArray
    expansion: FloatArray
    am_print: FloatArray
    am_ship: FloatArray

    @property
    def arrivals(self) -> FloatArray:
        """(A, B) what arrives on each arc in each bucket (shipments shifted by the lag, times the
        share let through)."""
        p = self.problem
        out = np.zeros_like(self.shipment)
        a, b = np.nonzero(self.shipment)
        at = b + p.arc_lag[a]
        ok = at < p.n_buckets
        np.add.at(out, (a[ok], at[ok]), self.shipment[a[ok], b[ok]] * p.arc_pass[a[ok], b[ok]])
        return out

    def outcomes(self) -> list[ItemOutcome]:
        """Per end item (its demand rows added up), in the order of the request."""
        p = self.problem
        req = p.required
        done = self.delivered
        prev = np.concatenate([np.zeros((len(req), 1)), req[:, :-1]], axis=1)
        on_time = np.clip(np.minimum(req - prev, done - prev), 0.0, None).sum(axis=1)
        late = ((req - done) * p.bucket_len[None, :]).sum(axis=1)
        out = []
        for product in dict.fromkeys(p.row_product.tolist()):
            rows = p.row_product == product
            last = req[rows, -1].sum()
            got = done[rows, -1].sum()
            out.append(
                ItemOutcome(
                    product,
                    CLASS_NAMES[int(p.row_class[rows].min())],
                    float(last),
                    float(got),
                    float(max(last - got, 0.0)),
                    float(on_time[rows].sum()),
                    float(late[rows].sum()),
                )
            )
        return out


def values(lp: Lp, x: FloatArray, name: str) -> FloatArray:
    """The solution of variable family ``name`` in its shape (0 where masked)."""
    cols = lp.columns[name]
    out: FloatArray = np.where(cols >= 0, x[np.maximum(cols, 0)], 0.0) if x.size else np.zeros(cols.shape)
    return out


def extract(lp: Lp, result: SolveResult, problem: Problem) -> Plan:
    """The plan of a successful ``result``; tiny negative values (solver tolerance) become 0."""
    x = result.x

    def v(name: str) -> FloatArray:
        return np.maximum(values(lp, x, name), 0.0)

    return Plan(
        problem=problem,
        stages=result.stages,
        production=v("production"),
        shipment=v("shipment"),
        stock=v("stock"),
        finished=v("finished"),
        delivery=v("delivery"),
        delivered=v("delivered"),
        expansion=np.clip(values(lp, x, "expansion"), 0.0, 1.0),
        am_print=v("am-print"),
        am_ship=v("am-ship"),
    )

"""Solving the planner's LP lexicographically with HiGHS: one stage per DPAS class, then cost.

The model's matrices go to HiGHS once (:class:`Lp`). Each stage sets the objective to its
row of ``delivery-stage`` (maximize unit-days on time of DX rows, then DO, then unrated) or
to ``expansion-cost`` (minimize), solves from the basis the previous stage left, and holds
its optimum for the stages after it by bounding its own row: a maximized stage keeps at
least ``v - tolerance x max(1, |v|)``, a minimized one at most ``v + tolerance x max(1,
|v|)``. No weights combine the stages. A what-if changes bounds or coefficients in place and
runs the stages again, each from the basis that stage had before (:meth:`Lexicographic.run`).
"""

import os
import sys
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from arsenalnet.optimize.problem import CLASS_NAMES

if TYPE_CHECKING:
    import highspy
    import linopy

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TOLERANCE = 1e-9
"""Relative slack a later stage may take from an earlier stage's optimum, times max(1, |optimum|)
(HiGHS holds rows to its feasibility tolerance, 1e-7 absolute, after scaling)."""


FLOW_FAMILIES = ("production", "shipment", "am-print", "am-ship")
"""Variables the last (tie-break) stage minimizes the sum of."""
DUAL, PRIMAL = 1, 4
"""HiGHS ``simplex_strategy`` values: dual simplex, primal simplex."""


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    FAILED = "failed"


@dataclass(frozen=True)
class SolveOptions:
    """HiGHS settings: ``method`` is its ``solver`` option (choose, simplex, ipm, pdlp);
    ``tolerance`` the relative slack between stages; ``time_limit_s`` per stage."""

    method: str = "choose"
    tolerance: float = TOLERANCE
    time_limit_s: float = float("inf")
    threads: int = 0


@dataclass(frozen=True)
class Lp:
    """The model's matrices as HiGHS takes them, and where each family lies in them.

    ``columns[name]`` / ``rows[name]`` have the family's shape and hold the column / row of
    each entry (-1 where masked). ``stages`` lists (name, row, sense) of the stage rows.
    """

    a: sp.csr_matrix
    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    columns: dict[str, IntArray]
    rows: dict[str, IntArray]
    stages: tuple[tuple[str, int, str], ...]

    @classmethod
    def of(cls, model: "linopy.Model") -> "Lp":
        """The matrices of a model made by :func:`arsenalnet.optimize.build.build`."""
        m = model.matrices
        vlabels, clabels = np.asarray(m.vlabels, np.int64), np.asarray(m.clabels, np.int64)

        def where(labels: IntArray, known: IntArray) -> IntArray:
            pos = np.searchsorted(known, labels)
            hit = (labels >= 0) & (pos < len(known))
            hit[hit] = known[pos[hit]] == labels[hit]
            return np.where(hit, pos, -1).astype(np.int64)

        columns = {
            n: where(np.asarray(v.labels.values, np.int64), vlabels) for n, v in model.variables.items()
        }
        rows = {
            n: where(np.asarray(c.labels.values, np.int64), clabels) for n, c in model.constraints.items()
        }
        sense = np.asarray(m.sense)
        b = np.asarray(m.b, np.float64)
        stage_rows = rows["delivery-stage"]
        stages = tuple(
            (CLASS_NAMES[c], int(stage_rows[c]), "max") for c in range(len(CLASS_NAMES)) if stage_rows[c] >= 0
        )
        cost = int(rows["expansion-cost"][0])  # -1 where no option has a term
        return cls(
            a=sp.csr_matrix(m.A),
            col_lower=np.asarray(m.lb, np.float64),
            col_upper=np.asarray(m.ub, np.float64),
            row_lower=np.where(sense == "<", -np.inf, b),
            row_upper=np.where(sense == ">", np.inf, b),
            columns=columns,
            rows=rows,
            stages=(*stages, ("cost", cost, "min")) if cost >= 0 else stages,
        )

    def locate(self, indices: IntArray, *, rows: bool = True) -> list[tuple[str, tuple[int, ...]]]:
        """(family, coordinates) of each of ``indices`` (rows, or columns with ``rows=False``)."""
        families = self.rows if rows else self.columns
        out: dict[int, tuple[str, tuple[int, ...]]] = {}
        wanted = np.asarray(indices, np.int64)
        for name, where in families.items():
            flat = where.ravel()
            hit = np.flatnonzero(np.isin(flat, wanted))
            for i in hit:
                out[int(flat[i])] = (name, tuple(int(v) for v in np.unravel_index(i, where.shape)))
        return [out[int(i)] for i in wanted if int(i) in out]

    @property
    def n_cols(self) -> int:
        """Columns (variables)."""
        return int(self.a.shape[1])

    @property
    def n_rows(self) -> int:
        """Rows (constraints)."""
        return int(self.a.shape[0])


@dataclass(frozen=True)
class Stage:
    """One stage's result: ``optimum`` in unit-days (delivery stages) or USD (cost)."""

    name: str
    sense: str
    optimum: float
    seconds: float
    iterations: int


@dataclass(frozen=True)
class Iis:
    """An irreducible infeasible set: rows and columns of the LP whose bounds conflict."""

    rows: IntArray
    cols: IntArray


@dataclass(frozen=True)
class SolveResult:
    """The solve: ``x`` (columns) after the last stage; ``duals[i]`` the row duals of stage i
    (the change of that stage's objective per unit more right-hand side); ``bases[i]`` the basis
    stage i ended on (what a what-if starts that stage from)."""

    status: Status
    stages: tuple[Stage, ...] = ()
    x: FloatArray = field(default_factory=lambda: np.zeros(0))
    duals: tuple[FloatArray, ...] = ()
    bases: tuple[Any, ...] = ()
    seconds: float = 0.0
    failed_stage: str = ""
    iis: Iis | None = None

    def stage(self, name: str) -> Stage | None:
        """The stage called ``name`` (DX, DO, none, cost), if it ran."""
        return next((s for s in self.stages if s.name == name), None)


def new_highs() -> Any:
    """A silent HiGHS instance (its one-time banner, printed on the C side, does not reach stdout)."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with Path(os.devnull).open("w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.silent()
    return h


class Lexicographic:
    """A HiGHS model of an :class:`Lp`, solved stage by stage; kept for what-ifs."""

    def __init__(self, lp: Lp, options: SolveOptions | None = None) -> None:
        self.lp = lp
        self.options = options or SolveOptions()
        self.row_lower = lp.row_lower.copy()
        self.row_upper = lp.row_upper.copy()
        h = new_highs()
        h.passModel(self._highs_lp(lp))
        opts = self.options
        h.setOptionValue("solver", opts.method)
        if np.isfinite(opts.time_limit_s):
            h.setOptionValue("time_limit", float(opts.time_limit_s))
        if opts.threads:
            h.setOptionValue("threads", int(opts.threads))
        self.highs: Any = h

    @staticmethod
    def _highs_lp(lp: Lp) -> "highspy.HighsLp":
        import highspy

        csc = lp.a.tocsc()
        out = highspy.HighsLp()
        out.num_col_, out.num_row_ = lp.n_cols, lp.n_rows
        out.col_cost_ = np.zeros(lp.n_cols)
        out.col_lower_, out.col_upper_ = lp.col_lower, lp.col_upper
        out.row_lower_, out.row_upper_ = lp.row_lower, lp.row_upper
        out.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        out.a_matrix_.start_ = csc.indptr.astype(np.int32)
        out.a_matrix_.index_ = csc.indices.astype(np.int32)
        out.a_matrix_.value_ = csc.data.astype(np.float64)
        return out

    def set_rows(self, rows: IntArray, lower: FloatArray, upper: FloatArray) -> None:
        """Change the bounds of ``rows`` (what a what-if does to capacities)."""
        self.row_lower[rows], self.row_upper[rows] = lower, upper
        self.highs.changeRowsBounds(len(rows), rows.astype(np.int32), lower, upper)

    def set_cols(self, cols: IntArray, lower: FloatArray, upper: FloatArray) -> None:
        """Change the bounds of ``cols`` (what a what-if does to requirements)."""
        self.highs.changeColsBounds(len(cols), cols.astype(np.int32), lower, upper)

    def set_coefficients(self, rows: IntArray, cols: IntArray, values: FloatArray) -> None:
        """Change matrix entries (what a what-if does to a blocked link)."""
        for r, c, v in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True):
            self.highs.changeCoeff(int(r), int(c), float(v))

    def objectives(self) -> list[tuple[str, str, int, npt.NDArray[np.int32], FloatArray]]:
        """(name, sense, row to hold or -1, columns, coefficients) of each stage, in order: the
        delivery classes with demand, cost (if any option has a cost), then flow: the plan that
        makes and ships the fewest units among the optimal ones (a tie-break, so that nothing is
        made or moved that the plan does not use; the twin holds no prices to weigh them)."""
        lp, out = self.lp, []
        for name, row, sense in lp.stages:
            lo, hi = lp.a.indptr[row], lp.a.indptr[row + 1]
            if name != "cost" or hi > lo:
                out.append((name, sense, row, lp.a.indices[lo:hi].astype(np.int32), lp.a.data[lo:hi]))
        flow = np.concatenate([lp.columns[n][lp.columns[n] >= 0] for n in FLOW_FAMILIES]).astype(np.int32)
        out.append(("flow", "min", -1, flow, np.ones(len(flow))))
        return out

    def run(self, warm: SolveResult | None = None) -> SolveResult:
        """Solve every stage in order; each starts from ``warm``'s basis of the same stage if given
        (else from where the previous stage ended). Stage rows are freed first, then held one by one."""
        import highspy

        h, lp, tol = self.highs, self.lp, self.options.tolerance
        stage_rows = np.array([r for _, r, _ in lp.stages], dtype=np.int32)
        h.changeRowsBounds(
            len(stage_rows), stage_rows, self.row_lower[stage_rows], self.row_upper[stage_rows]
        )
        h.changeColsCost(lp.n_cols, np.arange(lp.n_cols, dtype=np.int32), np.zeros(lp.n_cols))
        start = dict(zip((s.name for s in warm.stages), warm.bases, strict=True)) if warm else {}
        began = time.perf_counter()
        stages: list[Stage] = []
        duals: list[FloatArray] = []
        bases: list[Any] = []
        for name, sense, row, cols, coef in self.objectives():
            h.changeColsCost(len(cols), cols, coef)
            h.changeObjectiveSense(
                highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
            )
            # a stored basis of this stage (a what-if: bounds moved) suits the dual simplex; the
            # basis the previous stage left (the objective moved) is primal feasible: primal simplex
            if name in start:
                h.setBasis(start[name])
            h.setOptionValue("simplex_strategy", DUAL if name in start or not stages else PRIMAL)
            t0 = time.perf_counter()
            h.run()
            status = h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                return self._failure(status, name, tuple(stages), time.perf_counter() - began)
            info = h.getInfo()
            v = float(info.objective_function_value)
            its = int(info.simplex_iteration_count) + max(int(info.ipm_iteration_count), 0)
            stages.append(Stage(name, sense, v, time.perf_counter() - t0, its))
            duals.append(np.asarray(h.getSolution().row_dual, dtype=np.float64))
            bases.append(h.getBasis())
            if row >= 0:
                slack = tol * max(1.0, abs(v))
                lo, hi = float(self.row_lower[row]), float(self.row_upper[row])
                h.changeRowBounds(
                    int(row), *((max(v - slack, lo), hi) if sense == "max" else (lo, min(v + slack, hi)))
                )
            h.changeColsCost(len(cols), cols, np.zeros(len(cols)))
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        return SolveResult(
            Status.OPTIMAL, tuple(stages), x, tuple(duals), tuple(bases), time.perf_counter() - began
        )

    def marginal(self, result: SolveResult, name: str, cols: IntArray) -> FloatArray:
        """Row duals of another LP: maximize the sum of ``cols`` (a class's deliveries by the
        horizon), holding the stages before stage ``name`` at their optima: what one more unit of
        a right-hand side buys in those units. Starts from that stage's basis."""
        import highspy

        h, lp = self.highs, self.lp
        row_of = {n: r for n, r, _ in lp.stages}
        for j, st in enumerate(result.stages):
            if st.name not in row_of:
                continue
            r = row_of[st.name]
            lo, hi = float(self.row_lower[r]), float(self.row_upper[r])
            if st.name != name and j < [s.name for s in result.stages].index(name):
                slack = self.options.tolerance * max(1.0, abs(st.optimum))
                lo, hi = (
                    (max(st.optimum - slack, lo), hi)
                    if st.sense == "max"
                    else (lo, min(st.optimum + slack, hi))
                )
            h.changeRowBounds(int(r), lo, hi)
        h.changeColsCost(lp.n_cols, np.arange(lp.n_cols, dtype=np.int32), np.zeros(lp.n_cols))
        h.changeColsCost(len(cols), cols.astype(np.int32), np.ones(len(cols)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.setBasis(result.bases[[s.name for s in result.stages].index(name)])
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return np.zeros(lp.n_rows)
        return np.asarray(h.getSolution().row_dual, dtype=np.float64)

    def _failure(self, status: Any, stage: str, done: tuple[Stage, ...], seconds: float) -> SolveResult:
        import highspy

        ms = highspy.HighsModelStatus
        if status == ms.kInfeasible:
            return SolveResult(Status.INFEASIBLE, done, seconds=seconds, failed_stage=stage, iis=self.iis())
        if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
            return SolveResult(Status.UNBOUNDED, done, seconds=seconds, failed_stage=stage)
        return SolveResult(Status.FAILED, done, seconds=seconds, failed_stage=f"{stage}: {status.name}")

    def iis(self) -> Iis:
        """An irreducible infeasible set of the current model (HiGHS ``getIis``, from the LP, reduced)."""
        import highspy

        h = self.highs
        strategy = int(highspy.IisStrategy.kIisStrategyFromLp) | int(
            highspy.IisStrategy.kIisStrategyIrreducible
        )
        h.setOptionValue("iis_strategy", strategy)
        _, iis = h.getIis()
        return Iis(np.asarray(iis.row_index_, np.int64), np.asarray(iis.col_index_, np.int64))


def solve(model: "linopy.Model", options: SolveOptions | None = None) -> SolveResult:
    """Solve ``model`` (from :func:`~arsenalnet.optimize.build.build`) stage by stage."""
    return Lexicographic(Lp.of(model), options).run()

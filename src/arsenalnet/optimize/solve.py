"""Solving the planner's LP lexicographically with HiGHS: one stage per DPAS class, then cost.

The model's matrices go to HiGHS once (:class:`Lp`). Each stage sets the objective to its
row of ``delivery-stage`` (maximize unit-days on time of DX rows, then DO, then unrated) or
to ``expansion-cost`` (minimize), solves from the basis the previous stage left, and holds
its optimum for the stages after it by bounding its own row: a maximized stage keeps at
least ``v - tolerance x max(1, |v|)``, a minimized one at most ``v + tolerance x max(1,
|v|)``. No weights combine the stages. A what-if changes bounds or coefficients in place and
runs the stages again, each from the basis that stage had before (:meth:`Lexicographic.run`).

The method is HiGHS's ``solver`` option: ``simplex`` (the default: exact vertices, bases for
warm starts), ``ipm`` (interior point, then crossover to a vertex) or ``pdlp`` (HiGHS's
first-order cuPDLP-C: approximate, no basis; on an NVIDIA GPU when HiGHS is built with CUDA,
on the CPU otherwise, as the PyPI wheel is). A pdlp optimum is held with a slack suited to
its tolerance and to how far its slightly infeasible point may lie above the optimum
(:data:`OVERSHOOT`), so that the next stage is not made infeasible by an optimum PDLP overshot.
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

from arsenalnet.optimize.errors import PlanError
from arsenalnet.optimize.problem import CLASS_NAMES

if TYPE_CHECKING:
    import highspy
    import linopy

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TOLERANCE = 1e-9
"""Relative slack a later stage may take from an earlier stage's optimum, times max(1, |optimum|)
(HiGHS holds rows to its feasibility tolerance, 1e-7 absolute, after scaling)."""


METHODS = ("simplex", "ipm", "pdlp")
"""HiGHS ``solver`` values the planner runs (``choose`` is the simplex method for an LP)."""
PDLP_TOLERANCE = 1e-7
"""HiGHS ``kkt_tolerance`` of a pdlp solve (its default): cuPDLP-C stops when the primal residual
(relative to 1 + ||b||), the dual residual (relative to 1 + ||c||) and the primal-dual gap
(relative to |c'x| + |b'y|) are all below it. At 1e-4, the HiGHS guide's suggestion, it stopped
on a 30-day plan of the 1M-facility twin with the DX optimum 2.7e-3 above the simplex's; at 1e-6
within 1e-8, but the hold that 1e-6 needs let a later stage move by 1e-4 on the hand cases."""
OVERSHOOT = 2.0
"""A pdlp stage's optimum v is held within ``pdlp_tolerance x max(1, |v|) + OVERSHOOT x e``,
where e = sum |y_i| d_i estimates how far PDLP's objective lies above the true optimum: its point
violates rows and bounds by d, so it meets the LP with its bounds moved by d, whose optimum
differs from the true one by about y'd (y: the duals). A hold tighter than the overshoot would
make the next stage infeasible. Measured on DX stages of the 1M-facility twin (30, 60 days,
150 without options; docs/mobilize.md): overshoots up to 9.6 unit-days (5.8 x tol x |v|),
each within e (9.8 there)."""
LIMITS = ("kTimeLimit", "kIterationLimit")
"""HiGHS model statuses of a solve stopped by a limit before its tolerance was reached."""

FLOW_FAMILIES = ("production", "shipment", "am-print", "am-ship")
"""Variables the last (tie-break) stage minimizes the sum of."""
DUAL, PRIMAL = 1, 4
"""HiGHS ``simplex_strategy`` values: dual simplex, primal simplex."""


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    LIMIT = "limit"
    FAILED = "failed"


@dataclass(frozen=True)
class SolveOptions:
    """HiGHS settings: ``method`` is its ``solver`` option (one of :data:`METHODS`);
    ``tolerance`` the relative slack between stages of an exact method; ``pdlp_tolerance`` the
    relative KKT tolerance of pdlp (:data:`PDLP_TOLERANCE`); ``time_limit_s`` and
    ``iteration_limit`` (0: none; HiGHS's ``pdlp_iteration_limit``, ``ipm_iteration_limit`` or
    ``simplex_iteration_limit``) per stage."""

    method: str = "simplex"
    tolerance: float = TOLERANCE
    time_limit_s: float = float("inf")
    threads: int = 0
    iteration_limit: int = 0
    pdlp_tolerance: float = PDLP_TOLERANCE

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise PlanError(f"the solver must be one of {', '.join(METHODS)}, got {self.method!r}")

    @property
    def hold(self) -> float:
        """Relative slack a stage's optimum is held with: ``tolerance`` for an exact method, at
        least ``pdlp_tolerance`` for pdlp (plus its estimated overshoot, :data:`OVERSHOOT`)."""
        return max(self.tolerance, self.pdlp_tolerance) if self.method == "pdlp" else self.tolerance


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
    infeasibility: float = 0.0
    """The largest bound or row violation of the stage's solution, as HiGHS measures it (units)."""
    slack: float = 0.0
    """How far the stages after it may move its objective off ``optimum`` (its units; 0: not held)."""


@dataclass(frozen=True)
class Iis:
    """An irreducible infeasible set: rows and columns of the LP whose bounds conflict."""

    rows: IntArray
    cols: IntArray


@dataclass(frozen=True)
class SolveResult:
    """The solve: ``x`` (columns) after the last stage; ``duals[i]`` the row duals of stage i
    (the change of that stage's objective per unit more right-hand side); ``bases[i]`` the basis
    stage i ended on (what a what-if starts that stage from; None after pdlp, which ends off a
    vertex); ``reason`` why a failed stage failed, in words."""

    status: Status
    stages: tuple[Stage, ...] = ()
    x: FloatArray = field(default_factory=lambda: np.zeros(0))
    duals: tuple[FloatArray, ...] = ()
    bases: tuple[Any, ...] = ()
    seconds: float = 0.0
    failed_stage: str = ""
    iis: Iis | None = None
    reason: str = ""

    def stage(self, name: str) -> Stage | None:
        """The stage called ``name`` (DX, DO, none, cost), if it ran."""
        return next((s for s in self.stages if s.name == name), None)


def _iterations(info: Any) -> int:
    """Simplex, interior point and PDLP iterations of a HiGHS run (HiGHS reports -1 for none)."""
    return sum(max(int(getattr(info, f"{m}_iteration_count")), 0) for m in ("simplex", "ipm", "pdlp"))


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
        if opts.method == "pdlp":
            h.setOptionValue("kkt_tolerance", float(opts.pdlp_tolerance))
        if opts.iteration_limit:
            h.setOptionValue(f"{opts.method}_iteration_limit", int(opts.iteration_limit))
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

        h, lp = self.highs, self.lp
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
            if start.get(name) is not None:
                h.setBasis(start[name])
            h.setOptionValue("simplex_strategy", DUAL if name in start or not stages else PRIMAL)
            t0 = time.perf_counter()
            status = self._run()
            if not self._solved(status):
                return self._failure(status, name, tuple(stages), time.perf_counter() - began)
            info = h.getInfo()
            v = float(info.objective_function_value)
            slack = self._slack(v) if row >= 0 else 0.0
            gap = float(info.max_primal_infeasibility)
            stages.append(Stage(name, sense, v, time.perf_counter() - t0, _iterations(info), gap, slack))
            duals.append(np.asarray(h.getSolution().row_dual, dtype=np.float64))
            basis = h.getBasis()
            bases.append(basis if basis.valid else None)
            if row >= 0:
                self._hold(row, sense, v, slack)
            h.changeColsCost(len(cols), cols, np.zeros(len(cols)))
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        return SolveResult(
            Status.OPTIMAL, tuple(stages), x, tuple(duals), tuple(bases), time.perf_counter() - began
        )

    def _run(self) -> Any:
        """Run HiGHS and return its model status. HiGHS counts ``time_limit`` over all the runs of
        an instance, so the limit is set to the run time so far plus ``time_limit_s``."""
        h = self.highs
        if np.isfinite(self.options.time_limit_s):
            h.setOptionValue("time_limit", float(h.getRunTime()) + float(self.options.time_limit_s))
        h.run()
        return h.getModelStatus()

    def _solved(self, status: Any) -> bool:
        """Whether the stage has a solution to hold and go on from. Besides an optimum: a pdlp
        point HiGHS calls ``kUnknown`` because its absolute re-check of the duals fails where
        PDLP's relative criteria held (the HiGHS guide warns of this), accepted when HiGHS finds
        the primal point feasible and the primal and dual objectives agree within the tolerance."""
        import highspy

        if status == highspy.HighsModelStatus.kOptimal:
            return True
        info = self.highs.getInfo()
        return bool(
            self.options.method == "pdlp"
            and status == highspy.HighsModelStatus.kUnknown
            and info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
            and info.primal_dual_objective_error <= self.options.pdlp_tolerance
        )

    def _slack(self, optimum: float) -> float:
        """The slack to hold the optimum just found with (:attr:`SolveOptions.hold`, :data:`OVERSHOOT`)."""
        slack = self.options.hold * max(1.0, abs(optimum))
        if self.options.method != "pdlp":
            return slack
        h = self.highs
        sol, m = h.getSolution(), h.getLp()

        def off(v: Any, lo: Any, hi: Any) -> FloatArray:
            x = np.asarray(v, dtype=np.float64)
            out: FloatArray = np.maximum(0.0, np.maximum(np.asarray(lo) - x, x - np.asarray(hi)))
            return out

        rows = off(sol.row_value, m.row_lower_, m.row_upper_)
        cols = off(sol.col_value, m.col_lower_, m.col_upper_)
        e = np.abs(np.asarray(sol.row_dual)) @ rows + np.abs(np.asarray(sol.col_dual)) @ cols
        return slack + OVERSHOOT * float(e)

    def _hold(self, row: int, sense: str, optimum: float, slack: float) -> None:
        """Bound stage row ``row`` to keep ``optimum`` within ``slack`` for the stages after it."""
        lo, hi = float(self.row_lower[row]), float(self.row_upper[row])
        self.highs.changeRowBounds(
            int(row), *((max(optimum - slack, lo), hi) if sense == "max" else (lo, min(optimum + slack, hi)))
        )

    def marginal(self, result: SolveResult, name: str, cols: IntArray) -> FloatArray:
        """Row duals of another LP: maximize the sum of ``cols`` (a class's deliveries by the
        horizon), holding the stages before stage ``name`` at their optima: what one more unit of
        a right-hand side buys in those units. Starts from that stage's basis (if it has one)."""
        import highspy

        h, lp = self.highs, self.lp
        row_of = {n: r for n, r, _ in lp.stages}
        names = [s.name for s in result.stages]
        for j, st in enumerate(result.stages):
            if st.name not in row_of:
                continue
            r = row_of[st.name]
            h.changeRowBounds(int(r), float(self.row_lower[r]), float(self.row_upper[r]))
            if j < names.index(name):
                self._hold(r, st.sense, st.optimum, st.slack)
        h.changeColsCost(lp.n_cols, np.arange(lp.n_cols, dtype=np.int32), np.zeros(lp.n_cols))
        h.changeColsCost(len(cols), cols.astype(np.int32), np.ones(len(cols)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        basis = result.bases[names.index(name)]
        if basis is not None:
            h.setBasis(basis)
        if not self._solved(self._run()):
            return np.zeros(lp.n_rows)
        return np.asarray(h.getSolution().row_dual, dtype=np.float64)

    def _failure(self, status: Any, stage: str, done: tuple[Stage, ...], seconds: float) -> SolveResult:
        """The result of a stage that ended without an optimum. A first-order method does not
        prove infeasibility (cuPDLP-C may call an infeasible LP unbounded): the simplex method
        re-solves the stage for the verdict, and computes the irreducible set."""
        import highspy

        ms, h = highspy.HighsModelStatus, self.highs
        if status.name in LIMITS:
            what = "time" if status.name == "kTimeLimit" else "iteration"
            its = _iterations(h.getInfo())
            return SolveResult(
                Status.LIMIT,
                done,
                seconds=seconds,
                failed_stage=stage,
                reason=f"stopped at its {what} limit after {its:,} iterations",
            )
        claimed = status.name
        if self.options.method != "simplex":
            h.setOptionValue("solver", "simplex")
            status = self._run()
        try:
            if status == ms.kInfeasible:
                return SolveResult(
                    Status.INFEASIBLE, done, seconds=seconds, failed_stage=stage, iis=self.iis()
                )
            if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
                return SolveResult(Status.UNBOUNDED, done, seconds=seconds, failed_stage=stage)
            reason = f"it ended with status {claimed}" + (
                f" (the simplex method finds {status.name})" if self.options.method != "simplex" else ""
            )
            return SolveResult(Status.FAILED, done, seconds=seconds, failed_stage=stage, reason=reason)
        finally:
            h.setOptionValue("solver", self.options.method)

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

"""A solved plan as plain arrays, and back: what a later process needs to run a what-if.

``to_arrays`` holds the problem, the LP's matrices and layout, the solve's method and
tolerances, the solution and each stage's basis (none after pdlp); ``from_arrays`` gives back a
:class:`Planned` whose HiGHS model is passed the matrices directly (no linopy, no Network) and
runs the same method: a what-if then starts from the stored bases, or cold where there are none.
"""

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from arsenalnet.optimize.extract import extract
from arsenalnet.optimize.planner import Planned, Session
from arsenalnet.optimize.problem import Problem
from arsenalnet.optimize.solve import Lexicographic, Lp, SolveOptions, SolveResult, Stage, Status

Arrays = dict[str, npt.NDArray[Any]]


def _basis_arrays(basis: Any) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
    return (
        np.fromiter((int(s) for s in basis.col_status), np.int8, len(basis.col_status)),
        np.fromiter((int(s) for s in basis.row_status), np.int8, len(basis.row_status)),
    )


def _basis(cols: npt.NDArray[np.int8], rows: npt.NDArray[np.int8]) -> Any:
    import highspy

    status = list(highspy.HighsBasisStatus.__members__.values())
    by_value = {int(s): s for s in status}
    b = highspy.HighsBasis()
    b.col_status = [by_value[int(v)] for v in cols]
    b.row_status = [by_value[int(v)] for v in rows]
    b.valid = True
    return b


def to_arrays(planned: Planned) -> Arrays:
    """Everything a what-if needs, as named arrays (``np.savez`` writes them)."""
    p, lp, r = planned.problem, planned.lp, planned.result
    out: Arrays = {f"problem.{f.name}": np.asarray(getattr(p, f.name)) for f in dataclasses.fields(Problem)}
    out |= {
        "lp.data": lp.a.data,
        "lp.indices": lp.a.indices,
        "lp.indptr": lp.a.indptr,
        "lp.shape": np.array(lp.a.shape),
        "lp.col_lower": lp.col_lower,
        "lp.col_upper": lp.col_upper,
        "lp.row_lower": lp.row_lower,
        "lp.row_upper": lp.row_upper,
        "lp.stage_names": np.array([s[0] for s in lp.stages]),
        "lp.stage_rows": np.array([s[1] for s in lp.stages]),
        "lp.stage_senses": np.array([s[2] for s in lp.stages]),
        "result.names": np.array([s.name for s in r.stages]),
        "result.senses": np.array([s.sense for s in r.stages]),
        "result.optima": np.array([s.optimum for s in r.stages]),
        "result.seconds": np.array([s.seconds for s in r.stages]),
        "result.iterations": np.array([s.iterations for s in r.stages]),
        "result.infeasibility": np.array([s.infeasibility for s in r.stages]),
        "result.slack": np.array([s.slack for s in r.stages]),
        "result.x": r.x,
        "options.method": np.array(planned.session.solver.options.method),
        "options.tolerance": np.array(planned.session.solver.options.tolerance),
        "options.pdlp_tolerance": np.array(planned.session.solver.options.pdlp_tolerance),
    }
    out |= {f"col.{n}": v for n, v in lp.columns.items()} | {f"row.{n}": v for n, v in lp.rows.items()}
    for i, basis in enumerate(r.bases):
        if basis is not None:
            out[f"basis.{i}.cols"], out[f"basis.{i}.rows"] = _basis_arrays(basis)
    return out


def options_of(a: Arrays) -> SolveOptions:
    """The method and tolerances the stored plan was solved with (simplex for plans stored before
    the method was)."""
    if "options.method" not in a:
        return SolveOptions()
    return SolveOptions(
        method=str(a["options.method"]),
        tolerance=float(a["options.tolerance"]),
        pdlp_tolerance=float(a["options.pdlp_tolerance"]),
    )


def from_arrays(a: Arrays, options: SolveOptions | None = None) -> Planned:
    """The :class:`Planned` that ``to_arrays`` stored, with a fresh HiGHS model of its LP
    (solved as ``options`` say, by default as the plan was)."""
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(Problem):
        v = a[f"problem.{f.name}"]
        fields[f.name] = v.item() if v.ndim == 0 else v
    problem = Problem(**fields)
    shape = tuple(int(v) for v in a["lp.shape"])
    lp = Lp(
        a=sp.csr_matrix((a["lp.data"], a["lp.indices"], a["lp.indptr"]), shape=shape),
        col_lower=a["lp.col_lower"],
        col_upper=a["lp.col_upper"],
        row_lower=a["lp.row_lower"],
        row_upper=a["lp.row_upper"],
        columns={k[4:]: v for k, v in a.items() if k.startswith("col.")},
        rows={k[4:]: v for k, v in a.items() if k.startswith("row.")},
        stages=tuple(
            (str(n), int(r), str(s))
            for n, r, s in zip(a["lp.stage_names"], a["lp.stage_rows"], a["lp.stage_senses"], strict=True)
        ),
    )
    names = [str(n) for n in a["result.names"]]
    stages = tuple(
        Stage(n, str(s), float(o), float(t), int(i), float(g), float(h))
        for n, s, o, t, i, g, h in zip(
            names,
            a["result.senses"],
            a["result.optima"],
            a["result.seconds"],
            a["result.iterations"],
            a.get("result.infeasibility", np.zeros(len(names))),
            a.get("result.slack", np.zeros(len(names))),
            strict=True,
        )
    )
    bases = tuple(
        _basis(a[f"basis.{i}.cols"], a[f"basis.{i}.rows"]) if f"basis.{i}.cols" in a else None
        for i in range(len(names))
    )
    result = SolveResult(Status.OPTIMAL, stages, a["result.x"], (), bases)
    solver = Lexicographic(lp, options or options_of(a))
    return Planned(problem, Session(lp, solver, problem), result, extract(lp, result, problem))

"""`arsenal mobilize --solver pdlp` against the default simplex on the 1M-facility twin.

Target (issue 6): on the largest instance (the three reference programs, 180 days, daily
buckets), the first-order path's time and each stage's objective gap to HiGHS's simplex,
<= 1e-4 relative. The pdlp path is HiGHS's own cuPDLP-C (``solver="pdlp"``): on the CPU with
the PyPI wheel of highspy, on an NVIDIA GPU only with a HiGHS built with CUDA (not measured here).

For each horizon: the LP's size, then the lexicographic stages with the simplex method (the
default) and with pdlp (KKT tolerance 1e-7, each stage under ``LIMIT_S`` seconds), per stage
the seconds, iterations, optimum and the relative gap |pdlp - simplex| / max(1, |simplex|),
with the slack each stage was held with; a pdlp stage that stops at its limit is printed as
such, and the stages after it do not run.

Usage: .venv/bin/python benchmarks/bench_mobilize_pdlp.py STORE.duckdb [SURGE] [LIMIT_S] [HORIZON ...]
(STORE: ``.venv/bin/arsenal generate --facilities 1000000 --seed 1 --db /tmp/pdlp1m.duckdb``;
SURGE defaults to 3, LIMIT_S to 600, HORIZON to 180)
"""

import sys
import time
from pathlib import Path

from arsenalnet.optimize.build import build
from arsenalnet.optimize.solve import Lexicographic, Lp, SolveOptions, SolveResult, new_highs
from bench_mobilize import problem, twin
from machine import describe, load_average, peak_gib


def stages(label: str, result: SolveResult, wall: float) -> None:
    """Each stage of ``result`` in one line, then how the solve ended."""
    for s in result.stages:
        print(
            f"  {label:7s} {s.name:5s} {s.seconds:8.2f} s {s.iterations:>10,} it.  optimum {s.optimum:18,.4f}"
            f"  held within {s.slack:.3g}  largest violation {s.infeasibility:.2g}"
        )
    if result.failed_stage:
        print(f"  {label:7s} {result.failed_stage:5s} {result.status}: {result.reason}")
    print(f"  {label:7s} all stages {wall:8.2f} s")


def main() -> None:
    store = Path(sys.argv[1])
    surge = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    horizons = [int(h) for h in sys.argv[4:]] or [180]
    print(f"machine: {describe()}; HiGHS {new_highs().version()} (the PyPI wheel: CPU)", flush=True)
    net, system, options, routes = twin(store, surge)
    for horizon in horizons:
        lp = Lp.of(build(problem(net, system, options, routes, surge, horizon)))
        print(
            f"\nhorizon {horizon} days: {lp.n_cols:,} variables, {lp.n_rows:,} constraints, "
            f"{lp.a.nnz:,} nonzeros"
        )
        results = {}
        for method in ("simplex", "pdlp"):
            t0, load = time.perf_counter(), load_average()
            result = Lexicographic(lp, SolveOptions(method=method, time_limit_s=limit)).run()
            results[method] = result
            stages(method, result, time.perf_counter() - t0)
            print(f"  {method:7s} load average {load:.1f} -> {load_average():.1f}", flush=True)
        gaps = [
            (e.name, abs(f.optimum - e.optimum) / max(1.0, abs(e.optimum)))
            for e, f in zip(results["simplex"].stages, results["pdlp"].stages, strict=False)
        ]
        worst = max((g for _, g in gaps), default=float("nan"))
        print(
            "  gap pdlp/simplex: "
            + ", ".join(f"{n} {g:.1e}" for n, g in gaps)
            + f" (largest {worst:.1e}; target <= 1e-4)"
            + ("" if len(gaps) == len(results["simplex"].stages) else "; later stages not reached")
        )
        print(f"  peak memory {peak_gib():.2f} GiB", flush=True)
    print("\nGPU: not measured (no GPU on this machine; the highspy wheel runs cuPDLP-C on the CPU)")


if __name__ == "__main__":
    main()

"""Where a sweep's batches run: this process, a process pool, or Ray. One code path.

Every executor runs :func:`~arsenalnet.scenario.batch.run_batch` on the same
:class:`~arsenalnet.scenario.batch.SweepJob` and the same batches, and hands the
results back in batch order, so a sweep's results do not depend on where it
ran. The job (the compiled system and the scenario's plan) goes to each worker
once: as the pool's initializer argument, or into Ray's object store
(``ray.put``), not once per task.
"""

import multiprocessing
import os
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from arsenalnet.scenario.batch import BatchResult, SweepJob, run_batch
from arsenalnet.scenario.errors import ExecutorError, SweepError

Batches = Sequence[Sequence[int]]
Done = Callable[[BatchResult], None]
RAY_CONNECT_TIMEOUT_S = 5.0
"""How long to wait for a Ray cluster's address to answer before giving up."""
LOCAL_START_TRIES = 3
"""Attempts at starting a local Ray."""


class Executor(Protocol):
    """Runs batches of draws; calls ``done`` as each finishes; returns results in batch order."""

    name: str

    def check(self) -> None:
        """Fail fast, before any work, if the executor cannot run (an unreachable cluster)."""
        ...

    def run(self, job: SweepJob, batches: Batches, done: Done) -> list[BatchResult]:
        """Every batch's result, in the order of ``batches``."""
        ...


@dataclass
class InProcess:
    """Batches one after the other in this process (on one core: see ``ENGINE_THREADS``)."""

    name: str = "in-process"

    def check(self) -> None:
        """Nothing to check."""

    def run(self, job: SweepJob, batches: Batches, done: Done) -> list[BatchResult]:
        """Every batch's result, in order."""
        out = []
        for b in batches:
            out.append(run_batch(job, b))
            done(out[-1])
        return out


_JOB: list[SweepJob] = []  # a pool worker's job, set once by its initializer


def _init_worker(job: SweepJob) -> None:
    _JOB[:] = [job]


def _pool_batch(draws: Sequence[int]) -> BatchResult:
    return run_batch(_JOB[0], draws)


@dataclass
class Pool:
    """A pool of ``workers`` processes, started fresh (``spawn``: no numba threads or locks
    inherited by a fork), each given the job once."""

    workers: int
    name: str = "process pool"

    def check(self) -> None:
        """Nothing to check."""

    def run(self, job: SweepJob, batches: Batches, done: Done) -> list[BatchResult]:
        """Every batch's result, in order."""
        out: list[BatchResult | None] = [None] * len(batches)
        with ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(job,),
        ) as pool:
            pending = {pool.submit(_pool_batch, b): k for k, b in enumerate(batches)}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    out[pending.pop(f)] = f.result()
                    done(f.result())
        return [r for r in out if r is not None]


def check_reachable(address: str, timeout: float = RAY_CONNECT_TIMEOUT_S) -> None:
    """Refuse, fast and in one line, a Ray address (``host:port`` or ``ray://host:port``)
    that does not answer."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise SweepError(f"--ray {address}: expected auto, HOST:PORT or ray://HOST:PORT")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise SweepError(f"cannot reach the Ray cluster at {address}: {reason}") from e


@dataclass
class Ray:
    """Ray tasks, one per batch, each on one CPU. ``address`` None starts a local Ray with
    ``workers`` CPUs (``--ray auto``) and stops it after; an address joins that cluster,
    whose nodes must have arsenalnet installed."""

    address: str | None
    workers: int
    name: str = "ray"

    def check(self) -> None:
        """The cluster's address answers (a local Ray needs nothing)."""
        if self.address is not None:
            check_reachable(self.address)

    def run(self, job: SweepJob, batches: Batches, done: Done) -> list[BatchResult]:
        """Every batch's result, in order."""
        self.check()
        import ray  # ~2 s: only when asked for

        started = not ray.is_initialized()
        if started:
            self._start(ray)
        try:
            task = ray.remote(num_cpus=1)(run_batch)
            job_ref = ray.put(job)  # once: every task reads it from the object store
            pending = {task.remote(job_ref, list(b)): k for k, b in enumerate(batches)}
            out: list[BatchResult | None] = [None] * len(batches)
            while pending:
                finished, _ = ray.wait(list(pending), num_returns=1)
                for ref in finished:
                    out[pending.pop(ref)] = result = ray.get(ref)
                    done(result)
            return [r for r in out if r is not None]
        finally:
            if started:
                ray.shutdown()

    def _start(self, ray: Any) -> None:
        """Join the cluster, or start a local Ray, tried three times: ray 2.60 gives its raylet 30 s
        to come up (hard-coded), which a busy machine can miss."""
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        options |= {"logging_level": "ERROR"}
        if self.address is not None:
            try:
                ray.init(address=self.address, **options)
            except (ConnectionError, RuntimeError) as e:
                raise SweepError(f"cannot join the Ray cluster at {self.address}: {e}") from e
            return
        for attempt in range(LOCAL_START_TRIES):
            try:
                ray.init(num_cpus=self.workers, **options)
                return
            except Exception as e:  # ray raises a bare Exception when its node is slow to start
                ray.shutdown()
                if attempt == LOCAL_START_TRIES - 1:
                    raise ExecutorError(f"could not start a local Ray with {self.workers} CPUs: {e}") from e


def choose_executor(ray: str | None, workers: int | None) -> Executor:
    """``arsenal sweep``'s choice: Ray when ``ray`` is given (``auto``: a local Ray with
    ``workers`` CPUs, default every core; else a cluster's address), a pool of ``workers``
    processes when more than one, else this process."""
    if workers is not None and workers < 1:
        raise SweepError(f"--workers must be an integer >= 1, got {workers}")
    if ray is not None:
        return Ray(None if ray == "auto" else ray, workers or os.cpu_count() or 1)
    return Pool(workers) if workers is not None and workers > 1 else InProcess()

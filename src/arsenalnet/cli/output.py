"""Printing: rich tables for people, JSON for machines, a progress display for long work."""

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console()
err_console = Console(stderr=True)


def print_json(obj: Any) -> None:
    """Write ``obj`` (dataclasses allowed) as JSON to standard output."""

    def default(o: Any) -> Any:
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return dataclasses.asdict(o)
        raise TypeError(f"cannot serialize {type(o).__name__}")

    sys.stdout.write(json.dumps(obj, default=default, indent=2) + "\n")


@contextmanager
def progress(title: str, *, steps: int | None = None, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A live progress bar on stderr (in a terminal); yields ``step(message)``.

    Each call of ``step`` starts the next of ``steps`` phases (the bar fills
    by one); with ``steps=None`` the bar pulses.
    """
    if quiet or not err_console.is_terminal:
        yield lambda msg: None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=None),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=steps)
        done = [0]

        def step(msg: str) -> None:
            if done[0] and steps is not None:
                bar.advance(task)
            done[0] += 1
            bar.update(task, description=f"{title}: {msg}")

        yield step
        if steps is not None:
            bar.update(task, completed=steps)

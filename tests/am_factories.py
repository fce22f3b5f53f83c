"""Helpers for the additive-manufacturing tests: the AM fixture layered on the tiny twin."""

from pathlib import Path

from arsenalnet.ingest import import_files
from arsenalnet.store import Store
from factories import FIXTURES, TINY

AM = FIXTURES / "am"
"""tests/fixtures/am: prd:fuze-housing, six machines at three tiny-twin plants, four qualifications
(one in a material its machine lacks: it qualifies nothing)."""


def load_am_twin(store: Store) -> None:
    """Import the tiny twin, then the AM fixture, into ``store``."""
    import_files(store, sorted(TINY.glob("*.csv")))
    import_files(store, sorted(AM.glob("*.csv")))


def am_twin(path: Path) -> Path:
    """A store file at ``path`` holding the tiny twin and the AM fixture."""
    with Store(path) as store:
        load_am_twin(store)
    return path

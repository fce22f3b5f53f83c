"""Parameters of the propagation engine, with their defaults and units.

Every value can be overridden in a scenario file under ``params:``.
"""

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Params:
    """Behaviour of firms in the firm-level model (units in each field's doc)."""

    restore_days: float = 6.0
    """Characteristic time to rebuild an input inventory towards its target (days);
    the tau of Hallegatte's ARIO and of Inoue and Todo (2019)."""
    switch_days: int = 7
    """Days before a buyer reacts to a supplier that delivers less than ordered by
    shifting orders to its other suppliers of the product (and back on recovery)."""

    @staticmethod
    def smallest(name: str) -> float:
        """The smallest value a parameter may take (``restore_days`` must be > 0: it divides)."""
        return {"restore_days": 1e-9}.get(name, 0.0)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The names a scenario may override."""
        return tuple(f.name for f in fields(cls))

"""``generate_twin``: the national synthetic industrial base, generic part plus reference items."""

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from arsenalnet.model.errors import InputError
from arsenalnet.synth.am import enroll_am_network
from arsenalnet.synth.expansion import expansion_options
from arsenalnet.synth.generic import generate_generic
from arsenalnet.synth.recovery import with_recovery
from arsenalnet.synth.reference import REFERENCE_END_ITEMS, add_reference_items

MIN_FACILITIES = 1_000
MAX_FACILITIES = 2_000_000

__all__ = ["MAX_FACILITIES", "MIN_FACILITIES", "REFERENCE_END_ITEMS", "generate_twin"]


def generate_twin(
    n_facilities: int, seed: int, progress: Callable[[str], None] | None = None
) -> dict[str, pa.Table]:
    """A deterministic synthetic twin: ``n_facilities`` generic facilities plus the
    plants of the three reference end items and an enrolled additive-manufacturing network,
    as Arrow tables keyed by table name.

    Same ``n_facilities`` and ``seed``, same tables, bit for bit: the generic
    base, the reference items, recovery times, the AM network and expansion options draw
    from separate streams of ``seed``.
    """
    if not MIN_FACILITIES <= n_facilities <= MAX_FACILITIES:
        raise InputError(
            f"--facilities must be between {MIN_FACILITIES:,} and {MAX_FACILITIES:,}, got {n_facilities:,}"
        )
    if seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {seed}")
    twin = generate_generic(n_facilities, np.random.default_rng([seed, 0]), progress)
    twin = add_reference_items(twin, np.random.default_rng([seed, 1]), progress)
    twin["facility"] = with_recovery(twin["facility"], np.random.default_rng([seed, 2]))
    twin = enroll_am_network(twin, np.random.default_rng([seed, 3]))
    twin["expansion_option"] = expansion_options(twin, np.random.default_rng([seed, 4]))
    return twin

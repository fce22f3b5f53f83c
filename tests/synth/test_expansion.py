"""Expansion options of the generated twin: who gets which option, with what figures."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.synth.expansion import GENERIC_SHARE, LINE_SHARE, SHIFT_DAYS, SHIFT_SHARE
from arsenalnet.synth.generate import generate_twin
from arsenalnet.synth.reference import ITEMS


def test_reference_capabilities_get_a_shift_and_a_line_and_some_others_a_shift() -> None:
    twin = generate_twin(2000, 1)
    options, cap = twin["expansion_option"], twin["capability"]
    reference = pc.is_in(cap["product_id"], value_set=pa.array([i.product_id for i in ITEMS]))
    n_ref = int(pc.sum(reference).as_py())
    kinds = options["option"].to_pylist()
    assert kinds.count("new-line") == n_ref
    shifts = kinds.count("second-shift") - n_ref
    n_other = cap.num_rows - n_ref
    # the generic share is a binomial draw: within 5 standard deviations of GENERIC_SHARE
    assert abs(shifts - GENERIC_SHARE * n_other) < 5 * np.sqrt(n_other * GENERIC_SHARE)
    by_key = {
        (f, p): c
        for f, p, c in zip(
            *(cap[c].to_pylist() for c in ("facility_id", "product_id", "capacity_per_day")), strict=True
        )
    }
    for row in options.to_pylist():
        base = by_key[(row["facility_id"], row["product_id"])]
        share = SHIFT_SHARE if row["option"] == "second-shift" else LINE_SHARE
        assert row["extra_capacity_per_day"] == share * base
        if row["option"] == "second-shift":
            assert SHIFT_DAYS[0] <= row["lead_time_days"] <= SHIFT_DAYS[1]
        assert row["cost"] > 0


def test_options_are_deterministic_and_leave_the_rest_of_the_twin_alone() -> None:
    a, b = generate_twin(1000, 3), generate_twin(1000, 3)
    assert a["expansion_option"].equals(b["expansion_option"])
    assert not a["expansion_option"].equals(generate_twin(1000, 4)["expansion_option"])

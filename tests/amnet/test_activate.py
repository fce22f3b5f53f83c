"""``activate`` on the AM fixture (hand-checked), its refusals, and properties on random fleets."""

import math

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arsenalnet.amnet.activate import EARLIEST, FEWEST, ActivationRefused, activate
from arsenalnet.model.arrow import arrow_schema
from arsenalnet.network import Network
from arsenalnet.network.am import AmFleet, compile_am


def test_earliest_finish_on_the_fixture(am_net: Network, fleet: AmFleet) -> None:
    """As in the scheduler's docstring: 40 on the binder jet, 30 on each idle powder bed, all
    finished on day 7; the busy am:forge-3 is qualified but not used."""
    a = activate(am_net, fleet, "prd:fuze-housing", 100)
    assert [(j.machine_id, j.units, j.finish_day) for j in a.jobs] == [
        ("am:lap-1", 40, 7.0),
        ("am:forge-1", 30, 7.0),
        ("am:forge-2", 30, 7.0),
    ]
    assert (a.finish_day, a.deadline_met, a.objective, a.candidates, a.sites) == (7.0, None, EARLIEST, 3, 2)
    lap = a.jobs[0]
    assert (lap.facility_id, lap.country, lap.process, lap.material) == ("fac:lap", "USA", "BJT", "17-4PH")
    assert (lap.qualification_id, lap.standard) == ("qual:lap-fuze", "NASA-STD-6030")
    assert (lap.start_day, lap.print_end_day) == (2.0, pytest.approx(3.0))


def test_a_deadline_met_by_one_machine(am_net: Network, fleet: AmFleet) -> None:
    a = activate(am_net, fleet, "prd:fuze-housing", 100, by=10)
    assert [(j.machine_id, j.units) for j in a.jobs] == [("am:lap-1", 100)]
    assert (a.finish_day, a.deadline_met, a.objective, a.by_deadline) == (8.5, True, FEWEST, 160 + 60 + 60)


def test_a_deadline_that_cannot_be_met(am_net: Network, fleet: AmFleet) -> None:
    """By day 5 only the beds have started finishing: (5 - 4) * 10 each."""
    a = activate(am_net, fleet, "prd:fuze-housing", 100, by=5)
    assert (a.finish_day, a.deadline_met, a.by_deadline, a.objective) == (7.0, False, 20, EARLIEST)


@pytest.mark.parametrize(
    ("product", "qty", "by", "message"),
    [
        ("prd:nothing", 1, None, r"^unknown product 'prd:nothing'$"),
        ("prd:fuze-housing", 0, None, r"^qty must be at least 1 unit, got 0$"),
        ("prd:fuze-housing", 5, -1.0, r"^by must be a day >= 0 \(day 0 = the call\), got -1$"),
        ("prd:fuze-housing", 5, math.inf, r"^by must be a day >= 0 \(day 0 = the call\), got inf$"),
        (
            "prd:shell",
            5,
            None,
            r"^prd:shell has no qualified facility or machine \(no part_qualification row\)$",
        ),
        (
            "prd:body",
            5,
            None,
            r"^prd:body has 1 qualified machine\(s\), none available \(1 enrolled\): nothing can print",
        ),
    ],
)
def test_refusals(
    am_net: Network, fleet: AmFleet, product: str, qty: int, by: float | None, message: str
) -> None:
    with pytest.raises(ActivationRefused, match=message) as info:
        activate(am_net, fleet, product, qty, by)
    assert info.value.exit_code == 2


def test_a_qualification_in_a_material_no_machine_holds(
    am_net: Network, am_tables: dict[str, pa.Table]
) -> None:
    quals = am_tables["part_qualification"].filter(
        pa.compute.equal(am_tables["part_qualification"]["qualification_id"], "qual:forge2-ti")
    )
    fleet = compile_am({**am_tables, "part_qualification": quals}, am_net)
    with pytest.raises(
        ActivationRefused, match=r"^prd:fuze-housing is qualified \(qual:forge2-ti\) but no enrolled"
    ):
        activate(am_net, fleet, "prd:fuze-housing", 1)


SITES = ("fac:forge", "fac:lap", "fac:mill-a")
PROCESSES = ("PBF-LB", "BJT")
MATERIALS = ("AlSi10Mg", "17-4PH", "316L")

machines = st.lists(
    st.tuples(
        st.sampled_from(SITES),
        st.sampled_from(PROCESSES),
        st.lists(st.sampled_from(MATERIALS), min_size=1, max_size=3, unique=True),
        st.sampled_from(("available", "busy", "enrolled")),
        st.sampled_from([0.0, 1.0, 2.5]),
    ),
    min_size=1,
    max_size=8,
)
qualifications = st.lists(
    st.tuples(
        st.sampled_from(SITES),
        st.sampled_from(PROCESSES),
        st.sampled_from(MATERIALS),
        st.integers(-1, 7),  # a machine by position, or -1 = the whole site
        st.sampled_from([0.5, 2.4, 6.0]),
        st.sampled_from([0.0, 3.0]),
    ),
    min_size=0,
    max_size=6,
)


def random_fleet(
    tables: dict[str, pa.Table], net: Network, ms: list[tuple[object, ...]], qs: list[tuple[object, ...]]
) -> AmFleet:
    machine = pa.Table.from_pylist(
        [
            dict(
                machine_id=f"am:{i}", facility_id=f, process=p, materials=mat, build_x_mm=100.0,
                build_y_mm=100.0, build_z_mm=100.0, status=s, activation_days=a,
            )
            for i, (f, p, mat, s, a) in enumerate(ms)
        ],
        schema=arrow_schema("am_machine"),
    )  # fmt: skip
    qual = pa.Table.from_pylist(
        [
            dict(
                qualification_id=f"q:{i}", product_id="prd:fuze-housing", process=p, material=mat,
                facility_id=f, machine_id=f"am:{m}" if 0 <= m < len(ms) else None, standard="S",
                print_hours_per_unit=h, post_processing_days=d,
            )
            for i, (f, p, mat, m, h, d) in enumerate(qs)
        ],
        schema=arrow_schema("part_qualification"),
    )  # fmt: skip
    return compile_am({**tables, "am_machine": machine, "part_qualification": qual}, net)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(machines, qualifications, st.integers(1, 40), st.one_of(st.none(), st.sampled_from([1.0, 4.0, 9.5])))
def test_never_an_unqualified_or_idle_less_machine(
    am_tables: dict[str, pa.Table],
    am_net: Network,
    ms: list[tuple[object, ...]],
    qs: list[tuple[object, ...]],
    qty: int,
    by: float | None,
) -> None:
    """Every job runs on an available machine under a qualification that covers it (its site,
    process, a material it holds, and its id when named); the units add up to qty; a part is
    refused exactly when no available machine is covered."""
    fleet = random_fleet(am_tables, am_net, ms, qs)

    def names(qm: int, i: int) -> bool:  # -1 and positions past the last machine: the whole site
        return qm == i or not 0 <= qm < len(ms)

    covered = {
        i
        for i, (f, p, mat, s, _) in enumerate(ms)
        for (qf, qp, qmat, qm, _, _) in qs
        if s == "available" and (f, p) == (qf, qp) and qmat in mat and names(qm, i)
    }
    if not covered:
        with pytest.raises(ActivationRefused):
            activate(am_net, fleet, "prd:fuze-housing", qty, by)
        return
    a = activate(am_net, fleet, "prd:fuze-housing", qty, by)
    assert sum(j.units for j in a.jobs) == qty
    assert a.candidates == len(covered)
    for j in a.jobs:
        i = int(j.machine_id.removeprefix("am:"))
        f, p, mat, s, _ = ms[i]
        q = qs[int(j.qualification_id.removeprefix("q:"))]
        assert s == "available" and i in covered
        assert (
            (q[0], q[1]) == (f, p) == (j.facility_id, j.process) and q[2] == j.material and j.material in mat
        )
        assert names(q[3], i)
    if a.deadline_met:
        assert a.finish_day <= by  # type: ignore[operator]

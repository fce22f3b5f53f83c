"""``list_machines`` on the AM fixture: filters, counts by process and status, refusals."""

import pytest

from arsenalnet.amnet.machines import list_machines
from arsenalnet.model.errors import InputError
from arsenalnet.network import Network
from arsenalnet.network.am import AmFleet


def test_every_machine_with_counts_by_process(am_net: Network, fleet: AmFleet) -> None:
    listing = list_machines(am_net, fleet)
    assert [m.machine_id for m in listing.machines] == [
        "am:forge-1", "am:forge-2", "am:forge-3", "am:lap-1", "am:lap-2", "am:mill-1"
    ]  # fmt: skip
    assert listing.sites == 3
    assert listing.by_process == {
        "PBF-LB": {"enrolled": 0, "available": 2, "busy": 1},
        "DED": {"enrolled": 1, "available": 0, "busy": 0},
        "MEX": {"enrolled": 0, "available": 1, "busy": 0},
        "BJT": {"enrolled": 0, "available": 1, "busy": 0},
    }
    mill = listing.machines[-1]
    assert (mill.facility_id, mill.country, mill.materials, mill.build_mm) == (
        "fac:mill-a", "USA", ("Ti-6Al-4V",), (1000.0, 1000.0, 1000.0)
    )  # fmt: skip


def test_filters_combine(am_net: Network, fleet: AmFleet) -> None:
    by = list_machines(am_net, fleet, process="PBF-LB", material="17-4PH")
    assert [m.machine_id for m in by.machines] == ["am:forge-1"]
    assert [m.machine_id for m in list_machines(am_net, fleet, material="17-4PH").machines] == [
        "am:forge-1",
        "am:lap-1",
    ]
    busy = list_machines(am_net, fleet, status="busy")
    assert ([m.machine_id for m in busy.machines], busy.by_process) == (
        ["am:forge-3"],
        {"PBF-LB": {"enrolled": 0, "available": 0, "busy": 1}},
    )
    assert list_machines(am_net, fleet, process="VPP").machines == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"process": "SLS"},
            r"^unknown process 'SLS': use one of PBF-LB, PBF-EB, DED, MEX, BJT, VPP, MJT, SHL$",
        ),
        ({"status": "idle"}, r"^unknown status 'idle': use one of enrolled, available, busy$"),
        (
            {"material": "unobtainium"},
            r"^no enrolled machine prints material 'unobtainium': materials in the network: "
            r"17-4PH, AlSi10Mg, PA12-CF, Ti-6Al-4V$",
        ),
    ],
)
def test_unknown_filter_values_are_refused(
    am_net: Network, fleet: AmFleet, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        list_machines(am_net, fleet, **kwargs)

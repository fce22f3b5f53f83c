"""The additive-manufacturing network's vocabulary: processes, machine statuses, time constants.

Process codes follow the process categories of ISO/ASTM 52900:2021 (Additive
manufacturing — General principles — Fundamentals and vocabulary), with the
heat-source split its process designations use for powder bed fusion
(``PBF-LB`` laser beam, ``PBF-EB`` electron beam). Metal and polymer variants of
one process share a code; the material tells them apart.
"""

from enum import StrEnum


class AmProcess(StrEnum):
    """An ISO/ASTM 52900 additive-manufacturing process category."""

    PBF_LB = "PBF-LB"
    PBF_EB = "PBF-EB"
    DED = "DED"
    MEX = "MEX"
    BJT = "BJT"
    VPP = "VPP"
    MJT = "MJT"
    SHL = "SHL"


PROCESS_NAMES: dict[AmProcess, str] = {
    AmProcess.PBF_LB: "powder bed fusion, laser beam",
    AmProcess.PBF_EB: "powder bed fusion, electron beam",
    AmProcess.DED: "directed energy deposition",
    AmProcess.MEX: "material extrusion",
    AmProcess.BJT: "binder jetting",
    AmProcess.VPP: "vat photopolymerization",
    AmProcess.MJT: "material jetting",
    AmProcess.SHL: "sheet lamination",
}


class MachineStatus(StrEnum):
    """Where an enrolled machine stands.

    ``enrolled``: in the network but not on call (onboarding not finished, or its
    owner has not confirmed it can take work); ``available``: idle and on call, it
    may be given print jobs; ``busy``: printing other work, not to be given jobs.
    """

    ENROLLED = "enrolled"
    AVAILABLE = "available"
    BUSY = "busy"


HOURS_PER_DAY = 24.0
"""Print hours a machine runs per day (hours/day): AM machines print unattended around the clock;
build-plate changeover and depowdering are inside a qualification's ``print_hours_per_unit``."""

DEFAULT_ACTIVATION_DAYS = 2.0
"""Days from a call to a machine's first print where ``am_machine.activation_days`` is empty: the
qualified build file transferred, feedstock loaded, the build plate set up (an assumption)."""

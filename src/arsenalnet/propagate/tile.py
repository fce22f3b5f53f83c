"""Disjoint copies of a firm-level system stepped as one: batched runs of one engine.

``tile_system(sy, B, F)`` lays ``B`` copies of a :class:`FirmSystem` side by side:
every node, slot, edge, arc, final arc, demand row, facility and link index of copy
c is offset by c times the count of one copy, so copy c's capability i is
capability ``c * K + i`` and its demand row r is row ``c * D + r``. No arc crosses
copies, so one ``simulate`` call advances B independent runs, each with the shocks
addressed to its own indices: a batch of scenarios in one vectorized run (the risk
engine's single-node outages), or a big system made of copies of a smaller one
(the 10M-facility benchmark).
"""

import dataclasses

import numpy as np
import numpy.typing as npt

from arsenalnet.propagate.shocks import CapacityShock, DemandShock, LinkShock, Shocks
from arsenalnet.propagate.system import CHUNKS, FirmSystem, slot_chunks


def tile(a: npt.NDArray[np.generic], copies: int, offset: int = 0) -> npt.NDArray[np.generic]:
    """``a`` repeated ``copies`` times, copy c shifted by ``c * offset``."""
    out = np.empty(copies * len(a), dtype=a.dtype)
    for c in range(copies):
        out[c * len(a) : (c + 1) * len(a)] = a + c * offset if offset else a
    return out


def tile_ptr(ptr: npt.NDArray[np.int32], copies: int) -> npt.NDArray[np.int32]:
    """A CSR pointer array over ``copies`` copies of its segments."""
    total = int(ptr[-1])
    return np.append(tile(ptr[:-1], copies, total), copies * total).astype(ptr.dtype)


def tile_system(sy: FirmSystem, copies: int, n_facilities: int) -> FirmSystem:
    """``copies`` disjoint copies of ``sy`` as one system."""
    k, s, e, d = sy.n_nodes, sy.n_slots, len(sy.edge_slot), len(sy.row_qty)
    largest = copies * max(k, s, e, len(sy.arc_source), n_facilities, sy.n_links)
    if largest >= 2**31:
        raise ValueError(f"{copies} copies hold {largest:,} of something; a system indexes fewer than 2**31")
    offsets = {
        "node_cap": k,
        "cap_node": k,
        "node_facility": n_facilities,
        "edge_slot": s,
        "slot_facility": n_facilities,
        "arc_source": k,
        "final_source": k,
        "final_row": d,
        "slot_edge": e,
        "slot_edge_node": k,
    }
    same = {"node_product", "slot_edge_qty", "slot_edge_days", "slot_product", "slot_supplied", "arc_share"}
    same |= {"final_share", "x0", "capacity", "ramp_days", "other_demand"}
    same |= {"row_qty", "row_class", "row_start", "row_end"}
    fields: dict[str, object] = {}
    for f in dataclasses.fields(sy):
        name, value = f.name, getattr(sy, f.name)
        if name in offsets:
            fields[name] = tile(value, copies, offsets[name])
        elif name in same:
            fields[name] = tile(value, copies)
        elif name in ("edge_ptr", "arc_ptr", "slot_edge_ptr"):
            fields[name] = tile_ptr(value, copies)
        elif name == "arc_link":
            link = tile(value, copies, sy.n_links)
            link[np.tile(value < 0, copies)] = -1  # in-house arcs stay -1 in every copy
            fields[name] = link
        elif name == "slot_mix":
            fields[name] = np.tile(value, (1, copies))
        elif name in ("n_links", "over_capacity"):
            fields[name] = value * copies
        elif name != "chunk":
            raise ValueError(f"tile_system does not know FirmSystem.{name}")
    fields["chunk"] = slot_chunks(fields["arc_ptr"], fields["arc_source"], CHUNKS)  # type: ignore[arg-type]
    return FirmSystem(**fields)  # type: ignore[arg-type]


def tile_shocks(shocks: Shocks, copies: int, n_caps: int, n_links: int, n_rows: int) -> Shocks:
    """``shocks`` applied in every copy (the same profile on each copy's nodes, links, rows)."""
    return Shocks(
        shocks.days,
        tuple(
            CapacityShock(tile(s.nodes, copies, n_caps), s.loss, s.label)  # type: ignore[arg-type]
            for s in shocks.capacity
        ),
        tuple(
            LinkShock(tile(s.links, copies, n_links), s.blocked, s.label)  # type: ignore[arg-type]
            for s in shocks.links
        ),
        tuple(
            DemandShock(tile(s.rows, copies, n_rows), s.factor, s.label)  # type: ignore[arg-type]
            for s in shocks.demand
        ),
    )

"""One simulated day of the firm-level model, as compiled (numba) kernels.

The kernels are the equations of :mod:`arsenalnet.propagate.firm` written as a
few fused passes that update the state arrays in place: no temporaries the
size of the network, no Python loop per node. Array shapes: K nodes, S slots,
E edges, A arcs, R final arcs, D demand rows; classes 0 = DX, 1 = DO,
2 = unrated.

The passes are memory-bound, so the layout is chosen for the memory system:

- arcs are sorted by slot, so an arc pass is a slot loop over ``arc_ptr``
  ranges; the slot side is sequential and only the supplier side is random.
  Each supplier's values read or written from an arc live in one 64-byte row
  of ``supply`` (K, 8): ``fill`` by class (0-2), ``able`` (3), ``shipped``
  (4) and the arc demand by class (5-7), so one arc costs one cache line.
  Tomorrow's arc demand is gathered in the same pass that places tomorrow's
  orders: one random pass over the arcs per day. The demand pass only reads
  these rows: the rationing pass writes the fills and clears the demand;
- each node's per-day values read from a slot's edges live in one row of
  ``node`` (K, 8): ``plan`` (0), production ``x`` (1) and the class mix of its
  demand (2-4, kept from day to day); the coverage pass, which needs only the
  plans, reads them from ``plan`` (K,), eight to a cache line. A slot gathers
  them over its edges (``slot_edge_ptr``, edges in edge order), so a slot's sums
  add the same terms in the same order as a scatter over edges;
- the random reads are requested ``AHEAD`` edges or arcs in advance (a
  prefetch hint), so that the memory system fetches many rows at once instead
  of one row per loop step;
- loops run in parallel over fixed chunks: node loops over equal node ranges,
  slot loops over ``chunk`` (slot bounds chosen so that no two chunks share a
  supplier). Every sum adds its terms in the serial order, whatever the
  number of threads: results are bit-identical run to run and to a serial run.
"""

from collections.abc import Callable
from typing import Any, cast

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

SHORT = 1.0 - 1e-9
"""An arc (or final arc) delivering less than this share of its orders counts as short."""
NO_ORDER = 1e-12
"""An arc that carried less than this is judged by its supplier's capacity, not its fill."""
NOTHING = 1e-12
"""A supplier that delivers less than this share of an arc's orders delivers nothing: below
it, what an arc delivers is rounding, and must not steer where orders go."""
NODE_CHUNKS = 64
"""Node loops run as this many equal, fixed ranges (reductions combine them in order)."""
AHEAD = 32
"""How many edges (or arcs) ahead of the loop a random row is requested."""

# columns of ``supply`` (K, 8)
FILL = 0  # 0-2: share of today's orders served, by class
ABLE = 3  # share of capacity left today (judges an arc that carried nothing)
SHIPPED = 4  # units shipped today
NEXT = 5  # 5-7: arc demand by class (today's until pass 3, then tomorrow's)
# columns of ``node`` (K, 8)
PLAN = 0
X = 1
MIX = 2  # 2-4: class mix of the demand the node serves (state)


def _prefetch(typingctx, rows, i):
    """Hint the CPU to fetch row ``i`` of ``rows`` (1-D or 2-D, C order) into cache, for writing."""

    def codegen(context, builder, signature, args):
        aryty, idxty = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        ptr = cgutils.get_item_pointer2(
            context,
            builder,
            data=ary.data,
            shape=cgutils.unpack_tuple(builder, ary.shape),
            strides=cgutils.unpack_tuple(builder, ary.strides),
            layout=aryty.layout,
            inds=[context.cast(builder, args[1], idxty, types.intp)] + [zero] * (aryty.ndim - 1),
        )
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), "llvm.prefetch.p0"
        )
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(1), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(rows, i), codegen


prefetch = cast("Callable[[Any, Any], None]", intrinsic(_prefetch))
"""``prefetch(rows, i)`` inside a kernel: an LLVM prefetch of ``rows[i]`` (no effect on results)."""


@njit(cache=True, inline="always")
def _overshipped(supply, other_demand, x, k):
    """``shipped - produced`` of node k on the day just ended; resets its shipment count."""
    shipped = supply[k, SHIPPED] + other_demand[k] * supply[k, FILL + 2]
    supply[k, SHIPPED] = 0.0
    return shipped - x[k]


@njit(cache=True, parallel=True)
def close_day(supply, other_demand, x, checks):
    """The shipment check of the last day (``day_step`` checks each day's at the start of the next)."""
    n_k = len(x)
    ch_max = np.full(NODE_CHUNKS, -np.inf)
    for i in prange(NODE_CHUNKS):
        over = -np.inf
        for k in range(n_k * i // NODE_CHUNKS, n_k * (i + 1) // NODE_CHUNKS):
            over = max(over, _overshipped(supply, other_demand, x, k))
        ch_max[i] = over
    for i in range(NODE_CHUNKS):
        checks[2] = max(checks[2], ch_max[i])


@njit(cache=True, parallel=True)
def prime_demand(arc_ptr, arc_source, arc_orders, link_t, use_links, slot_mix, chunk, supply):
    """Add the day-0 arc demand of the baseline orders into ``supply[:, NEXT:NEXT+3]``."""
    for ch in prange(len(chunk) - 1):
        for s in range(chunk[ch], chunk[ch + 1]):
            m0, m1, m2 = slot_mix[s, 0], slot_mix[s, 1], slot_mix[s, 2]
            for a in range(arc_ptr[s], arc_ptr[s + 1]):
                p = arc_orders[a] * link_t[a] if use_links else arc_orders[a]
                k = arc_source[a]
                supply[k, NEXT] += p * m0
                supply[k, NEXT + 1] += p * m1
                supply[k, NEXT + 2] += p * m2


@njit(cache=True, parallel=True)
def day_step(
    # static structure
    edge_ptr,
    edge_slot,
    slot_edge_ptr,
    slot_edge_node,
    slot_edge_qty,
    slot_edge_days,
    slot_supplied,
    arc_ptr,
    arc_source,
    arc_share,
    chunk,
    final_source,
    final_row,
    final_share,
    row_class,
    capacity,
    normal_share,
    ramp_step,
    other_demand,
    x0,
    restore_days,
    switch_days,
    changed,
    max_arcs,
    # today's shocks (and tomorrow's link factors, for tomorrow's demand)
    cap_t,
    use_links,
    link_t,
    link_next,
    row_q,
    # state, updated in place
    stock,
    arc_orders,
    slot_mix,
    headroom,
    arc_short,
    final_short,
    final_w,
    supply,
    node,
    # work
    plan,
    cover,
    # outputs, written in place
    x,
    row_delivered,
    lost,
    moved,
    checks,
    check_yesterday,
):
    """Advance the state by one day; write production ``x`` (K,) and ``row_delivered`` (D,).

    ``lost`` (K,) accumulates ``max(1 - x/x0, 0)`` where ``x0 > 0``; ``moved`` (K,) is
    set where ``|x/x0 - 1| > changed``. ``checks`` (3,) accumulates the largest
    production above capacity, the lowest stock before clipping, and the largest
    shipment above production (of the day before, when ``check_yesterday``: the last
    day's is :func:`close_day`'s). ``supply[:, NEXT:NEXT+3]`` holds today's arc
    demand on entry and tomorrow's on exit.
    """
    n_k, n_e, n_a = len(x), len(edge_slot), len(arc_source)
    n_r, n_d = len(final_source), len(row_q)
    n_ch = len(chunk) - 1
    short_cap = max(switch_days, 0)  # days short beyond switch_days change nothing
    ch_max = np.full(NODE_CHUNKS, -np.inf)
    ch_over = np.full(NODE_CHUNKS, -np.inf)
    ch_min = np.full(n_ch, np.inf)

    # 1. demand faced by each node, by class: arcs (gathered yesterday), programs, unrated.
    # The supply rows are only read here: what passes 3 to 5 write in them stays clean.
    final_q = np.empty(n_r)
    for r in range(n_r):
        q = row_q[final_row[r]] * final_w[r]
        final_q[r] = q
        supply[final_source[r], NEXT + row_class[final_row[r]]] += q
    for i in prange(NODE_CHUNKS):
        for k in range(n_k * i // NODE_CHUNKS, n_k * (i + 1) // NODE_CHUNKS):
            d0 = supply[k, NEXT]
            d1 = supply[k, NEXT + 1]
            d2 = supply[k, NEXT + 2] + other_demand[k]
            total = d0 + d1 + d2
            normal = normal_share[k]
            ceiling = cap_t[k] * (normal + (1.0 - normal) * headroom[k])
            p = min(total, ceiling)
            plan[k] = p
            node[k, PLAN] = p
            if total > 0:
                if d0 == 0.0 and d1 == 0.0:  # unrated demand only: (0, 0, d2 / d2) without dividing
                    node[k, MIX], node[k, MIX + 1], node[k, MIX + 2] = 0.0, 0.0, 1.0
                else:
                    node[k, MIX] = d0 / total
                    node[k, MIX + 1] = d1 / total
                    node[k, MIX + 2] = d2 / total
            step = ramp_step[k]
            h = headroom[k] + (step if total > ceiling * (1 + 1e-9) else -step)
            headroom[k] = min(max(h, 0.0), 1.0)

    # 2. production: the scarcest input's coverage (plans gathered from ``plan``: 8 to a line)
    for ch in prange(n_ch):
        for s in range(chunk[ch], chunk[ch + 1]):
            need = 0.0
            for j in range(slot_edge_ptr[s], slot_edge_ptr[s + 1]):
                if j + AHEAD < n_e:
                    prefetch(plan, slot_edge_node[j + AHEAD])
                need += slot_edge_qty[j] * plan[slot_edge_node[j]]
            cover[s] = min(stock[s] / need, 1.0) if need > 0 and slot_supplied[s] else 1.0

    # 3. rationing: DX, then DO, then unrated, proportional within a class; and yesterday's
    # shipment check, before the row's fills and ``x`` become today's
    for i in prange(NODE_CHUNKS):
        worst = -np.inf
        over = -np.inf
        for k in range(n_k * i // NODE_CHUNKS, n_k * (i + 1) // NODE_CHUNKS):
            if check_yesterday:
                over = max(over, _overshipped(supply, other_demand, x, k))
            m = 1.0
            for e in range(edge_ptr[k], edge_ptr[k + 1]):
                if e + AHEAD < n_e:
                    prefetch(cover, edge_slot[e + AHEAD])
                m = min(m, cover[edge_slot[e]])
            xk = node[k, PLAN] * m
            x[k] = xk
            node[k, X] = xk
            left = xk
            for c in range(3):
                d = supply[k, NEXT + c] + (other_demand[k] if c == 2 else 0.0)
                supply[k, NEXT + c] = 0.0
                served = min(left, d)
                supply[k, FILL + c] = 1.0 if served == d else served / d  # served == d: all of d, or d = 0
                left -= served
            cap = capacity[k]
            supply[k, ABLE] = (
                1.0 if cap_t[k] == cap and cap > 0 else min(cap_t[k] / (cap if cap > 0 else 1.0), 1.0)
            )
            worst = max(worst, xk - cap_t[k])
            rel = 1.0 if xk == x0[k] and x0[k] > 0 else xk / (x0[k] if x0[k] > 0 else 1.0)
            if x0[k] > 0:
                lost[k] += max(1.0 - rel, 0.0)
            moved[k] = abs(rel - 1.0) > changed
        ch_max[i] = worst
        ch_over[i] = over
    for i in range(NODE_CHUNKS):
        checks[0] = max(checks[0], ch_max[i])
        checks[2] = max(checks[2], ch_over[i])

    # 4. stocks: inputs used leave, deliveries arrive (usable tomorrow);
    # 5. orders for tomorrow, moving off arcs short for switch_days days (and back)
    for ch in prange(n_ch):
        lowest = np.inf
        weight = np.empty(max_arcs)
        for s in range(chunk[ch], chunk[ch + 1]):
            used = 0.0
            planned = 0.0
            target = 0.0
            b0 = 0.0
            b1 = 0.0
            b2 = 0.0
            for j in range(slot_edge_ptr[s], slot_edge_ptr[s + 1]):
                if j + AHEAD < n_e:
                    prefetch(node, slot_edge_node[j + AHEAD])
                k = slot_edge_node[j]
                q = slot_edge_qty[j]
                used += q * node[k, X]
                u = q * node[k, PLAN]
                planned += u
                target += slot_edge_days[j] * u
                b0 += u * node[k, MIX]
                b1 += u * node[k, MIX + 1]
                b2 += u * node[k, MIX + 2]
            if not slot_supplied[s]:
                used = 0.0
            left_s = stock[s] - used
            lowest = min(lowest, left_s)
            st = max(left_s, 0.0)
            m0, m1, m2 = slot_mix[s, 0], slot_mix[s, 1], slot_mix[s, 2]
            tot = 0.0
            a0 = arc_ptr[s]
            for a in range(a0, arc_ptr[s + 1]):
                if a + AHEAD < n_a:
                    prefetch(supply, arc_source[a + AHEAD])
                k = arc_source[a]
                lt = link_t[a] if use_links else 1.0
                p = arc_orders[a] * lt
                f = supply[k, FILL] * m0 + supply[k, FILL + 1] * m1 + supply[k, FILL + 2] * m2
                able = supply[k, ABLE]
                delivered = p * f
                supply[k, SHIPPED] += delivered
                st += delivered
                avail = lt * (f if p > NO_ORDER else able)
                if avail < NOTHING:
                    avail = 0.0
                short = min(arc_short[a] + 1, short_cap) if avail < SHORT else 0
                arc_short[a] = short
                w = arc_share[a] * (avail if short >= switch_days else 1.0)
                weight[a - a0] = w
                tot += w
            stock[s] = st
            orders = max(planned + (target - st) / restore_days, 0.0)
            # an unrated slot whose nodes serve unrated demand only stays unrated (then b2 == planned)
            if planned > 0 and not (b0 == 0.0 and b1 == 0.0 and m0 == 0.0 and m1 == 0.0 and m2 == 1.0):
                n0, n1, n2 = b0 / planned, b1 / planned, b2 / planned
                if n0 != m0 or n1 != m1 or n2 != m2:  # most mixes do not move: no write, no dirty line
                    m0, m1, m2 = n0, n1, n2
                    slot_mix[s, 0], slot_mix[s, 1], slot_mix[s, 2] = m0, m1, m2
            single = arc_ptr[s + 1] - a0 == 1  # then its weight is the total: w / tot == 1
            for a in range(a0, arc_ptr[s + 1]):
                w = (1.0 if single else weight[a - a0] / tot) if tot > 0 else arc_share[a]
                o = orders * w
                arc_orders[a] = o
                p = o * link_next[a] if use_links else o
                k = arc_source[a]
                supply[k, NEXT] += p * m0
                supply[k, NEXT + 1] += p * m1
                supply[k, NEXT + 2] += p * m2
        ch_min[ch] = lowest
    for ch in range(n_ch):
        checks[1] = min(checks[1], ch_min[ch])

    # final arcs: deliveries to programs, and their orders for tomorrow (serial loops: a handful
    # of rows, where a parallel region would cost more than the work)
    for d in range(n_d):
        row_delivered[d] = 0.0
    final_fill = np.empty(n_r)
    for r in range(n_r):
        kr = final_source[r]
        fr = supply[kr, FILL + row_class[final_row[r]]]
        final_fill[r] = fr
        row_delivered[final_row[r]] += final_q[r] * fr
        supply[kr, SHIPPED] += final_q[r] * fr
    tot_r = np.empty(n_d)
    for d in range(n_d):
        tot_r[d] = 0.0
    for r in range(n_r):
        avail_r = final_fill[r] if final_q[r] > NO_ORDER else supply[final_source[r], ABLE]
        if avail_r < NOTHING:
            avail_r = 0.0
        final_short[r] = final_short[r] + 1 if avail_r < SHORT else 0
        wr = final_share[r] * (avail_r if final_short[r] >= switch_days else 1.0)
        final_w[r] = wr
        tot_r[final_row[r]] += wr
    for r in range(n_r):
        tr = tot_r[final_row[r]]
        final_w[r] = final_w[r] / tr if tr > 0 else final_share[r]

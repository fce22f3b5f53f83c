"""The day loop of the industry-level ARIO model, compiled with numba.

Called only by :func:`arsenalnet.propagate.industry.simulate_industry`, which
prepares every array; the equations are stated there and in
``docs/propagation-industry.md``. Notation (all money per day):

* ``n`` industries (region-sector pairs, region-major) and ``S`` sectors; the
  sector of industry ``i`` is ``sector_of[i]``;
* input-by-buyer arrays have the layout ``[j, s]``: buyer industry ``j``, input
  sector ``s`` (BoARIO's ``(S, n)`` matrices, transposed for locality);
* the intermediate orders matrix ``O`` (n x n) is never formed: it is
  ``O[i, j] = Z0[i, j] * c[i] * G[j, sector_of[i]]`` with ``Z0`` in CSC form,
  ``c`` the supplier weights of the order rule and ``G = gap / W`` (see
  :func:`_orders`).
"""

import numba as nb
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ALLCLOSE_RTOL = 1e-5
"""``numpy.allclose`` relative tolerance; BoARIO skips updates that are all this close."""
ALLCLOSE_ATOL = 1e-8
"""``numpy.allclose`` absolute tolerance (money per day)."""


@nb.njit(cache=True)
def _isclose(a: float, b: float) -> bool:
    """``numpy.isclose(a, b)`` with its default tolerances (infinities equal, NaN never)."""
    if np.isinf(a) or np.isinf(b):
        return a == b
    return abs(a - b) <= ALLCLOSE_ATOL + ALLCLOSE_RTOL * abs(b)


@nb.njit(cache=True)
def _orders(
    colptr: IntArray,
    rowidx: IntArray,
    zval: FloatArray,
    sector_of: IntArray,
    gap: FloatArray,
    c: FloatArray,
    g_out: FloatArray,
    rowsum_out: FloatArray,
) -> None:
    """Split each buyer's order for an input among the suppliers of that input.

    ``W[j, s] = sum_{i in s} Z0[i, j] c[i]``; ``G[j, s] = gap[j, s] / W[j, s]`` (0 where
    ``W`` is 0: BoARIO's ``np.divide(..., where=Z_Cprod != 0)``); the row sums of the
    orders matrix are ``sum_j Z0[i, j] c[i] G[j, sector_of[i]]``.
    """
    n = colptr.shape[0] - 1
    n_sec = gap.shape[1]
    w = np.zeros(n_sec)
    rowsum_out[:] = 0.0
    for j in range(n):
        w[:] = 0.0
        for k in range(colptr[j], colptr[j + 1]):
            i = rowidx[k]
            w[sector_of[i]] += zval[k] * c[i]
        for s in range(n_sec):
            g_out[j, s] = gap[j, s] / w[s] if w[s] != 0.0 else 0.0
        for k in range(colptr[j], colptr[j + 1]):
            i = rowidx[k]
            rowsum_out[i] += zval[k] * c[i] * g_out[j, sector_of[i]]


@nb.njit(cache=True)
def run_days(
    colptr: IntArray,
    rowidx: IntArray,
    zval: FloatArray,
    sector_of: IntArray,
    tech: FloatArray,
    is_input: BoolArray,
    x0: FloatArray,
    y_tot: FloatArray,
    inv: FloatArray,
    restore: FloatArray,
    loss: FloatArray,
    psi: float,
    alpha_base: float,
    alpha_max: float,
    alpha_rate: float,
    alternative_suppliers: bool,
    production_out: FloatArray,
    capacity_out: FloatArray,
    alpha_out: FloatArray,
    demand_out: FloatArray,
    fd_unmet_out: FloatArray,
    stock: FloatArray,
) -> int:
    """Simulate ``loss.shape[0]`` days; fill the ``*_out`` rows day by day.

    ``stock`` ([j, s], money) holds the initial inventories on entry and the final
    ones on return. Returns the first day on which an inventory turned negative
    (the rows from that day on are left as they are, NaN), or -1.
    """
    n = x0.shape[0]
    n_sec = inv.shape[0]
    days = loss.shape[0]
    inv_constraint = np.where(np.isinf(inv), 0.0, inv)  # infinite inventories never constrain

    alpha = np.full(n, alpha_base)
    production = x0.copy()
    c = np.ones(n)
    g = np.zeros((n, n_sec))
    rowsum = np.zeros(n)
    gap = np.zeros((n, n_sec))
    # Day 0 orders are the table's flows: O = Z0, that is c = 1 and gap = sum_{i in s} Z0[i, j].
    for j in range(n):
        for k in range(colptr[j], colptr[j + 1]):
            gap[j, sector_of[rowidx[k]]] += zval[k]
    _orders(colptr, rowidx, zval, sector_of, gap, c, g, rowsum)
    demand = rowsum + y_tot

    capacity = np.empty(n)
    optimal = np.empty(n)
    share = np.empty(n)
    h = np.zeros(n_sec)
    new_stock = np.empty_like(stock)

    for t in range(days):
        # 0) overproduction, from the previous day's demand and production (not on days 0 and 1)
        if t > 1:
            for i in range(n):
                scarcity = (demand[i] - production[i]) / demand[i] if demand[i] != 0.0 else 0.0
                if np.isnan(scarcity):
                    scarcity = 0.0
                base = 1.0 if scarcity == 0.0 else 0.0
                alpha[i] += ((alpha_max - alpha[i]) * scarcity * alpha_rate) + (
                    (alpha_base - alpha[i]) * base * alpha_rate
                )
                if alpha[i] < 1.0:
                    alpha[i] = 1.0
        # 1) capacity, optimal production, and the inventory constraint
        for i in range(n):
            capacity[i] = x0[i] * (1.0 - loss[t, i]) * alpha[i]
            optimal[i] = min(demand[i], capacity[i])
        for j in range(n):
            ratio = 1.0
            for s in range(n_sec):
                need = optimal[j] * tech[j, s] * psi * inv_constraint[s]
                if is_input[j, s] and need != 0.0 and stock[j, s] < need:
                    ratio = min(ratio, stock[j, s] / need)
            production[j] = optimal[j] * ratio
        production_out[t] = production
        capacity_out[t] = capacity
        alpha_out[t] = alpha
        demand_out[t] = demand
        # 2) distribute production to orders and final demand in proportion; restock
        for i in range(n):
            total = rowsum[i] + y_tot[i]
            share[i] = production[i] / total if total != 0.0 else 0.0
            fd_unmet_out[t, i] = y_tot[i] - y_tot[i] * share[i]
        close = True
        for j in range(n):
            h[:] = 0.0
            for k in range(colptr[j], colptr[j + 1]):
                i = rowidx[k]
                h[sector_of[i]] += zval[k] * c[i] * share[i]
            for s in range(n_sec):
                add = g[j, s] * h[s]
                use = production[j] * tech[j, s]
                if close and not _isclose(add, use):
                    close = False
                new_stock[j, s] = stock[j, s] - use + add
        if not close:
            negative = False
            for j in range(n):
                for s in range(n_sec):
                    stock[j, s] = new_stock[j, s]
                    if new_stock[j, s] < 0.0:
                        negative = True
            if negative:
                return t
        # 3) orders for the next day: inventory gap (restored at rate `restore`) plus today's use
        close = True
        for j in range(n):
            for s in range(n_sec):
                if not _isclose(stock[j, s], optimal[j] * tech[j, s] * inv[s]):
                    close = False
                    break
            if not close:
                break
        for j in range(n):
            for s in range(n_sec):
                missing = 0.0
                if not close and np.isfinite(inv[s]):
                    missing = max(optimal[j] * tech[j, s] * inv[s] - stock[j, s], 0.0) * restore[s]
                gap[j, s] = missing + production[j] * tech[j, s]
        for i in range(n):
            if alternative_suppliers:
                c[i] = capacity[i] / x0[i] if x0[i] != 0.0 else 1.0
            else:
                c[i] = 1.0
        _orders(colptr, rowidx, zval, sector_of, gap, c, g, rowsum)
        for i in range(n):
            demand[i] = rowsum[i] + y_tot[i]
    return -1

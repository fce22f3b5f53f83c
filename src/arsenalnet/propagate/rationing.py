"""Rationing a supplier's output among its orders in DPAS order.

DX orders are served first, then DO, then unrated; within a class every
order gets the same fraction (15 CFR part 700: rated orders take precedence).
"""

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

N_CLASSES = 3
"""Priority classes: 0 = DX, 1 = DO, 2 = unrated."""


def ration_by_priority(output: FloatArray, demand: FloatArray) -> FloatArray:
    """Fill fraction of each class's orders at each node.

    ``output`` (K,) units a node can ship today; ``demand`` (3, K) units
    ordered from it per class. Returns (3, K) fractions in [0, 1]: class c
    of node k receives ``fill[c, k] * demand[c, k]``. A class with no orders
    gets fraction 1.

    >>> ration_by_priority(np.array([10.0]), np.array([[4.0], [8.0], [5.0]])).ravel().tolist()
    [1.0, 0.75, 0.0]
    """
    fill = np.ones_like(demand)
    left = output.astype(np.float64, copy=True)
    for c in range(demand.shape[0]):
        d = demand[c]
        served = np.minimum(left, d)
        np.divide(served, d, out=fill[c], where=d > 0)
        left -= served
    return fill

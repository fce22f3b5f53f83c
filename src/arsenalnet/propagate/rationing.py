"""Rationing a supplier's output among its orders in DPAS order.

DX orders are served first, then DO, then unrated; within a class every
order gets the same fraction (15 CFR part 700: rated orders take precedence).
The rule itself runs inside :func:`arsenalnet.propagate.kernel.day_step`.
"""

N_CLASSES = 3
"""Priority classes: 0 = DX, 1 = DO, 2 = unrated."""

"""What-ifs: change a capacity, a demand, a shock or a link and re-solve from the last plan.

The grammar (changes separated by ``;``)::

    cap    FACILITY [PRODUCT] AMOUNT [WINDOW]   each day's capacity of the facility (for the product)
    shock  FACILITY [PRODUCT] PERCENT [WINDOW]  the facility loses PERCENT of its capacity
    demand PRODUCT [CUSTOMER] AMOUNT [WINDOW]   each day's requirement of the product (of one program)
    cut    SUPPLIER BUYER [PRODUCT] [WINDOW]    nothing shipped on the link arrives

    AMOUNT  := +20% | -20% | x1.5 | +50 | -50 | =0     (percent, factor, units/day added, set)
    PERCENT := 50%
    WINDOW  := days 10-40 | day 10 | from day 10      (default: the whole horizon)

Examples: ``cap fac:123 +20%``, ``shock fac:ref-lap-ia 100% days 0-29``, ``demand
prd:155mm-shell x2 from day 60``, ``cut fac:a fac:b prd:tnt``. A change that names nothing in the
plan, or an empty what-if, is refused with one line.

Every change moves bounds or coefficients of the HiGHS model in place (capacity rows, the
requirement bounds of ``delivered``, the arrival coefficients of ``stock-balance``); nothing is
rebuilt. The stages then run again, each from the basis it ended on in the last plan.
"""

import dataclasses
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.optimize.errors import PlanError
from arsenalnet.optimize.extract import extract
from arsenalnet.optimize.planner import Planned, checked
from arsenalnet.optimize.problem import Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

AMOUNT = re.compile(
    r"^(?:(?P<sign>[+-])(?P<num>\d+(?:\.\d*)?|\.\d+)(?P<pct>%)?|x(?P<factor>\d+(?:\.\d*)?)|=(?P<set>\d+(?:\.\d*)?))$"
)
PERCENT = re.compile(r"^(?P<num>\d+(?:\.\d*)?)%$")
WINDOW = re.compile(r"^(?:days (?P<a>\d+)-(?P<b>\d+)|day (?P<d>\d+)|from day (?P<f>\d+))$")


@dataclass(frozen=True)
class Change:
    """One parsed change: ``kind`` (cap, shock, demand, cut), the ids it names, how it changes
    each day's value (``op``: scale, add or set, by ``value``), and its days ``first..last``."""

    text: str
    kind: str
    ids: tuple[str, ...]
    op: str
    value: float
    first: int
    last: int

    def applied(self, daily: FloatArray) -> FloatArray:
        """``daily`` (..., H) with this change on its days (never below 0)."""
        out = daily.copy()
        win = out[..., self.first : self.last + 1]
        new = (
            win * self.value
            if self.op == "scale"
            else win + self.value
            if self.op == "add"
            else np.full_like(win, self.value)
        )
        out[..., self.first : self.last + 1] = np.maximum(new, 0.0)
        return out


def _fail(text: str, reason: str) -> PlanError:
    return PlanError(f"what-if '{text}': {reason}")


def _window(text: str, words: list[str], horizon: int) -> tuple[list[str], int, int]:
    """Split the trailing window off ``words``: (the rest, first day, last day)."""
    joined = " ".join(words)
    for n in (3, 2):
        if len(words) >= n:
            m = WINDOW.match(" ".join(words[-n:]))
            if m:
                a = int(m["a"] or m["d"] or m["f"])
                b = int(m["b"] or m["d"] or horizon - 1) if not m["f"] else horizon - 1
                if a > b or b >= horizon:
                    raise _fail(text, f"days {a}-{b} are not inside the horizon (0 to {horizon - 1})")
                return words[:-n], a, b
    if any(w in ("day", "days", "from") for w in words):
        raise _fail(text, f"cannot read the days in '{joined}' (write days A-B, day A or from day A)")
    return words, 0, horizon - 1


def parse(text: str, horizon: int) -> list[Change]:
    """The changes of a what-if (see the module's grammar); :class:`PlanError` if unreadable."""
    parts = [t.strip() for t in text.split(";") if t.strip()]
    if not parts:
        raise PlanError("--what-if names no change (e.g. --what-if 'cap fac:123 +20%')")
    out = []
    for part in parts:
        kind, *rest = part.split()
        words, first, last = _window(part, rest, horizon)
        if kind == "cut":
            if len(words) not in (2, 3):
                raise _fail(part, "write cut SUPPLIER BUYER [PRODUCT] [days A-B]")
            out.append(Change(part, kind, tuple(words), "scale", 0.0, first, last))
            continue
        if kind not in ("cap", "shock", "demand") or len(words) not in (2, 3):
            raise _fail(
                part, "write cap|shock FACILITY [PRODUCT] AMOUNT, demand PRODUCT [CUSTOMER] AMOUNT or cut ..."
            )
        *ids, amount = words
        if kind == "shock":
            m = PERCENT.match(amount)
            if not m or float(m["num"]) > 100:
                raise _fail(part, f"'{amount}' is not a share of capacity lost (e.g. 50%)")
            out.append(Change(part, kind, tuple(ids), "scale", 1.0 - float(m["num"]) / 100, first, last))
            continue
        m = AMOUNT.match(amount)
        if not m:
            raise _fail(part, f"'{amount}' is not an amount (+20%, -20%, x1.5, +50, -50 or =0)")
        if m["factor"]:
            op, value = "scale", float(m["factor"])
        elif m["set"]:
            op, value = "set", float(m["set"])
        else:
            sign = -1.0 if m["sign"] == "-" else 1.0
            op, value = (
                ("scale", 1.0 + sign * float(m["num"]) / 100) if m["pct"] else ("add", sign * float(m["num"]))
            )
        out.append(Change(part, kind, tuple(ids), op, value, first, last))
    return out


def _match(text: str, what: str, values: npt.NDArray[np.str_], wanted: str) -> npt.NDArray[np.bool_]:
    hit: npt.NDArray[np.bool_] = np.asarray(values == wanted)
    if not hit.any():
        raise _fail(text, f"{wanted} is not a {what} in this plan's network")
    return hit


def apply(p: Problem, change: Change) -> Problem:
    """``p`` with ``change`` made (capacity, requirements or arrivals)."""
    t = change.text
    if change.kind in ("cap", "shock"):
        nodes = _match(t, "facility", p.node_facility, change.ids[0])
        if len(change.ids) > 1:
            nodes &= _match(t, "product", p.node_product, change.ids[1])
            if not nodes.any():
                raise _fail(t, f"{change.ids[0]} does not make {change.ids[1]} in this plan")
        cap = p.capacity_day.copy()
        cap[nodes] = change.applied(cap[nodes])
        return dataclasses.replace(p, capacity_day=cap)
    if change.kind == "demand":
        rows = _match(t, "planned end item", p.row_product, change.ids[0])
        if len(change.ids) > 1:
            rows &= _match(t, "customer", p.row_customer, change.ids[1])
        req = p.required_day.copy()
        req[rows] = change.applied(req[rows])
        return dataclasses.replace(p, required_day=req)
    arcs = _match(t, "supplier", p.node_facility[p.arc_source], change.ids[0])
    arcs &= _match(t, "buyer", p.slot_facility[p.arc_slot], change.ids[1])
    if len(change.ids) > 2:
        arcs &= _match(t, "product", p.slot_product[p.arc_slot], change.ids[2])
    if not arcs.any():
        raise _fail(t, f"no supply link from {change.ids[0]} to {change.ids[1]} in this plan")
    days = np.zeros(p.horizon_days)
    days[change.first : change.last + 1] = 1.0
    blocked = p.per_bucket(days) / p.bucket_len
    keep = p.arc_pass.copy()
    keep[arcs] *= 1.0 - blocked
    return dataclasses.replace(p, arc_pass=keep)


def what_if(planned: Planned, text: str) -> Planned:
    """Re-solve ``planned`` with the changes of ``text``, warm, without rebuilding the model.

    The changes apply to ``planned``'s own problem (not to whatever was solved since)."""
    new = planned.problem
    for change in parse(text, new.horizon_days):
        new = apply(new, change)
    session, lp = planned.session, planned.lp
    old = session.problem
    caps_old, caps_new = old.capacity, new.capacity
    rows = lp.rows["capacity-limit"]
    moved = (caps_old != caps_new) & (rows >= 0)
    session.solver.set_rows(rows[moved], np.full(int(moved.sum()), -np.inf), caps_new[moved])
    cols = lp.columns["delivered"]
    req_new = new.required
    moved = (old.required != req_new) & (cols >= 0)
    session.solver.set_cols(cols[moved], np.zeros(int(moved.sum())), req_new[moved])
    a, b = np.nonzero((old.arc_pass != new.arc_pass) & (lp.columns["shipment"] >= 0))
    stock_rows = lp.rows["stock-balance"][new.arc_slot[a], b + new.arc_lag[a]]
    session.solver.set_coefficients(stock_rows, lp.columns["shipment"][a, b], -new.arc_pass[a, b])
    session.problem = new
    result = checked(new, lp, session.solver.run(warm=planned.result), session.solver.options)
    return Planned(new, session, result, extract(lp, result, new), 0.0)

"""Policy checks over a product's hardware bill of materials, joined with the transparency log.

Pure: the compiled twin, the records an HBOM names, the product's tree, a policy and the
statement types the log holds per subject in; one :class:`CheckRow` per component and rule
out. The rules (``docs/hbom.md``; ``policies/dfars.yaml`` gives their legal basis):

- **foreign_adversary**: no part may come from a country of a group (FOREIGN_ADVERSARY).
  A part's countries of origin are its sources' countries (the facilities that make it for
  this product) and its declared ``arsenalnet:hbom:countryOfOrigin`` attributes.
- **specialty_metals**: a part whose HS code starts with one of the listed codes must come
  only from the listed countries (where it is made is where it is melted or produced).
- **serialized**: a part of a listed kind, or one with serial numbers, must have serial
  numbers, and each serial's subject (``part:<serial>``) needs every listed statement type
  (``build-record``, ``inspection``) verified in the log.
- **design_intent**: a part of a listed kind must have every listed attribute.

A part with no known country of origin fails the origin rules when the policy says
``unknown_origin: fail`` (the default), and passes them otherwise.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from arsenalnet.model import ArsenalError, CountryGroup
from arsenalnet.network import Network
from arsenalnet.thread import hbom_vocab as v
from arsenalnet.thread.hbom_tree import HbomCatalog, HbomTree, pick

StatementLookup = Callable[[str], Iterable[str | None]]
"""A subject -> the types of the statements verified in the transparency log about it."""
ALL_KINDS = "all"
"""Key of ``design_intent.attributes`` that applies to every kind."""
SHOWN = 3
"""Failing items named in a reason before '… and N more'."""


class PolicyFailed(ArsenalError):
    """A product's HBOM breaks its policy (exit code 1): the message names the failing checks."""


class Outcome(StrEnum):
    """A rule's verdict on a component."""

    PASS = "pass"
    FAIL = "fail"


@dataclass(frozen=True)
class OriginRule:
    """No part from a country of ``group``."""

    group: CountryGroup
    basis: str = ""


@dataclass(frozen=True)
class SpecialtyMetalRule:
    """Parts whose HS code starts with one of ``hs_codes`` come only from ``melted_in`` (ISO3)."""

    hs_codes: tuple[str, ...]
    melted_in: frozenset[str]
    basis: str = ""


@dataclass(frozen=True)
class SerializedRule:
    """Parts of ``kinds`` (or with serial numbers) have serials, each with ``statements`` in the log."""

    kinds: tuple[str, ...]
    statements: tuple[str, ...]
    serial_attribute: str = "cdx:device:serialNumber"
    subject_prefix: str = "part:"
    basis: str = ""


@dataclass(frozen=True)
class DesignIntentRule:
    """Parts of a kind have every attribute listed for it (``all``: for every kind)."""

    attributes: Mapping[str, tuple[str, ...]]
    basis: str = ""


@dataclass(frozen=True)
class HbomPolicy:
    """A policy file, read (see :mod:`arsenalnet.scenario.hbom_policy`); a rule left out is not checked."""

    name: str
    unknown_origin_fails: bool = True
    foreign_adversary: OriginRule | None = None
    specialty_metals: SpecialtyMetalRule | None = None
    serialized: SerializedRule | None = None
    design_intent: DesignIntentRule | None = None


@dataclass(frozen=True)
class CheckRow:
    """One rule's verdict on one component (a part of the product's bill of materials)."""

    product_id: str
    name: str
    rule: str
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class CheckReport:
    """Every verdict, component by component in tree order."""

    product_id: str
    policy: str
    rows: list[CheckRow] = field(default_factory=list)

    @property
    def failures(self) -> list[CheckRow]:
        """The failing rows."""
        return [r for r in self.rows if r.outcome is Outcome.FAIL]


@dataclass(frozen=True)
class _Part:
    """What the rules look at for one part."""

    product_id: str
    name: str
    kind: str
    hs_code: str
    origins: list[tuple[str, str]]  # (ISO3, where it is known from)
    attributes: dict[str, list[str]]


def _listed(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def _parts(net: Network, catalog: HbomCatalog, tree: HbomTree) -> list[_Part]:
    ids = net.products.take(tree.parts)
    products = {str(r["product_id"]): r for r in pick(catalog.products, "product_id", ids)}
    attributes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in pick(catalog.attributes, "product_id", ids):
        attributes[str(r["product_id"])][str(r["name"])].append(str(r["value"]))
    origins: dict[str, list[tuple[str, str]]] = defaultdict(list)
    countries = net.countries.take(net.facility_country[tree.source_facility])
    for pid, fid, iso3 in zip(
        net.products.take(tree.source_part), net.facilities.take(tree.source_facility), countries, strict=True
    ):
        origins[pid].append((iso3, f"made at {fid}"))
    for pid in ids:
        origins[pid] += [(c, "declared") for c in attributes[pid].get(v.COUNTRY_OF_ORIGIN, [])]
    return [
        _Part(
            pid,
            str(products[pid]["name"]),
            str(products[pid]["kind"]),
            str(products[pid]["hs_code"] or ""),
            origins[pid],
            attributes[pid],
        )
        for pid in ids
    ]


def _origin_row(p: _Part, rule: str, bad: list[str], unknown_fails: bool, ok: str) -> CheckRow:
    if bad:
        return CheckRow(p.product_id, p.name, rule, Outcome.FAIL, _listed(bad))
    if not p.origins:
        outcome = Outcome.FAIL if unknown_fails else Outcome.PASS
        return CheckRow(
            p.product_id, p.name, rule, outcome, "country of origin unknown (no source, none declared)"
        )
    countries = sorted({c for c, _ in p.origins})
    return CheckRow(p.product_id, p.name, rule, Outcome.PASS, f"{ok}: {', '.join(countries)}")


def _foreign_adversary(
    net: Network, parts: list[_Part], rule: OriginRule, unknown_fails: bool
) -> list[CheckRow]:
    g = net.groups.index(rule.group)
    members = set(net.countries.take(net.country_groups[:, g].nonzero()[0]))
    return [
        _origin_row(
            p,
            "foreign_adversary",
            [f"{c} ({rule.group.value}), {how}" for c, how in p.origins if c in members],
            unknown_fails,
            f"no origin in {rule.group.value}",
        )
        for p in parts
    ]


def _specialty_metals(parts: list[_Part], rule: SpecialtyMetalRule, unknown_fails: bool) -> list[CheckRow]:
    return [
        _origin_row(
            p,
            "specialty_metals",
            [f"{c} (not a qualifying country), {how}" for c, how in p.origins if c not in rule.melted_in],
            unknown_fails,
            f"specialty metal (HS {p.hs_code}) melted in qualifying countries",
        )
        for p in parts
        if p.hs_code.startswith(rule.hs_codes)
    ]


def _serialized(parts: list[_Part], rule: SerializedRule, log: StatementLookup) -> list[CheckRow]:
    rows = []
    for p in parts:
        serials = p.attributes.get(rule.serial_attribute, [])
        if p.kind not in rule.kinds and not serials:
            continue
        if not serials:
            reason = f"serialized ({p.kind}) but no {rule.serial_attribute} recorded"
            rows.append(CheckRow(p.product_id, p.name, "serialized", Outcome.FAIL, reason))
            continue
        missing = []
        for serial in sorted(serials):
            subject = rule.subject_prefix + serial
            found = set(log(subject))
            lacking = [t for t in rule.statements if t not in found]
            if lacking:
                missing.append(f"{subject} has no {' or '.join(lacking)} statement in the log")
        if missing:
            rows.append(CheckRow(p.product_id, p.name, "serialized", Outcome.FAIL, _listed(missing)))
        else:
            reason = (
                f"{len(serials)} serial(s), each with {' and '.join(rule.statements)} verified in the log"
            )
            rows.append(CheckRow(p.product_id, p.name, "serialized", Outcome.PASS, reason))
    return rows


def _design_intent(parts: list[_Part], rule: DesignIntentRule) -> list[CheckRow]:
    rows = []
    for p in parts:
        wanted = [*rule.attributes.get(ALL_KINDS, ()), *rule.attributes.get(p.kind, ())]
        if not wanted:
            continue
        missing = [a for a in dict.fromkeys(wanted) if a not in p.attributes]
        outcome, reason = (
            (Outcome.FAIL, f"missing {_listed(missing)}")
            if missing
            else (Outcome.PASS, f"has {_listed(wanted)}")
        )
        rows.append(CheckRow(p.product_id, p.name, "design_intent", outcome, reason))
    return rows


def check_hbom(
    net: Network,
    catalog: HbomCatalog,
    tree: HbomTree,
    policy: HbomPolicy,
    log: StatementLookup = lambda subject: (),
) -> CheckReport:
    """Every rule of ``policy`` on every part of ``tree``.

    ``log(subject)`` gives the statement types verified in the transparency log about a
    subject, e.g. ``lambda s: [e.statement_type for e in arsenalnet.api.thread.passport(store, s)]``;
    the serialized rule calls it once per serial number.
    """
    parts = _parts(net, catalog, tree)
    rows: list[CheckRow] = []
    if policy.foreign_adversary:
        rows += _foreign_adversary(net, parts, policy.foreign_adversary, policy.unknown_origin_fails)
    if policy.specialty_metals:
        rows += _specialty_metals(parts, policy.specialty_metals, policy.unknown_origin_fails)
    if policy.serialized:
        rows += _serialized(parts, policy.serialized, log)
    if policy.design_intent:
        rows += _design_intent(parts, policy.design_intent)
    order = {p.product_id: i for i, p in enumerate(parts)}
    rows.sort(key=lambda r: order[r.product_id])
    return CheckReport(net.products.id(tree.root), policy.name, rows)


def failure_message(report: CheckReport) -> str:
    """One line naming the failing checks of a report."""
    failed = [f"{r.product_id} {r.rule}" for r in report.failures]
    return (
        f"{report.product_id} fails policy '{report.policy}': {len(failed)} of {len(report.rows)} "
        f"checks failed ({_listed(failed)})"
    )

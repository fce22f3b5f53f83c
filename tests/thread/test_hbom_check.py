"""``hbom check``: the shipped DFARS policy on the tiny twin's shell, worked out by hand; pass and
fail cases of each rule; the log joined through real signed, registered statements; policy files
refused at the line at fault."""

import json
from pathlib import Path

import pyarrow as pa
import pytest

from arsenalnet.api import thread as api
from arsenalnet.ingest import import_tables
from arsenalnet.network import Network, compile_network
from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.hbom_policy import load_policy
from arsenalnet.store import Store
from arsenalnet.thread.errors import VerificationError
from arsenalnet.thread.hbom_check import CheckReport, HbomPolicy, check_hbom
from arsenalnet.thread.hbom_tree import HbomCatalog, hbom_tree
from factories import arsenal
from thread_factories import make_log

ROOT = Path(__file__).resolve().parents[2]
DFARS = ROOT / "policies" / "dfars.yaml"
DESIGN = "arsenalnet:hbom:design:"
SERIAL = "cdx:device:serialNumber"


def verdicts(report: CheckReport) -> list[tuple[str, str, str, str]]:
    return [(r.product_id, r.rule, r.outcome.value, r.reason) for r in report.rows]


def run(
    net: Network, tables: dict[str, pa.Table], product: str, policy: HbomPolicy, store: Store | None = None
) -> CheckReport:
    log = (lambda s: [e.statement_type for e in api.passport(store, s)]) if store else (lambda s: ())
    return check_hbom(net, HbomCatalog.of(tables), hbom_tree(net, product), policy, log)


def with_attributes(tables: dict[str, pa.Table], rows: list[tuple[str, str, str]]) -> dict[str, pa.Table]:
    cols = list(zip(*rows, strict=True)) if rows else [[], [], []]
    table = pa.table(
        {"product_id": cols[0], "name": cols[1], "value": cols[2]}, schema=tables["product_attribute"].schema
    )
    return tables | {"product_attribute": table}


def policy_file(tmp_path: Path, text: str) -> HbomPolicy:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path)


def test_dfars_on_the_tiny_shell_as_worked_out_by_hand(tiny_store: Store, tiny_net: Network) -> None:
    """tests/fixtures/tiny with policies/dfars.yaml and nothing declared:

    - foreign_adversary, every part: the powder is made at fac:powder in CHN (a FOREIGN_ADVERSARY
      member): fail; shell, body, ore are made in the USA, steel in the USA and CAN: pass;
    - specialty_metals: only the steel billet's HS 722490 starts with a listed heading (7224);
      its mills are in the USA and CAN (a qualifying country): pass;
    - serialized: the shell is an end item (a serialized kind) with no serial number: fail;
      no part is a subassembly, none has serial numbers;
    - design_intent: no part has a drawing, revision or material specification: five fails.
    """
    report = run(tiny_net, tiny_store.read_tables(), "prd:shell", load_policy(DFARS))
    drawing = f"missing {DESIGN}drawing, {DESIGN}revision"
    assert verdicts(report) == [
        ("prd:shell", "foreign_adversary", "pass", "no origin in FOREIGN_ADVERSARY: USA"),
        ("prd:shell", "serialized", "fail", f"serialized (end_item) but no {SERIAL} recorded"),
        ("prd:shell", "design_intent", "fail", drawing),
        ("prd:body", "foreign_adversary", "pass", "no origin in FOREIGN_ADVERSARY: USA"),
        ("prd:body", "design_intent", "fail", drawing),
        ("prd:powder", "foreign_adversary", "fail", "CHN (FOREIGN_ADVERSARY), made at fac:powder"),
        ("prd:powder", "design_intent", "fail", f"missing {DESIGN}materialSpec"),
        ("prd:steel", "foreign_adversary", "pass", "no origin in FOREIGN_ADVERSARY: CAN, USA"),
        (
            "prd:steel",
            "specialty_metals",
            "pass",
            "specialty metal (HS 722490) melted in qualifying countries: CAN, USA",
        ),
        ("prd:steel", "design_intent", "fail", drawing),
        ("prd:ore", "foreign_adversary", "pass", "no origin in FOREIGN_ADVERSARY: USA"),
        ("prd:ore", "design_intent", "fail", f"missing {DESIGN}materialSpec"),
    ]
    assert len(report.failures) == 7


def test_the_body_passes_everything_once_declared_and_logged(
    tiny_store: Store, tiny_net: Network, tmp_path: Path
) -> None:
    """The body's tree (body <- steel <- ore, all USA/CAN) with drawings, a material spec, a serial
    number SN-B1 on the body and its build record and inspection registered: every check passes;
    with the inspection missing, the serialized check fails naming it."""
    tables = with_attributes(
        tiny_store.read_tables(),
        [
            ("prd:body", f"{DESIGN}drawing", "D-155-100"),
            ("prd:body", f"{DESIGN}revision", "C"),
            ("prd:body", SERIAL, "SN-B1"),
            ("prd:steel", f"{DESIGN}drawing", "D-4340-B"),
            ("prd:steel", f"{DESIGN}revision", "A"),
            ("prd:ore", f"{DESIGN}materialSpec", "ASTM A29"),
        ],
    )
    log = make_log(tiny_store, tmp_path / "keys")
    build = log.sign(b'{"heat": "H-1"}', "part:SN-B1", "build-record")
    api.register(tiny_store, [build], log.service)
    policy = load_policy(DFARS)
    report = run(tiny_net, tables, "prd:body", policy, tiny_store)
    assert [r for r in verdicts(report) if r[2] == "fail"] == [
        ("prd:body", "serialized", "fail", "part:SN-B1 has no inspection statement in the log")
    ]
    api.register(tiny_store, [log.sign(b'{"cmm": "ok"}', "part:SN-B1", "inspection")], log.service)
    report = run(tiny_net, tables, "prd:body", policy, tiny_store)
    assert report.failures == []
    assert (
        "prd:body",
        "serialized",
        "pass",
        "1 serial(s), each with build-record and inspection verified in the log",
    ) in verdicts(report)
    # body: origin, serialized, design; steel: origin, specialty metal, design; ore: origin, design
    assert len(report.rows) == 8


def test_a_tampered_log_entry_stops_the_check(tiny_store: Store, tiny_net: Network, tmp_path: Path) -> None:
    """A build record whose payload byte was flipped in the store is refused, not counted."""
    tables = with_attributes(tiny_store.read_tables(), [("prd:body", SERIAL, "SN-B1")])
    log = make_log(tiny_store, tmp_path / "keys")
    raw = log.sign(b'{"heat": "H-1"}', "part:SN-B1", "build-record")
    api.register(tiny_store, [raw], log.service)
    flipped = raw[:-70] + bytes([raw[-70] ^ 1]) + raw[-69:]
    tiny_store.execute("UPDATE thread_entry SET statement = ? WHERE idx = 0", [flipped])
    with pytest.raises(VerificationError, match=r"^entry 0: "):
        run(tiny_net, tables, "prd:body", load_policy(DFARS), tiny_store)


SMALL = """\
name: origin only
unknown_origin: {unknown}
foreign_adversary:
  group: FOREIGN_ADVERSARY
specialty_metals:
  hs_codes: ["7224"]
  melted_in: [USA]
"""


def test_origin_rules_see_declared_origins_and_unknown_origins(tiny_store: Store, tmp_path: Path) -> None:
    """A new part prd:bolt (no maker in the twin) under the body: its origin is unknown, so it
    fails with unknown_origin: fail and passes with pass; a declared CHN origin on the ore fails it
    although its mine is in the USA; with melted_in [USA] the Canadian mill fails the steel."""
    rows = {
        "product": pa.table(
            {"product_id": ["prd:bolt"], "name": ["Bolt"], "kind": ["part"], "unit": ["each"]}
        ),
        "bom_line": pa.table({"parent_id": ["prd:body"], "child_id": ["prd:bolt"], "qty_per_unit": [4.0]}),
        "product_attribute": pa.table(
            {"product_id": ["prd:ore"], "name": ["arsenalnet:hbom:countryOfOrigin"], "value": ["CHN"]}
        ),
    }
    import_tables(tiny_store, rows)
    tables = tiny_store.read_tables()
    net = compile_network(tables)
    strict = verdicts(run(net, tables, "prd:body", policy_file(tmp_path, SMALL.format(unknown="fail"))))
    assert strict == [
        ("prd:body", "foreign_adversary", "pass", "no origin in FOREIGN_ADVERSARY: USA"),
        ("prd:bolt", "foreign_adversary", "fail", "country of origin unknown (no source, none declared)"),
        ("prd:steel", "foreign_adversary", "pass", "no origin in FOREIGN_ADVERSARY: CAN, USA"),
        ("prd:steel", "specialty_metals", "fail", "CAN (not a qualifying country), made at fac:mill-b"),
        ("prd:ore", "foreign_adversary", "fail", "CHN (FOREIGN_ADVERSARY), declared"),
    ]
    lenient = verdicts(run(net, tables, "prd:body", policy_file(tmp_path, SMALL.format(unknown="pass"))))
    assert lenient[1] == (
        "prd:bolt",
        "foreign_adversary",
        "pass",
        "country of origin unknown (no source, none declared)",
    )


def test_serial_numbers_make_any_part_serialized_and_design_intent_all_applies_to_every_kind(
    tiny_store: Store, tiny_net: Network, tmp_path: Path
) -> None:
    policy = policy_file(
        tmp_path,
        "name: p\nserialized:\n  kinds: [end_item]\n  statements: build-record\n"
        "design_intent:\n  attributes:\n    all: [cage]\n    raw_material: [spec]\n",
    )
    tables = with_attributes(
        tiny_store.read_tables(), [("prd:ore", SERIAL, "LOT-7"), ("prd:ore", "cage", "1ABC2")]
    )
    got = verdicts(run(tiny_net, tables, "prd:steel", policy))
    assert got == [
        ("prd:steel", "design_intent", "fail", "missing cage"),
        ("prd:ore", "serialized", "fail", "part:LOT-7 has no build-record statement in the log"),
        ("prd:ore", "design_intent", "fail", "missing spec"),
    ]


def test_shipped_policy_lists_the_united_states_its_outlying_areas_and_28_qualifying_countries() -> None:
    melted = load_policy(DFARS).specialty_metals
    assert melted is not None
    outlying = {"USA", "PRI", "MNP", "ASM", "GUM", "VIR", "UMI"}
    assert outlying <= melted.melted_in and len(melted.melted_in - outlying) == 28
    assert {"CHN", "RUS", "IND", "MEX", "KOR"}.isdisjoint(melted.melted_in)


BAD_POLICIES = [
    ("", "policy.yaml:1: the policy file is empty"),
    ("name: x\n", "policy.yaml:1: the policy has no rule: give at least one of"),
    (
        "name: x\nforeign_adversary:\n  group: FOREIGN_ADVERSARY\nsecial_metals: {}\n",
        "policy.yaml:4: unknown key 'secial_metals' in the policy (did you mean 'specialty_metals'?)",
    ),
    (
        "name: x\nforeign_adversary:\n  group: ADVERSARY\n",
        "policy.yaml:3: group: 'ADVERSARY' is not one of NATO, EU, FIVE_EYES, US_FTA, FOREIGN_ADVERSARY",
    ),
    ("name: x\nforeign_adversary:\n  basis: b\n", "policy.yaml:3: missing key 'group' in foreign_adversary"),
    (
        "name: x\nspecialty_metals:\n  hs_codes: [7224]\n  melted_in:\n    - USA\n    - UK\n",
        "policy.yaml:6: melted_in: 'UK' is not an ISO 3166-1 alpha-3 country code",
    ),
    (
        "name: x\nspecialty_metals:\n  hs_codes: [72-24]\n  melted_in: [USA]\n",
        "policy.yaml:3: hs_codes: '72-24' is not an HS code of 2 to 10 digits",
    ),
    (
        "name: x\nserialized:\n  kinds: [end_item, assembly]\n  statements: [inspection]\n",
        "policy.yaml:3: kinds: 'assembly' is not one of raw_material, part, subassembly, end_item",
    ),
    (
        "name: x\nunknown_origin: maybe\nforeign_adversary: {group: EU}\n",
        "policy.yaml:2: unknown_origin: 'maybe' is not one of fail, pass",
    ),
    (
        "name: x\ndesign_intent:\n  attributes:\n    parts: [drawing]\n",
        "policy.yaml:4: unknown key 'parts' in design_intent.attributes (a product kind or 'all') "
        "(did you mean 'part'?)",
    ),
    (
        "name: x\ndesign_intent:\n  attributes: [drawing]\n",
        "policy.yaml:3: design_intent.attributes must be a mapping, got a list",
    ),
    ("name: [x\n", "policy.yaml:2: invalid YAML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_POLICIES)
def test_bad_policy_files_are_refused_at_their_line(text: str, message: str, tmp_path: Path) -> None:
    """``message`` is ``policy.yaml:<line>: <reason>``; the error starts with it (full path)."""
    with pytest.raises(ScenarioError) as info:
        policy_file(tmp_path, text)
    assert str(info.value).startswith(f"{tmp_path}/{message}"), str(info.value)


def test_cli_prints_the_table_and_exits_1_on_a_failure_2_on_a_bad_policy(
    tiny_store: Store, tmp_path: Path
) -> None:
    db = tiny_store.path
    tiny_store.close()
    done = arsenal("hbom", "check", "prd:shell", "--policy", str(DFARS), db=db)
    assert done.returncode == 1, done.stderr
    assert "CHN (FOREIGN_ADVERSARY), made at fac:powder" in done.stdout
    assert "12 checks, 7 failed" in done.stdout
    assert done.stderr.strip().startswith("prd:shell fails policy 'DFARS country of origin")
    assert len(done.stderr.strip().splitlines()) == 1
    as_json = arsenal("hbom", "check", "prd:steel", "--policy", str(DFARS), "--json", db=db)
    report = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and report["passed"] is False
    assert [(r["product_id"], r["rule"], r["outcome"]) for r in report["rows"]][:2] == [
        ("prd:steel", "foreign_adversary", "pass"),
        ("prd:steel", "specialty_metals", "pass"),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nforeign_adversary:\n  group: ADVERSARY\n")
    refused = arsenal("hbom", "check", "prd:shell", "--policy", str(bad), db=db)
    assert refused.returncode == 2 and f"{bad}:3: group: 'ADVERSARY' is not one of" in refused.stderr
    origin = tmp_path / "origin.yaml"
    origin.write_text("name: origin\nforeign_adversary:\n  group: FOREIGN_ADVERSARY\n")
    ok = arsenal("hbom", "check", "prd:body", "--policy", str(origin), db=db)
    assert ok.returncode == 0, ok.stderr
    assert "3 checks, 0 failed" in ok.stdout

"""Hardware bills of materials: ``hbom export``, ``hbom import``, ``hbom check``."""

import dataclasses
import secrets
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table
from rich.text import Text

from arsenalnet.api.thread import passport
from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.cli.transfer import render_import
from arsenalnet.ingest.hbom import import_hbom
from arsenalnet.network import compile_network
from arsenalnet.scenario.hbom_policy import load_policy
from arsenalnet.store import Store
from arsenalnet.thread.hbom_check import (
    CheckReport,
    Outcome,
    PolicyFailed,
    check_hbom,
    failure_message,
)
from arsenalnet.thread.hbom_export import build_hbom, hbom_json
from arsenalnet.thread.hbom_tree import HbomCatalog, hbom_tree

hbom_app = typer.Typer(
    help="Hardware bills of materials (CycloneDX 1.6): export a product's, import a supplier's, "
    "check one against a policy.\n\n"
    "Examples: `arsenal hbom export prd:guided-missile --out missile.cdx.json`, "
    "`arsenal hbom import supplier-hbom.cdx.json`, "
    "`arsenal hbom check prd:guided-missile --policy policies/dfars.yaml`",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(hbom_app, name="hbom")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("x", encoding="utf-8") as f:
            f.write(text)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@hbom_app.command("export")
def export_cmd(
    product: Annotated[str, typer.Argument(help="Product id (prd:…) whose bill of materials to export.")],
    out: Annotated[Path, typer.Option("--out", help="File to write, e.g. missile.cdx.json.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Write a product's multi-tier hardware bill of materials as CycloneDX 1.6 JSON.

    Every part of its bill of materials (with its quantity per parent) and every
    facility that makes a part for it (manufacturer, address country and
    `arsenalnet:hbom:countryOfOrigin`); validated against the official schema
    before the file is written. See docs/hbom.md.

    Examples: `arsenal hbom export prd:guided-missile --out missile.cdx.json`
    """
    with Store(db, read_only=True) as store, progress("exporting", steps=4, quiet=json) as step:
        step("reading the twin")
        tables = store.read_tables()
        step("compiling")
        net = compile_network(tables)
        tree = hbom_tree(net, product)
        step("building the CycloneDX document")
        bom = build_hbom(net, HbomCatalog.of(tables), tree)
        step("validating against the CycloneDX 1.6 schema")
        text = hbom_json(bom)
    write_atomically(out, text)
    countries = net.countries.take(np.unique(net.facility_country[tree.source_facility]))
    summary = {
        "out": str(out),
        "product": product,
        "parts": len(tree.parts),
        "bom_lines": len(tree.line_qty),
        "sources": len(tree.source_facility),
        "countries": countries,
    }
    if json:
        print_json(summary)
    else:
        console.print(
            f"wrote {out}: {summary['parts']} parts, {summary['bom_lines']} BOM lines, "
            f"{summary['sources']} sources in {len(countries)} countries ({', '.join(countries)}); "
            "CycloneDX 1.6, schema-valid"
        )


@hbom_app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="A CycloneDX 1.6 JSON HBOM, e.g. supplier-hbom.cdx.json.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Import a supplier's CycloneDX 1.6 HBOM into the twin's products, bill of materials and
    product attributes, all or nothing.

    Every part (component) becomes a product, every dependency between parts a BOM
    line with its quantity, every other property and each declared country of
    origin a product attribute. Every problem is listed with its element path
    (`components[3].properties[1]`) and nothing is written (exit 2). See docs/hbom.md.

    Examples: `arsenal hbom import supplier-hbom.cdx.json`, `arsenal hbom import seeker.cdx.json --json`
    """
    with Store(db) as store, progress("importing the HBOM", steps=4, quiet=json) as step:
        report = import_hbom(store, path, progress=step)
    if json:
        print_json(report.counts)  # per table: inserted, updated, unchanged
    else:
        render_import(report)


def render_check(report: CheckReport) -> None:
    """Print one row per component and rule: pass in green, fail in red, with the reason."""
    t = Table(title=Text(f"{report.product_id}: {report.policy}"), title_justify="left")
    for col in ("component", "name", "rule", "result", "reason"):
        t.add_column(col, overflow="fold")
    for r in report.rows:  # Text: ids and reasons are data, never rich markup or :emoji: codes
        result = Text("pass", "green") if r.outcome is Outcome.PASS else Text("FAIL", "bold red")
        t.add_row(Text(r.product_id), Text(r.name), r.rule, result, Text(r.reason))
    console.print(t)
    console.print(f"{len(report.rows)} checks, {len(report.failures)} failed")


@hbom_app.command("check")
def check_cmd(
    product: Annotated[str, typer.Argument(help="Product id (prd:…) whose bill of materials to check.")],
    policy: Annotated[Path, typer.Option("--policy", help="Policy file (YAML), e.g. policies/dfars.yaml.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Check a product's bill of materials against a policy, joined with the transparency log.

    Rules: no part from a foreign-adversary country, specialty metals melted in the
    United States or a qualifying country, every serialized part with a verified build
    record and inspection statement in the log (`arsenal thread passport`), design-intent
    attributes present. Prints pass/fail per component and rule with the reason; exits 1
    when any check fails. See docs/hbom.md.

    Examples: `arsenal hbom check prd:guided-missile --policy policies/dfars.yaml`,
    `arsenal hbom check prd:155mm-shell --policy policies/dfars.yaml --json`
    """
    spec = load_policy(policy)
    with Store(db, read_only=True) as store, progress("checking", steps=2, quiet=json) as step:
        step("reading the twin")
        tables = store.read_tables()
        net = compile_network(tables)
        tree = hbom_tree(net, product)
        step("applying the policy; verifying the log's statements about serial numbers")
        report = check_hbom(
            net, HbomCatalog.of(tables), tree, spec, lambda s: [e.statement_type for e in passport(store, s)]
        )
    if json:
        print_json({"passed": not report.failures, **dataclasses.asdict(report)})
    else:
        render_check(report)
    if report.failures:
        raise PolicyFailed(failure_message(report))

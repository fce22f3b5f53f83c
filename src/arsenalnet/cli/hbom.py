"""Hardware bills of materials: ``hbom export``, ``hbom import``, ``hbom check``."""

import secrets
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.cli.transfer import render_import
from arsenalnet.ingest.hbom import import_hbom
from arsenalnet.network import compile_network
from arsenalnet.store import Store
from arsenalnet.thread.hbom_export import HbomCatalog, build_hbom, hbom_json
from arsenalnet.thread.hbom_tree import hbom_tree

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

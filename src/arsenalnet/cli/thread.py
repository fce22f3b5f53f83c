"""``arsenal thread``: keys, signed statements, the transparency log, receipts, audits, the HTTP service.

Each command is one call of :mod:`arsenalnet.api.thread`; see ``docs/thread.md``.
"""

import base64
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from arsenalnet.api import thread as api
from arsenalnet.api.keys import KeyFileError, issuer_of, only_issuer, public_path, resolve_keys_dir
from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, err_console, print_json, progress
from arsenalnet.model.errors import InputError
from arsenalnet.store import Store, resolve_db_path
from arsenalnet.thread.cose import thumbprint
from arsenalnet.thread.records import load_public_key

thread_app = typer.Typer(
    name="thread",
    help="The digital thread: signed statements about parts in a tamper-evident log (docs/thread.md).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
keys_app = typer.Typer(
    name="keys", help="ES256 keys of issuers and of the log service.", no_args_is_help=True
)
thread_app.add_typer(keys_app)
app.add_typer(thread_app)

KeysOption = Annotated[
    Path | None,
    typer.Option(
        "--keys",
        help="Keys directory (default: $ARSENAL_KEYS, else ~/.arsenal/keys). Private keys stay here.",
    ),
]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e


def _check_binary_out(out: Path | None) -> None:
    if out is None and sys.stdout.isatty():
        raise InputError("refusing to write CBOR to a terminal: redirect it (> file) or use --out FILE")


def _write_binary(data: bytes, out: Path | None) -> None:
    _check_binary_out(out)
    if out is not None:
        out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@keys_app.command("new")
def keys_new(
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer", help="Who signs, e.g. did:web:acme.example (the service's name with --service)."
        ),
    ] = None,
    service: Annotated[
        bool, typer.Option("--service", help="Make the log service's receipt key instead.")
    ] = False,
    keys: KeysOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Make an ES256 key pair and register its public key in the store.

    The private key is written to the keys directory with mode 0600 (never to the store,
    never overwritten); the public key beside it and into the store's `thread_key` table.

    Examples: `arsenal thread keys new --issuer did:web:acme.example`,
    `arsenal thread keys new --service --issuer did:web:log.example`
    """
    if issuer is None and not service:
        raise InputError("name the issuer: arsenal thread keys new --issuer did:web:...")
    with Store(db) as store:
        key = api.new_key(store, issuer or api.DEFAULT_SERVICE_ISSUER, service=service, keys_dir=keys)
    directory = resolve_keys_dir(keys)
    if json:
        print_json({"kid": key.kid, "issuer": key.issuer, "role": key.role, "keys_dir": str(directory)})
        return
    console.print(f"{key.role} key of {key.issuer}: kid {key.kid}")
    console.print(f"private key in {directory} (mode 0600); public key registered in the store")


@thread_app.command("sign")
def sign(
    file: Annotated[
        Path, typer.Argument(help="The payload: a build record, an inspection report, an HBOM, ...")
    ],
    subject: Annotated[
        str, typer.Option("--subject", help="What the statement is about, e.g. part:SN-0042.")
    ],
    content_type: Annotated[
        str, typer.Option("--content-type", help="Media type of FILE, e.g. application/json.")
    ],
    statement_type: Annotated[
        str | None, typer.Option("--type", help="What kind of statement: build-record, inspection, hbom, ...")
    ] = None,
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="Whose key signs (default: the one issuer key in --keys).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
    keys: KeysOption = None,
) -> None:
    """Sign FILE as a COSE_Sign1 signed statement (ES256) and write it to standard output.

    Issuer and subject go into the protected header as CWT claims (iss, sub), with the
    key id and the content type. Needs no store.

    Example: `arsenal thread sign build-record.json --subject part:SN-0042
    --content-type application/json > stmt.cose`
    """
    who = issuer or only_issuer(resolve_keys_dir(keys))
    statement = api.sign(
        _read(file),
        issuer=who,
        subject=subject,
        content_type=content_type,
        statement_type=statement_type,
        keys_dir=keys,
    )
    _write_binary(statement, out)


@thread_app.command("register")
def register(
    files: Annotated[list[Path], typer.Argument(help="Signed statements (COSE_Sign1 files).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="One file: write the receipt here. Several: a folder for NAME.receipt.cbor files."
        ),
    ] = None,
    keys: KeysOption = None,
    db: DbOption = None,
) -> None:
    """Register signed statements in the log and write their receipts (COSE, CBOR).

    All files are one batch, all or nothing: each statement's signature is checked with
    its issuer's registered key and the registration policy; a refused statement (bad
    CBOR, wrong algorithm, unknown key id, bad signature, too large, already registered)
    is named and nothing is appended. One file: the receipt goes to standard output.

    Examples: `arsenal thread register stmt.cose > receipt.cbor`,
    `arsenal thread register batch/*.cose --out receipts/`
    """
    raws = [_read(f) for f in files]
    if len(files) == 1:
        _check_binary_out(out)  # before anything is appended
    elif out is None:
        raise InputError("several statements: give --out FOLDER for their receipts")
    with Store(db) as store:
        regs = api.register(store, raws, api.service(store, keys))
    if len(files) == 1 and (out is None or not out.is_dir()):
        _write_binary(regs[0].receipt, out)
    elif out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for f, reg in zip(files, regs, strict=True):
            (out / f"{f.stem}.receipt.cbor").write_bytes(reg.receipt)
    first, last = regs[0].index, regs[-1].index
    err_console.print(
        f"registered as entr{'y' if first == last else 'ies'} {first}"
        + ("" if first == last else f"..{last}")
    )


@thread_app.command("receipt")
def receipt(
    index: Annotated[int, typer.Argument(help="Entry number in the log.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
    db: DbOption = None,
) -> None:
    """Write a fresh receipt of entry INDEX, for the newest signed tree head.

    Example: `arsenal thread receipt 17 > receipt.cbor`
    """
    with Store(db, read_only=True) as store:
        _write_binary(api.receipt(store, index), out)


def _issuer_key(keys_dir: Path, kid: bytes) -> bytes | None:
    for p in sorted(keys_dir.glob("*.pub.pem")):
        data = p.read_bytes()
        try:
            if thumbprint(load_public_key(data)) == kid:
                return data
        except InputError:
            continue
    return None


@thread_app.command("verify")
def verify(
    statement: Annotated[Path, typer.Argument(help="The signed statement (COSE_Sign1).")],
    receipt_file: Annotated[Path, typer.Argument(metavar="RECEIPT", help="Its receipt from the log.")],
    service_key: Annotated[
        Path | None,
        typer.Option("--service-key", help="The log's public key PEM (default: service.pub.pem in --keys)."),
    ] = None,
    issuer_key: Annotated[
        Path | None,
        typer.Option(
            "--issuer-key", help="The issuer's public key PEM (default: the one in --keys with its kid)."
        ),
    ] = None,
    keys: KeysOption = None,
    json: JsonOption = False,
) -> None:
    """Check a statement and its receipt offline, without the store or the network.

    The receipt's inclusion proof must lead from the statement's bytes to a Merkle root
    that the service key signed; the statement's own signature is checked too when the
    issuer's public key is at hand. Exits 1 when anything fails, naming it.

    Example: `arsenal thread verify stmt.cose receipt.cbor --service-key service.pub.pem`
    """
    from arsenalnet.thread.statement import parse_statement

    directory = resolve_keys_dir(keys)
    stmt = _read(statement)
    spem = _read(service_key or public_path(directory, "service"))
    ipem = _read(issuer_key) if issuer_key else None
    if ipem is None and directory.is_dir():
        try:
            ipem = _issuer_key(directory, parse_statement(stmt).kid)
        except InputError:
            ipem = None
    v = api.verify(stmt, _read(receipt_file), spem, ipem)
    result = {
        "verified": True,
        "entry": v.receipt.index,
        "tree_size": v.receipt.tree_size,
        "root": v.receipt.root.hex(),
        "log": v.receipt.issuer,
        "issuer": v.statement.issuer,
        "subject": v.statement.subject,
        "content_type": v.statement.content_type,
        "statement_type": v.statement.statement_type,
        "issuer_signature_checked": v.issuer_checked,
    }
    if json:
        print_json(result)
        return
    r, st = v.receipt, v.statement
    console.print(
        f"OK: entry {r.index} of the log of {r.tree_size} entries (root {r.root.hex()[:16]}…, signed by "
        f"{r.issuer}); {st.issuer} about {st.subject} ({st.content_type})"
    )
    if not v.issuer_checked:
        console.print(
            "the issuer's signature was not checked: no public key with its kid (give --issuer-key)"
        )


def _payload_text(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(payload).decode()


@thread_app.command("passport")
def passport(
    subject: Annotated[str, typer.Argument(help="What the statements are about, e.g. part:SN-0042.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """List every statement registered about SUBJECT, each verified (signature and inclusion).

    Example: `arsenal thread passport part:SN-0042 --json`
    """
    with Store(db, read_only=True) as store:
        entries = api.passport(store, subject)
    if json:
        print_json(
            [
                {
                    **{k: v for k, v in e.__dict__.items() if k != "payload"},
                    "payload": _payload_text(e.payload),
                }
                for e in entries
            ]
        )
        return
    if not entries:
        console.print(f"no statements about {subject}")
        return
    t = Table(title=f"{subject}: {len(entries)} verified statement{'s' * (len(entries) != 1)}")
    for col in ("entry", "type", "issuer", "content type", "registered", "payload"):
        t.add_column(col, justify="right" if col == "entry" else "left")
    for e in entries:
        text = _payload_text(e.payload)
        t.add_row(
            str(e.index),
            e.statement_type or "",
            e.issuer,
            e.content_type,
            e.registered_at,
            text if len(text) <= 60 else text[:57] + "...",
        )
    console.print(t)


@thread_app.command("audit")
def audit(db: DbOption = None, json: JsonOption = False) -> None:
    """Recheck the whole log: every statement's signature, every stored tree hash, every signed tree head.

    Exits 1 naming the first entry, tree node or head that is wrong.

    Example: `arsenal thread audit`
    """
    with Store(db, read_only=True) as store, progress("auditing the log", quiet=json) as step:
        report = api.audit(store, lambda done, total: step(f"{done:,} of {total:,} entries"))
    if json:
        print_json(report)
        return
    console.print(
        f"OK: {report.entries:,} entries and {report.tree_heads:,} signed tree heads verified; "
        f"root {report.root or '-'}"
    )


@thread_app.command("serve")
def serve(
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8089,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (0.0.0.0 to be reachable from elsewhere).")
    ] = "127.0.0.1",
    keys: KeysOption = None,
    db: DbOption = None,
) -> None:
    """Serve the log over HTTP in the SCITT reference API style (POST /entries, GET /entries/ID,
    /.well-known/ keys and configuration). Binds 127.0.0.1 unless --host says otherwise.

    Example: `arsenal thread serve --port 8089`
    """
    import uvicorn

    from arsenalnet.api.thread_http import create_app

    console.print(f"serving the log of {resolve_db_path(db)} on http://{host}:{port} (Ctrl-C stops)")
    uvicorn.run(create_app(db, keys), host=host, port=port, log_level="info")


__all__ = ["KeyFileError", "issuer_of", "thread_app"]

"""``arsenal thread serve``: the transparency log over HTTP, in the SCITT reference API style.

Routes (``docs/thread.md``):

- ``GET /.well-known/transparency-configuration``: the service's name, algorithm, tree
  algorithm, limits and endpoints (JSON).
- ``GET /.well-known/scitt-keys``: the service's public keys as a COSE_KeySet (CBOR);
  ``GET /.well-known/service-key.pem``: the current key as PEM (for ``arsenal thread verify``).
- ``POST /entries`` with an ``application/cose`` signed statement: registration is
  synchronous, so ``201 Created`` with the receipt (``application/cose``) and
  ``Location: /entries/{id}``.
- ``GET /entries/{id}``: a receipt of entry ``id`` for the newest signed tree head;
  ``GET /entries/{id}/statement``: the registered statement.

Errors are ``application/problem+json`` (RFC 9457): 400 for a refused statement (with the
reason), 404 for an unknown entry, 413 for a body over the size limit, 415 for another
content type. The app holds one store connection; requests take turns on it.
"""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import cbor2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from arsenalnet.api import thread as api
from arsenalnet.api.keys import public_pem
from arsenalnet.model.errors import ArsenalError
from arsenalnet.store import Store, thread_log
from arsenalnet.thread.cose import ES256
from arsenalnet.thread.policy import RegistrationPolicy

COSE = "application/cose"
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """An RFC 9457 problem-details response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def create_app(
    db: str | Path | None = None, keys_dir: str | Path | None = None, policy: RegistrationPolicy | None = None
) -> FastAPI:
    """The HTTP service over the log in store ``db`` with the service key of ``keys_dir``.

    The store is opened when the app starts and closed when it stops.
    """
    rules = policy or RegistrationPolicy()
    lock = threading.Lock()
    state: dict[str, object] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        store = Store(db)
        state["store"], state["service"] = store, api.service(store, keys_dir)
        try:
            yield
        finally:
            store.close()

    app = FastAPI(title="ArsenalNet transparency log", lifespan=lifespan)

    def store() -> Store:
        return state["store"]  # type: ignore[return-value]

    def svc() -> api.Service:
        return state["service"]  # type: ignore[return-value]

    @app.get("/.well-known/transparency-configuration")
    def configuration() -> dict[str, object]:
        return {
            "issuer": svc().issuer,
            "registration_endpoint": "/entries",
            "supported_signature_algorithms": ["ES256"],
            "verifiable_data_structure": "RFC9162_SHA256",
            "registration": "synchronous",
            "max_statement_bytes": rules.max_statement_bytes,
            "keys": ["/.well-known/scitt-keys", "/.well-known/service-key.pem"],
        }

    @app.get("/.well-known/scitt-keys")
    def scitt_keys() -> Response:
        with lock:
            keys = [k for k in api.registered_keys(store()).values() if k.role == "service"]
        key_set = []
        for k in keys:
            n = k.key.public_numbers()
            key_set.append(
                {
                    1: 2,
                    2: bytes.fromhex(k.kid),
                    3: ES256,
                    -1: 1,
                    -2: n.x.to_bytes(32, "big"),
                    -3: n.y.to_bytes(32, "big"),
                }
            )
        return Response(cbor2.dumps(key_set), media_type="application/cbor")

    @app.get("/.well-known/service-key.pem")
    def service_key() -> Response:
        return Response(public_pem(svc().key.public_key()), media_type="application/x-pem-file")

    @app.post("/entries", status_code=201)
    async def register(request: Request) -> Response:
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind != COSE:
            return problem(
                415, "Unsupported media type", f"send the signed statement as {COSE}, not {kind or 'nothing'}"
            )
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > rules.max_statement_bytes:
            return problem(
                413,
                "Statement too large",
                f"{declared} bytes is over the limit of {rules.max_statement_bytes:,}",
            )
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > rules.max_statement_bytes:
                return problem(
                    413,
                    "Statement too large",
                    f"the body is over the limit of {rules.max_statement_bytes:,} bytes",
                )
        try:
            with lock:
                reg = api.register(store(), [bytes(body)], svc(), rules)[0]
        except ArsenalError as e:
            return problem(400 if e.exit_code == 2 else 500, "Statement refused", str(e))
        return Response(
            reg.receipt, status_code=201, media_type=COSE, headers={"Location": f"/entries/{reg.index}"}
        )

    def _entry(entry_id: str) -> int | JSONResponse:
        if not entry_id.isdigit():
            return problem(404, "No such entry", f"entry ids are numbers, not {entry_id[:40]!r}")
        return int(entry_id)

    @app.get("/entries/{entry_id}")
    def entry_receipt(entry_id: str) -> Response:
        index = _entry(entry_id)
        if isinstance(index, JSONResponse):
            return index
        try:
            with lock:
                data = api.receipt(store(), index)
        except ArsenalError as e:
            return problem(404, "No such entry", str(e))
        return Response(data, media_type=COSE)

    @app.get("/entries/{entry_id}/statement")
    def entry_statement(entry_id: str) -> Response:
        index = _entry(entry_id)
        if isinstance(index, JSONResponse):
            return index
        with lock:
            row = thread_log.entry(store(), index)
        if row is None:
            return problem(404, "No such entry", f"no entry {index}")
        return Response(bytes(row["statement"]), media_type=COSE)

    return app

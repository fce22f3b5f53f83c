"""The HTTP service against the real app and a real store (FastAPI's TestClient)."""

from collections.abc import Iterator
from pathlib import Path

import cbor2
import pytest
from fastapi.testclient import TestClient

from arsenalnet.api import thread as api
from arsenalnet.api.thread_http import create_app
from arsenalnet.store import Store
from arsenalnet.thread.policy import RegistrationPolicy
from thread_factories import ISSUER, Log, make_log

COSE = {"content-type": "application/cose"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, Log]]:
    """A client of the service over a fresh log (an issuer key registered, statements signed
    offline with the same keys directory)."""
    db, keys = tmp_path / "log.duckdb", tmp_path / "keys"
    with Store(db) as s:
        make_log(s, keys)
    app = create_app(db, keys, RegistrationPolicy(max_statement_bytes=4096))
    with TestClient(app) as client:
        yield client, Log(None, keys, None)  # type: ignore[arg-type]


def test_register_and_fetch_receipts(served: tuple[TestClient, Log]) -> None:
    client, log = served
    config = client.get("/.well-known/transparency-configuration").json()
    assert config["verifiable_data_structure"] == "RFC9162_SHA256" and config["max_statement_bytes"] == 4096
    pem = client.get("/.well-known/service-key.pem").content
    keyset = cbor2.loads(client.get("/.well-known/scitt-keys").content)
    assert len(keyset) == 1 and keyset[0][3] == -7
    statements = [log.sign(b'{"n": %d}' % i) for i in range(3)]
    for i, st in enumerate(statements):
        r = client.post("/entries", content=st, headers=COSE)
        assert r.status_code == 201 and r.headers["location"] == f"/entries/{i}"
        assert api.verify(st, r.content, pem, log.issuer_pem).receipt.index == i
    r = client.get("/entries/0")
    assert r.status_code == 200 and r.headers["content-type"] == "application/cose"
    assert api.verify(statements[0], r.content, pem).receipt.tree_size == 3
    assert client.get("/entries/2/statement").content == statements[2]


@pytest.mark.parametrize(
    ("body", "headers", "status", "detail"),
    [
        (b"\xa1\x01\x02", COSE, 400, "not a tagged COSE_Sign1"),
        (b"\xff\x00", COSE, 400, "not valid CBOR"),
        (b"x" * 5000, COSE, 413, "over the limit of 4,096"),
        (b"{}", {"content-type": "application/json"}, 415, "send the signed statement as application/cose"),
    ],
)
def test_bad_bodies_get_problem_details_and_append_nothing(
    served: tuple[TestClient, Log], body: bytes, headers: dict[str, str], status: int, detail: str
) -> None:
    client, _ = served
    r = client.post("/entries", content=body, headers=headers)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == status and detail in problem["detail"]
    assert client.get("/entries/0").status_code == 404


def test_duplicate_and_unknown_entries(served: tuple[TestClient, Log]) -> None:
    client, log = served
    st = log.sign(b"once")
    assert client.post("/entries", content=st, headers=COSE).status_code == 201
    r = client.post("/entries", content=st, headers=COSE)
    assert r.status_code == 400 and "already entry 0" in r.json()["detail"]
    assert client.get("/entries/1").json()["detail"] == "no entry 1: the log has 1 entries"
    assert client.get("/entries/abc").status_code == 404


def test_binds_loopback_by_default() -> None:
    from arsenalnet.cli.thread import serve

    assert serve.__defaults__ is not None and "127.0.0.1" in serve.__defaults__
    assert ISSUER

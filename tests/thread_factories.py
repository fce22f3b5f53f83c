"""Helpers for digital-thread tests: a log with an issuer key and the service key."""

from dataclasses import dataclass
from pathlib import Path

from arsenalnet.api import thread as api
from arsenalnet.store import Store

ISSUER = "did:web:acme.example"


@dataclass
class Log:
    """A store with a registered issuer key and service key, keys in ``keys``."""

    store: Store
    keys: Path
    service: api.Service

    def sign(self, payload: bytes, subject: str = "part:SN-0042", statement_type: str | None = None) -> bytes:
        return api.sign(
            payload,
            issuer=ISSUER,
            subject=subject,
            content_type="application/json",
            statement_type=statement_type,
            keys_dir=self.keys,
        )

    @property
    def service_pem(self) -> bytes:
        return (self.keys / "service.pub.pem").read_bytes()

    @property
    def issuer_pem(self) -> bytes:
        return (self.keys / "did_web_acme.example.pub.pem").read_bytes()


def make_log(store: Store, keys: Path) -> Log:
    api.new_key(store, ISSUER, keys_dir=keys)
    return Log(store, keys, api.service(store, keys))

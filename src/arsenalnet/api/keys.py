"""Key files of the digital thread: ES256 private keys on disk (mode 0600), never in the store.

Keys live in a keys directory: ``--keys DIR``, else ``$ARSENAL_KEYS``, else ``~/.arsenal/keys``.
An issuer's pair is ``<issuer>.key.pem`` (PKCS#8, mode 0600) and ``<issuer>.pub.pem``, the
issuer name with every character outside ``[A-Za-z0-9._-]`` replaced by ``_``; the log
service's pair is ``service.key.pem`` / ``service.pub.pem``. Each file starts with the line
``issuer: NAME`` (explanatory text before the PEM block, RFC 7468 §5.2).
"""

import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from arsenalnet.model.errors import InputError

KEYS_ENV = "ARSENAL_KEYS"
DEFAULT_KEYS_DIR = Path("~/.arsenal/keys")
SERVICE_STEM = "service"


class KeyFileError(InputError):
    """A key file is missing, exists already, or cannot be read."""


def resolve_keys_dir(keys_dir: str | os.PathLike[str] | None = None) -> Path:
    """The keys directory: ``keys_dir``, else ``$ARSENAL_KEYS``, else ``~/.arsenal/keys``."""
    return Path(keys_dir or os.environ.get(KEYS_ENV) or DEFAULT_KEYS_DIR).expanduser()


def stem(issuer: str) -> str:
    """The file name stem of an issuer's key files: ``did:web:acme.example`` -> ``did_web_acme.example``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", issuer)


def private_path(keys_dir: Path, name: str) -> Path:
    """Where the private key of ``name`` (an issuer, or ``service``) lives."""
    return keys_dir / f"{name}.key.pem"


def public_path(keys_dir: Path, name: str) -> Path:
    """Where the public key of ``name`` lives."""
    return keys_dir / f"{name}.pub.pem"


def public_pem(key: ec.EllipticCurvePublicKey) -> str:
    """SubjectPublicKeyInfo PEM text."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def write_key_pair(keys_dir: Path, name: str, issuer: str) -> ec.EllipticCurvePrivateKey:
    """Generate an ES256 (P-256) key pair for ``issuer`` and write it to ``keys_dir`` as
    ``name.key.pem`` / ``name.pub.pem``; the private key file is created with mode 0600 and
    never overwritten."""
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = private_path(keys_dir, name)
    key = ec.generate_private_key(ec.SECP256R1())
    label = f"issuer: {issuer}\n"
    pem = label.encode() + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as e:
        raise KeyFileError(
            f"{path} exists: a key for {name} was made before (it is never overwritten)"
        ) from e
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(pem)
    public_path(keys_dir, name).write_text(label + public_pem(key.public_key()))
    return key


def issuer_of(path: Path) -> str | None:
    """The issuer named on the first line of a key file (``issuer: NAME``), if any."""
    with path.open() as f:
        first = f.readline().strip()
    return first.removeprefix("issuer: ") if first.startswith("issuer: ") else None


def only_issuer(keys_dir: Path) -> str:
    """The issuer of the one issuer key in ``keys_dir``; :class:`KeyFileError` if none or several."""
    found = sorted(
        name
        for p in keys_dir.glob("*.key.pem")
        if p.name != f"{SERVICE_STEM}.key.pem" and (name := issuer_of(p))
    )
    if len(found) != 1:
        have = ", ".join(found) if found else "none"
        raise KeyFileError(f"name the issuer with --issuer: {keys_dir} holds issuer keys of {have}")
    return found[0]


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """An ES256 private key from a PEM file."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as e:
        raise KeyFileError(f"no key file {path}: make one with `arsenal thread keys new`") from e
    except (ValueError, TypeError) as e:
        raise KeyFileError(f"{path}: not an unencrypted PEM private key ({e})") from e
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyFileError(f"{path}: not a P-256 (ES256) key")
    return key

"""The stack's secrets: random per-role S3 keys, the database password and the pseudonym key,
each in its own file (mode 0600, in a 0700 folder), created once and never printed.

Processes get the file names (``ADA_S3_SECRET_KEY_FILE``...), not the values, wherever the
program reading them accepts a file; only Dagster's own processes need ``ADA_DATABASE_URL``
itself, because ``dagster.yaml`` names that variable.
"""

from __future__ import annotations

import os
import secrets
import string
from pathlib import Path

from lake.access import KEYED_ROLES, Role, RoleKeys

#: Access keys look like AWS's (20 upper-case letters and digits); they identify, the secret
#: key proves. Both are random, so that neither can be guessed from the role's name.
_ACCESS_ALPHABET = string.ascii_uppercase + string.digits


def new_access_key() -> str:
    return "ADA" + "".join(secrets.choice(_ACCESS_ALPHABET) for _ in range(17))


def new_secret_key() -> str:
    return secrets.token_urlsafe(30)  # 40 characters, 240 bits


def write_secret(path: Path, value: str) -> None:
    """Write ``value`` to ``path``, readable by this user only, replacing it atomically (a
    reader sees the old or the new value, never half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(value + "\n")
    os.replace(tmp, path)


def read_secret(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def ensure_secret(path: Path, generate: str | None = None) -> str:
    """The secret in ``path``, created from ``generate`` (random if ``None``) the first time."""
    if path.exists():
        return read_secret(path)
    value = generate if generate is not None else secrets.token_urlsafe(32)
    write_secret(path, value)
    return value


class KeyRing:
    """The per-role S3 keys of one stack: ``<folder>/s3-<role>-access-key`` and
    ``<folder>/s3-<role>-secret-key``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def access_file(self, role: Role) -> Path:
        return self.folder / f"s3-{role.value}-access-key"

    def secret_file(self, role: Role) -> Path:
        return self.folder / f"s3-{role.value}-secret-key"

    def ensure(self) -> dict[Role, RoleKeys]:
        """Every keyed role's keys, generating those that do not exist yet."""
        return {role: self._ensure_role(role) for role in KEYED_ROLES}

    def _ensure_role(self, role: Role) -> RoleKeys:
        access = ensure_secret(self.access_file(role), new_access_key())
        secret = ensure_secret(self.secret_file(role), new_secret_key())
        return RoleKeys(access, secret)

    def keys(self, role: Role) -> RoleKeys:
        return RoleKeys(read_secret(self.access_file(role)), read_secret(self.secret_file(role)))

    def rotate(self, role: Role) -> RoleKeys:
        """New keys for ``role`` (both the access and the secret key), replacing the old."""
        keys = RoleKeys(new_access_key(), new_secret_key())
        write_secret(self.access_file(role), keys.access_key)
        write_secret(self.secret_file(role), keys.secret_key)
        return keys

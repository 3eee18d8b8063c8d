"""API tokens: who may change the catalog, and with which role.

A token is ``ada_`` followed by 32 random bytes from the operating system's CSPRNG
(:func:`secrets.token_urlsafe`, 43 characters): 256 bits, shown once when it is created and
never stored. The store keeps its SHA-256 (hex), and a request's token is looked up by its
SHA-256.

Why a plain SHA-256 and not a slow or keyed hash: slow hashes (bcrypt, scrypt, Argon2) exist
because passwords are guessable; a 256-bit random token is not, so a leaked table of digests
cannot be reversed by trying candidates, and a fast hash keeps every write request to one
indexed lookup. A key (HMAC with a server-side "pepper") would add nothing against guessing;
it would only stop someone who can write the store from inserting the digest of a token of
their own, and whoever can write the store can change the catalog directly anyway. It would
also add a secret that every service worker and the ``ada token`` command must share, and that
cannot be rotated without reissuing every token. The ``ada_``
prefix lets secret scanners (and our own log tests) recognize a token that leaked into a file.

Roles: ``editor`` edits datasets' catalog metadata and asks for republications; ``admin``
also withdraws releases and reads the audit log. Revoking a token keeps its row (the audit
log names it), so the name can be given to a new token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

import sqlalchemy as sa

from catalog.store import schema
from catalog.store.store import CatalogStore

Role = Literal["admin", "editor"]
ROLES: tuple[Role, ...] = get_args(Role)
TOKEN_PREFIX = "ada_"
#: Random bytes per token: 256 bits.
TOKEN_BYTES = 32
#: Who a token is for: a person's or a system's name, no spaces (it appears in the audit log).
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
#: Longer than any token this module issues: not worth hashing.
_LONGEST_TOKEN = 256


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message is for the operator."""


@dataclass(frozen=True)
class Caller:
    """Who a valid token belongs to."""

    name: str
    role: Role


@dataclass(frozen=True)
class TokenInfo:
    """A token as ``ada token list`` shows it: everything but the token."""

    name: str
    role: Role
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


def utc_now() -> str:
    """Now, in UTC, as the write side's tables store times."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: CatalogStore, name: str, role: str) -> str:
    """A new token for ``name`` with ``role``; the only time the token exists in clear."""
    if not NAME_PATTERN.match(name):
        raise TokenError(
            f"nombre no válido: {name!r} (letras, dígitos y . _ @ -, sin espacios, hasta 100)"
        )
    if role not in ROLES:
        raise TokenError(f"rol no válido: {role!r} (use {' o '.join(ROLES)})")
    token = new_token()
    table = schema.api_tokens
    try:
        with store.writer.begin() as connection:
            connection.execute(
                sa.insert(table).values(
                    name=name, role=role, token_sha256=token_digest(token), created_at=utc_now()
                )
            )
    except sa.exc.IntegrityError:
        raise TokenError(
            f"ya hay un token activo con el nombre {name!r}; revóquelo antes (ada token revoke)"
        ) from None
    return token


def list_tokens(store: CatalogStore, *, include_revoked: bool = False) -> list[TokenInfo]:
    table = schema.api_tokens
    query = sa.select(
        table.c.name, table.c.role, table.c.created_at, table.c.last_used_at, table.c.revoked_at
    ).order_by(table.c.name, table.c.id)
    if not include_revoked:
        query = query.where(table.c.revoked_at.is_(None))
    with store.engine.connect() as connection:
        return [TokenInfo(*row) for row in connection.execute(query)]


def revoke_token(store: CatalogStore, name: str) -> bool:
    """Revoke the active token of ``name``; whether there was one."""
    table = schema.api_tokens
    with store.writer.begin() as connection:
        done = connection.execute(
            sa.update(table)
            .where(table.c.name == name, table.c.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )
    return bool(done.rowcount)


def authenticate(store: CatalogStore, token: str) -> Caller | None:
    """The caller of an active token (and its use noted), or ``None``."""
    if not token or len(token) > _LONGEST_TOKEN:
        return None
    table = schema.api_tokens
    digest = token_digest(token)
    with store.writer.begin() as connection:
        found = connection.execute(
            sa.select(table.c.id, table.c.name, table.c.role).where(
                table.c.token_sha256 == digest, table.c.revoked_at.is_(None)
            )
        ).first()
        if found is None:
            return None
        connection.execute(
            sa.update(table).where(table.c.id == found.id).values(last_used_at=utc_now())
        )
    return Caller(found.name, found.role)

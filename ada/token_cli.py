"""``ada token``: the API tokens that may change the catalog (see ``catalog/store/access.py``).

``create`` prints the token once, alone on standard output (so it can be piped into the secret
store), and everything else on standard error; the token is never stored nor shown again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ada.settings import load_settings

if TYPE_CHECKING:  # the store's imports are paid only by the commands that use it
    from catalog.store import CatalogStore

app = typer.Typer(
    help="Tokens de la API de escritura del catálogo (roles admin y editor).",
    no_args_is_help=True,
)
console = Console(stderr=True)


def _store() -> CatalogStore:
    from catalog.store import CatalogStore

    return CatalogStore.open(load_settings())


@app.command()
def create(
    name: Annotated[
        str, typer.Option("--name", help="Who uses it: a person or a system (no spaces).")
    ],
    role: Annotated[str, typer.Option("--role", help="admin or editor.")],
) -> None:
    """Create a token and print it once."""
    from catalog.store.access import TokenError, create_token

    store = _store()
    try:
        token = create_token(store, name, role)
    except TokenError as err:
        raise typer.BadParameter(str(err)) from None
    finally:
        store.close()
    console.print(
        f"Token de [bold]{name}[/] (rol {role}). Se muestra solo esta vez: guárdelo en el "
        "gestor de secretos. Úselo en la cabecera Authorization."
    )
    print(token)


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Include revoked tokens.")] = False,
) -> None:
    """The tokens: name, role, created, last used (never the token)."""
    from catalog.store.access import list_tokens

    store = _store()
    try:
        tokens = list_tokens(store, include_revoked=all_)
    finally:
        store.close()
    table = Table("nombre", "rol", "creado (UTC)", "último uso (UTC)", "estado")
    for info in tokens:
        state = f"revocado {_short(info.revoked_at)}" if info.revoked_at else "activo"
        table.add_row(
            info.name, info.role, _short(info.created_at), _short(info.last_used_at), state
        )
    Console().print(table)


@app.command()
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke the active token of NAME: it stops working at once."""
    from catalog.store.access import revoke_token

    store = _store()
    try:
        revoked = revoke_token(store, name)
    finally:
        store.close()
    if not revoked:
        console.print(f"[red]no hay un token activo con el nombre {name!r}[/]")
        raise typer.Exit(1)
    console.print(f"token de {name} revocado")


def _short(stamp: str | None) -> str:
    """``2025-06-01T10:00:00.123456+00:00`` → ``2025-06-01 10:00:00``."""
    return stamp[:19].replace("T", " ") if stamp else "-"

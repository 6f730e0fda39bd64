"""`faxintake web` and `faxintake users …`: the staff review app and its accounts. The web stack (FastAPI, uvicorn,
argon2, the templates) is imported inside the commands, so the other commands do not load it."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from faxintake.errors import ConfigError, FaxIntakeError
from faxintake.settings import SAMPLE_CORPUS, STORE_ENV, Settings
from flows.console import fail

users_app = typer.Typer(no_args_is_help=True, help="Staff accounts for the review app (faxintake web).")
StoreOption = Annotated[
    str | None, typer.Option("--store", envvar=STORE_ENV, help="SQLAlchemy URL; default SQLite in out/")
]
SECRET_ENV = "FAXINTAKE_WEB_SECRET"  # signs the session cookies; unset: a random key, sessions end on restart


def _store_url(store: str | None, out: Path = Path("out")) -> str:
    return Settings(out_dir=out, store_url=store).store


def web_command(
    store: StoreOption = None,
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    out: Annotated[
        Path, typer.Option("--out", help="where the intake run's notices are (and the default store)")
    ] = Path("out"),
    roster: Annotated[Path, typer.Option("--roster", help="members.csv")] = SAMPLE_CORPUS / "members.csv",
    providers: Annotated[Path, typer.Option("--providers", help="providers.csv")] = SAMPLE_CORPUS / "providers.csv",
    threshold: Annotated[float, typer.Option("--confidence-threshold")] = 0.9,
) -> None:
    """Serve the review app: queues, documents with their page images, corrections, returns, decisions, letters."""
    import uvicorn

    from faxintake.intake import References
    from faxintake.store import Store
    from faxintake.web.app import create_app
    from faxintake.web.users import list_users

    settings = Settings(
        out_dir=out, roster_path=roster, providers_path=providers, store_url=store, confidence_threshold=threshold
    )
    try:
        the_store = Store(settings.store)
        refs = References.load(settings)
        if not any(u.active and u.role == "admin" for u in list_users(the_store)):
            typer.echo(
                "no admin yet: create one with `faxintake users add NAME --role admin --password-stdin`", err=True
            )
        app = create_app(
            the_store, refs, out_dir=out, confidence_threshold=threshold, secret=os.environ.get(SECRET_ENV)
        )
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    logging.getLogger("faxintake.web.access").setLevel(logging.INFO)
    typer.echo(f"review app on http://{host}:{port}/ (Ctrl+C stops it)")
    # uvicorn's own access log prints the query string (the queue's filters): ours prints the path only.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="the sign-in name")],
    role: Annotated[str, typer.Option("--role", help="reviewer, director or admin")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input (first line)")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Add a staff account (the password is read from standard input, never from the command line)."""
    from faxintake.store import Store
    from faxintake.web.users import add_user

    if not password_stdin:
        raise fail(ConfigError("give the password on standard input with --password-stdin"))
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        account = add_user(Store(_store_url(store)), name, role, password)
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    typer.echo(f"added {account.name} ({account.role})")


@users_app.command("list")
def users_list(store: StoreOption = None) -> None:
    """The accounts: name, role, active or disabled, last sign-in."""
    from rich.console import Console
    from rich.table import Table

    from faxintake.store import Store
    from faxintake.web.users import list_users

    try:
        accounts = list_users(Store(_store_url(store)))
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    table = Table(title=f"{len(accounts)} user(s)")
    for column in ("name", "role", "status", "created", "last sign-in"):
        table.add_column(column)
    for a in accounts:
        table.add_row(
            a.name,
            a.role,
            "active" if a.active else "disabled",
            f"{a.created_at:%Y-%m-%d}",
            f"{a.last_login:%Y-%m-%d %H:%M}" if a.last_login else "",
        )
    Console().print(table)


@users_app.command("disable")
def users_disable(name: str, store: StoreOption = None) -> None:
    """Disable an account (kept: the audit trail names it); its sessions end at their next request."""
    from faxintake.store import Store
    from faxintake.web.users import disable_user

    try:
        disable_user(Store(_store_url(store)), name)
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    typer.echo(f"disabled {name}")

"""`faxintake queue …` and `faxintake export`: work the queues and hand tables to analysts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from faxintake.errors import FaxIntakeError
from flows.console import fail

# The store (SQLAlchemy, Alembic) and the export (pandas, pyarrow) are imported by the commands that use them: the
# other commands of the CLI do not wait for them.

queue_app = typer.Typer(no_args_is_help=True, help="Review queues: list, show and resolve documents.")
console = Console()
StoreOption = Annotated[str, typer.Option("--store", envvar="FAXINTAKE_STORE", help="SQLAlchemy URL of the store")]
DEFAULT_STORE = f"sqlite:///{Path('out/faxintake.db').resolve()}"


@queue_app.command("list")
def queue_list(
    route: Annotated[str | None, typer.Option("--route", help="e.g. manual_triage")] = None,
    status: Annotated[str, typer.Option("--status")] = "open",
    store: StoreOption = DEFAULT_STORE,
) -> None:
    """Documents waiting in a queue (member initials only)."""
    from rich.table import Table

    from faxintake.store import Store

    try:
        items = Store(store).queue(route, status)
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    table = Table(title=f"{len(items)} {status} document(s)" + (f" in {route}" if route else ""))
    for column in ("id", "received", "form", "route", "member", "codes", "file"):
        table.add_column(column)
    for i in items:
        table.add_row(
            str(i.document_id),
            f"{i.received_at:%Y-%m-%d %H:%M}" if i.received_at else "",
            i.doc_type,
            i.route,
            i.member_initials or "",
            ", ".join(i.codes),
            i.source,
        )
    console.print(table)


@queue_app.command("show")
def queue_show(document_id: int, store: StoreOption = DEFAULT_STORE) -> None:
    """One document: fields, findings and its audit trail, as JSON."""
    from faxintake.store import Store

    try:
        shown = Store(store).show(document_id)
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    console.print_json(json.dumps(shown, default=str))


@queue_app.command("resolve")
def queue_resolve(
    document_id: int,
    by: Annotated[str, typer.Option("--by", help="who resolves it")],
    reason: Annotated[str, typer.Option("--reason", help="why / what was done")],
    store: StoreOption = DEFAULT_STORE,
) -> None:
    """Close a document in its queue; who, why and when go to the audit trail."""
    from faxintake.store import Store

    try:
        Store(store).resolve(document_id, actor=by, reason=reason)
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    console.print(f"document {document_id} resolved by {by}")


def export_command(
    out: Annotated[Path, typer.Option("--out", help="folder for the tables")] = Path("out/tables"),
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or both")] = "both",
    store: StoreOption = DEFAULT_STORE,
) -> None:
    """Write the analyst tables (documents, fields, findings, routes) and their data dictionary."""
    from faxintake.export import export_tables
    from faxintake.store import Store

    formats = ("parquet", "csv") if fmt == "both" else (fmt,)
    try:
        written = export_tables(Store(store), out, formats)
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    console.print(f"wrote {len(written)} files to {out}")

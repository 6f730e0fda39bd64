"""The `faxintake` command line: parses arguments and calls the public API, nothing more."""

from __future__ import annotations

import contextlib
import gc
import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from faxintake.errors import ConfigError, FaxIntakeError
from faxintake.settings import SAMPLE_CORPUS, Settings
from flows.console import configure_logging, fail, set_verbose
from flows.console import errors as console
from flows.store_cli import export_command, queue_app
from flows.web_cli import users_app, web_command

_started = time.perf_counter()  # when this invocation began: the summary counts the whole command, start-up included
_invoked = False
# Each command imports what it needs when it runs: `forms spec` needs neither OpenCV nor Prefect nor the store, and
# `process` starts the Prefect API and the OCR workers before importing Prefect (flows/prefect_api.py).
# No local variables in a traceback: an unexpected error's would show member data.
app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Read, check and route faxed plan forms.",
    pretty_exceptions_show_locals=False,
)
forms_app = typer.Typer(no_args_is_help=True, help="The form catalog.")
app.add_typer(forms_app, name="forms")
app.add_typer(queue_app, name="queue")
app.command("export")(export_command)
app.command("web")(web_command)  # the review app (its web stack is imported only when it runs)
app.add_typer(users_app, name="users")


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while the command imports the reading code or Prefect: imports make
    hundreds of thousands of objects and no garbage, and the collector's passes over them cost 10-15% of importing
    (0.3 s of `process`'s start-up). What was imported is then frozen, never scanned again."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@app.callback()
def options(
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="debug logs (input numbers and file names, never member data); before the command"
        ),
    ] = False,
) -> None:
    """Read, check and route faxed plan forms."""
    global _started, _invoked
    if _invoked:  # the app invoked again in this process (tests): this invocation begins now
        _started = time.perf_counter()
    _invoked = True
    if verbose:
        set_verbose()


@app.command("process")
def process(
    inputs: Annotated[list[Path], typer.Argument(help="fax files (PDF, TIFF, PNG, JPEG) or folders of them")],
    out: Annotated[Path, typer.Option("--out", help="where results/, notices/ and the default store go")] = Path("out"),
    roster: Annotated[Path, typer.Option("--roster", help="members.csv")] = SAMPLE_CORPUS / "members.csv",
    providers: Annotated[Path, typer.Option("--providers", help="providers.csv")] = SAMPLE_CORPUS / "providers.csv",
    received_at: Annotated[
        str | None, typer.Option("--received-at", help="when the fax arrived (ISO); default: its header, else now")
    ] = None,
    store: Annotated[
        str | None, typer.Option("--store", envvar="FAXINTAKE_STORE", help="SQLAlchemy URL; default SQLite in --out")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="worker processes (default: one per core)")] = 0,
    threshold: Annotated[
        float, typer.Option("--confidence-threshold", help="reads below it never send a form back")
    ] = 0.9,
    dask_address: Annotated[
        str | None, typer.Option("--dask-address", help="run on an existing Dask cluster (tcp://host:8786)")
    ] = None,
) -> None:
    """Run the intake flow on fax files or folders; one result JSON per input in OUT/results/."""
    try:
        when = datetime.fromisoformat(received_at) if received_at else None
    except ValueError:
        raise fail(ConfigError(f"--received-at {received_at!r} is not an ISO date-time (2026-11-20T09:14)")) from None
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise fail(ConfigError(f"no such input: {', '.join(missing)}"))
    settings = Settings(
        out_dir=out,
        roster_path=roster,
        providers_path=providers,
        store_url=store,
        received_at=when,
        confidence_threshold=threshold,
        **({"workers": workers} if workers else {}),
    )
    try:
        settings.checked()
        from flows import prefect_api
        from flows import workers as pool

        prefect_api.start_temporary_server()  # unless a server is configured; its start-up overlaps what follows
        with collector_paused():
            from faxintake.intake import References, expand_inputs

        References.load(settings)  # a roster that does not parse fails the command before any fax is handed out
        files = expand_inputs(inputs)
        if not dask_address:
            pool.read_ahead(files, settings)  # the OCR workers start, and begin on the first fax
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            job = bar.add_task("faxes", total=len(files))
            with collector_paused():
                from flows.intake import run_batch  # Prefect, imported while the server and the workers start

            summary = run_batch(
                inputs, settings, dask_address=dask_address, progress=lambda n, _result: bar.update(job, completed=n)
            )
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    from rich.table import Table

    seconds = time.perf_counter() - _started
    console.print(
        f"{summary.inputs} fax(es), {summary.pages} pages in {seconds:.1f} s ({summary.pages / seconds:.2f} pages/s;"
        f" start-up included, the flow {summary.seconds:.1f} s)",
        soft_wrap=True,
    )
    table = Table()
    table.add_column("route")
    table.add_column("documents", justify="right")
    for route, count in sorted(summary.routes.items()):
        table.add_row(route, str(count))
    if summary.errors:
        table.add_row("[red]unreadable inputs[/red]", str(summary.errors))
    if summary.duplicates:
        table.add_row("duplicate deliveries", str(summary.duplicates))
    console.print(table)
    console.print(f"results in {out / 'results'}")
    everything = len(summary.unrecorded) == summary.inputs
    failure = summary.store_failure(
        f"every result is in {out / 'results'}; when the store is reachable (check --store or FAXINTAKE_STORE), "
        + ("run this command again" if everything else "process the inputs named here and in the log again")
    )
    if failure is not None:
        raise fail(failure)


@forms_app.command("spec")
def forms_spec() -> None:
    """Print the form catalog (fields, types, labels, boxes) as JSON."""
    from faxintake.catalog import load_catalog

    try:
        catalog = load_catalog()
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    json.dump(catalog.spec(), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


@forms_app.command("blank")
def forms_blank(
    form_id: Annotated[str, typer.Argument(help="member_reassignment, cm_referral, cbas_referral or hif_met")],
    output: Annotated[Path, typer.Option("-o", "--output", help="PDF file to write")],
    language: Annotated[str, typer.Option("--language", help="en, es, zh-Hant or hmn (HIF/MET)")] = "en",
) -> None:
    """Write the blank form as a vector PDF."""
    from faxintake.catalog import load_catalog
    from faxintake.catalog.render import render_form

    try:
        catalog = load_catalog()
        form = catalog.form(form_id)
    except KeyError:
        raise fail(
            ConfigError(f"no form {form_id!r}; known: {', '.join(f.form_id for f in load_catalog().forms)}")
        ) from None
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    if language not in form.languages:
        raise fail(ConfigError(f"{form_id} has no {language!r} version (has {', '.join(form.languages)})"))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(render_form(form, language))
    typer.echo(f"wrote {output}")


def main() -> None:
    configure_logging()
    app()


@app.command("watch")
def watch_inbox(
    inbox: Annotated[Path, typer.Argument(help="the folder faxes arrive in")],
    out: Annotated[Path, typer.Option("--out")] = Path("out"),
    roster: Annotated[Path, typer.Option("--roster")] = SAMPLE_CORPUS / "members.csv",
    providers: Annotated[Path, typer.Option("--providers")] = SAMPLE_CORPUS / "providers.csv",
    store: Annotated[str | None, typer.Option("--store", envvar="FAXINTAKE_STORE")] = None,
    interval: Annotated[float, typer.Option("--interval", help="seconds between looks at the inbox")] = 2.0,
    once: Annotated[bool, typer.Option("--once", help="process what is there now, then stop")] = False,
) -> None:
    """Process each fax that lands in INBOX exactly once; move it to INBOX/processed or INBOX/failed."""
    settings = Settings(out_dir=out, roster_path=roster, providers_path=providers, store_url=store)
    try:
        settings.checked()
        from flows import prefect_api

        prefect_api.start_temporary_server()  # unless a server is configured; started while Prefect is imported
        with collector_paused():
            from flows.inbox import watch

        watch(
            inbox,
            settings,
            once=once,
            interval=interval,
            on_batch=lambda s: console.print(f"{s.inputs} fax(es), {s.pages} pages, routes {dict(s.routes)}"),
        )
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    except KeyboardInterrupt:
        console.print("stopped")


@app.command("reprocess")
def reprocess_cmd(
    mode: Annotated[
        str, typer.Option("--mode", help="redecide (stored fields, no OCR) or reread (kept originals)")
    ] = "redecide",
    since: Annotated[str | None, typer.Option("--since", help="received on or after (ISO)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="received on or before (ISO)")] = None,
    form: Annotated[str | None, typer.Option("--form")] = None,
    route: Annotated[str | None, typer.Option("--route")] = None,
    code: Annotated[str | None, typer.Option("--code")] = None,
    out: Annotated[Path, typer.Option("--out")] = Path("out"),
    roster: Annotated[Path, typer.Option("--roster")] = SAMPLE_CORPUS / "members.csv",
    providers: Annotated[Path, typer.Option("--providers")] = SAMPLE_CORPUS / "providers.csv",
    store: Annotated[str | None, typer.Option("--store", envvar="FAXINTAKE_STORE")] = None,
    threshold: Annotated[float, typer.Option("--confidence-threshold")] = 0.9,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report what would change, change nothing")] = False,
) -> None:
    """Decide stored documents again and report which changed route or codes (table and CSV)."""
    from rich.table import Table

    from faxintake.reprocess import redecide, reread, write_changes
    from faxintake.store import Store

    if mode not in ("redecide", "reread"):
        raise fail(ConfigError("--mode is redecide or reread"))
    settings = Settings(
        out_dir=out, roster_path=roster, providers_path=providers, store_url=store, confidence_threshold=threshold
    )
    try:
        start = datetime.fromisoformat(since) if since else None
        end = datetime.fromisoformat(until) if until else None
        run = redecide if mode == "redecide" else reread
        changes = run(
            Store(settings.store),
            settings,
            since=start,
            until=end,
            form=form,
            route=route,
            code=code,
            apply=not dry_run,
        )
    except ValueError:
        raise fail(ConfigError("--since/--until take ISO dates (2026-11-01)")) from None
    except FaxIntakeError as exc:
        raise fail(exc) from exc
    changed = [c for c in changes if c.changed]
    table = Table(title=f"{len(changed)} of {len(changes)} document(s) changed" + (" (dry run)" if dry_run else ""))
    for column in ("id", "file", "form", "route", "codes"):
        table.add_column(column)
    for c in changed:
        table.add_row(
            str(c.document_id),
            c.source,
            c.doc_type,
            f"{c.old_route} → {c.new_route}",
            f"{' '.join(c.old_codes)} → {' '.join(c.new_codes)}",
        )
    console.print(table)
    csv_path = write_changes(changes, out / f"reprocess-{datetime.now():%Y%m%dT%H%M%S}.csv")
    console.print(f"changes in {csv_path}")


@app.command("serve")
def serve_cmd(
    inbox: Annotated[Path, typer.Argument(help="the folder faxes arrive in")],
    out: Annotated[Path, typer.Option("--out")] = Path("out"),
    roster: Annotated[Path, typer.Option("--roster")] = SAMPLE_CORPUS / "members.csv",
    providers: Annotated[Path, typer.Option("--providers")] = SAMPLE_CORPUS / "providers.csv",
    store: Annotated[str | None, typer.Option("--store", envvar="FAXINTAKE_STORE")] = None,
    interval: Annotated[int, typer.Option("--interval", help="seconds between sweeps")] = 30,
) -> None:
    """Serve the inbox sweep as a Prefect deployment (point PREFECT_API_URL at a Prefect server to see it in the UI)."""
    from flows.inbox import serve_inbox

    settings = Settings(out_dir=out, roster_path=roster, providers_path=providers, store_url=store)
    try:
        serve_inbox(inbox, settings.checked(), interval)
    except FaxIntakeError as exc:
        raise fail(exc) from exc

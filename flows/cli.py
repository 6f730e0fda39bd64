"""The `faxintake` command line: parses arguments and calls the public API, nothing more."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from faxintake.catalog import load_catalog
from faxintake.catalog.render import render_form
from faxintake.errors import FaxIntakeError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Read, check and route faxed plan forms.")
forms_app = typer.Typer(no_args_is_help=True, help="The form catalog.")
app.add_typer(forms_app, name="forms")


def _fail(exc: FaxIntakeError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(exc.exit_code)


@forms_app.command("spec")
def forms_spec() -> None:
    """Print the form catalog (fields, types, labels, boxes) as JSON."""
    try:
        catalog = load_catalog()
    except FaxIntakeError as exc:
        raise _fail(exc) from exc
    json.dump(catalog.spec(), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


@forms_app.command("blank")
def forms_blank(
    form_id: Annotated[str, typer.Argument(help="member_reassignment, cm_referral, cbas_referral or hif_met")],
    output: Annotated[Path, typer.Option("-o", "--output", help="PDF file to write")],
    language: Annotated[str, typer.Option("--language", help="en, es, zh-Hant or hmn (HIF/MET)")] = "en",
) -> None:
    """Write the blank form as a vector PDF."""
    try:
        catalog = load_catalog()
        form = catalog.form(form_id)
    except KeyError:
        typer.echo(f"error: no form {form_id!r}; known: {', '.join(f.form_id for f in load_catalog().forms)}", err=True)
        raise typer.Exit(2) from None
    except FaxIntakeError as exc:
        raise _fail(exc) from exc
    if language not in form.languages:
        typer.echo(f"error: {form_id} has no {language!r} version (has {', '.join(form.languages)})", err=True)
        raise typer.Exit(2)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(render_form(form, language))
    typer.echo(f"wrote {output}")


def main() -> None:
    app()

"""How the CLI reports an error: one line on stderr and the error's exit code; with --verbose, where it came from."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from faxintake.errors import FaxIntakeError

# The loggers --verbose turns to DEBUG. Their records carry input numbers and file names, never member data.
OUR_LOGGERS = ("faxintake", "extractors", "validators", "flows")
OUR_CODE = str(Path(__file__).resolve().parent.parent)
errors = Console(stderr=True)
log = logging.getLogger("flows.cli")


# Prefect logs every task run's end at INFO ("Finished in state Completed()", without the task's name): two lines a
# fax on the console and in the Prefect API's log table, which the run's task list shows already. Failures still log.
PREFECT_TASK_RUNS = logging.getLogger("prefect.task_runs")


def configure_logging() -> None:
    """The console as the CLI shows it: warnings and errors, Prefect's run summaries, no line per task run."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    PREFECT_TASK_RUNS.setLevel(logging.WARNING)


def set_verbose() -> None:
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    PREFECT_TASK_RUNS.setLevel(logging.INFO)


def fail(exc: FaxIntakeError) -> typer.Exit:
    """Print the error as one line (whatever the terminal's width) and exit with its code."""
    if log.isEnabledFor(logging.DEBUG):
        log.debug("where the error came from:\n%s", origins(exc))
    errors.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
    return typer.Exit(exc.exit_code)


def origins(exc: BaseException) -> str:
    """The error and its causes as types and code locations (ours, and where each was raised). Not their messages:
    a database error can quote the row it could not write, and that row can hold member data."""
    lines: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(lines) < 200:
        lines.append(f"{type(seen).__module__}.{type(seen).__qualname__}")
        frames = traceback.extract_tb(seen.__traceback__)
        lines += [
            f"  {f.filename}:{f.lineno} in {f.name}"
            for i, f in enumerate(frames)
            if i == len(frames) - 1 or (f.filename.startswith(OUR_CODE) and "site-packages" not in f.filename)
        ]
        seen = seen.__cause__ if seen.__cause__ is not None or seen.__suppress_context__ else seen.__context__
    return "\n".join(lines)

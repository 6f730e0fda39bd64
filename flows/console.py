"""How the CLI reports an error: one line on stderr and the error's exit code; with --verbose, where it came from."""

from __future__ import annotations

import logging
import os
import sys
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


# Prefect logs every task run's end at INFO ("Finished in state Completed()", without the task's name): a line a fax
# on the console and in the Prefect API's log table, which the run's task list shows already. Failures still log.
# Set through Prefect's logging settings (PREFECT_LOGGING_<path>_<key>) rather than on the logger: Prefect's logging
# set-up, when Prefect is imported after ours, sets the level from its logging.yml again (NOTSET), which is how the
# line per task run came back on the console.
TASK_RUNS_LEVEL_ENV = "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL"
PREFECT_TASK_RUNS = logging.getLogger("prefect.task_runs")


class StderrHandler(logging.StreamHandler):
    """The console's log lines go to sys.stderr as it is when a line is logged: while the progress bar shows, rich's
    stand-in for it, which prints the line above the bar instead of through it. (Its name has no leading underscore:
    Prefect's logging set-up keeps a root handler it takes for the user's, and replaces the others with its own.)"""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


_console_handler = StderrHandler()
_task_runs_level_set = False


def configure_logging() -> None:
    """The console as the CLI shows it: warnings and errors. Prefect's lines (the run's start and end, a line per
    task run, the temporary server's start) show with --verbose; those of the flow run still reach the Prefect API."""
    global _task_runs_level_set
    _console_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    _console_handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    if _console_handler not in root.handlers:
        root.addHandler(_console_handler)
    root.setLevel(logging.WARNING)
    if TASK_RUNS_LEVEL_ENV not in os.environ:  # a level the user set stays as set
        os.environ[TASK_RUNS_LEVEL_ENV] = "WARNING"
        _task_runs_level_set = True
    PREFECT_TASK_RUNS.setLevel(os.environ[TASK_RUNS_LEVEL_ENV])


def set_verbose() -> None:
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    _console_handler.setLevel(logging.NOTSET)
    if _task_runs_level_set:
        os.environ[TASK_RUNS_LEVEL_ENV] = "INFO"
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

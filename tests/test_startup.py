"""The command line as a user runs it, in its own process: what each command imports, what the console shows, the
Prefect API a batch uses and what the temporary server keeps. (How fast is measured by benchmarks/cli.py.)"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.test_intake import cli_env, faxintake_cli

FAX = "hif_en_forward.tif"  # one page: the shortest real read
TASK_LINE = "Finished in state Completed()"


def test_forms_spec_imports_neither_opencv_nor_prefect_nor_the_store(tmp_path: Path) -> None:
    """`forms spec` prints the catalog without importing the reading code, Prefect or the store's SQLAlchemy (each
    costs seconds at start-up); the modules are checked in the command's own process as it exits."""
    code = (
        "import atexit, sys\n"
        "heavy = ('cv2', 'numpy', 'prefect', 'sqlalchemy', 'alembic', 'pandas', 'reportlab', 'onnxruntime')\n"
        "atexit.register(lambda: sys.stderr.write('imported: %r' % sorted(m for m in heavy if m in sys.modules)))\n"
        "from flows.cli import main\n"
        "sys.argv[0] = 'faxintake'\n"
        "main()\n"
    )
    run = _python(code, "forms", "spec")
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip().endswith("imported: []"), run.stderr
    from faxintake.catalog import load_catalog

    assert json.loads(run.stdout) == json.loads(json.dumps(load_catalog().spec()))


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`code` run by a Python process of its own, with `args` as its command line; what it printed."""
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _inbox(corpus: Path, tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / FAX).write_bytes((corpus / FAX).read_bytes())
    return inbox


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_process_console_is_quiet_unless_verbose(corpus: Path, tmp_path: Path, verbose: bool) -> None:
    """`faxintake process`: by default the summary and no Prefect line (the README's main command showed one line
    per task run, 143 on the corpus); with -v, Prefect's lines, one per task run among them."""
    inbox, out = _inbox(corpus, tmp_path), tmp_path / "out"
    args = ["-v"] * verbose + ["process", str(inbox), "--out", str(out), "--workers", "1"]
    run = faxintake_cli(args, cli_env(tmp_path), 300)
    printed = run.stdout + run.stderr
    assert run.returncode == 0, printed
    assert json.loads((out / "results" / f"{FAX}.json").read_text())["documents"][0]["route"] == "forward_to_pcp"
    assert "1 fax(es), 1 pages in" in printed and "results in" in printed
    if verbose:
        assert printed.count(TASK_LINE) == 2, printed  # the fax's task run, and the flow run
        assert "prefect.task_runs" in printed and "Beginning flow run" in printed
    else:
        assert TASK_LINE not in printed and "prefect" not in printed, printed
        assert "INFO" not in printed and "Traceback" not in printed, printed


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_watch_console_is_quiet_unless_verbose(corpus: Path, tmp_path: Path, verbose: bool) -> None:
    """`faxintake watch --once`: the batch's line and no Prefect line by default; Prefect's lines with -v."""
    inbox, out = _inbox(corpus, tmp_path), tmp_path / "out"
    args = ["-v"] * verbose + ["watch", str(inbox), "--out", str(out), "--once"]
    run = faxintake_cli(args, cli_env(tmp_path), 300)
    printed = run.stdout + run.stderr
    assert run.returncode == 0, printed
    assert (inbox / "processed" / FAX).exists() and (out / "results" / f"{FAX}.json").exists()
    assert "1 fax(es), 1 pages, routes {'forward_to_pcp': 1}" in printed, printed
    if verbose:
        assert printed.count(TASK_LINE) == 2, printed
    else:
        assert TASK_LINE not in printed and "prefect" not in printed and "INFO" not in printed, printed


def test_temporary_server_runs_only_the_database_vacuum() -> None:
    """The temporary server is started as a full (not "ephemeral") server so that Prefect's flow-run retention runs
    in it; every other periodic service of a long-lived server is off (each would take CPU from the OCR)."""
    from flows.prefect_api import TEMPORARY_SERVER_SETTINGS

    code = (
        "from prefect.server.api import background_workers\n"
        "from prefect.server.services.perpetual_services import get_enabled_perpetual_services as enabled\n"
        "print(sorted(s.function.__name__ for s in enabled(ephemeral=False)))\n"
    )
    run = _python(code, env={**os.environ, **TEMPORARY_SERVER_SETTINGS})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(
        ["schedule_event_vacuum_tasks", "schedule_orphan_vacuum_tasks", "schedule_vacuum_tasks"]
    )


def _flow_runs(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as con:
        return con.execute("select id, name from flow_run order by created").fetchall()


def test_temporary_server_deletes_flow_runs_past_the_retention(tmp_path: Path) -> None:
    """Each run's temporary server deletes flow runs that ended over RETENTION_DAYS ago, with their task runs
    (Prefect's database vacuum): the database in PREFECT_HOME stops growing once that much history is in it."""
    from flows.prefect_api import RETENTION_DAYS

    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a fax")  # a normal result (an error one) without OCR: the run is about Prefect
    env = cli_env(tmp_path)
    db = tmp_path / "prefect" / "prefect.db"
    for n in (1, 2):
        run = faxintake_cli(["process", str(junk), "--out", str(tmp_path / f"out{n}")], env, 300)
        assert run.returncode == 0, run.stdout + run.stderr
        if n == 1:
            (old, _name), *more = _flow_runs(db)
            assert not more
            ended = (datetime.now(UTC) - timedelta(days=RETENTION_DAYS + 1)).strftime("%Y-%m-%d %H:%M:%S.%f")
            with sqlite3.connect(db) as con:
                assert con.execute("select count(*) from task_run where flow_run_id = ?", (old,)).fetchone()[0] == 1
                con.execute(
                    "update flow_run set end_time = ?, expected_start_time = ? where id = ?", (ended, ended, old)
                )
    runs = _flow_runs(db)
    assert [name for _, name in runs] == ["intake-1-faxes"] and runs[0][0] != old, "the old run deleted, the new kept"
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from task_run where flow_run_id = ?", (old,)).fetchone()[0] == 0


def test_process_uses_the_server_prefect_api_url_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With PREFECT_API_URL set (a `prefect server start`, or `faxintake serve`'s), `process` records its run there
    and starts no temporary server of its own: how many small batches skip the server's start-up."""
    import flows.prefect_api as api

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    server = api.TemporaryServer()  # stands for a long-lived server
    try:
        url = server.wait()
        junk = tmp_path / "junk.pdf"
        junk.write_bytes(b"not a fax")
        env = {**cli_env(tmp_path / "cli"), "PREFECT_API_URL": url}
        run = faxintake_cli(["process", str(junk), "--out", str(tmp_path / "out")], env, 300)
        assert run.returncode == 0, run.stdout + run.stderr
        request = urllib.request.Request(
            f"{url}/flow_runs/filter", data=b"{}", headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            runs = json.loads(response.read())
        assert [(r["name"], r["state_type"]) for r in runs] == [("intake-1-faxes", "COMPLETED")]
        assert not (tmp_path / "cli" / "prefect" / "prefect.db").exists(), "no temporary server of its own"
    finally:
        server.stop()

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    monkeypatch.setattr(api, "TemporaryServer", lambda: pytest.fail("started a temporary server"))
    api.start_temporary_server()
    with api.shared_api():
        assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:1/api"


def test_threads_started_inside_shared_api_use_its_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread begins from Prefect's global settings, not from the caller's settings context: one started inside
    (an inbox watched from a thread, as benchmarks.operations does) must see the temporary server's URL too, or Prefect
    starts a server of its own in it."""
    import threading

    from prefect.settings import get_current_settings

    import flows.prefect_api as api

    class Started:  # stands for the temporary server: its start-up is not what this test is about
        url = "http://127.0.0.1:9/api"

        def wait(self) -> str:
            return self.url

        def stop(self) -> None:
            pass

    from prefect.context import refresh_global_settings_context

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    refresh_global_settings_context()  # as a process without a server configured starts (whatever ran before here)
    monkeypatch.setattr(api, "TemporaryServer", Started)
    monkeypatch.setattr(api, "_drain_prefect_workers", lambda: None)
    assert not get_current_settings().api.url
    seen: list[str | None] = []
    with api.shared_api():
        thread = threading.Thread(target=lambda: seen.append(get_current_settings().api.url))
        thread.start()
        thread.join()
    assert seen == [Started.url]
    assert not get_current_settings().api.url, "and the global settings are as they were afterwards"


def test_workers_are_forked_only_while_no_other_thread_runs() -> None:
    """The CLI hands its batch to the worker pool before it imports Prefect: with no other thread running, the
    workers are forked and begin with the reading code imported already. A thread running (Prefect's, a web
    server's) might hold a lock a forked child would inherit held: then they are spawned, as before."""
    code = (
        "import threading\n"
        "from flows.workers import _start_method\n"
        "print(_start_method())\n"
        "stop = threading.Event()\n"
        "thread = threading.Thread(target=stop.wait)\n"
        "thread.start()\n"
        "print(_start_method())\n"
        "stop.set()\n"
        "thread.join()\n"
    )
    run = _python(code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == (["fork", "spawn"] if sys.platform == "linux" else ["spawn", "spawn"])


def test_a_forked_worker_logs_as_a_spawned_one() -> None:
    """A forked worker drops the CLI's console handler and --verbose's debug levels: its logging is a spawned
    worker's (none set up; warnings reach stderr), and the CLI logs what each fax's read says (flows.intake)."""
    code = (
        "import logging\n"
        "from flows.console import OUR_LOGGERS, configure_logging, set_verbose\n"
        "from flows.workers import _forked\n"
        "configure_logging()\n"
        "set_verbose()\n"
        "_forked()\n"
        "root = logging.getLogger()\n"
        "print(len(root.handlers), root.level == logging.WARNING)\n"
        "print(all(logging.getLogger(n).level == logging.NOTSET for n in OUR_LOGGERS))\n"
        "print(logging.getLogger('extractors.pipeline').isEnabledFor(logging.DEBUG))\n"
    )
    run = _python(code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["0", "True", "True", "False"]


def test_a_pool_worker_gets_ready_once_at_its_first_fax(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker starts its engines, model and catalog when its first fax arrives, not when the pool starts it (a
    forked pool starts all its workers at once; a batch of one fax needs one), and only once."""
    import extractors.pipeline
    import flows.workers as workers
    from faxintake.settings import Settings

    started: list[bool] = []
    monkeypatch.setattr(extractors.pipeline, "start_worker", lambda: started.append(True))
    monkeypatch.setattr(workers, "_ready", False)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a fax")  # an error result, read without OCR
    settings = Settings(out_dir=tmp_path / "out")
    for _ in range(2):
        read = workers._read_in_worker(junk, settings)
        assert getattr(read, "error", None), read
    assert started == [True]
    started.clear()
    workers.read_or_error(junk, settings)  # read in this process (a Dask worker's, a test's): no worker start
    monkeypatch.setattr(workers, "_ready", False)
    workers.read_or_error(junk, settings)
    assert started == []


def test_prefects_first_run_modules_are_where_they_are_imported_ahead() -> None:
    """What the CLI imports while the temporary server starts (Prefect would import it at the first flow run):
    each module is there (a Prefect upgrade that moved one makes the import ahead quietly skip it; this says so)."""
    import importlib

    from flows.prefect_api import FIRST_RUN_MODULES

    for name in FIRST_RUN_MODULES:
        importlib.import_module(name)

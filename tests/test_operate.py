"""Operating it: the inbox is processed exactly once and resumes after a crash; reprocessing reports changes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from faxintake.intake import References, process_file
from faxintake.reprocess import redecide, write_changes
from faxintake.settings import Settings
from faxintake.store import Store

CASES = [
    "rmr_complete_abusive",
    "cm_no_program",
    "hif_es_self_harm",
    "cbas_criteria_incomplete",
    "rmr_signature_missing",
]


@pytest.fixture()
def recorded(corpus: Path, settings: Settings) -> Store:
    store = Store(settings.store)
    refs = References.load(settings)
    for case in CASES:
        truth = json.loads((corpus / f"{case}.truth.json").read_text())
        from datetime import datetime

        run = settings.with_(received_at=datetime.fromisoformat(truth["received_at"]))
        store.record(process_file(corpus / truth["file"], run, refs))
    return store


def test_redecide_reports_what_a_rules_change_would_do(recorded: Store, settings: Settings, tmp_path: Path) -> None:
    same = redecide(recorded, settings, apply=False)
    assert len(same) == len(CASES) and not [c for c in same if c.changed], "same rules, same decisions"
    stricter = redecide(recorded, settings.with_(confidence_threshold=1.0), apply=False)
    changed = [c for c in stricter if c.changed]
    assert changed, "a threshold of 1.0 demotes every return"
    assert all(c.new_route != "return_to_sender" for c in stricter)
    applied = redecide(recorded, settings.with_(confidence_threshold=1.0), form="cm_referral")
    assert {c.doc_type for c in applied} == {"cm_referral"}
    doc = recorded.show(applied[0].document_id)
    assert doc["route"] == applied[0].new_route and doc["audit"][-1]["action"] == "reprocessed"
    csv = write_changes(stricter, tmp_path / "changes.csv").read_text().splitlines()
    assert csv[0].startswith("document_id,") and len(csv) == len(changed) + 1


def test_inbox_processes_each_fax_once_and_resumes(corpus: Path, settings: Settings, tmp_path: Path) -> None:
    from prefect.testing.utilities import prefect_test_harness

    from flows.inbox import finish_interrupted, pending, watch

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("cm_no_program.tif", "hif_es_self_harm.tif"):
        shutil.copy(corpus / name, inbox / name)
    (inbox / "junk.pdf").write_bytes(b"not a fax")
    (inbox / "arriving.tif.part").write_bytes(b"partial")
    with prefect_test_harness(server_startup_timeout=None):
        os.environ.pop("PREFECT_API_URL", None)
        watch(inbox, settings, once=True, settle_seconds=0)
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["cm_no_program.tif", "hif_es_self_harm.tif"]
    assert [p.name for p in (inbox / "failed").iterdir()] == ["junk.pdf"]
    assert [p.name for p in pending(inbox, 0)] == [], "a partial upload is left alone"
    results = sorted(p.name for p in (settings.out_dir / "results").iterdir())
    assert results == ["cm_no_program.tif.json", "hif_es_self_harm.tif.json", "junk.pdf.json"]
    # A crash after recording but before the move leaves the file in the inbox: it is moved, not processed again.
    store = Store(settings.store)
    shutil.copy(inbox / "processed" / "cm_no_program.tif", inbox / "cm_no_program.tif")
    (inbox / "processed" / "cm_no_program.tif").unlink()
    assert finish_interrupted([inbox / "cm_no_program.tif"], store, inbox) == []
    assert (inbox / "processed" / "cm_no_program.tif").exists()
    faxes = store.queue(status="open")
    assert len({i.source for i in faxes}) == 2


def test_runs_on_a_real_dask_cluster(corpus: Path, settings: Settings) -> None:
    """A scheduler and two workers as separate processes (the `dask` CLI), the same flow sent to them."""
    import socket
    import subprocess
    import sys
    import time

    from prefect.testing.utilities import prefect_test_harness

    from flows.intake import run_batch

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [
        subprocess.Popen(
            [*dask, "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        time.sleep(2)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    address,
                    "--nworkers",
                    "2",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        with prefect_test_harness(server_startup_timeout=None):
            os.environ.pop("PREFECT_API_URL", None)
            summary = run_batch(
                [corpus / "cm_no_program.tif", corpus / "hif_en_forward.tif", corpus / "cbas_complete.tif"],
                settings,
                dask_address=address,
            )
        assert summary.inputs == 3 and summary.errors == 0
        assert summary.routes == {"return_to_sender": 1, "forward_to_pcp": 1, "cbas_assessment": 1}
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=30)


def test_inbox_sweep_flow_processes_what_is_waiting(corpus: Path, settings: Settings, tmp_path: Path) -> None:
    from prefect.testing.utilities import prefect_test_harness

    from flows.inbox import inbox_sweep

    inbox = tmp_path / "sweep"
    inbox.mkdir()
    shutil.copy(corpus / "hif_en_forward.tif", inbox / "a.tif")
    import time

    old = time.time() - 10
    os.utime(inbox / "a.tif", (old, old))
    with prefect_test_harness(server_startup_timeout=None):
        os.environ.pop("PREFECT_API_URL", None)
        swept = inbox_sweep(str(inbox), out=str(settings.out_dir), store=settings.store)
    assert swept == 1
    assert (inbox / "processed" / "a.tif").exists()
    assert (settings.out_dir / "results" / "a.tif.json").exists()


def test_reread_from_kept_originals_finds_no_change_with_the_same_extraction(
    recorded: Store, settings: Settings
) -> None:
    from faxintake.reprocess import reread

    changes = reread(recorded, settings, apply=False)
    assert len(changes) == len(CASES)
    assert [c for c in changes if c.changed] == []


def test_inbox_keeps_what_the_store_did_not_record(
    corpus: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The store fails partway through a batch: the fax it did not take keeps its result file but stays in the
    inbox (not processed/, not failed/); once the store is back, the next sweep records it exactly once."""
    import time
    from types import SimpleNamespace

    from prefect.testing.utilities import prefect_test_harness
    from sqlalchemy import select

    import flows.inbox
    from faxintake.errors import StoreError
    from faxintake.store.models import Fax
    from flows.inbox import watch

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("cm_no_program.tif", "hif_en_forward.tif"):
        shutil.copy(corpus / name, inbox / name)
    (inbox / "junk.pdf").write_bytes(b"not a fax")
    real_record = Store.record
    calls: list[str] = []

    def flaky(self: Store, result, **kw):  # type: ignore[no-untyped-def]
        calls.append(Path(result.source).name)
        if Path(result.source).name == "hif_en_forward.tif":
            raise StoreError("cannot record the fax in the store: OperationalError")
        return real_record(self, result, **kw)

    def left() -> list[str]:
        return sorted(p.name for p in inbox.iterdir() if p.is_file())

    monkeypatch.setattr(Store, "record", flaky)
    with prefect_test_harness(server_startup_timeout=None):
        os.environ.pop("PREFECT_API_URL", None)
        with pytest.raises(StoreError, match=r"1 of 3 fax\(es\) not recorded in the store \(hif_en_forward.tif\)"):
            watch(inbox, settings, once=True, settle_seconds=0)
        assert calls == ["cm_no_program.tif", "hif_en_forward.tif", "junk.pdf"], "the batch went on after the failure"
        assert left() == ["hif_en_forward.tif"], "not recorded: not moved"
        assert [p.name for p in (inbox / "processed").iterdir()] == ["cm_no_program.tif"]
        assert [p.name for p in (inbox / "failed").iterdir()] == ["junk.pdf"]
        result = json.loads((settings.out_dir / "results" / "hif_en_forward.tif.json").read_text())
        assert result["documents"][0]["route"] == "forward_to_pcp", "the decision did not need the store"

        # A long-running watcher logs the failure and keeps sweeping; the fax still waits.
        class Stop(Exception):
            pass

        def stop(_seconds: float) -> None:
            raise Stop

        monkeypatch.setattr(flows.inbox, "time", SimpleNamespace(time=time.time, sleep=stop))  # this module's only
        flows.inbox.log.addHandler(caplog.handler)  # Prefect's logging set-up took the root handler away
        try:
            with pytest.raises(Stop):
                watch(inbox, settings, settle_seconds=0)
        finally:
            flows.inbox.log.removeHandler(caplog.handler)
        assert "not recorded in the store (hif_en_forward.tif)" in caplog.text
        assert left() == ["hif_en_forward.tif"]

        monkeypatch.undo()  # the store is back
        watch(inbox, settings, once=True, settle_seconds=0)
    assert left() == []
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["cm_no_program.tif", "hif_en_forward.tif"]
    with Store(settings.store).sessions() as s:
        faxes = {Path(f.source).name: f.deliveries for f in s.scalars(select(Fax))}
    assert faxes == {"cm_no_program.tif": 1, "hif_en_forward.tif": 1, "junk.pdf": 1}, "each fax recorded once"


def test_serve_keeps_the_store_password_out_of_prefect(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `faxintake serve` hands Prefect (saved in its database, shown in its UI) holds no password: the store
    URL goes to the flow runs through the serving process's environment, where the flow's settings find it."""
    import prefect
    from typer.testing import CliRunner

    import flows.inbox
    from flows.cli import app

    monkeypatch.setenv("FAXINTAKE_STORE", "restored after the test")
    monkeypatch.delenv("FAXINTAKE_STORE")
    served: list[object] = []
    monkeypatch.setattr(prefect, "serve", lambda *deployments, **_kw: served.extend(deployments))  # no server
    url = "postgresql+psycopg://faxintake:secret@db.example:5432/fax"
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    run = CliRunner().invoke(app, ["serve", str(inbox), "--out", str(out), "--store", url, "--interval", "60"])
    assert run.exit_code == 0, run.output
    [deployment] = served
    assert deployment.name == "faxintake-inbox"  # type: ignore[attr-defined]
    parameters = deployment.parameters  # type: ignore[attr-defined]
    assert parameters["inbox"] == str(inbox) and "store" not in parameters
    assert "secret" not in json.dumps(parameters) and "secret" not in str(deployment)
    assert os.environ["FAXINTAKE_STORE"] == url, "the flow runs, started by this process, inherit it"

    used: list[str] = []
    monkeypatch.setattr(flows.inbox, "watch", lambda _inbox, settings, **_kw: used.append(settings.store))
    flows.inbox.inbox_sweep.fn(**parameters)  # what a scheduled run does with the deployment's parameters
    flows.inbox.inbox_sweep.fn(**parameters, store=f"sqlite:///{tmp_path / 'given.db'}")  # a URL without password
    assert used == [url, f"sqlite:///{tmp_path / 'given.db'}"]
    monkeypatch.delenv("FAXINTAKE_STORE")
    flows.inbox.inbox_sweep.fn(**parameters)
    assert used[-1] == f"sqlite:///{(out / 'faxintake.db').resolve()}", "no store anywhere: SQLite in --out"


def test_verbose_shows_our_debug_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """`faxintake -v …` turns our loggers to DEBUG; an error then also logs where it came from (types and code
    locations, no messages: those of a database can quote member data), still without the password."""
    import logging

    from typer.testing import CliRunner

    from flows.cli import app
    from flows.console import OUR_LOGGERS

    loggers = [logging.getLogger(name) for name in OUR_LOGGERS]
    levels = [lg.level for lg in loggers]
    store = "postgresql+psycopg://x:secret@127.0.0.1:1/db"
    cli_log = logging.getLogger("flows.cli")
    cli_log.addHandler(caplog.handler)  # Prefect's logging set-up may have taken the root handler away
    try:
        quiet = CliRunner().invoke(app, ["queue", "list", "--store", store])
        assert quiet.exit_code == 6 and "where the error came from" not in caplog.text
        for flag in ("--verbose", "-v"):
            caplog.clear()
            run = CliRunner().invoke(app, [flag, "queue", "list", "--store", store])
            assert run.exit_code == 6, run.output
            assert [lg.getEffectiveLevel() for lg in loggers] == [logging.DEBUG] * len(loggers)
            assert "where the error came from" in caplog.text
            assert "faxintake.errors.StoreError" in caplog.text and "sqlalchemy.exc.OperationalError" in caplog.text
            assert "secret" not in caplog.text + run.output
            assert run.stderr.strip().splitlines()[-1].startswith("error: cannot open the store")
    finally:
        cli_log.removeHandler(caplog.handler)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def test_the_flows_read_stage_logs_unreadable_inputs_and_ocr_failures(
    corpus: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One line per input that could not be read, in the flow's process: its number, file name and what is wrong."""
    import logging

    import flows.intake
    from extractors import ocr
    from faxintake.errors import OcrError
    from faxintake.model import FaxResult

    def crash(*_a: object, **_k: object) -> object:
        raise OcrError("Tesseract did not finish within 30 s")

    monkeypatch.setattr(flows.intake, "_local", False)  # read in this process (no worker pool to start)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a fax")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]  # this logger's own records, whatever the root has
    flows.intake.log.addHandler(handler)
    try:
        assert isinstance(flows.intake.read_stage(junk, settings, 3), FaxResult)
        monkeypatch.setattr(ocr, "read_block", crash)
        monkeypatch.setattr(ocr, "read_line", crash)
        assert isinstance(flows.intake.read_stage(corpus / "hif_en_forward.tif", settings, 4), FaxResult)
    finally:
        flows.intake.log.removeHandler(handler)
    lines = [(r.levelno, r.getMessage()) for r in records]
    assert len(lines) == 2, lines
    assert lines[0][0] == lines[1][0] == logging.WARNING
    assert lines[0][1].startswith("input 3 (junk.pdf) not read: not a fax image")
    assert lines[1][1].startswith("input 4 (hif_en_forward.tif) not read: Tesseract did not finish")
    truth = json.loads((corpus / "hif_en_forward.truth.json").read_text())
    member = [str(f["value"]) for f in truth["documents"][0]["fields"].values() if len(str(f["value"])) > 3]
    assert member and [v for v in member if any(v in text for _, text in lines)] == [], "no member data in the log"

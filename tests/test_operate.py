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
    with prefect_test_harness():
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
        with prefect_test_harness():
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
    with prefect_test_harness():
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
    with prefect_test_harness():
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

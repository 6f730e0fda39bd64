"""Crash safety: the inbox watcher killed with SIGKILL in the middle of a batch, then restarted, ends with every
fax in exactly one recorded outcome — none lost, none doubled, the store consistent."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from faxintake.store import Store
from faxintake.store.models import Fax

FAXES = [
    "rmr_complete_abusive.tif",
    "cm_no_program.tif",
    "hif_es_self_harm.tif",
    "cbas_complete.tif",
    "rmr_image_pdf.pdf",
    "hif_incomplete.png",
]


def _watch(inbox: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    code = "import sys; from flows.cli import main; sys.argv[0] = 'faxintake'; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "watch", str(inbox), "--out", str(out), "--once"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_mid_batch_then_restart(corpus: Path, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for name in FAXES:
        shutil.copy(corpus / name, inbox / name)
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": ""}
    env.pop("PREFECT_API_URL")
    first = _watch(inbox, out, env)
    deadline = time.time() + 240
    results = out / "results"
    while time.time() < deadline and first.poll() is None:
        if results.exists() and len(list(results.glob("*.json"))) >= 2:
            break
        time.sleep(0.2)
    assert first.poll() is None, "the watcher finished before it could be killed: make the batch larger"
    os.killpg(first.pid, signal.SIGKILL)  # the watcher, its OCR workers and its Prefect server
    first.wait(timeout=30)
    done_before = len(list(results.glob("*.json")))
    assert done_before < len(FAXES)

    second = _watch(inbox, out, env)
    assert second.wait(timeout=400) == 0

    assert sorted(p.name for p in results.glob("*.json")) == sorted(f"{n}.json" for n in FAXES)
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == sorted(FAXES)
    assert [p for p in inbox.iterdir() if p.is_file()] == [], "nothing left behind"
    for name in FAXES:
        assert json.loads((results / f"{name}.json").read_text())["documents"], name
    store = Store(f"sqlite:///{out / 'faxintake.db'}")
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Fax)) == len(FAXES), "each fax recorded once"
        assert s.scalar(select(func.max(Fax.deliveries))) == 1, "a restart is not a second delivery"

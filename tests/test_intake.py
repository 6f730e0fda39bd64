"""From file to recorded outcome: real faxes that are none of ours, bad input, PHI kept out of logs, and one real
Prefect flow run through the CLI."""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from conftest import truth_document

from extractors.pipeline import FaxRead
from faxintake.intake import References, decide_fax, process_file, result_path, write_result
from faxintake.model import Cover, Document, FaxResult, FieldRead, PageRead, Route, Severity
from faxintake.notice import reference_for
from faxintake.settings import Settings
from faxintake.store import Store

REAL = ["CCITT_1.TIF", "CCITT_3.TIF", "CCITT_8.TIF", "G31D.TIF", "G4.TIF", "fax2d.tif", "g3test.tif"]

# Member data that must never show in a log, the console or Prefect's records: names (whole, and first and last
# apart when 4 letters or more), CINs, dates of birth (ISO and MM/DD/YYYY), phone numbers, and free text
# (narratives, clinical notes) in 30-character pieces, so that a message quoting part of it is caught too.
PHI_FIELDS = ("member_name", "caregiver_name", "member_id", "member_dob", "member_phone", "caregiver_phone")
PHI_TEXT_FIELDS = (
    "narrative",
    "referral_reason",
    "clinical_summary",
    "goodfaith_description",
    "reason_other_text",
    "conditions",
    "diagnoses",
)


def _member_values(name: str = "", cin: str = "", dob: str = "", phone: str = "") -> set[str]:
    name = re.sub(r"\(.*?\)", "", name)  # 'Kou Lee (son)': the relation is no one's name
    out = {v.strip() for v in (name, cin, phone) if v.strip()}
    out |= {w for w in re.split(r"[^\w'-]+", name) if sum(c.isalpha() for c in w) >= 4}
    if re.fullmatch(r"\d{4}-\d\d-\d\d", dob):
        y, m, d = dob.split("-")
        out |= {dob, f"{m}/{d}/{y}"}
    if re.fullmatch(r"\d{3}-\d{3}-\d{4}", phone):
        out |= {phone.replace("-", ""), f"({phone[:3]}) {phone[4:]}"}
    return out


def _text_pieces(text: str, size: int = 30) -> set[str]:
    """Runs of whole words at least `size` characters long, one starting at every other word."""
    words, out = text.split(), set()
    for i in range(0, len(words), 2):
        for j in range(i + 1, len(words) + 1):
            if len(piece := " ".join(words[i:j])) >= size:
                out.add(piece)
                break
    return out


def phi_values(truths: Iterable[dict[str, Any]], roster: Path | None = None) -> set[str]:
    """The member data in ground-truth files (and a roster CSV), as the strings to search output for."""
    values: set[str] = set()
    for truth in truths:
        for doc in truth.get("documents", []):
            fields = {k: str(v.get("value", "")) for k, v in doc.get("fields", {}).items()}
            for name in PHI_FIELDS:
                value = fields.get(name, "")
                kind = "name" if name.endswith("_name") else "phone" if name.endswith("_phone") else name
                values |= _member_values(
                    name=value if kind == "name" else "",
                    cin=value if kind == "member_id" else "",
                    dob=value if kind == "member_dob" else "",
                    phone=value if kind == "phone" else "",
                )
            for name in PHI_TEXT_FIELDS:
                values |= _text_pieces(fields.get(name, ""))
    if roster is not None:
        for row in csv.DictReader(roster.open(encoding="utf-8")):
            values |= _member_values(f"{row['last_name']}, {row['first_name']}", row["member_id"], row["dob"])
            values.add(f"{row['first_name']} {row['last_name']}")
    return values


def phi_found(text: str, values: Iterable[str]) -> list[str]:
    """The values that occur in `text` as whole words (a name inside a longer word does not count)."""
    return sorted(v for v in values if v in text and re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text))


@pytest.mark.parametrize("name", REAL)
def test_real_faxes_are_unknown_and_triaged(realdata: Path, settings: Settings, name: str) -> None:
    result = process_file(realdata / name, settings, References.load(settings))
    assert result.error is None
    assert result.documents, "every fax yields at least one document"
    for doc in result.documents:
        assert doc.doc_type == "unknown", [p.doc_type for p in result.pages]
        assert doc.route is not None and doc.route.value == "manual_triage"
    written = json.loads(result_path(settings.out_dir, realdata / name).read_text())
    assert written["documents"][0]["route"] == "manual_triage"


def test_sideways_real_fax_is_turned_upright(realdata: Path, settings: Settings) -> None:
    result = process_file(realdata / "CCITT_8.TIF", settings, References.load(settings))
    assert result.pages[0].rotation in (90, 270)


@pytest.mark.parametrize("name", ["empty.pdf", "notes.pdf", "name with spaces é.tif", "..%2F..%2Fescape.png"])
def test_bad_input_gets_an_error_result_and_is_kept(tmp_path: Path, settings: Settings, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"" if name == "empty.pdf" else b"just some text\n" * 10)
    result = process_file(path, settings, References.load(settings))
    assert result.error and result.documents == ()
    out = result_path(settings.out_dir, path)
    assert out.parent == settings.out_dir / "results", "a file name cannot write outside results/"
    assert json.loads(out.read_text())["error"] == result.error
    assert path.exists() and (path.read_bytes() == b"" or path.read_bytes().startswith(b"just"))
    assert out.stat().st_mode & 0o077 == 0, "results hold member data: owner only"


def test_no_member_data_in_logs(corpus: Path, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    truth = json.loads((corpus / "rmr_no_reason.truth.json").read_text())
    phi = phi_values([truth])
    assert {"Her, Paj", "24746478V", "1966-02-16", "02/16/1966"} <= phi
    caplog.set_level(logging.DEBUG)
    process_file(corpus / "rmr_no_reason.tif", settings, References.load(settings))
    bad = settings.out_dir.parent / "bad.pdf"
    bad.write_bytes(b"")
    process_file(bad, settings, References.load(settings))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert phi_found(logged, phi) == []
    assert (corpus / "rmr_no_reason.tif").exists()


CLI_RUN = ("cm_no_program.tif", "hif_es_self_harm.tif", "two_forms_one_fax.tif")


@pytest.fixture(scope="module")
def cli_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """One real `faxintake process` run (Prefect flow, OCR worker pool, store) that the tests below look at."""
    from prefect.testing.utilities import prefect_test_harness
    from typer.testing import CliRunner

    from flows.cli import app

    tmp_path = tmp_path_factory.mktemp("cli_run")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in CLI_RUN:
        (inbox / name).write_bytes((corpus / name).read_bytes())
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 nothing else")
    out = tmp_path / "out"
    with prefect_test_harness(server_startup_timeout=None):
        os.environ.pop("PREFECT_API_URL", None)
        done = CliRunner().invoke(
            app, ["process", str(inbox), "--out", str(out), "--received-at", "2026-11-20T09:14", "--workers", "2"]
        )
    return done, out


def test_cli_process_runs_the_prefect_flow(cli_run: tuple[Any, Path], corpus: Path) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    done, out = cli_run
    assert done.exit_code == 0, done.output
    truths = [json.loads((corpus / name.replace(".tif", ".truth.json")).read_text()) for name in CLI_RUN]
    assert phi_found(done.output, phi_values(truths)) == [], "the run's console and Prefect logs carry no member data"
    results = {p.name: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    assert set(results) == {f"{name}.json" for name in CLI_RUN} | {"broken.pdf.json"}
    assert results["cm_no_program.tif.json"]["documents"][0]["route"] == "return_to_sender"
    notice = results["cm_no_program.tif.json"]["documents"][0]["notice"]
    assert notice and (out / notice).exists()
    assert results["hif_es_self_harm.tif.json"]["documents"][0]["route"] == "expedited_care"
    assert "error" in results["broken.pdf.json"]
    assert (out / "faxintake.db").exists()
    stored = list(out.glob("faxintake.db*"))
    assert {p.name for p in stored} >= {"faxintake.db", "faxintake.db-wal"}
    assert [p.name for p in stored if p.stat().st_mode & 0o077] == [], "the store and its WAL: owner only"
    listing = CliRunner().invoke(app, ["queue", "list", "--store", f"sqlite:///{out / 'faxintake.db'}"])
    assert listing.exit_code == 0 and "4 open document(s)" in listing.output


def test_two_members_forms_in_one_fax_through_the_cli(cli_run: tuple[Any, Path], corpus: Path) -> None:
    """A CM referral for one member and a CBAS referral for another in one fax: two documents, each with its own
    member and its own route, in the result file and in the store."""
    from sqlalchemy import select

    from extractors.normalize import name_initials
    from faxintake.store.models import Fax

    done, out = cli_run
    assert done.exit_code == 0, done.output
    truth = json.loads((corpus / "two_forms_one_fax.truth.json").read_text())
    result = json.loads((out / "results" / "two_forms_one_fax.tif.json").read_text())
    expected = truth["documents"]
    assert [d["doc_type"] for d in result["documents"]] == [d["doc_type"] for d in expected]
    member = ("member_name", "member_id", "member_dob")
    for doc, want in zip(result["documents"], expected, strict=True):
        assert doc["pages"] == want["pages"]
        assert {k: doc["fields"][k]["value"] for k in member} == {k: want["fields"][k]["value"] for k in member}
        assert doc["route"] == want["route"], doc["doc_type"]
    assert result["documents"][0]["fields"]["member_id"]["value"] != result["documents"][1]["fields"]["member_id"]

    store = Store(f"sqlite:///{out / 'faxintake.db'}")
    with store.sessions() as s:
        fax = s.scalars(select(Fax).where(Fax.source.endswith("two_forms_one_fax.tif"))).one()
        rows = [(d.doc_type, d.route, d.member_initials, d.member_key) for d in fax.documents]
    assert [r[:3] for r in rows] == [
        (d["doc_type"], d["route"], name_initials(d["fields"]["member_name"]["value"])) for d in expected
    ]
    assert rows[0][3] and rows[1][3] and rows[0][3] != rows[1][3], "each document linked to its own member"


def faxintake_cli(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """The `faxintake` command in its own process, as an operator runs it: everything it prints is captured."""
    code = "import sys; from flows.cli import main; sys.argv[0] = 'faxintake'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), **extra}
    env.pop("PREFECT_API_URL", None)  # its own temporary Prefect server, its records under PREFECT_HOME
    env.pop("FAXINTAKE_STORE", None)
    return env


def test_cli_process_with_the_store_unreachable_still_writes_every_result(corpus: Path, tmp_path: Path) -> None:
    """The store down for the whole run: every input still gets its result file, the originals are untouched, and
    the run ends with exit 6 and one line saying what to do, with no stack trace and no password."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "hif_en_forward.tif").write_bytes((corpus / "hif_en_forward.tif").read_bytes())
    (inbox / "junk.pdf").write_bytes(b"not a fax")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.iterdir()}
    store = "postgresql+psycopg://x:secret@127.0.0.1:1/db"  # nothing listens on port 1
    run = faxintake_cli(
        ["process", str(inbox), "--out", str(out), "--workers", "1", "--store", store], cli_env(tmp_path), 300
    )
    printed = run.stdout + run.stderr
    assert run.returncode == 6, printed
    assert "Traceback" not in printed and "secret" not in printed
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("error: 2 of 2 fax(es) not recorded in the store"), last
    assert "127.0.0.1:1/db" in last and "run this command again" in last
    results = {p.name: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    assert set(results) == {"hif_en_forward.tif.json", "junk.pdf.json"}
    assert results["hif_en_forward.tif.json"]["documents"][0]["route"] == "forward_to_pcp"
    assert results["junk.pdf.json"]["error"]
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.iterdir()} == before


@pytest.mark.slow
def test_no_member_data_in_what_a_corpus_run_prints_or_logs(corpus: Path, tmp_path: Path) -> None:
    """The whole corpus through the CLI with our loggers at DEBUG and Prefect's at DEBUG, to the console and a log
    file: no member data of any fax or of the roster in the output, the log file or Prefect's own records."""
    import yaml
    from prefect.logging.configuration import DEFAULT_LOGGING_SETTINGS_PATH

    out, logs = tmp_path / "out", tmp_path / "logs"
    logs.mkdir()
    config = yaml.safe_load(DEFAULT_LOGGING_SETTINGS_PATH.read_text())  # Prefect's logging set-up, and ours in it
    config["handlers"]["file"] = {
        "class": "logging.FileHandler",
        "filename": str(logs / "faxintake.log"),
        "formatter": "standard",
        "level": 0,
    }
    for name in ("prefect", "prefect._internal"):
        config["loggers"][name]["handlers"] = [*config["loggers"][name].get("handlers", []), "file"]
    for name in ("faxintake", "extractors", "validators", "flows"):
        config["loggers"][name] = {"level": "DEBUG", "handlers": ["file"]}
    settings_path = tmp_path / "logging.yml"
    settings_path.write_text(yaml.safe_dump(config))
    env = cli_env(tmp_path, PREFECT_LOGGING_SETTINGS_PATH=str(settings_path), PREFECT_LOGGING_LEVEL="DEBUG")
    run = faxintake_cli(["process", str(corpus), "--out", str(out)], env, 1200)
    assert run.returncode == 0, run.stderr[-3000:]
    truths = [json.loads(p.read_text()) for p in sorted(corpus.glob("*.truth.json"))]
    assert len(list((out / "results").glob("*.json"))) == len(truths)
    assert (logs / "faxintake.log").stat().st_size > 0

    def member_data_belongs(p: Path) -> bool:  # the result files, the notices and the store
        where = p.relative_to(tmp_path).parts
        return where[0] == "out" and (where[1] in ("results", "notices") or where[1].startswith("faxintake.db"))

    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != settings_path and not member_data_belongs(p)]
    assert any(p.parts[-2:] == ("prefect", "prefect.db") for p in written), "Prefect's records are searched too"
    phi = phi_values(truths, roster=corpus / "members.csv")
    for name, text in [("stdout", run.stdout), ("stderr", run.stderr)] + [
        (str(p.relative_to(tmp_path)), p.read_bytes().decode("utf-8", "replace")) for p in written
    ]:
        assert phi_found(text, phi) == [], name


def test_cli_rejects_bad_options(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["process", str(tmp_path / "missing.tif")]).exit_code == 2
    assert runner.invoke(app, ["process", str(tmp_path), "--received-at", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["process", str(tmp_path), "--roster", str(tmp_path / "none.csv")]).exit_code == 2


def test_ocr_failure_becomes_an_error_result(corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractors import ocr
    from faxintake.errors import OcrError

    def crash(*_a: object, **_k: object) -> object:
        raise OcrError("Tesseract did not finish within 30 s")

    monkeypatch.setattr(ocr, "read_block", crash)
    monkeypatch.setattr(ocr, "read_line", crash)
    result = process_file(corpus / "hif_en_forward.tif", settings, References.load(settings))
    assert result.error and "Tesseract" in result.error and "second try" in result.error
    assert json.loads(result_path(settings.out_dir, corpus / "hif_en_forward.tif").read_text())["error"] == result.error


def test_an_ocr_crash_is_retried_once_with_fresh_engines(
    corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractors import ocr
    from faxintake.errors import OcrError

    real, calls, resets = ocr.read_line, [0], [0]

    def crash_once(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == 1:
            raise OcrError("Tesseract failed: engine crashed")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    real_reset = ocr.reset_engines

    def counted_reset() -> None:
        resets[0] += 1
        real_reset()

    monkeypatch.setattr(ocr, "read_line", crash_once)
    monkeypatch.setattr(ocr, "reset_engines", counted_reset)
    result = process_file(corpus / "hif_en_forward.tif", settings, References.load(settings))
    assert result.error is None and result.documents
    assert resets[0] == 1


def test_missing_language_data_is_an_ocr_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from extractors import ocr
    from faxintake.errors import OcrError

    with pytest.raises(OcrError, match="language data missing"):
        ocr.read_line(np.full((40, 200), 255, np.uint8), dpi=200, language="xyz")


def test_full_disk_for_a_notice_sends_the_form_to_triage(
    corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faxintake.intake as intake

    def full(*_a: object, **_k: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(intake, "render_notice", full)
    truth = json.loads((corpus / "cm_no_program.truth.json").read_text())
    from datetime import datetime

    run = settings.with_(received_at=datetime.fromisoformat(truth["received_at"]))
    result = process_file(corpus / "cm_no_program.tif", run, References.load(run))
    assert result.documents[0].route is not None and result.documents[0].route.value == "manual_triage"


def test_a_long_fax_streams_page_by_page(tmp_path: Path, corpus: Path, settings: Settings) -> None:
    """A 100-page fax: pages are read one at a time and every one is accounted for."""
    from PIL import Image

    from extractors.ingest import iter_pages

    src = Image.open(corpus / "rmr_complete_abusive.tif")
    frames = []
    for i in range(4):
        src.seek(i)
        frames.append(src.convert("1").copy())
    pages = [frames[i % 4] for i in range(100)]
    path = tmp_path / "long.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="group4", dpi=(204, 196))
    count = 0
    for page in iter_pages(path):
        count += 1
        assert page.image.nbytes < 5_000_000
    assert count == 100


# --- a resubmission of an earlier return, decided from ground truth (no OCR) ---------------------------------


CORPUS = Path(__file__).resolve().parents[1] / "sample_faxes" / "corpus"
FIRST, SECOND, THIRD = "1" * 64, "2" * 64, "3" * 64
MEMBER = ("Her, Paj", "Paj", "24746478V")  # rmr_no_reason's member: never on a notice


def truth_read(case: str, sha256: str, out: Path, **changes: object) -> tuple[FaxRead, Settings]:
    """The fax `case` as if read perfectly, with some of its form's fields changed; and settings for its date."""
    truth = json.loads((CORPUS / f"{case}.truth.json").read_text())
    doc = truth_document(truth, **changes)
    cover = truth["cover"]
    read = FaxRead(
        source=f"inbox/{case}-{sha256[:4]}.tif",
        sha256=sha256,
        pages=tuple(PageRead(number=p["number"], doc_type=p["doc_type"]) for p in truth["pages"]),
        cover=Cover(
            pages=tuple(cover["pages"]),
            fields={k: FieldRead(value=v["value"], confidence=0.99) for k, v in cover["fields"].items()},
        ),
        documents=(doc,),
    )
    return read, Settings(
        out_dir=out,
        received_at=datetime.fromisoformat(truth["received_at"]),
        roster_path=CORPUS / "members.csv",
        providers_path=CORPUS / "providers.csv",
    )


def decided(case: str, sha256: str, out: Path, store: Store | None, **changes: object) -> FaxResult:
    read, settings = truth_read(case, sha256, out, **changes)
    return decide_fax(read, settings, References.load(settings), source_name=Path(read.source).name, returns=store)


def notice_text(out: Path, doc: Document) -> str:
    assert doc.notice is not None
    with pdfplumber.open(out / doc.notice) as pdf:
        return " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)


def test_a_resubmission_returned_again_says_so_and_is_linked(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    out = tmp_path / "out"
    first = decided("rmr_no_reason", FIRST, out, store)
    assert first.documents[0].resubmission_of is None
    first_text = notice_text(out, first.documents[0])
    assert "This is the second time" not in first_text
    first_id = store.record(first).document_ids[0]

    # The office marks a reason but forgets to sign: returned again.
    second = decided("rmr_no_reason", SECOND, out, store, reason_abusive_behavior=True, signature=False)
    doc = second.documents[0]
    assert doc.route is Route.RETURN_TO_SENDER
    assert [f.code for f in doc.findings if f.severity is Severity.RETURN] == ["SIGNATURE_MISSING"]
    assert doc.resubmission_of is not None and doc.resubmission_of.document_id == first_id
    sent_on = first_text.split("Date: ", 1)[1].split()[0]  # the earlier notice's own date
    text = notice_text(out, doc)
    assert (
        "This is the second time this request has been returned; the earlier notice "
        f"(reference {reference_for(FIRST, 0)}) was sent on {sent_on} for: no reason marked." in text
    )
    assert "initials P.H., date of birth 02/16/1966" in text
    for value in MEMBER:
        assert value not in text
    second_id = store.record(second).document_ids[0]
    assert store.show(second_id)["linked_return_id"] == first_id
    assert store.show(first_id)["status"] == "resubmitted"

    # Signed this time: not returned, no notice, and the result still says what it resubmits.
    third = decided("rmr_no_reason", THIRD, out, store, reason_abusive_behavior=True)
    assert third.documents[0].route is Route.PROVIDER_SERVICES and third.documents[0].notice is None
    write_result(third, out, Path(third.source))
    written = json.loads(result_path(out, Path(third.source)).read_text())["documents"][0]["resubmission_of"]
    assert written["document_id"] == second_id and written["reference"] == reference_for(SECOND, 0)
    assert written["codes"] == ["SIGNATURE_MISSING"] and written["times_returned"] == 2
    assert store.show(store.record(third).document_ids[0])["linked_return_id"] == second_id


def test_the_same_fax_again_is_no_resubmission(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.record(decided("rmr_no_reason", FIRST, tmp_path / "out", store))
    again = decided("rmr_no_reason", FIRST, tmp_path / "out", store)
    assert again.documents[0].resubmission_of is None
    assert "This is the second time" not in notice_text(tmp_path / "out", again.documents[0])


def test_a_store_that_fails_the_look_up_does_not_fail_the_fax(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.record(decided("rmr_no_reason", FIRST, tmp_path / "out", store))
    store.engine.dispose()
    for lost in tmp_path.glob("db.sqlite*"):
        lost.unlink()  # the store is gone: its tables with it
    second = decided("rmr_no_reason", SECOND, tmp_path / "out", store, signature=False)
    doc = second.documents[0]
    assert doc.route is Route.RETURN_TO_SENDER and doc.resubmission_of is None
    assert "This is the second time" not in notice_text(tmp_path / "out", doc)
    assert "earlier returns not looked up" in caplog.text


def test_the_decide_stage_looks_up_the_configured_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows import intake as flow

    monkeypatch.setattr(flow, "_lookup_stores", {})
    monkeypatch.setattr(flow, "_lookup_failed", {})
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = flow.lookup_store(url)
    assert store is not None and flow.lookup_store(url) is store, "opened once per process"
    store.record(decided("rmr_no_reason", FIRST, tmp_path / "out", store))
    read, settings = truth_read("rmr_no_reason", SECOND, tmp_path / "out", signature=False)
    run = settings.with_(store_url=url)
    doc = flow.decide_stage(read, run, "second.tif").documents[0]
    assert doc.resubmission_of is not None
    assert "This is the second time" in notice_text(tmp_path / "out", doc)

    nowhere = "postgresql+psycopg://user:secret@127.0.0.1:1/nowhere"
    assert flow.lookup_store(nowhere) is None
    monkeypatch.setattr(flow, "Store", lambda url: pytest.fail("tried again within the minute"))
    assert flow.lookup_store(nowhere) is None
    unreachable = run.with_(store_url=nowhere)
    doc = flow.decide_stage(read, unreachable, "second.tif").documents[0]
    assert doc.route is Route.RETURN_TO_SENDER and "This is the second time" not in notice_text(run.out_dir, doc)


def test_blank_pages_are_triaged_alone_and_ride_along_with_a_form(
    corpus: Path, settings: Settings, tmp_path: Path
) -> None:
    """A fax of blank pages is nothing recognizable: one `unknown` document in manual triage. A blank page sent
    with a form is one of its pages, not a document of its own, and the form is decided as without it."""
    from PIL import Image

    from extractors.ingest import iter_pages
    from sample_faxes.fax_writer import write_tiff

    blank = Image.new("L", (1728, 2200), 255)
    only_blank = tmp_path / "blank.tif"
    write_tiff([blank, blank], only_blank, compression="group4", dpi=(204, 196))
    result = process_file(only_blank, settings, References.load(settings))
    assert result.error is None
    assert [(d.doc_type, d.route) for d in result.documents] == [("unknown", Route.MANUAL_TRIAGE)]

    form = corpus / "cm_complete_care_coordination.tif"
    pages = [Image.fromarray(p.image) for p in iter_pages(form)]
    with_blank = tmp_path / "with_blank.tif"
    write_tiff([*pages, blank], with_blank, compression="group4", dpi=(204, 196))
    alone = process_file(form, settings, References.load(settings))
    together = process_file(with_blank, settings, References.load(settings))
    assert [d.doc_type for d in together.documents] == [d.doc_type for d in alone.documents] == ["cm_referral"]
    assert together.documents[0].route == alone.documents[0].route == Route.CASE_MANAGEMENT
    assert together.page_count == alone.page_count + 1


def test_a_changed_roster_is_read_again(corpus: Path, tmp_path: Path) -> None:
    import shutil

    from faxintake.intake import current_references

    roster = tmp_path / "members.csv"
    shutil.copy(corpus / "members.csv", roster)
    settings = Settings(out_dir=tmp_path, roster_path=roster, providers_path=corpus / "providers.csv")
    first = current_references(settings)
    assert current_references(settings) is first  # loaded once
    with roster.open("a", encoding="utf-8") as fh:
        fh.write("99999999Z,Newmember,Ana,1990-01-01,1055761690,en\n")
    os.utime(roster, ns=(roster.stat().st_atime_ns, roster.stat().st_mtime_ns + 1_000_000_000))
    assert current_references(settings).roster.get("99999999Z") is not None

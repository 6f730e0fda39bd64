"""From file to recorded outcome: real faxes that are none of ours, bad input, PHI kept out of logs, and one real
Prefect flow run through the CLI."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from faxintake.intake import References, process_file, result_path
from faxintake.settings import Settings

REAL = ["CCITT_1.TIF", "CCITT_3.TIF", "CCITT_8.TIF", "G31D.TIF", "G4.TIF", "fax2d.tif", "g3test.tif"]


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
    fields = truth["documents"][0]["fields"]
    phi = [fields[n]["value"] for n in ("member_name", "member_id", "member_dob")] + [fields["narrative"]["value"][:30]]
    caplog.set_level(logging.DEBUG)
    process_file(corpus / "rmr_no_reason.tif", settings, References.load(settings))
    broken = corpus / "rmr_no_reason.tif"
    bad = settings.out_dir.parent / f"{fields['member_id']['value'] if False else 'bad'}.pdf"
    bad.write_bytes(b"")
    process_file(bad, settings, References.load(settings))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in phi:
        assert str(value) not in logged
    assert broken.exists()


def test_cli_process_runs_the_prefect_flow(corpus: Path, tmp_path: Path) -> None:
    from prefect.testing.utilities import prefect_test_harness
    from typer.testing import CliRunner

    from flows.cli import app

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("cm_no_program.tif", "hif_es_self_harm.tif"):
        (inbox / name).write_bytes((corpus / name).read_bytes())
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 nothing else")
    out = tmp_path / "out"
    with prefect_test_harness():
        os.environ.pop("PREFECT_API_URL", None)
        done = CliRunner().invoke(
            app, ["process", str(inbox), "--out", str(out), "--received-at", "2026-11-20T09:14", "--workers", "2"]
        )
    assert done.exit_code == 0, done.output
    for name in ("cm_no_program", "hif_es_self_harm"):  # the run's console and Prefect logs carry no member data
        fields = json.loads((corpus / f"{name}.truth.json").read_text())["documents"][0]["fields"]
        for key in ("member_name", "member_id", "member_dob", "member_phone"):
            assert str(fields[key]["value"]) not in done.output, key
    results = {p.name: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    assert set(results) == {"cm_no_program.tif.json", "hif_es_self_harm.tif.json", "broken.pdf.json"}
    assert results["cm_no_program.tif.json"]["documents"][0]["route"] == "return_to_sender"
    notice = results["cm_no_program.tif.json"]["documents"][0]["notice"]
    assert notice and (out / notice).exists()
    assert results["hif_es_self_harm.tif.json"]["documents"][0]["route"] == "expedited_care"
    assert "error" in results["broken.pdf.json"]
    assert (out / "faxintake.db").exists()
    listing = CliRunner().invoke(app, ["queue", "list", "--store", f"sqlite:///{out / 'faxintake.db'}"])
    assert listing.exit_code == 0 and "2 open document(s)" in listing.output


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
    assert result.error and "Tesseract" in result.error
    assert json.loads(result_path(settings.out_dir, corpus / "hif_en_forward.tif").read_text())["error"] == result.error


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

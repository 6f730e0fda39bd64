"""A store for the review app's tests, made by the real pipeline (plain functions, no Prefect) from bundled faxes."""

from __future__ import annotations

import shutil
from pathlib import Path

from faxintake.intake import References, process_file
from faxintake.model import FaxResult
from faxintake.settings import Settings
from faxintake.store import Store

CORPUS = Path(__file__).resolve().parents[1] / "sample_faxes" / "corpus"
# A complete request (provider_services: for the director), a CIN not in the roster (manual_triage: a correction
# sends it on), a complete CM referral (case_management: to return by hand), a request the pipeline returned.
FAXES = (
    "rmr_complete_abusive.tif",
    "rmr_member_not_found.tif",
    "cm_complete_care_coordination.tif",
    "rmr_no_reason.tif",
)


def build(out: Path) -> list[FaxResult]:
    """Process FAXES into `out` (originals copied into out/inbox: the store keeps where they are); the results,
    to record them in another store."""
    inbox = out / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    settings = Settings(out_dir=out, roster_path=CORPUS / "members.csv", providers_path=CORPUS / "providers.csv")
    refs = References.load(settings)
    store = Store(settings.store)
    results = []
    for name in FAXES:
        src = inbox / name
        shutil.copyfile(CORPUS / name, src)
        results.append(process_file(src, settings, refs))
        store.record(results[-1])
    store.engine.dispose()
    return results


def copy_of(built: Path, into: Path) -> Path:
    """A private copy of a built store and its folder (tests change it)."""
    shutil.copytree(built, into)
    return into


def references() -> References:
    return References.load(Settings(roster_path=CORPUS / "members.csv", providers_path=CORPUS / "providers.csv"))

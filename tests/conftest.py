from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# Prefect's test servers start slowly while the other test worker runs OCR on both cores (20-30 s by default was
# seen to run out): every test server, and the Dask workers' own, waits longer (prefect_test_harness(None) reads it).
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "sample_faxes" / "corpus"
REALDATA = ROOT.parent / "shared" / "realdata" / "fax"


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.exists():
        pytest.skip("shared/realdata is not beside this checkout")
    return REALDATA


@pytest.fixture()
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    from faxintake.settings import Settings

    return Settings(
        out_dir=tmp_path / "out", roster_path=CORPUS / "members.csv", providers_path=CORPUS / "providers.csv"
    )


def truth_document(truth: dict, index: int = 0, confidence: float = 0.99, **overrides: object):  # type: ignore[no-untyped-def,type-arg]
    """Document `index` of a ground-truth file as if read perfectly at `confidence`, some fields overridden
    (by a value, or by a whole FieldRead)."""
    from faxintake.model import Attachment, Document, FieldRead

    d = truth["documents"][index]
    fields = {
        k: FieldRead(
            value=v["value"],
            confidence=confidence,
            valid=v.get("valid", True),
            codes=tuple(v["codes"]) if "codes" in v else None,
        )
        for k, v in d["fields"].items()
    }
    for name, value in overrides.items():
        fields[name] = value if isinstance(value, FieldRead) else FieldRead(value=value, confidence=confidence)  # type: ignore[arg-type]
    return Document(
        doc_type=d["doc_type"],
        language=d["language"],
        pages=tuple(d["pages"]),
        fields=fields,
        attachments=tuple(Attachment(doc_type=a["doc_type"], pages=tuple(a["pages"])) for a in d["attachments"]),
    )

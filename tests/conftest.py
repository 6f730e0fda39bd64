from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

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

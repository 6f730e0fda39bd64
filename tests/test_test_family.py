"""Golden tests on faxes of the test family (sample_faxes/traffic.py): faces, cover designs, letter wordings and
geometry no tuning has looked at. Reading them is not perfect (benchmarks.corpus --family test measures how far
from it); deciding them must be safe: every page gets a kind, every document a route, and nothing is sent back that the
truth does not send back.

The first faxes of the benchmark's test family (same seed), built once per session into a temporary folder.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from faxintake.intake import References, decide_fax, read_input
from sample_faxes.traffic import build_family

COUNT = 8


@pytest.fixture(scope="session")
def test_family(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_family("test", COUNT, out_dir=tmp_path_factory.mktemp("test-family"))


@pytest.mark.parametrize("number", range(COUNT))
def test_a_test_family_fax_is_decided_safely(test_family: Path, settings, number: int) -> None:  # type: ignore[no-untyped-def]
    [truth_path] = test_family.glob(f"test-{number:03d}-*.truth.json")
    truth = json.loads(truth_path.read_text())
    settings = replace(settings, roster_path=test_family / "members.csv", providers_path=test_family / "providers.csv")
    read = read_input(test_family / truth["file"], settings)
    decided = decide_fax(read, settings, References.load(settings), source_name=truth["file"])
    assert len(read.pages) == truth["page_count"]
    assert all(d.route is not None for d in decided.documents)
    got = {(d.doc_type, d.pages[0] if d.pages else 0): d for d in decided.documents}
    for doc in truth["documents"]:
        mine = got.get((doc["doc_type"], doc["pages"][0] if doc["pages"] else 0))
        route = mine.route.value if mine and mine.route else "missing"
        diff = f"{truth['case']}: expected {doc['route']} {doc['codes']}, got {route}"
        if doc["route"] != "return_to_sender":
            assert route != "return_to_sender", diff  # a wrong return: the worst outcome

"""The store: recording, idempotency, resubmission links, queues with an audit trail, migrations, export."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from faxintake.errors import StoreError
from faxintake.export import export_tables
from faxintake.model import Document, FaxResult, FieldRead, Finding, Route, Severity
from faxintake.store import Store
from faxintake.store.models import Base, Notice


def result(sha: str, route: Route, cin: str = "91234567A", source: str = "a.tif") -> FaxResult:
    fields = {
        "member_id": FieldRead(value=cin, confidence=0.99),
        "member_name": FieldRead(value="Rivera, Ana", confidence=0.9),
        "signature": FieldRead(value=False, confidence=0.97),
    }
    findings = (Finding(code="SIGNATURE_MISSING", severity=Severity.RETURN, fields=("signature",), message="Sign it."),)
    doc = Document(
        doc_type="member_reassignment",
        language="en",
        pages=(2, 3),
        fields=fields,
        findings=findings if route is Route.RETURN_TO_SENDER else (),
        route=route,
        notice="notices/x.pdf" if route is Route.RETURN_TO_SENDER else None,
    )
    return FaxResult(
        source=source,
        sha256=sha,
        received_at=datetime(2026, 11, 20, 9, 14),
        page_count=3,
        sender_fax="831-555-0147",
        documents=(doc,),
        versions={"rules": "t"},
    )


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_same_fax_twice_is_recorded_once(store: Store) -> None:
    first = store.record(result("a" * 64, Route.PROVIDER_SERVICES))
    second = store.record(result("a" * 64, Route.PROVIDER_SERVICES, source="again.tif"))
    assert first.duplicate_of is None and second.duplicate_of == "a.tif"
    assert second.fax_id == first.fax_id and len(store.queue()) == 1
    shown = store.show(first.document_ids[0])
    assert shown["fields"]["member_id"]["value"] == "91234567A"


def test_resubmission_is_linked_to_the_earlier_return(store: Store) -> None:
    returned = store.record(result("b" * 64, Route.RETURN_TO_SENDER))
    assert store.find_open_return("91234567a", "member_reassignment") == returned.document_ids[0]
    again = store.record(result("c" * 64, Route.PROVIDER_SERVICES, source="b.tif"))
    shown = store.show(again.document_ids[0])
    assert shown["linked_return_id"] == returned.document_ids[0]
    assert store.show(returned.document_ids[0])["status"] == "resubmitted"
    assert store.find_open_return("91234567A", "member_reassignment") is None


def test_open_return_tells_what_a_resubmission_notice_needs(store: Store) -> None:
    first = store.record(result("1" * 64, Route.RETURN_TO_SENDER)).document_ids[0]
    found = store.open_return("91234567A", "member_reassignment")
    assert found is not None and found.document_id == first and found.times_returned == 1
    assert (found.fax_sha256, found.index) == ("1" * 64, 0)
    assert [f.code for f in found.findings] == ["SIGNATURE_MISSING"]
    with store.engine.connect() as c:
        assert found.returned_at == c.scalar(select(Notice.created_at).where(Notice.document_id == first))
    assert store.open_return("91234567A", "member_reassignment", excluding_fax="1" * 64) is None, "its own fax"
    assert store.open_return("91234567A", "cm_referral") is None and store.open_return("", "cm_referral") is None

    second = store.record(result("2" * 64, Route.RETURN_TO_SENDER, source="b.tif")).document_ids[0]
    again = store.open_return("91234567A", "member_reassignment")
    assert again is not None and again.document_id == second and again.times_returned == 2


def test_resolve_is_audited_and_happens_once(store: Store) -> None:
    doc_id = store.record(result("d" * 64, Route.MANUAL_TRIAGE)).document_ids[0]
    assert [i.document_id for i in store.queue("manual_triage")] == [doc_id]
    store.resolve(doc_id, actor="jdoe", reason="member identified by phone")
    assert store.queue("manual_triage") == []
    audit = store.show(doc_id)["audit"]
    assert (
        audit[-1]["action"] == "resolved"
        and audit[-1]["by"] == "jdoe"
        and audit[-1]["reason"] == "member identified by phone"
    )
    with pytest.raises(StoreError, match="already resolved"):
        store.resolve(doc_id, actor="someone", reason="again")


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_store_file_is_private(tmp_path: Path) -> None:
    Store(f"sqlite:///{tmp_path / 'private.db'}")
    assert (tmp_path / "private.db").stat().st_mode & 0o077 == 0


def test_unreachable_store_is_a_store_error() -> None:
    with pytest.raises(StoreError) as err:
        Store("postgresql+psycopg://user:secret@127.0.0.1:1/nowhere")
    assert "secret" not in str(err.value)


def _round_trip(store: Store, out: Path) -> None:
    store.record(result("e" * 64, Route.RETURN_TO_SENDER))
    store.record(result("f" * 64, Route.CASE_MANAGEMENT, cin="81234567B"))
    written = export_tables(store, out)
    docs = pd.read_parquet(written["documents.parquet"])
    assert len(docs) >= 2 and set(docs["route"]) >= {"return_to_sender", "case_management"}
    fields = pd.read_csv(written["fields.csv"])
    assert "member_id" not in set(fields["field"]), "identifying values stay out of analyst tables"
    counts = duckdb.sql(f"select code, count(*) n from '{written['findings.parquet']}' group by code").fetchall()
    assert ("SIGNATURE_MISSING", 1) in counts
    routes = duckdb.sql(
        f"select return_codes from '{written['routes.parquet']}' where route = 'return_to_sender'"
    ).fetchall()
    assert routes == [("SIGNATURE_MISSING",)]
    assert "| `route` |" in written["DATA_DICTIONARY.md"].read_text()


def test_export_reads_back_with_pandas_and_duckdb(store: Store, tmp_path: Path) -> None:
    _round_trip(store, tmp_path / "tables")


@pytest.mark.postgres
def test_postgresql_round_trip(tmp_path: Path) -> None:
    url = os.environ.get("FAXINTAKE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("FAXINTAKE_TEST_POSTGRES_URL is not set (CI sets it and starts PostgreSQL)")
    store = Store(url)
    with store.engine.begin() as c:
        for table in reversed(Base.metadata.sorted_tables):
            c.execute(table.delete())
    _round_trip(store, tmp_path / "pg")
    again = store.record(result("e" * 64, Route.RETURN_TO_SENDER))
    assert again.duplicate_of == "a.tif"


UNREACHABLE = "postgresql+psycopg://x:secret@127.0.0.1:1/db"  # nothing listens on port 1
STORE_COMMANDS = {
    "queue list": ["queue", "list"],
    "queue show": ["queue", "show", "1"],
    "queue resolve": ["queue", "resolve", "1", "--by", "jdoe", "--reason", "done"],
    "export": ["export", "--out", "{tmp}/tables"],
    "reprocess": ["reprocess", "--out", "{tmp}/out", "--dry-run"],
}


@pytest.mark.parametrize("when", ["at open", "after open"])
@pytest.mark.parametrize("command", list(STORE_COMMANDS))
def test_every_store_command_with_the_store_unreachable_exits_6_in_one_line(
    command: str, when: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`at open`: the store cannot be reached when it is opened. `after open`: it is opened (no migration, so no
    connection yet) and the command's own query is the first to fail. Either way: a StoreError, exit 6, one line
    saying what to do, no stack trace, no password."""
    from typer.testing import CliRunner

    import faxintake.store
    from flows.cli import app

    if when == "after open":
        monkeypatch.setattr(faxintake.store, "migrate", lambda _engine: None)
    args = [a.replace("{tmp}", str(tmp_path)) for a in STORE_COMMANDS[command]]
    run = CliRunner().invoke(app, [*args, "--store", UNREACHABLE])
    assert run.exit_code == 6, run.output
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("error: cannot ") and "127.0.0.1:1/db" in run.stderr and "--store" in run.stderr
    assert "Traceback" not in run.output and "secret" not in run.output
    assert isinstance(run.exception, SystemExit), "an exit, not an exception"


def test_store_methods_raise_store_errors_without_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import faxintake.store

    monkeypatch.setattr(faxintake.store, "migrate", lambda _engine: None)
    store = Store("postgresql+psycopg://x:secret@127.0.0.1:1/db?password=secret")
    calls = {
        "record": lambda: store.record(result("a" * 64, Route.MANUAL_TRIAGE)),
        "queue": lambda: store.queue(),
        "show": lambda: store.show(1),
        "resolve": lambda: store.resolve(1, actor="a", reason="b"),
        "replace_decision": lambda: store.replace_decision(1, [], "manual_triage", actor="a", reason="b"),
        "iter_documents": lambda: list(store.iter_documents()),
        "open_return": lambda: store.open_return("91234567A", "member_reassignment"),
        "find_fax": lambda: store.find_fax("a" * 64),
        "relocate": lambda: store.relocate("a" * 64, Path("processed/a.tif")),
        "export": lambda: export_tables(store, tmp_path / "tables"),
    }
    for name, call in calls.items():
        with pytest.raises(StoreError) as err:
            call()
        assert err.value.exit_code == 6
        assert "secret" not in str(err.value) and "127.0.0.1:1/db" in str(err.value), name


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://user:secret@db.example:5432/fax", "postgresql+psycopg://db.example:5432/fax"),
        ("postgresql+psycopg://user:se@cret@db.example/fax", "postgresql+psycopg://db.example/fax"),  # raw "@"
        ("postgresql+psycopg:///fax?host=/run/pg&password=secret", "postgresql+psycopg:///fax"),
        ("sqlite:///out/faxintake.db", "sqlite:///out/faxintake.db"),
        ("not a url user:secret@host", "host"),
    ],
)
def test_store_messages_never_show_credentials(url: str, shown: str) -> None:
    from faxintake.store import _safe_url

    assert _safe_url(url) == shown


def test_a_missing_database_driver_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="driver is not installed") as err:
        Store("mysql://user:secret@127.0.0.1:1/db")
    assert "secret" not in str(err.value)

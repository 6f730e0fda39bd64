"""The store: every fax, page, document, field, finding, route, notice and state change, in SQLite by default
or PostgreSQL by URL. The schema is versioned with Alembic; recording is idempotent by the fax's content hash."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import URL, Engine, create_engine, event, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from faxintake.errors import StoreError
from faxintake.model import FaxResult, Finding, Route, Severity
from faxintake.store.models import Audit, DocumentRow, Fax, FieldRow, FindingRow, Notice, Page

MIGRATIONS = Path(__file__).parent / "migrations"


def member_key(form_id: str, member_id: str) -> str | None:
    """Links a resubmission to an earlier return without storing the CIN a second time in the clear."""
    return hashlib.sha256(f"{form_id}:{member_id.upper()}".encode()).hexdigest() if member_id else None


def _safe_url(url: str) -> str:
    """The URL as messages show it: no user, no password, no query (libpq takes `?password=` too)."""
    try:
        parsed = make_url(url)
    except Exception:  # not a URL SQLAlchemy understands: keep what follows any credentials, up to any query
        return url.rsplit("@", 1)[-1].split("?", 1)[0]
    host = (parsed.host or "").rsplit("@", 1)[-1] or None  # a raw "@" in a password ends up in the host
    return URL.create(parsed.drivername, host=host, port=parsed.port, database=parsed.database).render_as_string()


def migrate(engine: Engine) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


@dataclass(frozen=True)
class RecordOutcome:
    fax_id: int
    document_ids: tuple[int, ...]
    duplicate_of: str | None  # the first delivery's source when this content was seen before


@dataclass(frozen=True)
class QueueItem:
    document_id: int
    doc_type: str
    route: str
    status: str
    received_at: datetime | None
    member_initials: str | None
    codes: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class OpenReturn:
    """The latest return still open for a member and form: what a resubmission's notice and result say of it."""

    document_id: int
    fax_sha256: str
    index: int  # of the document in its fax (with the hash, gives the notice's reference)
    returned_at: datetime  # when its notice was recorded
    findings: tuple[Finding, ...]  # its `return` findings
    times_returned: int  # 1 + the earlier returns it was itself a resubmission of


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            if url.startswith("sqlite:///"):
                path = Path(url.removeprefix("sqlite:///"))
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                # Member data: the owner only. Made so before SQLite opens it, since SQLite creates the -wal and
                # -shm files (which hold recent writes) with the database file's own mode.
                os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))
                for own in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
                    if own.exists():
                        os.chmod(own, 0o600)
            # hide_parameters: an error's text never carries the values of a statement (member data).
            self.engine = create_engine(url, future=True, hide_parameters=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            migrate(self.engine)
        except ImportError as exc:
            raise StoreError(
                f"cannot open the store at {_safe_url(url)}: its database driver is not installed ({exc.name or exc})",
                hint="use postgresql+psycopg://… for PostgreSQL or sqlite:///… for SQLite",
            ) from exc
        except CommandError as exc:
            raise StoreError(
                f"cannot open the store at {_safe_url(url)}: its schema is not one this version knows",
                hint="use the faxintake version that last wrote this store, or another store",
            ) from exc
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"cannot open the store at {_safe_url(url)}: {type(exc).__name__}") from exc
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self, doing: str, *, write: bool = False) -> Iterator[Session]:
        """A session for one piece of work, the one way in to the database: any database failure in it becomes
        a StoreError saying what could not be done and where (the URL without credentials, the error's type
        only). `write`: one transaction, committed when the block ends."""
        try:
            with self.sessions() as s:
                if write:
                    with s.begin():
                        yield s
                else:
                    yield s
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot {doing} in the store at {_safe_url(self.url)}: {type(exc).__name__}") from exc

    def record(self, result: FaxResult, *, actor: str = "faxintake") -> RecordOutcome:
        with self.session("record the fax", write=True) as s:
            existing = s.scalar(select(Fax).where(Fax.sha256 == result.sha256)) if result.sha256 else None
            if existing is not None:
                existing.deliveries += 1
                existing.last_seen = _now()
                s.add(
                    Audit(
                        at=_now(),
                        entity="fax",
                        entity_id=existing.id,
                        action="duplicate delivery",
                        from_state=str(existing.deliveries - 1),
                        to_state=str(existing.deliveries),
                        actor=actor,
                        reason=f"same content as {Path(existing.source).name}",
                    )
                )
                return RecordOutcome(existing.id, tuple(d.id for d in existing.documents), existing.source)
            fax = self._add_fax(s, result)
            s.flush()
            s.add(
                Audit(
                    at=_now(),
                    entity="fax",
                    entity_id=fax.id,
                    action="recorded",
                    to_state="error" if result.error else "decided",
                    actor=actor,
                )
            )
            ids = []
            for index, doc in enumerate(result.documents):
                row = self._add_document(s, fax, index, doc, result)
                s.flush()
                ids.append(row.id)
                s.add(
                    Audit(
                        at=_now(),
                        entity="document",
                        entity_id=row.id,
                        action="routed",
                        to_state=row.route,
                        actor=actor,
                    )
                )
                if row.linked_return_id:
                    s.add(
                        Audit(
                            at=_now(),
                            entity="document",
                            entity_id=row.linked_return_id,
                            action="resubmitted",
                            from_state="open",
                            to_state="resubmitted",
                            actor=actor,
                            reason=f"resubmission is document {row.id}",
                        )
                    )
            return RecordOutcome(fax.id, tuple(ids), None)

    def _add_fax(self, s: Session, result: FaxResult) -> Fax:
        fax = Fax(
            sha256=result.sha256 or hashlib.sha256(result.source.encode()).hexdigest(),
            source=result.source,
            received_at=result.received_at,
            page_count=result.page_count,
            sender_fax=result.sender_fax,
            error=result.error,
            versions=dict(result.versions),
            result=result.to_result(),
            first_seen=_now(),
            last_seen=_now(),
        )
        for p in result.pages:
            fax.pages.append(
                Page(
                    number=p.number,
                    doc_type=p.doc_type,
                    language=p.language,
                    form_page=p.form_page,
                    rotation=p.rotation,
                    skew=p.skew,
                    classify_confidence=p.classify_confidence,
                    read_by=p.read_by,
                    form_to_page=list(p.form_to_page) if p.form_to_page else None,
                )
            )
        s.add(fax)
        return fax

    def _add_document(self, s: Session, fax: Fax, index: int, doc: Any, result: FaxResult) -> DocumentRow:
        from extractors.normalize import name_initials

        cin = doc.fields.get("member_id")
        key = member_key(doc.doc_type, str(cin.value)) if cin is not None and cin.value else None
        name = doc.fields.get("member_name")
        linked = self._open_return(s, key) if key else None
        row = DocumentRow(
            index=index,
            doc_type=doc.doc_type,
            language=doc.language,
            pages=list(doc.pages),
            attachments=[a.to_result() for a in doc.attachments],
            route=doc.route.value if doc.route else None,
            notice=doc.notice,
            member_key=key,
            member_initials=name_initials(str(name.value)) if name is not None and name.value else None,
            linked_return_id=linked.id if linked else None,
            decided_at=_now(),
        )
        if linked is not None:
            linked.status = "resubmitted"
            linked.version += 1
        for fname, f in doc.fields.items():
            row.fields.append(
                FieldRow(
                    name=fname,
                    value=str(f.value),
                    value_type="bool" if isinstance(f.value, bool) else "str",
                    raw=f.raw,
                    confidence=f.confidence,
                    content_confidence=f.content_confidence,
                    valid=f.valid,
                    box=list(f.box) if f.box else None,
                    codes=list(f.codes) if f.codes is not None else None,
                )
            )
        for f in doc.findings:
            row.findings.append(
                FindingRow(
                    code=f.code,
                    severity=f.severity.value,
                    fields=list(f.fields),
                    message=f.message,
                    demoted_from=f.demoted_from.value if f.demoted_from else None,
                    details=f.details,
                )
            )
        fax.documents.append(row)
        if doc.notice:
            s.flush()
            s.add(Notice(document_id=row.id, path=doc.notice, fax_to=result.sender_fax, created_at=_now()))
        return row

    def _open_return(self, s: Session, key: str, excluding_fax: str | None = None) -> DocumentRow | None:
        q = select(DocumentRow).where(
            DocumentRow.member_key == key,
            DocumentRow.route == Route.RETURN_TO_SENDER.value,
            DocumentRow.status == "open",
        )
        if excluding_fax:
            q = q.join(Fax).where(Fax.sha256 != excluding_fax)
        return s.scalar(q.order_by(DocumentRow.id.desc()))

    def open_return(self, member_id: str, form_id: str, *, excluding_fax: str | None = None) -> OpenReturn | None:
        """The return a document for this member and form would resubmit (read only: `record` makes the link).

        `excluding_fax`: the hash of the fax being decided, whose own earlier delivery is not an earlier return.
        """
        key = member_key(form_id, member_id)
        if key is None:
            return None
        with self.session("look up earlier returns") as s:
            row = self._open_return(s, key, excluding_fax)
            if row is None:
                return None
            sent = s.scalar(select(Notice.created_at).where(Notice.document_id == row.id).order_by(Notice.id))
            times, earlier = 1, row.linked_return_id
            while earlier is not None and times < 100:  # links point to older documents: no cycles
                times += 1
                earlier = s.scalar(select(DocumentRow.linked_return_id).where(DocumentRow.id == earlier))
            findings = tuple(
                Finding(code=f.code, severity=Severity.RETURN, fields=tuple(f.fields), message=f.message)
                for f in row.findings
                if f.severity == Severity.RETURN.value
            )
            return OpenReturn(row.id, row.fax.sha256, row.index, sent or row.decided_at, findings, times)

    def find_open_return(self, member_id: str, form_id: str) -> int | None:
        found = self.open_return(member_id, form_id)
        return found.document_id if found else None

    def find_fax(self, sha256: str) -> dict[str, Any] | None:
        """The stored result of a fax with this content, if it was seen before."""
        with self.session("look the fax up") as s:
            fax = s.scalar(select(Fax).where(Fax.sha256 == sha256))
            return dict(fax.result) | {"_source": fax.source} if fax else None

    def relocate(self, sha256: str, new_path: Path, *, actor: str = "inbox") -> None:
        """The original was moved (to processed/ or failed/): remember where it is kept now."""
        with self.session("record where the fax was moved", write=True) as s:
            fax = s.scalar(select(Fax).where(Fax.sha256 == sha256))
            if fax is not None and fax.source != str(new_path):
                s.add(
                    Audit(
                        at=_now(),
                        entity="fax",
                        entity_id=fax.id,
                        action="moved",
                        from_state=Path(fax.source).parent.name,
                        to_state=new_path.parent.name,
                        actor=actor,
                    )
                )
                fax.source = str(new_path)

    def queue(self, route: str | None = None, status: str = "open") -> list[QueueItem]:
        with self.session("list the queue") as s:
            q = (
                select(DocumentRow)
                .join(Fax)
                .where(DocumentRow.status == status)
                .order_by(Fax.received_at, DocumentRow.id)
            )
            if route:
                q = q.where(DocumentRow.route == route)
            return [
                QueueItem(
                    d.id,
                    d.doc_type,
                    d.route or "",
                    d.status,
                    d.fax.received_at,
                    d.member_initials,
                    tuple(sorted({f.code for f in d.findings})),
                    Path(d.fax.source).name,
                )
                for d in s.scalars(q)
            ]

    def show(self, document_id: int) -> dict[str, Any]:
        with self.session(f"show document {document_id}") as s:
            d = s.get(DocumentRow, document_id)
            if d is None:
                raise StoreError(f"no document {document_id}", hint="list the queue to see document ids")
            audit = s.scalars(
                select(Audit).where(Audit.entity == "document", Audit.entity_id == document_id).order_by(Audit.id)
            )
            return {
                "document_id": d.id,
                "source": d.fax.source,
                "received_at": d.fax.received_at,
                "doc_type": d.doc_type,
                "route": d.route,
                "status": d.status,
                "pages": d.pages,
                "attachments": d.attachments,
                "notice": d.notice,
                "linked_return_id": d.linked_return_id,
                "fields": {f.name: {"value": f.value, "confidence": f.confidence, "valid": f.valid} for f in d.fields},
                "findings": [
                    {
                        "code": f.code,
                        "severity": f.severity,
                        "fields": f.fields,
                        "message": f.message,
                        "demoted_from": f.demoted_from,
                    }
                    for f in d.findings
                ],
                "audit": [
                    {
                        "at": a.at,
                        "action": a.action,
                        "from": a.from_state,
                        "to": a.to_state,
                        "by": a.actor,
                        "reason": a.reason,
                    }
                    for a in audit
                ],
            }

    def resolve(self, document_id: int, *, actor: str, reason: str, outcome: str = "resolved") -> None:
        with self.session(f"resolve document {document_id}", write=True) as s:
            d = s.get(DocumentRow, document_id)
            if d is None:
                raise StoreError(f"no document {document_id}", hint="list the queue to see document ids")
            if d.status == "resolved":
                raise StoreError(
                    f"document {document_id} was already resolved by {d.resolved_by} on {d.resolved_at}",
                    hint="nothing to do",
                )
            s.add(
                Audit(
                    at=_now(),
                    entity="document",
                    entity_id=d.id,
                    action="resolved",
                    from_state=d.status,
                    to_state=outcome,
                    actor=actor,
                    reason=reason,
                )
            )
            d.status, d.resolved_by, d.resolved_reason, d.resolved_at = "resolved", actor, reason, _now()
            d.version += 1

    def replace_decision(
        self, document_id: int, findings: list[dict[str, Any]], route: str, *, actor: str, reason: str
    ) -> tuple[str | None, str]:
        """Re-decide a stored document (a rules change): the old route and codes are kept in the audit trail."""
        with self.session(f"record the new decision for document {document_id}", write=True) as s:
            d = s.get(DocumentRow, document_id)
            if d is None:
                raise StoreError(f"no document {document_id}")
            old_route, old_codes = d.route, ",".join(sorted({f.code for f in d.findings}))
            d.findings.clear()
            for f in findings:
                d.findings.append(FindingRow(**f))
            d.route = route
            d.version += 1
            s.add(
                Audit(
                    at=_now(),
                    entity="document",
                    entity_id=d.id,
                    action="reprocessed",
                    from_state=f"{old_route} [{old_codes}]",
                    to_state=f"{route} [{','.join(sorted({f['code'] for f in findings}))}]",
                    actor=actor,
                    reason=reason,
                )
            )
            return old_route, old_codes

    def iter_documents(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        form: str | None = None,
        route: str | None = None,
        code: str | None = None,
    ) -> Iterator[DocumentRow]:
        with self.session("read the documents") as s:
            q = select(DocumentRow).join(Fax).order_by(DocumentRow.id)
            if since:
                q = q.where(Fax.received_at >= since)
            if until:
                q = q.where(Fax.received_at <= until)
            if form:
                q = q.where(DocumentRow.doc_type == form)
            if route:
                q = q.where(DocumentRow.route == route)
            if code:
                q = q.where(DocumentRow.findings.any(FindingRow.code == code))
            for row in s.scalars(q):
                _ = row.fields, row.findings, row.fax  # loaded before the session closes
                yield row


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (queues, exports) do not block the inbox writer
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_store(url: str) -> Store:
    return Store(url)

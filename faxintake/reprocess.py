"""Re-decide stored documents with the current rules (no OCR), and report what changed."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from faxintake.catalog import load_catalog
from faxintake.intake import References
from faxintake.model import Attachment, Document, FieldRead, Finding, Severity
from faxintake.settings import Settings
from faxintake.store import Store
from faxintake.store.models import DocumentRow
from validators import RULES_VERSION, DecisionContext, decide


@dataclass(frozen=True)
class Change:
    document_id: int
    source: str
    doc_type: str
    old_route: str | None
    new_route: str
    old_codes: tuple[str, ...]
    new_codes: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.old_route != self.new_route or self.old_codes != self.new_codes


def _document(row: DocumentRow) -> Document:
    fields = {
        f.name: FieldRead(
            value=(f.value == "True") if f.value_type == "bool" else f.value,
            confidence=f.confidence,
            content_confidence=f.content_confidence,
            raw=f.raw,
            valid=f.valid,
            codes=tuple(f.codes) if f.codes is not None else None,
        )
        for f in row.fields
    }
    attachments = tuple(
        Attachment(doc_type=a["doc_type"], pages=tuple(a["pages"]), in_doubt=a.get("in_doubt", False))
        for a in row.attachments
    )
    return Document(
        doc_type=row.doc_type, language=row.language, pages=tuple(row.pages), attachments=attachments, fields=fields
    )


def _pages_expected(row: DocumentRow) -> int | None:
    cover = (row.fax.result or {}).get("cover") or {}
    total = (cover.get("fields") or {}).get("pages_total", {}).get("value", "")
    return int(total) if str(total).isdigit() else None


def redecide(
    store: Store,
    settings: Settings,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    form: str | None = None,
    route: str | None = None,
    code: str | None = None,
    apply: bool = True,
    actor: str = "reprocess",
) -> list[Change]:
    """Every selected document decided again from its stored fields; with `apply`, the store is updated (audited)."""
    refs = References.load(settings)
    catalog = load_catalog()
    forms = {f.form_id: f for f in catalog.forms}
    changes = []
    for row in list(store.iter_documents(since=since, until=until, form=form, route=route, code=code)):
        ctx = DecisionContext(
            received_at=row.fax.received_at or datetime.now(),
            roster=refs.roster,
            providers=refs.providers,
            confidence_threshold=settings.confidence_threshold,
            pages_received=row.fax.page_count,
            pages_expected=_pages_expected(row),
        )
        decided = decide(_document(row), forms.get(row.doc_type), ctx)
        changes.append(
            _compare(store, row, decided, apply=apply, actor=actor, reason=f"re-decided with rules {RULES_VERSION}")
        )
    return changes


def reread(
    store: Store,
    settings: Settings,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    form: str | None = None,
    route: str | None = None,
    code: str | None = None,
    apply: bool = True,
    actor: str = "reprocess",
) -> list[Change]:
    """Read the kept originals again with the current extraction, decide, and compare document by document."""
    from faxintake.errors import InputError
    from faxintake.intake import decide_fax, read_input

    refs = References.load(settings)
    rows = list(store.iter_documents(since=since, until=until, form=form, route=route, code=code))
    changes = []
    for source in dict.fromkeys(r.fax.source for r in rows):
        path = Path(source)
        if not path.exists():
            continue
        received = next(r.fax.received_at for r in rows if r.fax.source == source)
        run = settings.with_(received_at=received)
        try:
            result = decide_fax(read_input(path, run), run, refs, source_name=path.name)
        except InputError:
            continue
        for row in (r for r in rows if r.fax.source == source):
            if row.index >= len(result.documents):
                continue
            new = result.documents[row.index]
            changes.append(_compare(store, row, new, apply=apply, actor=actor, reason="re-read from the kept original"))
    return changes


def _compare(store: Store, row: DocumentRow, new: Document, *, apply: bool, actor: str, reason: str) -> Change:
    """Old decision against new; with `apply`, a change replaces the stored decision (the old one stays in the audit)."""
    assert new.route is not None
    change = Change(
        row.id,
        Path(row.fax.source).name,
        row.doc_type,
        row.route,
        new.route.value,
        tuple(sorted({f.code for f in row.findings})),
        tuple(sorted({f.code for f in new.findings})),
    )
    if apply and change.changed:
        store.replace_decision(
            row.id, [_finding_row(f) for f in new.findings], new.route.value, actor=actor, reason=reason
        )
    return change


def _finding_row(f: Finding) -> dict[str, object]:
    return {
        "code": f.code,
        "severity": f.severity.value,
        "fields": list(f.fields),
        "message": f.message,
        "demoted_from": f.demoted_from.value if isinstance(f.demoted_from, Severity) else None,
        "details": f.details,
    }


def write_changes(changes: list[Change], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["document_id", "source", "doc_type", "old_route", "new_route", "old_codes", "new_codes"])
        for c in changes:
            if c.changed:
                writer.writerow(
                    [
                        c.document_id,
                        c.source,
                        c.doc_type,
                        c.old_route,
                        c.new_route,
                        " ".join(c.old_codes),
                        " ".join(c.new_codes),
                    ]
                )
    return path

"""What a reviewer or the Medical Director does to a stored document, as plain functions over the store (the web
routes only parse and call them). Every action is one transaction that first claims the document's version: a save
based on an older version than the stored one is refused with ConflictError, never applied over the other's."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from extractors.normalize import name_initials, normalize
from faxintake.catalog import FieldDef, FieldType, FormDef, load_catalog
from faxintake.errors import FaxIntakeError
from faxintake.intake import FORM_FAX_FIELD, FORM_NPI_FIELD, References
from faxintake.model import Document, FieldRead, Finding, Route, Severity
from faxintake.notice import SENTENCES, NoticeRequest, reference_for, render_notice, sender_fax_for
from faxintake.reprocess import _document, _finding_row, _pages_expected
from faxintake.store import Store
from faxintake.store.models import Audit, Correction, Decision, DocumentRow, Fax, FindingRow, Letter
from faxintake.web import letters
from validators import DecisionContext, decide
from validators.routing import QUEUES

OUTCOMES = ("approve", "defer", "deny")
SHORT = 64  # the audit's before/after columns; the full values are in `corrections`
# Codes a reviewer may return a form for, besides those of its own findings: what the notice has a sentence for.
GENERAL_RETURN_CODES = ("SIGNATURE_MISSING", "INCOMPLETE_TRANSMISSION")
FORM_PREFIX = {"member_reassignment": "RMR_", "cm_referral": "CMR_", "cbas_referral": "CBAS_"}


class ReviewError(FaxIntakeError):
    """An action that does not apply to this document (or this user): the message says why."""

    hint = "reload the document to see its current state"


class ConflictError(ReviewError):
    """Someone else changed the document since this page was loaded."""


@dataclass(frozen=True)
class Reviewer:
    name: str
    role: str


@dataclass(frozen=True)
class Preview:
    """What a correction would do, before it is saved."""

    old_route: str | None
    new_route: str
    old_codes: tuple[str, ...]
    new_codes: tuple[str, ...]
    changed_fields: tuple[str, ...]
    invalid_fields: tuple[str, ...]

    @property
    def route_changes(self) -> bool:
        return self.old_route != self.new_route


@dataclass
class ReviewContext:
    """What decisions need besides the store: the roster, the directory, the threshold, where notices are kept."""

    refs: References
    confidence_threshold: float = 0.9
    out_dir: Path = Path("out")
    _forms: dict[str, FormDef] = field(default_factory=dict)

    def form(self, doc_type: str) -> FormDef | None:
        if not self._forms:
            self._forms.update({f.form_id: f for f in load_catalog().forms})
        return self._forms.get(doc_type)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _short(value: str) -> str:
    return value if len(value) <= SHORT else value[: SHORT - 1] + "…"


def _claim(s: Session, document_id: int, seen_version: int) -> DocumentRow:
    """Take the document for this transaction: bump its version only if it is still the one the reviewer saw. The
    UPDATE holds the row (PostgreSQL) or the database (SQLite) until commit, so a second save waits, then finds
    the version moved on."""
    result = s.execute(
        update(DocumentRow)
        .where(DocumentRow.id == document_id, DocumentRow.version == seen_version)
        .values(version=DocumentRow.version + 1)
    )
    bumped = cast(CursorResult[Any], result).rowcount  # an UPDATE's result is a cursor's
    if not bumped:
        row = s.get(DocumentRow, document_id)
        if row is None:
            raise ReviewError(f"no document {document_id}", hint="go back to the queue")
        last = s.scalar(
            select(Audit)
            .where(Audit.entity == "document", Audit.entity_id == document_id)
            .order_by(Audit.id.desc())
            .limit(1)
        )
        who = f" by {last.actor} at {last.at:%H:%M:%S} ({last.action})" if last is not None else ""
        raise ConflictError(
            f"document {document_id} was changed{who} after you opened it; your change was not saved",
            hint="the page now shows the current version: check it and do your change again if it still applies",
        )
    row = s.get(DocumentRow, document_id, populate_existing=True)
    assert row is not None
    return row


def _audit(
    s: Session, row: DocumentRow, who: Reviewer, action: str, before: str | None, after: str | None, why: str | None
) -> None:
    s.add(
        Audit(
            at=_now(),
            entity="document",
            entity_id=row.id,
            action=action,
            from_state=_short(before) if before is not None else None,
            to_state=_short(after) if after is not None else None,
            actor=who.name,
            reason=why,
        )
    )


def _codes(findings: list[FindingRow] | tuple[Finding, ...]) -> tuple[str, ...]:
    return tuple(sorted({f.code for f in findings}))


def _state(route: str | None, codes: tuple[str, ...]) -> str:
    return f"{route} [{','.join(codes)}]"


# --- corrections ----------------------------------------------------------------------------------------------


def corrected_read(f: FieldDef, text: str, received: date | None) -> FieldRead:
    """A value as a person typed or chose it: normalized like a read, and sure (a person read it off the page)."""
    text = text.strip()
    if f.type in (FieldType.CHECKBOX, FieldType.SIGNATURE):
        return FieldRead(value=text.lower() in ("true", "on", "yes", "1"), confidence=1.0, raw=text)
    if f.type is FieldType.CHOICE:
        options = f.options or {}
        return FieldRead(value=text, confidence=1.0, raw=text, valid=not text or text in options)
    n = normalize(f.type, text, received=received, is_dob=f.name.endswith("_dob"))
    return FieldRead(value=n.value, confidence=1.0, raw=text, valid=n.valid, codes=n.codes)


def _changes(row: DocumentRow, form: FormDef, values: Mapping[str, str], accepted: set[str]) -> dict[str, FieldRead]:
    """The fields whose submitted value differs from the stored one, and those accepted as read."""
    received = row.fax.received_at.date() if row.fax.received_at else None
    stored = {f.name: f for f in row.fields}
    out: dict[str, FieldRead] = {}
    for name, text in values.items():
        fdef, old = form.field_map.get(name), stored.get(name)
        if fdef is None or old is None:
            continue
        if text.strip().lower() == old.value.strip().lower() and name not in accepted:
            continue  # shown as stored and sent back untouched
        new = corrected_read(fdef, text, received)
        if str(new.value) != old.value or (not old.valid and new.valid) or name in accepted:
            out[name] = new
    for name in accepted - set(out):  # accepted without its input being sent: the value as read, made sure
        fdef, old = form.field_map.get(name), stored.get(name)
        if fdef is not None and old is not None:
            out[name] = corrected_read(fdef, old.value, received)
    return out


def _redecided(row: DocumentRow, changes: Mapping[str, FieldRead], ctx: ReviewContext) -> Document:
    form = ctx.form(row.doc_type)
    doc = _document(row)
    doc = doc.model_copy(update={"fields": {**doc.fields, **changes}})
    decision_ctx = DecisionContext(
        received_at=row.fax.received_at or _now(),
        roster=ctx.refs.roster,
        providers=ctx.refs.providers,
        confidence_threshold=ctx.confidence_threshold,
        pages_received=row.fax.page_count,
        pages_expected=_pages_expected(row),
    )
    return decide(doc, form, decision_ctx)


def preview_correction(
    store: Store, document_id: int, values: Mapping[str, str], accepted: set[str], ctx: ReviewContext
) -> Preview:
    """The route and codes the document would get with these values (nothing is written)."""
    with store.session(f"preview a correction of document {document_id}") as s:
        row = _row(s, document_id)
        form = _routable_form(row, ctx)
        changes = _changes(row, form, values, accepted)
        new = _redecided(row, changes, ctx)
        assert new.route is not None
        return Preview(
            row.route,
            new.route.value,
            _codes(row.findings),
            _codes(new.findings),
            tuple(changes),
            tuple(n for n, r in changes.items() if not r.valid),
        )


def correct(
    store: Store,
    document_id: int,
    seen_version: int,
    values: Mapping[str, str],
    accepted: set[str],
    who: Reviewer,
    ctx: ReviewContext,
) -> Preview:
    """Save corrected values, and the decision made again from them (a return gets its notice), in one transaction."""
    with store.session(f"save the correction of document {document_id}", write=True) as s:
        row = _claim(s, document_id, seen_version)
        _open(row)
        form = _routable_form(row, ctx)
        changes = _changes(row, form, values, accepted)
        if not changes:
            raise ReviewError("nothing was changed or accepted", hint="edit a value or accept one, then save")
        old_route, old_codes = row.route, _codes(row.findings)
        stored = {f.name: f for f in row.fields}
        for name, new in changes.items():
            old = stored[name]
            s.add(
                Correction(
                    document_id=row.id,
                    field=name,
                    before=old.value,
                    after=str(new.value),
                    before_confidence=old.confidence,
                    by=who.name,
                    at=_now(),
                )
            )
            action = "accepted" if old.value == str(new.value) else "corrected"
            _audit(
                s,
                row,
                who,
                action,
                f"{name}={old.value}",
                f"{name}={new.value}",
                f"field {name} (read at {old.confidence:.2f})",
            )
            old.value, old.raw, old.confidence, old.valid = str(new.value), new.raw, 1.0, new.valid
            old.content_confidence, old.codes = None, list(new.codes) if new.codes is not None else None
        decided = _redecided(row, {}, ctx)
        assert decided.route is not None
        _replace_findings(row, decided.findings)
        row.route = decided.route.value
        row.decided_at = _now()
        new_codes = _codes(decided.findings)
        _audit(
            s, row, who, "re-decided", _state(old_route, old_codes), _state(row.route, new_codes), "after correction"
        )
        if decided.route is Route.RETURN_TO_SENDER:
            _make_notice(s, row, decided.findings, None, who, ctx)
        return Preview(
            old_route,
            row.route,
            old_codes,
            new_codes,
            tuple(changes),
            tuple(n for n, r in changes.items() if not r.valid),
        )


def _replace_findings(row: DocumentRow, findings: tuple[Finding, ...] | list[Finding]) -> None:
    row.findings.clear()
    for f in findings:
        row.findings.append(FindingRow(**_finding_row(f)))


# --- approve, return, triage, resolve -------------------------------------------------------------------------


def form_queue(row: DocumentRow) -> str:
    """The queue of the document's form, as the rules would route it with nothing to hold it back."""
    if row.doc_type == "hif_met":
        codes = {f.code for f in row.findings}
        return (Route.EXPEDITED_CARE if "HIF_EXPEDITED" in codes else Route.FORWARD_TO_PCP).value
    if row.doc_type in QUEUES:
        return QUEUES[row.doc_type].value
    raise ReviewError(
        f"a {row.doc_type} document has no queue of its own", hint="send it to manual triage or resolve it"
    )


def approve(store: Store, document_id: int, seen_version: int, who: Reviewer, note: str = "") -> str:
    """Reviewed and right: the document goes to its form's queue (a reassignment request, to the Medical Director)."""
    with store.session(f"approve document {document_id}", write=True) as s:
        row = _claim(s, document_id, seen_version)
        _open(row)
        target = form_queue(row)
        _audit(s, row, who, "approved", row.route, target, note or None)
        if row.route != target:
            row.route, row.decided_at = target, _now()
        return target


def returnable_codes(row_doc_type: str, present: tuple[str, ...]) -> list[str]:
    """What a reviewer can return this form for: its findings' codes, its form's rules, the general ones."""
    prefix = FORM_PREFIX.get(row_doc_type)
    own = [c for c in SENTENCES if prefix and c.startswith(prefix)]
    skip = {
        "RMR_EFFECTIVE_DATE",
        "CMR_CAREPLAN_DELIVERY_MISSING",
        "HIF_INCOMPLETE",
        "MEMBER_NOT_FOUND",
        "LOW_CONFIDENCE",
    }
    return list(dict.fromkeys(c for c in (*present, *own, *GENERAL_RETURN_CODES) if c not in skip))


def return_to_sender(
    store: Store, document_id: int, seen_version: int, codes: list[str], note: str, who: Reviewer, ctx: ReviewContext
) -> int:
    """Back to the sender for the chosen codes: those findings become `return`, the notice is made and kept.
    Returns the notice's letter id."""
    if not codes:
        raise ReviewError("choose at least one reason to return it", hint="tick the codes the notice should list")
    with store.session(f"return document {document_id}", write=True) as s:
        row = _claim(s, document_id, seen_version)
        _open(row)
        if row.doc_type == "hif_met":
            raise ReviewError("a member's survey is never returned", hint="forward it, or send it to manual triage")
        if row.doc_type not in QUEUES:
            raise ReviewError("only our forms can be returned with a notice", hint="send it to manual triage")
        chosen = set(codes)
        kept: list[Finding] = []
        for f in row.findings:
            finding = Finding(
                code=f.code,
                severity=Severity(f.severity),
                fields=tuple(f.fields),
                message=f.message,
                details=f.details,
            )
            if f.code in chosen:
                finding = finding.model_copy(update={"severity": Severity.RETURN, "demoted_from": None})
            kept.append(finding)
        for code in sorted(chosen - {f.code for f in row.findings}):
            kept.append(Finding(code=code, severity=Severity.RETURN, message=SENTENCES.get(code, code)))
        old = _state(row.route, _codes(row.findings))
        _replace_findings(row, kept)
        row.route, row.decided_at = Route.RETURN_TO_SENDER.value, _now()
        _audit(s, row, who, "returned", old, _state(row.route, _codes(row.findings)), note or None)
        return _make_notice(s, row, tuple(kept), note, who, ctx)


def send_to_triage(store: Store, document_id: int, seen_version: int, note: str, who: Reviewer) -> None:
    with store.session(f"send document {document_id} to manual triage", write=True) as s:
        row = _claim(s, document_id, seen_version)
        _open(row)
        _audit(s, row, who, "sent to triage", row.route, Route.MANUAL_TRIAGE.value, note or None)
        row.route, row.decided_at = Route.MANUAL_TRIAGE.value, _now()


def resolve(store: Store, document_id: int, seen_version: int, reason: str, who: Reviewer) -> None:
    if not reason.strip():
        raise ReviewError("say what was done", hint="a short reason is kept in the audit trail")
    with store.session(f"resolve document {document_id}", write=True) as s:
        row = _claim(s, document_id, seen_version)
        _open(row)
        _audit(s, row, who, "resolved", row.status, "resolved", reason)
        row.status, row.resolved_by, row.resolved_reason, row.resolved_at = "resolved", who.name, reason, _now()


# --- the Medical Director's decision ---------------------------------------------------------------------------


def can_be_decided(row: DocumentRow) -> bool:
    """A reassignment request past review: in Provider Services' queue, still open."""
    return row.doc_type == "member_reassignment" and row.route == Route.PROVIDER_SERVICES.value and row.status == "open"


def decide_reassignment(
    store: Store,
    document_id: int,
    seen_version: int,
    outcome: str,
    reason: str,
    who: Reviewer,
    ctx: ReviewContext,
    *,
    later_effective: date | None = None,
    today: date | None = None,
) -> list[int]:
    """Approve, defer or deny; makes the provider's letter (and the member's, on approval). Approve and deny close
    the request; defer leaves it open. Returns the letters' ids."""
    if who.role != "director":
        raise ReviewError("only the Medical Director decides reassignment requests", hint="ask a director")
    if outcome not in OUTCOMES:
        raise ReviewError(f"the decision is one of {', '.join(OUTCOMES)}")
    if not reason.strip():
        raise ReviewError("give the reason for the decision", hint="it is quoted in the letter to the provider")
    day = today or date.today()
    if later_effective is not None and later_effective <= day:
        raise ReviewError("a later effective date must lie in the future", hint="leave it empty for the usual date")
    with store.session(f"record the decision on document {document_id}", write=True) as s:
        row = _claim(s, document_id, seen_version)
        if not can_be_decided(row):
            raise ReviewError(
                "only an open reassignment request in Provider Services' queue can be decided",
                hint="approve it to Provider Services first",
            )
        effective = letters.effective_date(day, later_effective) if outcome == "approve" else None
        decision = Decision(
            document_id=row.id, outcome=outcome, reason=reason.strip(), effective_date=effective, by=who.name, at=_now()
        )
        s.add(decision)
        s.flush()
        fields = {f.name: f.value for f in row.fields}
        npi = fields.get("pcp_npi", "")
        directory = ctx.refs.providers.get(npi) if npi else None
        fax_to, _ = sender_fax_for(
            row.fax.sender_fax, fields.get("office_fax"), None, directory.fax if directory else None
        )
        reference = reference_for(row.fax.sha256, row.index)
        spec = letters.DecisionLetter(
            outcome=outcome,
            reason=reason.strip(),
            effective=effective,
            decided_on=day,
            reference=reference,
            received_on=(row.fax.received_at or _now()).date(),
            provider_name=fields.get("pcp_name") or fields.get("practice_name") or "",
            provider_fax=fax_to,
            member_initials=row.member_initials or name_initials(fields.get("member_name", "")),
            member_dob=fields.get("member_dob", ""),
            member_name=_member_display_name(fields.get("member_name", "")),
        )
        made = [
            Letter(
                document_id=row.id,
                decision_id=decision.id,
                kind="provider_letter",
                reference=reference,
                send_to=fax_to,
                pdf=letters.provider_letter(spec),
                by=who.name,
                at=_now(),
            )
        ]
        if outcome == "approve":
            made.append(
                Letter(
                    document_id=row.id,
                    decision_id=decision.id,
                    kind="member_letter",
                    reference=reference,
                    send_to="mail",
                    pdf=letters.member_letter(spec),
                    by=who.name,
                    at=_now(),
                )
            )
        s.add_all(made)
        after = f"{letters.OUTCOMES[outcome]}" + (f", effective {effective.isoformat()}" if effective else "")
        _audit(s, row, who, "director decision", row.status, after, reason.strip())
        if outcome != "defer":
            row.status, row.resolved_by, row.resolved_at = "resolved", who.name, _now()
            row.resolved_reason = f"{letters.OUTCOMES[outcome]} by the Medical Director: {reason.strip()}"
        s.flush()
        return [letter.id for letter in made]


def _member_display_name(name: str) -> str:
    """'Rivera, Ana' as 'Ana Rivera' for a letter's address and greeting."""
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if comma else name.strip()


# --- shared ------------------------------------------------------------------------------------------------------


def _row(s: Session, document_id: int) -> DocumentRow:
    row = s.get(DocumentRow, document_id)
    if row is None:
        raise ReviewError(f"no document {document_id}", hint="go back to the queue")
    return row


def _open(row: DocumentRow) -> None:
    if row.status != "open":
        raise ReviewError(f"document {row.id} is {row.status} already", hint="nothing to do")


def _routable_form(row: DocumentRow, ctx: ReviewContext) -> FormDef:
    form = ctx.form(row.doc_type)
    if form is None:
        raise ReviewError(f"a {row.doc_type} document has no fields to correct", hint="send it to manual triage")
    return form


def _make_notice(
    s: Session,
    row: DocumentRow,
    findings: tuple[Finding, ...] | list[Finding],
    note: str | None,
    who: Reviewer,
    ctx: ReviewContext,
) -> int:
    """The deficiency notice for the document's `return` findings (and the reviewer's note), kept as a letter."""
    form = ctx.form(row.doc_type)
    assert form is not None
    fields = {f.name: f for f in row.fields}

    def text(name: str) -> str | None:
        f = fields.get(name)
        return f.value if f is not None and f.value and f.valid else None

    npi = text(FORM_NPI_FIELD.get(row.doc_type, ""))
    directory = ctx.refs.providers.get(npi) if npi else None
    form_fax = fields.get(FORM_FAX_FIELD.get(row.doc_type, ""))
    sure_form_fax = form_fax.value if form_fax is not None and form_fax.confidence >= ctx.confidence_threshold else None
    fax_to, _ = sender_fax_for(row.fax.sender_fax, sure_form_fax, None, directory.fax if directory else None)
    cover = ((row.fax.result or {}).get("cover") or {}).get("fields") or {}
    listed = list(findings)
    if note and note.strip():  # the note is one more item; the notice's own filter takes numbers and quotes out
        listed.append(Finding(code="REVIEWER_NOTE", severity=Severity.RETURN, message=note.strip()))
    reference = reference_for(row.fax.sha256, row.index)
    request = NoticeRequest(
        form_title=form.title_for("en"),
        form_id=form.form_id,
        received_at=row.fax.received_at or _now(),
        page_count=row.fax.page_count,
        sender_fax=fax_to,
        member_initials=row.member_initials or name_initials(text("member_name") or ""),
        member_dob=text("member_dob") or "",
        findings=tuple(listed),
        reference=reference,
        sender_name=(cover.get("sender_name") or {}).get("value") or None,
        sent_on=_now(),
    )
    pdf = _notice_bytes(request)
    letter = Letter(
        document_id=row.id,
        kind="deficiency_notice",
        reference=reference,
        send_to=fax_to,
        pdf=pdf,
        by=who.name,
        at=_now(),
    )
    s.add(letter)
    s.flush()
    _audit(s, row, who, "notice made", None, f"to {fax_to or 'unknown fax'}", f"letter {letter.id}")
    return letter.id


def _notice_bytes(request: NoticeRequest) -> bytes:
    """render_notice writes a file (the pipeline's notices folder); here the PDF is kept in the store instead."""
    fd, name = tempfile.mkstemp(suffix=".pdf")
    os.close(fd)
    try:
        return render_notice(request, Path(name)).read_bytes()
    finally:
        os.unlink(name)


# --- reading for the pages -------------------------------------------------------------------------------------


def open_counts(s: Session) -> dict[str, int]:
    rows = s.execute(
        select(DocumentRow.route, func.count()).where(DocumentRow.status == "open").group_by(DocumentRow.route)
    )
    return {route or "": count for route, count in rows}


def next_open(s: Session, row: DocumentRow) -> int | None:
    """The next open document after this one in the same queue (oldest first), else the oldest open one elsewhere."""
    received = row.fax.received_at or datetime.min
    q = (
        select(DocumentRow.id)
        .join(Fax)
        .where(DocumentRow.status == "open", DocumentRow.id != row.id, DocumentRow.route == row.route)
        .where((Fax.received_at > received) | ((Fax.received_at == received) & (DocumentRow.id > row.id)))
        .order_by(Fax.received_at, DocumentRow.id)
        .limit(1)
    )
    found = s.scalar(q)
    if found is None:
        found = s.scalar(
            select(DocumentRow.id)
            .join(Fax)
            .where(DocumentRow.status == "open", DocumentRow.id != row.id)
            .order_by(Fax.received_at, DocumentRow.id)
            .limit(1)
        )
    return found


def letter_rows(s: Session, document_id: int) -> list[Any]:
    """The document's letters without their PDF bytes."""
    return list(
        s.execute(
            select(Letter.id, Letter.kind, Letter.reference, Letter.send_to, Letter.by, Letter.at)
            .where(Letter.document_id == document_id)
            .order_by(Letter.id)
        )
    )

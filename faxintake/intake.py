"""One fax from file to decision: read, decide, write the result and any notice. Plain functions (flows/ wraps them).

Every input ends in exactly one result file: a decision, or an `error` saying what is wrong. Originals are
never modified.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from extractors import ocr
from extractors.ingest import sha256_of
from extractors.normalize import name_initials
from extractors.pipeline import EXTRACTION_VERSION, FaxRead, read_fax
from faxintake.catalog import load_catalog
from faxintake.errors import FaxIntakeError, InputError, OcrError, StoreError
from faxintake.model import Document, FaxResult, FieldRead, Known, ReturnLink, Route
from faxintake.notice import NoticeRequest, notice_filename, reference_for, render_notice, sender_fax_for
from faxintake.settings import Settings
from validators import RULES_VERSION, DecisionContext, decide
from validators.reference import ProviderDirectory, Roster

if TYPE_CHECKING:
    from faxintake.store import Store

log = logging.getLogger(__name__)
FORM_FAX_FIELD = {"member_reassignment": "office_fax", "cm_referral": "referrer_fax", "cbas_referral": "pcp_fax"}
FORM_NPI_FIELD = {"member_reassignment": "pcp_npi", "cm_referral": "referrer_npi", "cbas_referral": "pcp_npi"}


@dataclass(frozen=True)
class References:
    roster: Roster
    providers: ProviderDirectory

    @classmethod
    def load(cls, settings: Settings) -> References:
        settings.checked()
        return cls(Roster.load(settings.roster_path), ProviderDirectory.load(settings.providers_path))

    def hypotheses(self, reads: Mapping[str, FieldRead]) -> dict[str, list[Known]]:
        """Values for the reader to check boxes against: the member's identity, the provider's name and practice."""
        return {**self.roster.hypotheses(reads), **self.providers.hypotheses(reads)}


def versions() -> dict[str, str]:
    return {
        "extraction": EXTRACTION_VERSION,
        "rules": RULES_VERSION,
        **{f"form:{k}": v for k, v in load_catalog().versions().items()},
    }


def received_time(read: FaxRead | None, settings: Settings) -> datetime:
    """When the fax arrived: the operator's --received-at, else the sending machine's header, else now."""
    if settings.received_at is not None:
        return settings.received_at
    header = read.header_date() if read else None
    now = datetime.now().replace(microsecond=0)
    if header is not None and datetime(2000, 1, 1) <= header <= now:
        return header
    return now


def pages_expected(read: FaxRead, threshold: float) -> int | None:
    """The page count the sender announced: the cover sheet's, else what the header lines agree on."""
    if read.cover is not None:
        total = read.cover.fields.get("pages_total")
        if total is not None and total.valid and str(total.value).isdigit() and total.confidence >= threshold:
            return int(str(total.value))
    return _agreed([h.pages_total for h in read.headers])


T = TypeVar("T")


def _agreed(values: list[T | None]) -> T | None:
    """What the header lines agree on: the commonest value if two or more lines show it, or if there is one line."""
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    value, votes = counts.most_common(1)[0]
    return value if votes >= 2 or len(values) == 1 else None


def decide_fax(
    read: FaxRead, settings: Settings, refs: References, *, source_name: str, returns: Store | None = None
) -> FaxResult:
    """Decide every document of the fax and render its notice. With `returns` (the store), a resubmission of an
    earlier return is linked to it, and a notice for it says so."""
    received_at = received_time(read, settings)
    ctx = DecisionContext(
        received_at=received_at,
        roster=refs.roster,
        providers=refs.providers,
        confidence_threshold=settings.confidence_threshold,
        pages_received=read.page_count,
        pages_expected=pages_expected(read, settings.confidence_threshold),
    )
    catalog = load_catalog()
    cover_fax, header_fax = sender_faxes(read, settings.confidence_threshold)
    documents = []
    for index, doc in enumerate(read.documents):
        form = catalog.form(doc.doc_type) if doc.doc_type in {f.form_id for f in catalog.forms} else None
        decided = decide(doc, form, ctx)
        earlier = resubmission_of(decided, read.sha256, returns, source_name)
        if earlier is not None:
            decided = decided.model_copy(update={"resubmission_of": earlier})
        if decided.route is Route.RETURN_TO_SENDER:
            try:
                decided = _with_notice(
                    decided, index, read, received_at, settings, refs, cover_fax, header_fax, source_name
                )
            except OSError as exc:  # a full disk must not lose the decision: a person sends the return by hand
                log.error("cannot write the deficiency notice for %s: %s", source_name, exc.strerror)
                decided = decided.model_copy(update={"route": Route.MANUAL_TRIAGE})
        documents.append(decided)
    return FaxResult(
        source=read.source,
        sha256=read.sha256,
        received_at=received_at,
        page_count=read.page_count,
        sender_fax=cover_fax or header_fax,
        cover=read.cover,
        documents=tuple(documents),
        versions=versions(),
        pages=read.pages,
    )


def resubmission_of(doc: Document, sha256: str, returns: Store | None, source_name: str) -> ReturnLink | None:
    """The open return of the same member's same form, by one look-up of the store; None when there is no store
    or it cannot be read (the notice then goes out without the sentence about it)."""
    member_id = doc.fields.get("member_id")
    if returns is None or member_id is None or not member_id.value:
        return None
    try:
        found = returns.open_return(str(member_id.value), doc.doc_type, excluding_fax=sha256)
    except StoreError as exc:
        log.warning("earlier returns not looked up for %s: %s", source_name, exc)
        return None
    if found is None:
        return None
    return ReturnLink(
        document_id=found.document_id,
        reference=reference_for(found.fax_sha256, found.index),
        returned_at=found.returned_at,
        findings=found.findings,
        times_returned=found.times_returned,
    )


def sender_faxes(read: FaxRead, threshold: float) -> tuple[str | None, str | None]:
    """The sender's fax number as the cover sheet gives it, and as the header lines agree on it (as for the page
    count). A deficiency notice carries the member's initials and birth date: a number read below the confidence
    gate (a 2 read for a 1) is not one to fax it to, so the next source in RULES.md's order is taken instead."""
    cover_fax = _sure_text(read.cover.fields, "sender_fax", threshold) if read.cover else None
    return cover_fax, _agreed([h.sender_fax for h in read.headers])


def _sure_text(fields: Mapping[str, FieldRead], name: str, threshold: float) -> str | None:
    read = fields.get(name)
    return _field_text(fields, name) if read is not None and read.confidence >= threshold else None


def _field_text(fields: Mapping[str, FieldRead], name: str) -> str | None:
    read = fields.get(name)
    return str(read.value) if read is not None and read.value and read.valid else None


def _with_notice(
    doc: Document,
    index: int,
    read: FaxRead,
    received_at: datetime,
    settings: Settings,
    refs: References,
    cover_fax: str | None,
    header_fax: str | None,
    source_name: str,
) -> Document:
    form = load_catalog().form(doc.doc_type)
    npi = _field_text(doc.fields, FORM_NPI_FIELD.get(doc.doc_type, ""))
    directory = refs.providers.get(npi) if npi else None
    fax, _ = sender_fax_for(
        cover_fax,
        _sure_text(doc.fields, FORM_FAX_FIELD.get(doc.doc_type, ""), settings.confidence_threshold),
        header_fax,
        directory.fax if directory else None,
    )
    reference = reference_for(read.sha256, index)
    name = f"{Path(source_name).name}.{notice_filename(reference)}"
    request = NoticeRequest(
        form_title=form.title_for("en"),
        form_id=form.form_id,
        received_at=received_at,
        page_count=read.page_count,
        sender_fax=fax,
        member_initials=name_initials(_field_text(doc.fields, "member_name") or ""),
        member_dob=_field_text(doc.fields, "member_dob") or "",
        findings=doc.findings,
        reference=reference,
        resubmission_of=doc.resubmission_of,
        sender_name=_field_text(read.cover.fields, "sender_name") if read.cover else None,
        sent_on=datetime.now().replace(microsecond=0),
    )
    render_notice(request, settings.out_dir / "notices" / name)
    return doc.model_copy(update={"notice": f"notices/{name}"})


def error_result(path: Path, error: FaxIntakeError) -> FaxResult:
    try:
        digest = sha256_of(path)
    except OSError:
        digest = ""
    return FaxResult(
        source=str(path),
        sha256=digest,
        received_at=None,
        page_count=0,
        error=str(error),
        status="error",
        versions=versions(),
    )


def result_path(out_dir: Path, source: Path) -> Path:
    return out_dir / "results" / f"{source.name}.json"


def write_result(result: FaxResult, out_dir: Path, source: Path) -> Path:
    return write_json(result_path(out_dir, source), result.to_result())


def write_json(path: Path, data: object) -> Path:
    """Write atomically (temp file + rename) and readable by the owner only: results hold member data."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, ensure_ascii=False, default=str)
    os.replace(tmp, path)
    return path


def read_input(path: Path, settings: Settings) -> FaxRead:
    received = settings.received_at.date() if settings.received_at else None
    known = settings.roster_path.is_file() and settings.providers_path.is_file()
    lexicon = current_references(settings).hypotheses if known else None
    try:
        return read_fax(path, received=received, lexicon=lexicon)
    except OcrError as exc:  # the engine failed, not the fax: once more with fresh engines before giving up
        log.warning("OCR failed on %s, reading it again with fresh engines: %s", path.name, exc)
        ocr.reset_engines()
        try:
            return read_fax(path, received=received, lexicon=lexicon)
        except OcrError as again:
            raise OcrError(f"{again.args[0]} (and again on a second try)", hint=again.hint) from again


def current_references(settings: Settings) -> References:
    """The roster and directory, loaded once per process and again when either file changes: a long-running inbox
    reads and decides with the plan's latest roster."""
    settings.checked()
    paths = (settings.roster_path, settings.providers_path)
    return _references(*paths, *(p.stat().st_mtime_ns for p in paths))


@functools.lru_cache(maxsize=4)
def _references(roster: Path, providers: Path, *_modified: int) -> References:
    return References(Roster.load(roster), ProviderDirectory.load(providers))


def process_file(path: Path, settings: Settings, refs: References) -> FaxResult:
    """Read and decide one input; an unreadable input becomes an error result, never an exception."""
    try:
        read = read_input(path, settings)
    except InputError as exc:
        log.warning("input %s cannot be read: %s", path.name, exc)
        result = error_result(path, exc)
    except OcrError as exc:  # the engine failed, not the fax: an error result a person can requeue
        log.error("OCR failed on %s: %s", path.name, exc)
        result = error_result(path, exc)
    else:
        result = decide_fax(read, settings, refs, source_name=path.name)
    write_result(result, settings.out_dir, path)
    return result


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files as given, and the files inside folders given (sorted, hidden files and results skipped)."""
    out: list[Path] = []
    for item in inputs:
        if item.is_dir():
            out += sorted(
                p
                for p in item.iterdir()
                if p.is_file() and not p.name.startswith(".") and not p.name.endswith((".json", ".csv", ".md"))
            )
        else:
            out.append(item)
    return out

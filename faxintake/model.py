"""The typed document model that flows through the stages: fax -> pages -> documents -> fields -> findings.

Every stage returns new objects; nothing here is mutated after it is built.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Box = tuple[float, float, float, float]
FieldValue = str | bool

ROUTABLE_FORMS = ("member_reassignment", "cm_referral", "cbas_referral", "hif_met")
SUPPORTING_KINDS = ("fax_cover", "member_letter", "mma", "attachment")


class Severity(StrEnum):
    RETURN = "return"
    REVIEW = "review"
    INFO = "info"


class Route(StrEnum):
    PROVIDER_SERVICES = "provider_services"
    CASE_MANAGEMENT = "case_management"
    CBAS_ASSESSMENT = "cbas_assessment"
    EXPEDITED_CARE = "expedited_care"
    FORWARD_TO_PCP = "forward_to_pcp"
    RETURN_TO_SENDER = "return_to_sender"
    MANUAL_TRIAGE = "manual_triage"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldRead(Frozen):
    """One field as read: the normalized value, the raw text behind it, and how sure we are."""

    value: FieldValue
    confidence: float = Field(ge=0.0, le=1.0)
    raw: str = ""
    box: Box | None = None
    valid: bool = True  # False when the text does not parse as the field's type (kept as read)
    codes: tuple[str, ...] | None = None  # icd10_list only
    # Multiline text: `confidence` is the chance the whole paragraph is exactly right (it falls with length);
    # `content_confidence` is how sure its words are, which is what a rule searching them rests on.
    content_confidence: float | None = None

    @property
    def decision_confidence(self) -> float:
        return self.content_confidence if self.content_confidence is not None else self.confidence

    def to_result(self) -> dict[str, object]:
        out: dict[str, object] = {"value": self.value, "confidence": round(self.confidence, 3)}
        if self.codes is not None:
            out["codes"] = list(self.codes)
        return out


class Known(Frozen):
    """A value known from outside the image that a field may hold (the roster's spelling of the member's name), for
    the reader to check against the field's ink; `corroborated` when the form's other identity fields, as read,
    already agree with the row it comes from."""

    value: str
    corroborated: bool = False


class FaxHeader(Frozen):
    """The line a sending machine writes at the top of every page."""

    sent_at: datetime | None = None
    sender_fax: str | None = None
    sender_name: str | None = None
    page: int | None = None
    pages_total: int | None = None
    raw: str = ""


class Finding(Frozen):
    code: str
    severity: Severity
    fields: tuple[str, ...] = ()
    message: str
    demoted_from: Severity | None = None
    details: dict[str, object] | None = None

    def to_result(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity.value,
            "fields": list(self.fields),
            "message": self.message,
        }
        if self.demoted_from is not None:
            out["demoted_from"] = self.demoted_from.value
        if self.details:
            out["details"] = self.details
        return out


class PageRead(Frozen):
    """What the reading stages learned about one page."""

    number: int  # from 1, in arrival order
    doc_type: str  # a form id, a supporting kind, or "unknown"
    language: str | None = None
    form_page: int | None = None  # which page of the form definition this is
    rotation: int = 0  # degrees turned to make it upright
    skew: float = 0.0
    header: FaxHeader | None = None
    text_layer: bool = False
    classify_confidence: float = 1.0
    # A form page: read on its registered blank form ("template") or by its printed labels ("labels": another
    # revision, a page that did not register); None for other pages.
    read_by: Literal["template", "labels"] | None = None
    fields: dict[str, FieldRead] = Field(default_factory=dict)
    # Where the blank form lies on the upright page: (a, b, c, d, e, f) mapping form points (x, y) to page points
    # (a·x + b·y + c, d·x + e·y + f), both 1/72 inch from the top left; None unless the page registered. Lets a
    # reviewer see each field's box on the page (the boxes themselves are the form's, FieldDef.box).
    form_to_page: tuple[float, float, float, float, float, float] | None = None


class Attachment(Frozen):
    doc_type: str
    pages: tuple[int, ...]
    fields: dict[str, FieldRead] = Field(default_factory=dict)
    in_doubt: bool = False  # its words fit another kind too (a letter that names the agreement): never proof of absence

    def to_result(self) -> dict[str, object]:
        out: dict[str, object] = {"doc_type": self.doc_type, "pages": list(self.pages)}
        return out | {"in_doubt": True} if self.in_doubt else out


class ReturnLink(Frozen):
    """The earlier return a document resubmits: the same member's same form, returned and not yet resubmitted."""

    document_id: int  # in the store (`queue show ID`, the analyst tables' `linked_return_id`)
    reference: str  # the earlier notice's reference
    returned_at: datetime  # when the earlier notice was recorded as sent
    findings: tuple[Finding, ...]  # the earlier notice's `return` findings
    times_returned: int = 1  # returns of this item so far, the linked one included

    def to_result(self) -> dict[str, object]:
        return {
            "document_id": self.document_id,
            "reference": self.reference,
            "returned_at": self.returned_at.isoformat(timespec="seconds"),
            "codes": sorted({f.code for f in self.findings}),
            "times_returned": self.times_returned,
        }


class Document(Frozen):
    doc_type: str
    language: str | None
    pages: tuple[int, ...]
    attachments: tuple[Attachment, ...] = ()
    fields: dict[str, FieldRead] = Field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    route: Route | None = None
    notice: str | None = None
    resubmission_of: ReturnLink | None = None

    def attachment_kinds(self) -> set[str]:
        return {a.doc_type for a in self.attachments}

    def to_result(self) -> dict[str, object]:
        out: dict[str, object] = {
            "doc_type": self.doc_type,
            "language": self.language,
            "pages": list(self.pages),
            "attachments": [a.to_result() for a in self.attachments],
            "fields": {name: f.to_result() for name, f in self.fields.items()},
            "findings": [f.to_result() for f in self.findings],
            "route": self.route.value if self.route else None,
            "notice": self.notice,
        }
        if self.resubmission_of is not None:
            out["resubmission_of"] = self.resubmission_of.to_result()
        return out


class Cover(Frozen):
    pages: tuple[int, ...]
    fields: dict[str, FieldRead]


class FaxResult(Frozen):
    """Everything decided about one input file: what `results/<name>.json` holds."""

    source: str
    sha256: str
    received_at: datetime | None
    page_count: int
    sender_fax: str | None = None
    cover: Cover | None = None
    documents: tuple[Document, ...] = ()
    error: str | None = None
    versions: dict[str, str] = Field(default_factory=dict)
    pages: tuple[PageRead, ...] = ()
    duplicate_of: str | None = None
    status: Literal["decided", "error"] = "decided"

    def to_result(self) -> dict[str, object]:
        out: dict[str, object] = {
            "source": self.source,
            "sha256": self.sha256,
            "received_at": self.received_at.isoformat(timespec="seconds") if self.received_at else None,
            "page_count": self.page_count,
            "sender_fax": self.sender_fax,
            "cover": (
                {"pages": list(self.cover.pages), "fields": {k: v.to_result() for k, v in self.cover.fields.items()}}
                if self.cover
                else None
            ),
            "documents": [d.to_result() for d in self.documents],
            "pages": [
                {
                    "number": p.number,
                    "doc_type": p.doc_type,
                    "language": p.language,
                    "rotation": p.rotation,
                    "read_by": p.read_by,
                }
                for p in self.pages
            ],
            "versions": self.versions,
        }
        if self.error is not None:
            out["error"] = self.error
        if self.duplicate_of is not None:
            out["duplicate_of"] = self.duplicate_of
        return out

"""One route per document: RULES.md's precedence, with the confidence gate that never bounces a good form."""

from __future__ import annotations

from faxintake.model import Document, Finding, Route, Severity
from validators.context import DecisionContext

QUEUES = {
    "member_reassignment": Route.PROVIDER_SERVICES,
    "cm_referral": Route.CASE_MANAGEMENT,
    "cbas_referral": Route.CBAS_ASSESSMENT,
}
TRIAGE_CODES = {"MEMBER_NOT_FOUND", "HIF_PCP_UNKNOWN"}
ATTACHMENT_CODES = {"RMR_MEMBER_LETTER_MISSING", "RMR_MMA_COPY_MISSING"}


def apply_confidence_gate(findings: list[Finding], doc: Document, ctx: DecisionContext) -> list[Finding]:
    """A `return` resting on a read below the threshold becomes `review`: a person looks instead of a re-fax.

    An attachment found missing while a page of the fax could not be identified, or was identified in doubt, may be
    that attachment: it is demoted too.
    """
    unidentified_page = "unknown" in doc.attachment_kinds() or any(a.in_doubt for a in doc.attachments)
    gated = []
    for f in findings:
        shaky = [
            n for n in f.fields if n in doc.fields and doc.fields[n].decision_confidence < ctx.confidence_threshold
        ]
        if f.severity is Severity.RETURN and (shaky or (f.code in ATTACHMENT_CODES and unidentified_page)):
            details = {**(f.details or {}), "low_confidence_fields": shaky} if shaky else f.details
            f = f.model_copy(update={"severity": Severity.REVIEW, "demoted_from": Severity.RETURN, "details": details})
        gated.append(f)
    return gated


def choose_route(doc: Document, findings: list[Finding], ctx: DecisionContext) -> Route:
    if doc.doc_type not in (*QUEUES, "hif_met"):
        return Route.MANUAL_TRIAGE
    codes = {f.code for f in findings}
    # The CIN and the date of birth identify the member (the last name is checked against the roster too).
    identity_unsure = any(f.code == "LOW_CONFIDENCE" and set(f.fields) & {"member_id", "member_dob"} for f in findings)
    if doc.doc_type == "hif_met":
        # A member's survey is never sent back to the member; an urgent one is never parked for want of a PCP fax.
        if codes & {"MEMBER_NOT_FOUND"} or identity_unsure:
            return Route.MANUAL_TRIAGE
        if "HIF_EXPEDITED" in codes:
            return Route.EXPEDITED_CARE
        if "HIF_PCP_UNKNOWN" in codes:
            return Route.MANUAL_TRIAGE
        return Route.FORWARD_TO_PCP
    if codes & TRIAGE_CODES or identity_unsure:
        return Route.MANUAL_TRIAGE
    if any(f.severity is Severity.RETURN for f in findings):
        return Route.RETURN_TO_SENDER
    return QUEUES[doc.doc_type]

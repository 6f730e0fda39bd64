"""Every rule of RULES.md, declared once: its code, severity, the forms it applies to, the message an office
reads, and a small check that says which fields it concerns. A rule returns hits; it never raises."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from extractors.normalize import age_on
from faxintake.catalog import FieldType, FormDef
from faxintake.model import Document, FieldRead, Severity
from validators import wording
from validators.context import DecisionContext
from validators.reference import MatchResult, MemberMatch

RETURN, REVIEW, INFO = Severity.RETURN, Severity.REVIEW, Severity.INFO
RMR, CM, CBAS, HIF = ("member_reassignment",), ("cm_referral",), ("cbas_referral",), ("hif_met",)
ALL = ("member_reassignment", "cm_referral", "cbas_referral", "hif_met")
IDENTITY = ("member_id", "member_name", "member_dob")


@dataclass(frozen=True)
class Hit:
    fields: tuple[str, ...] = ()
    details: dict[str, object] | None = None


@dataclass(frozen=True)
class View:
    """A document as the rules see it: typed accessors over its fields, plus the context."""

    doc: Document
    form: FormDef
    ctx: DecisionContext

    def read(self, name: str) -> FieldRead:
        found = self.doc.fields.get(name)
        if found is None:
            return FieldRead(value=self.form.field_map[name].type.blank, confidence=0.0)
        return found

    def text(self, name: str) -> str:
        value = self.read(name).value
        return value if isinstance(value, str) else ""

    def on(self, name: str) -> bool:
        return self.read(name).value is True

    def blank(self, name: str) -> bool:
        return self.read(name).value in ("", False)

    def date(self, name: str) -> dt.date | None:
        read = self.read(name)
        if not read.valid or not isinstance(read.value, str) or not read.value:
            return None
        try:
            return date.fromisoformat(read.value)
        except ValueError:
            return None

    @property
    def received(self) -> dt.date:
        return self.ctx.received_at.date()

    def age(self, on_field: str) -> int | None:
        dob = self.date("member_dob")
        return age_on(dob, self.date(on_field) or self.received) if dob else None

    @functools.cached_property
    def member(self) -> MemberMatch:
        return self.ctx.roster.match(self.text("member_id"), self.text("member_name"), self.text("member_dob"))

    def labels(self, names: Iterable[str]) -> str:
        return ", ".join(f"“{self.form.field_map[n].label_for('en')}”" for n in names if n in self.form.field_map)


Check = Callable[[View], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    forms: tuple[str, ...]
    message: str  # {labels} is the concerned fields' printed labels; other names come from the hit's details
    check: Check = field(compare=False)


RULES: list[Rule] = []


def rule(code: str, severity: Severity, forms: tuple[str, ...], message: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES.append(Rule(code, severity, forms, message, check))
        return check

    return register


# Fields whose blank is reported by a more specific code than REQUIRED_MISSING (RULES.md "Checks for every form").
SPECIFIC_BLANK_CODES = {
    "member_reassignment": {"goodfaith_efforts", "goodfaith_description"},
    "cm_referral": {"referral_reason"},
    "cbas_referral": {"crit_deterioration_risk", "crit_requires_core_services", "conditions"},
}


def required_fields(v: View) -> dict[str, tuple[str, ...]]:
    """Required fields, each with the marked boxes that make it required (a finding rests on those reads too)."""
    out: dict[str, tuple[str, ...]] = {}
    for f in v.form.fields:
        if f.type is FieldType.SIGNATURE or f.name.startswith("missed_appt_"):
            continue
        excused = any(v.on(u) for u in f.required_unless)
        triggers = tuple(w for w in f.required_when if v.on(w))
        if (f.required and not excused) or triggers:
            out[f.name] = triggers
    return out


# --- every form --------------------------------------------------------------------------------------------


@rule("REQUIRED_MISSING", RETURN, ALL, "Complete the required field(s) {labels}.")
def _required(v: View) -> Iterable[Hit]:
    skip = SPECIFIC_BLANK_CODES.get(v.form.form_id, set())
    for name, triggers in required_fields(v).items():
        if name not in skip and v.blank(name):
            yield Hit((name, *triggers))


@rule("INVALID_FORMAT", RETURN, ALL, "Correct {labels}: it is not a valid {kind}.")
def _invalid(v: View) -> Iterable[Hit]:
    kinds = {
        "date": "date (MM/DD/YYYY)",
        "phone": "10-digit phone number",
        "npi": "NPI (10 digits with a valid check digit)",
        "member_id": "Medi-Cal CIN (8 digits and a letter)",
    }
    for f in v.form.fields:
        read = v.read(f.name)
        if not read.valid and read.value not in ("", False):
            yield Hit((f.name,), {"kind": kinds.get(f.type.value, f.type.value)})


@rule("DATE_IN_FUTURE", RETURN, ALL, "Correct {labels}: the date is after the day we received the fax.")
def _future(v: View) -> Iterable[Hit]:
    for f in v.form.fields:
        if f.type is FieldType.DATE:
            d = v.date(f.name)
            if d is not None and d > v.received:
                yield Hit((f.name,))


@rule("SIGNATURE_MISSING", RETURN, ALL, "Sign the form ({labels}) and date it.")
def _signature(v: View) -> Iterable[Hit]:
    for f in v.form.fields:
        if f.type is FieldType.SIGNATURE and f.required and not v.on(f.name):
            yield Hit((f.name,))


@rule("MEMBER_NOT_FOUND", REVIEW, ALL, "The member could not be matched to the plan's roster ({reason}).")
def _member_not_found(v: View) -> Iterable[Hit]:
    reasons = {
        MatchResult.NO_ID: "no Medi-Cal CIN",
        MatchResult.UNKNOWN_ID: "the CIN is not in the roster",
        MatchResult.DISAGREES: "the roster's name or date of birth for this CIN differ",
    }
    if not v.member.found:
        yield Hit(IDENTITY, {"reason": reasons[v.member.result]})


@rule(
    "INCOMPLETE_TRANSMISSION",
    RETURN,
    ALL,
    "The fax was incomplete: {expected} pages were sent but {received} arrived. Fax all pages again.",
)
def _incomplete(v: View) -> Iterable[Hit]:
    if v.ctx.pages_expected and v.ctx.pages_expected > v.ctx.pages_received:
        yield Hit((), {"expected": v.ctx.pages_expected, "received": v.ctx.pages_received})


@rule("AMBIGUOUS_MARK", REVIEW, ALL, "More than one box is marked for {labels}.")
def _ambiguous(v: View) -> Iterable[Hit]:
    for f in v.form.fields:
        if f.type is FieldType.CHOICE and v.read(f.name).value == "?":
            yield Hit((f.name,))


def decision_fields(v: View) -> list[str]:
    """Fields a decision rests on: who the member is, what is required, and the form's boxes and answers."""
    names = [*IDENTITY, *required_fields(v).keys()]
    names += [f.name for f in v.form.fields if f.type in (FieldType.CHECKBOX, FieldType.CHOICE, FieldType.SIGNATURE)]
    return [n for n in dict.fromkeys(names) if n in v.form.field_map]


@rule(
    "LOW_CONFIDENCE",
    REVIEW,
    ALL,
    "These fields could not be read with confidence and need a person to check them: {labels}.",
)
def _low_confidence(v: View) -> Iterable[Hit]:
    low = [n for n in decision_fields(v) if v.read(n).decision_confidence < v.ctx.confidence_threshold]
    if low:
        yield Hit(tuple(low))


# --- Request for Member Reassignment ---------------------------------------------------------------------

REASONS = (
    "reason_fraud",
    "reason_non_medically_necessary_meds",
    "reason_mma_violation",
    "reason_abusive_behavior",
    "reason_ineffective_relationship",
    "reason_noncompliance",
    "reason_missed_appointments",
    "reason_other",
)
APPOINTMENTS = tuple(f"missed_appt_{i}" for i in range(1, 5))


@rule("RMR_NO_REASON", RETURN, RMR, "Mark at least one reason for the request.")
def _no_reason(v: View) -> Iterable[Hit]:
    if not any(v.on(r) for r in REASONS):
        yield Hit(REASONS)


def _inappropriate_grounds(v: View) -> str | None:
    stated = v.text("reason_other_text") if v.on("reason_other") else ""
    m = wording.INAPPROPRIATE.search(f"{stated} {v.text('narrative')}")
    return m.group(0) if m else None


@rule(
    "RMR_INAPPROPRIATE_REASON",
    RETURN,
    RMR,
    "The grounds given (“{found}”) are not an appropriate reason for reassignment under the policy: minor or verbal "
    "disruption, disagreement with treatment that does not endanger the member, or a complaint the member filed.",
)
def _inappropriate(v: View) -> Iterable[Hit]:
    found = _inappropriate_grounds(v)
    appropriate = [r for r in REASONS if r != "reason_other" and v.on(r)]
    if found and not appropriate:
        yield Hit(("reason_other_text", "narrative"), {"found": found})


@rule(
    "RMR_INAPPROPRIATE_REASON",
    REVIEW,
    RMR,
    "The request also mentions grounds the policy calls inappropriate (“{found}”) beside an appropriate reason.",
)
def _inappropriate_beside(v: View) -> Iterable[Hit]:
    found = _inappropriate_grounds(v)
    if found and any(r != "reason_other" and v.on(r) for r in REASONS):
        yield Hit(("narrative",), {"found": found})


@rule(
    "RMR_MULTIPLE_MEMBERS",
    RETURN,
    RMR,
    "Send one form per member: this form names more than one (“{found}”). Reassigning one member does not reassign the family.",
)
def _several(v: View) -> Iterable[Hit]:
    for name in ("member_name", "member_id", "narrative"):
        m = wording.SEVERAL_MEMBERS.search(v.text(name))
        if m:
            yield Hit((name,), {"found": m.group(0)})
            return
    if len(set(re.findall(r"\b\d{8}[A-Z]\b", f"{v.text('member_id')} {v.text('narrative')}"))) > 1:
        yield Hit(("member_id",), {"found": "two CINs"})


def _appointment_dates(v: View) -> list[date]:
    return sorted({d for d in (v.date(n) for n in APPOINTMENTS) if d is not None})


@rule(
    "RMR_APPT_DATES_INSUFFICIENT",
    RETURN,
    RMR,
    "List the specific dates of at least three missed appointments within one 12-month period ({count} given).",
)
def _appt_insufficient(v: View) -> Iterable[Hit]:
    if v.on("reason_missed_appointments"):
        dates = _appointment_dates(v)
        if len(dates) < 3:
            missing = tuple(n for n in APPOINTMENTS[:3] if v.date(n) is None)
            yield Hit(missing or APPOINTMENTS[:3], {"count": len(dates)})


@rule(
    "RMR_APPT_DATES_SPAN",
    RETURN,
    RMR,
    "The missed-appointment dates must include three within one 12-month period, none after the request date.",
)
def _appt_span(v: View) -> Iterable[Hit]:
    if not v.on("reason_missed_appointments"):
        return
    dates = _appointment_dates(v)
    if len(dates) < 3:
        return
    request = v.date("request_date") or v.received
    within_year = any((dates[i + 2] - dates[i]) <= timedelta(days=365) for i in range(len(dates) - 2))
    after = [d for d in dates if d > request]
    if not within_year or after:
        yield Hit(APPOINTMENTS, {"within_12_months": within_year, "after_request": len(after)})


@rule(
    "RMR_GOODFAITH_MISSING",
    RETURN,
    RMR,
    "Document the office's good-faith efforts to contact and remind the member: mark the box and say how and when.",
)
def _goodfaith(v: View) -> Iterable[Hit]:
    if not v.on("reason_missed_appointments"):
        return
    described = wording.CONTACT.search(f"{v.text('goodfaith_description')} {v.text('narrative')}")
    if not v.on("goodfaith_efforts") or not described:
        yield Hit(
            ("goodfaith_efforts", "goodfaith_description"),
            {"box_marked": v.on("goodfaith_efforts"), "contact_described": bool(described)},
        )


@rule("RMR_MMA_COPY_MISSING", RETURN, RMR, "Attach a copy of the Medication Management Agreement the member violated.")
def _mma_copy(v: View) -> Iterable[Hit]:
    if v.on("reason_mma_violation") and "mma" not in v.doc.attachment_kinds():
        yield Hit(("reason_mma_violation", "attach_mma"))


@rule("RMR_MEMBER_LETTER_MISSING", RETURN, RMR, "Attach a copy of the letter you sent the member about this request.")
def _letter(v: View) -> Iterable[Hit]:
    if "member_letter" not in v.doc.attachment_kinds():
        yield Hit(("attach_member_letter",))


@rule(
    "RMR_NARRATIVE_NOT_SPECIFIC",
    RETURN,
    RMR,
    "Describe the events that led to the request with specific dates and details ({dates_found} dates, {words} words given).",
)
def _narrative(v: View) -> Iterable[Hit]:
    text = v.text("narrative")
    if not text:
        return  # a blank narrative is REQUIRED_MISSING
    facts = wording.narrative_facts(text)
    if facts.dates_found == 0 or wording.is_vague(text):
        yield Hit(("narrative",), facts.as_details())


@rule(
    "RMR_CORRECTIVE_EFFORTS_MISSING",
    RETURN,
    RMR,
    "Describe what your office did to correct the problem with the member.",
)
def _efforts(v: View) -> Iterable[Hit]:
    facts = wording.narrative_facts(v.text("narrative"), extra=v.text("goodfaith_description"))
    if not facts.corrective_efforts:
        yield Hit(("narrative",), facts.as_details())


@rule(
    "RMR_NONCOMPLIANCE_HARM_NOT_STATED",
    RETURN,
    RMR,
    "For non-compliance, explain how the member's refusal endangers their health or aggravates a condition.",
)
def _harm(v: View) -> Iterable[Hit]:
    if v.on("reason_noncompliance") and not wording.HARM.search(v.text("narrative")):
        yield Hit(("reason_noncompliance", "narrative"))


@rule(
    "RMR_MEMBER_NOT_LINKED",
    RETURN,
    RMR,
    "The member is not assigned to the requesting provider's NPI; only the assigned PCP can request reassignment.",
)
def _not_linked(v: View) -> Iterable[Hit]:
    member = v.member.member
    npi = v.read("pcp_npi")
    if v.member.found and member and npi.valid and npi.value and member.pcp_npi != npi.value:
        yield Hit(("pcp_npi", "member_id"))


@rule(
    "RMR_EFFECTIVE_DATE",
    INFO,
    RMR,
    "If approved now, the reassignment would take effect on {effective} (the plan may set a later date).",
)
def _effective(v: View) -> Iterable[Hit]:
    first_next = (v.received.replace(day=1) + timedelta(days=32)).replace(day=1)
    yield Hit((), {"effective": first_next.isoformat(), "counted_from": "received date"})


# --- Case Management Programs referral -----------------------------------------------------------------------

PROGRAMS = ("program_care_coordination", "program_complex_cm", "program_dm_asthma", "program_dm_diabetes")
NEEDS = ("need_community_resources", "need_find_providers", "need_self_management", "need_coordination")


@rule("CMR_NO_PROGRAM", RETURN, CM, "Mark at least one program.")
def _no_program(v: View) -> Iterable[Hit]:
    if not any(v.on(p) for p in PROGRAMS):
        yield Hit(PROGRAMS)


@rule("CMR_CC_NEEDS_MISSING", RETURN, CM, "For Care Coordination, mark what the member needs help with.")
def _cc_needs(v: View) -> Iterable[Hit]:
    if v.on("program_care_coordination") and not any(v.on(n) for n in NEEDS):
        yield Hit(NEEDS)


@rule(
    "CMR_DM_ASTHMA_AGE",
    RETURN,
    CM,
    "The asthma Disease Management program is for children 5 to 11 years old; the member is {age}.",
)
def _asthma_age(v: View) -> Iterable[Hit]:
    age = v.age("referral_date")
    if v.on("program_dm_asthma") and age is not None and not 5 <= age <= 11:
        yield Hit(("program_dm_asthma", "member_dob"), {"age": age})


@rule("CMR_DM_DIABETES_AGE", RETURN, CM, "The diabetes Disease Management program is for adults; the member is {age}.")
def _diabetes_age(v: View) -> Iterable[Hit]:
    age = v.age("referral_date")
    if v.on("program_dm_diabetes") and age is not None and age < 18:
        yield Hit(("program_dm_diabetes", "member_dob"), {"age": age})


DM_CODES = {"program_dm_asthma": ("J45",), "program_dm_diabetes": ("E08", "E09", "E10", "E11", "E13")}


DM_WORDS = {"program_dm_asthma": "asthma", "program_dm_diabetes": "diabet"}


def _dm_codes_missing(v: View, *, named: bool) -> Iterable[Hit]:
    codes = v.read("diagnoses").codes or ()
    text = v.text("diagnoses").lower()
    for program, prefixes in DM_CODES.items():
        if v.on(program) and not any(c.startswith(prefixes) for c in codes) and (DM_WORDS[program] in text) == named:
            yield Hit(
                ("diagnoses", program), {"program": "asthma J45.*" if "J45" in prefixes else "diabetes E08–E13.*"}
            )


@rule(
    "CMR_DM_DIAGNOSIS_MISSING", RETURN, CM, "List the ICD-10 diagnosis for the Disease Management program ({program})."
)
def _dm_diagnosis(v: View) -> Iterable[Hit]:
    return _dm_codes_missing(v, named=False)


@rule(
    "CMR_DM_DIAGNOSIS_MISSING",
    REVIEW,
    CM,
    "The diagnoses name the program's condition but no matching ICD-10 code was read ({program}): check the code.",
)
def _dm_diagnosis_named(v: View) -> Iterable[Hit]:
    # The condition is written out, so the code was probably misread: a person checks rather than a re-fax.
    return _dm_codes_missing(v, named=True)


@rule(
    "CMR_CAREPLAN_DELIVERY_MISSING", INFO, CM, "No care-plan delivery preference was marked; care plans will be faxed."
)
def _careplan(v: View) -> Iterable[Hit]:
    if v.on("program_complex_cm") and not any(v.on(n) for n in ("careplan_fax", "careplan_mail", "careplan_portal")):
        yield Hit(("careplan_fax", "careplan_mail", "careplan_portal"))


@rule(
    "CMR_REASON_NOT_SPECIFIC",
    RETURN,
    CM,
    "Describe the reason for the referral: the member's conditions and what help is needed.",
)
def _reason(v: View) -> Iterable[Hit]:
    text = v.text("referral_reason")
    if wording.is_vague(text, min_words=6):
        yield Hit(("referral_reason",), {"words": len(text.split())})


# --- CBAS referral -------------------------------------------------------------------------------------------


@rule(
    "CBAS_UNDER_18",
    RETURN,
    CBAS,
    "CBAS requires members 18 or older (unless they live in an ICF/DD-H); the member is {age}.",
)
def _under_18(v: View) -> Iterable[Hit]:
    age = v.age("referral_date")
    if not v.on("resides_icf_ddh") and age is not None and age < 18:
        yield Hit(("member_dob",), {"age": age})


@rule("CBAS_CRITERIA_INCOMPLETE", RETURN, CBAS, "Mark the medical necessity criteria the member meets: {labels}.")
def _criteria(v: View) -> Iterable[Hit]:
    if v.on("resides_icf_ddh"):
        return
    missing = tuple(n for n in ("crit_deterioration_risk", "crit_requires_core_services") if not v.on(n))
    if missing:
        yield Hit(missing)


@rule(
    "CBAS_CONDITION_MISSING", RETURN, CBAS, "List the member's chronic or post-acute condition(s), with ICD-10 codes."
)
def _condition(v: View) -> Iterable[Hit]:
    if not v.on("resides_icf_ddh") and not v.text("conditions"):
        yield Hit(("conditions",))


SUPPORT = ("support_needs_respite", "support_lives_alone", "support_unwilling_unable")


@rule("CBAS_SUPPORT_NETWORK_MISSING", RETURN, CBAS, "Mark which support-network situation applies to the member.")
def _support(v: View) -> Iterable[Hit]:
    if not v.on("resides_icf_ddh") and not any(v.on(s) for s in SUPPORT):
        yield Hit(SUPPORT)


@rule(
    "CBAS_NOT_FROM_PCP",
    RETURN,
    CBAS,
    "A CBAS referral must come from the member's assigned PCP; the NPI given is not the member's PCP.",
)
def _not_pcp(v: View) -> Iterable[Hit]:
    member = v.member.member
    npi = v.read("pcp_npi")
    if v.member.found and member and npi.valid and npi.value and member.pcp_npi != npi.value:
        yield Hit(("pcp_npi",))


# --- HIF/MET -----------------------------------------------------------------------------------------------

EXPEDITED_ANSWERS = {
    "q_pregnant": ("yes", "pregnant"),
    "q_er_visits": ("2+", "2 or more ER visits"),
    "q_hospital_stay": ("yes", "overnight hospital stay"),
    "q_serious_treatment": ("yes", "cancer treatment, dialysis or transplant"),
    "q_meds_running_out": ("yes", "medicine running out within 30 days"),
    "q_medical_equipment": ("yes", "oxygen, wheelchair or other equipment"),
    "q_needs_help_daily": ("yes", "needs help with daily activities"),
    "q_self_harm": ("yes", "thoughts of self-harm"),
}


def expedited_reasons(v: View) -> list[tuple[str, str]]:
    """(question, why) for each answer that calls for expedited services; an unclear answer counts (err toward care)."""
    out = []
    for q, (answer, why) in EXPEDITED_ANSWERS.items():
        read = v.read(q)
        if read.value == answer:
            out.append((q, why))
        elif read.value == "?":
            out.append((q, f"{why} (more than one box marked)"))
        elif read.confidence < v.ctx.confidence_threshold and read.value != "":
            out.append((q, f"{why} (answer unclear)"))
    return out


@rule("HIF_EXPEDITED", REVIEW, HIF, "Answers call for expedited services: {reasons}.")
def _expedited(v: View) -> Iterable[Hit]:
    reasons = expedited_reasons(v)
    if reasons:
        yield Hit(tuple(q for q, _ in reasons), {"reasons": "; ".join(why for _, why in reasons)})


@rule("HIF_SELF_HARM", REVIEW, HIF, "The member reports thoughts of self-harm: same-day outreach.")
def _self_harm(v: View) -> Iterable[Hit]:
    if v.read("q_self_harm").value in ("yes", "?"):
        yield Hit(("q_self_harm",))


@rule("HIF_INCOMPLETE", INFO, HIF, "{unanswered} of {questions} questions were not answered.")
def _hif_incomplete(v: View) -> Iterable[Hit]:
    questions = [f.name for f in v.form.fields if f.name.startswith("q_")]
    unanswered = [q for q in questions if v.read(q).value == ""]
    if len(unanswered) * 2 > len(questions):
        yield Hit(tuple(unanswered), {"unanswered": len(unanswered), "questions": len(questions)})


@rule(
    "HIF_PCP_UNKNOWN",
    REVIEW,
    HIF,
    "The member's assigned PCP or its fax number is unknown, so the survey cannot be forwarded.",
)
def _pcp_unknown(v: View) -> Iterable[Hit]:
    member = v.member.member
    if not v.member.found or member is None:
        return
    provider = v.ctx.providers.get(member.pcp_npi)
    if provider is None or not provider.fax:
        yield Hit(("member_id",))


def rules_for(form_id: str) -> list[Rule]:
    return [r for r in RULES if form_id in r.forms]

"""The committed corpus, case by case: what each fax holds, how it was sent, and what the pipeline must decide.

Each case starts from a complete, valid form for a synthetic member and changes what the case is about.
Values are canonical (dates as `date`, phones as 831-555-0147); how they are written on the page is
chosen per case, so the ground truth never depends on the code under test.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

from sample_faxes.people import Member, Provider, make_member, make_providers

Format = Literal["tiff-g4", "tiff-g3", "pdf-image", "pdf-text", "png", "jpeg"]
Style = Literal["typed", "typed-mono", "hand-humor", "hand-dkg"]


@dataclass(frozen=True)
class Raw:
    """Text written as-is that does not parse as the field's type (an INVALID_FORMAT case)."""

    text: str


@dataclass(frozen=True)
class Icd:
    text: str
    codes: tuple[str, ...]


Value = str | bool | date | tuple[str, ...] | Raw | Icd


@dataclass(frozen=True)
class Case:
    case_id: str
    covers: str
    form: str | None  # None: a fax without a form of ours
    route: str
    codes: tuple[str, ...] = ()  # every return/review code the document must get (info codes apart)
    info: tuple[str, ...] = ()
    language: str = "en"
    changes: dict[str, Value | None] = field(default_factory=dict)  # None blanks a field
    pages: tuple[str, ...] = ("fax_cover", "form", "member_letter")  # in arrival order; "form" expands
    fmt: Format = "tiff-g4"
    style: Style = "typed"
    mark: Literal["x", "check", "fill"] = "x"
    severity: Literal["clean", "typical", "heavy"] = "typical"
    fine: bool = True  # False: standard resolution 204x98
    upside_down: tuple[int, ...] = ()  # page numbers (from 1) fed upside down
    drop_pages: tuple[int, ...] = ()  # pages lost in transmission (the cover still counts them)
    member_age: float | None = None  # years on the received date; None: an adult of 30-80
    member_in_roster: bool = True
    member_pcp: Literal["sender", "other", "unknown"] = "sender"
    second_form: str | None = None  # a second member's form in the same fax
    second_route: str | None = None
    date_style: int = 0
    phone_style: int = 0


def _cases() -> list[Case]:
    R, C = "return_to_sender", "case_management"
    P, B = "provider_services", "cbas_assessment"
    rmr_pages = ("fax_cover", "form", "member_letter")
    return [
        # --- Request for Member Reassignment -----------------------------------------------------
        Case(
            "rmr_complete_abusive",
            "complete request, abusive behavior, typed, G4 fine",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
        ),
        Case(
            "rmr_complete_missed_appts",
            "missed appointments with 3 dates, good faith, outreach log",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "missed"},
            pages=(*rmr_pages, "attachment"),
            mark="check",
        ),
        Case(
            "rmr_complete_mma",
            "MMA violation with the agreement attached",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "mma"},
            pages=(*rmr_pages, "mma"),
            mark="fill",
        ),
        Case(
            "rmr_complete_noncompliance",
            "non-compliance with the harm stated",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "noncompliance"},
            date_style=1,
            phone_style=1,
        ),
        Case(
            "rmr_hand_humor",
            "hand-printed (Humor Sans), X marks",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            style="hand-humor",
        ),
        Case(
            "rmr_hand_dkg",
            "hand-printed (dkg), check marks, missed appointments",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            style="hand-dkg",
            mark="check",
            changes={"variant": "missed"},
        ),
        Case(
            "rmr_efax_text_layer",
            "e-faxed PDF with a text layer",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            fmt="pdf-text",
            severity="clean",
        ),
        Case(
            "rmr_standard_resolution",
            "204x98 standard resolution, G3",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            fine=False,
            fmt="tiff-g3",
        ),
        Case(
            "rmr_image_pdf",
            "image-only PDF",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            fmt="pdf-image",
            date_style=2,
        ),
        Case(
            "rmr_upside_down_page",
            "form page 2 fed upside down",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            upside_down=(3,),
        ),
        Case(
            "rmr_no_cover",
            "no cover sheet: sender from the fax header",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            pages=("form", "member_letter"),
            phone_style=2,
        ),
        Case(
            "rmr_heavy_noise",
            "heavy fax noise and skew",
            "member_reassignment",
            P,
            info=("RMR_EFFECTIVE_DATE",),
            severity="heavy",
        ),
        Case(
            "rmr_no_reason",
            "no reason box marked",
            "member_reassignment",
            R,
            ("RMR_NO_REASON",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"reason_abusive_behavior": False},
        ),
        Case(
            "rmr_inappropriate_reason",
            "only inappropriate grounds (complaint filed)",
            "member_reassignment",
            R,
            ("RMR_INAPPROPRIATE_REASON",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "complaint"},
        ),
        Case(
            "rmr_multiple_members",
            "one form for a whole family",
            "member_reassignment",
            R,
            ("RMR_MULTIPLE_MEMBERS",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "family"},
        ),
        Case(
            "rmr_appt_dates_insufficient",
            "missed appointments with only two dates",
            "member_reassignment",
            R,
            ("RMR_APPT_DATES_INSUFFICIENT",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "missed", "missed_appt_3": None},
        ),
        Case(
            "rmr_appt_dates_span",
            "three dates spread over more than 12 months",
            "member_reassignment",
            R,
            ("RMR_APPT_DATES_SPAN",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "missed_span"},
        ),
        Case(
            "rmr_goodfaith_missing",
            "missed appointments, no good-faith efforts",
            "member_reassignment",
            R,
            ("RMR_GOODFAITH_MISSING",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "missed_no_goodfaith"},
        ),
        Case(
            "rmr_mma_copy_missing",
            "MMA violation without the agreement",
            "member_reassignment",
            R,
            ("RMR_MMA_COPY_MISSING",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "mma", "attach_mma": False},
        ),
        Case(
            "rmr_member_letter_missing",
            "no copy of the member letter",
            "member_reassignment",
            R,
            ("RMR_MEMBER_LETTER_MISSING",),
            info=("RMR_EFFECTIVE_DATE",),
            pages=("fax_cover", "form"),
            changes={"attach_member_letter": False},
        ),
        Case(
            "rmr_narrative_not_specific",
            "narrative 'patient is difficult'",
            "member_reassignment",
            R,
            ("RMR_NARRATIVE_NOT_SPECIFIC", "RMR_CORRECTIVE_EFFORTS_MISSING"),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "vague"},
        ),
        Case(
            "rmr_corrective_efforts_missing",
            "dated events but no efforts to correct",
            "member_reassignment",
            R,
            ("RMR_CORRECTIVE_EFFORTS_MISSING",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "no_efforts"},
        ),
        Case(
            "rmr_noncompliance_harm_missing",
            "non-compliance without the harm",
            "member_reassignment",
            R,
            ("RMR_NONCOMPLIANCE_HARM_NOT_STATED",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "noncompliance_no_harm"},
        ),
        Case(
            "rmr_member_not_linked",
            "member assigned to another PCP",
            "member_reassignment",
            R,
            ("RMR_MEMBER_NOT_LINKED",),
            info=("RMR_EFFECTIVE_DATE",),
            member_pcp="other",
        ),
        Case(
            "rmr_signature_missing",
            "unsigned",
            "member_reassignment",
            R,
            ("SIGNATURE_MISSING",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"signature": False},
        ),
        Case(
            "rmr_required_missing",
            "office contact and letter date blank",
            "member_reassignment",
            R,
            ("REQUIRED_MISSING",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"office_contact": None, "member_letter_date": None},
        ),
        Case(
            "rmr_invalid_npi",
            "NPI fails its check digit",
            "member_reassignment",
            R,
            ("INVALID_FORMAT",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"pcp_npi": "bad_npi"},
        ),
        Case(
            "rmr_date_in_future",
            "signed after the fax arrived",
            "member_reassignment",
            R,
            ("DATE_IN_FUTURE",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"signature_date": "future"},
        ),
        Case(
            "rmr_incomplete_transmission",
            "cover says 5 pages, 4 arrived",
            "member_reassignment",
            R,
            ("INCOMPLETE_TRANSMISSION",),
            info=("RMR_EFFECTIVE_DATE",),
            changes={"variant": "missed"},
            pages=(*rmr_pages, "attachment"),
            drop_pages=(5,),
        ),
        Case(
            "rmr_member_not_found",
            "CIN not in the roster",
            "member_reassignment",
            "manual_triage",
            ("MEMBER_NOT_FOUND",),
            info=("RMR_EFFECTIVE_DATE",),
            member_in_roster=False,
        ),
        Case(
            "rmr_several_returns",
            "no reason and unsigned, hand-printed",
            "member_reassignment",
            R,
            ("RMR_NO_REASON", "SIGNATURE_MISSING"),
            info=("RMR_EFFECTIVE_DATE",),
            style="hand-humor",
            changes={"reason_abusive_behavior": False, "signature": False},
        ),
        # --- Case Management Programs referral --------------------------------------------------------
        Case(
            "cm_complete_care_coordination",
            "care coordination with needs",
            "cm_referral",
            C,
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_complete_complex_cm",
            "complex case management, care plans by fax",
            "cm_referral",
            C,
            changes={"variant": "ccm"},
            pages=("fax_cover", "form", "attachment"),
            mark="check",
        ),
        Case(
            "cm_complete_dm_diabetes",
            "disease management, diabetes, adult with E11.9",
            "cm_referral",
            C,
            changes={"variant": "dm_diabetes"},
            pages=("fax_cover", "form"),
            date_style=1,
        ),
        Case(
            "cm_complete_dm_asthma",
            "disease management, asthma, child of 8",
            "cm_referral",
            C,
            changes={"variant": "dm_asthma"},
            member_age=8.4,
            pages=("fax_cover", "form"),
            mark="fill",
        ),
        Case("cm_hand_dkg", "hand-printed (dkg)", "cm_referral", C, style="hand-dkg", pages=("fax_cover", "form")),
        Case(
            "cm_efax_text_layer",
            "e-faxed PDF with a text layer, no cover",
            "cm_referral",
            C,
            fmt="pdf-text",
            severity="clean",
            pages=("form",),
        ),
        Case(
            "cm_standard_resolution",
            "204x98, image PDF",
            "cm_referral",
            C,
            fine=False,
            fmt="pdf-image",
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_careplan_delivery_missing",
            "complex CM without care-plan preference (info)",
            "cm_referral",
            C,
            info=("CMR_CAREPLAN_DELIVERY_MISSING",),
            changes={"variant": "ccm", "careplan_fax": False},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_no_program",
            "no program marked",
            "cm_referral",
            R,
            ("CMR_NO_PROGRAM",),
            changes={"program_care_coordination": False, "need_community_resources": False, "need_coordination": False},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_cc_needs_missing",
            "care coordination without a need",
            "cm_referral",
            R,
            ("CMR_CC_NEEDS_MISSING",),
            changes={"need_community_resources": False, "need_coordination": False},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_dm_asthma_age",
            "asthma program for an adult",
            "cm_referral",
            R,
            ("CMR_DM_ASTHMA_AGE",),
            changes={"variant": "dm_asthma"},
            member_age=34.2,
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_dm_diabetes_age",
            "diabetes program for a 15-year-old",
            "cm_referral",
            R,
            ("CMR_DM_DIABETES_AGE",),
            changes={"variant": "dm_diabetes"},
            member_age=15.5,
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_dm_diagnosis_missing",
            "diabetes program, only a hypertension code",
            "cm_referral",
            R,
            ("CMR_DM_DIAGNOSIS_MISSING",),
            changes={"variant": "dm_diabetes", "diagnoses": Icd("I10 essential hypertension", ("I10",))},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_reason_not_specific",
            "reason 'needs help'",
            "cm_referral",
            R,
            ("CMR_REASON_NOT_SPECIFIC",),
            changes={"referral_reason": "Needs help."},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_invalid_phone",
            "referrer fax with 9 digits",
            "cm_referral",
            R,
            ("INVALID_FORMAT",),
            changes={"referrer_fax": Raw("831-555-014")},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cm_required_missing",
            "member date of birth blank",
            "cm_referral",
            "manual_triage",
            ("REQUIRED_MISSING", "MEMBER_NOT_FOUND"),
            changes={"member_dob": None},
            pages=("fax_cover", "form"),
        ),
        # --- CBAS referral ---------------------------------------------------------------------------
        Case(
            "cbas_complete", "all criteria, lives alone", "cbas_referral", B, pages=("fax_cover", "form", "attachment")
        ),
        Case(
            "cbas_icf_ddh",
            "ICF/DD-H resident: criteria not needed",
            "cbas_referral",
            B,
            changes={"variant": "icf"},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cbas_hand_humor",
            "hand-printed (Humor Sans), filled boxes",
            "cbas_referral",
            B,
            style="hand-humor",
            mark="fill",
            pages=("fax_cover", "form"),
        ),
        Case("cbas_jpeg", "a single JPEG scan", "cbas_referral", B, fmt="jpeg", pages=("form",), severity="clean"),
        Case(
            "cbas_under_18",
            "member of 16",
            "cbas_referral",
            R,
            ("CBAS_UNDER_18",),
            member_age=16.3,
            pages=("fax_cover", "form"),
        ),
        Case(
            "cbas_criteria_incomplete",
            "core-services criterion unmarked",
            "cbas_referral",
            R,
            ("CBAS_CRITERIA_INCOMPLETE",),
            changes={"crit_requires_core_services": False},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cbas_condition_missing",
            "no condition listed",
            "cbas_referral",
            R,
            ("CBAS_CONDITION_MISSING",),
            changes={"conditions": None},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cbas_support_network_missing",
            "no support situation marked",
            "cbas_referral",
            R,
            ("CBAS_SUPPORT_NETWORK_MISSING",),
            changes={"support_lives_alone": False},
            pages=("fax_cover", "form"),
        ),
        Case(
            "cbas_not_from_pcp",
            "referring NPI is not the assigned PCP",
            "cbas_referral",
            R,
            ("CBAS_NOT_FROM_PCP",),
            member_pcp="other",
            pages=("fax_cover", "form"),
        ),
        # --- HIF/MET surveys ---------------------------------------------------------------------------
        Case("hif_en_forward", "English survey, nothing urgent", "hif_met", "forward_to_pcp", pages=("form",)),
        Case(
            "hif_es_forward",
            "Spanish survey, nothing urgent",
            "hif_met",
            "forward_to_pcp",
            language="es",
            pages=("form",),
            mark="check",
        ),
        Case(
            "hif_zh_forward",
            "Chinese survey, nothing urgent",
            "hif_met",
            "forward_to_pcp",
            language="zh-Hant",
            pages=("form",),
        ),
        Case(
            "hif_hmn_forward",
            "Hmong survey, nothing urgent",
            "hif_met",
            "forward_to_pcp",
            language="hmn",
            pages=("form",),
            mark="fill",
        ),
        Case(
            "hif_en_pregnant",
            "pregnant: expedited",
            "hif_met",
            "expedited_care",
            ("HIF_EXPEDITED",),
            changes={"q_pregnant": ("yes",)},
            pages=("form",),
        ),
        Case(
            "hif_es_self_harm",
            "thoughts of self-harm: expedited, same-day flag",
            "hif_met",
            "expedited_care",
            ("HIF_EXPEDITED", "HIF_SELF_HARM"),
            language="es",
            changes={"q_self_harm": ("yes",)},
            pages=("form",),
        ),
        Case(
            "hif_zh_er_visits",
            "2+ ER visits: expedited",
            "hif_met",
            "expedited_care",
            ("HIF_EXPEDITED",),
            language="zh-Hant",
            changes={"q_er_visits": ("2+",)},
            pages=("form",),
        ),
        Case(
            "hif_hmn_ambiguous_expedited",
            "two boxes on an expedited question",
            "hif_met",
            "expedited_care",
            ("AMBIGUOUS_MARK", "HIF_EXPEDITED"),
            language="hmn",
            changes={"q_hospital_stay": ("yes", "no")},
            pages=("form",),
        ),
        Case(
            "hif_en_ambiguous_other",
            "two boxes on a non-expedited question",
            "hif_met",
            "forward_to_pcp",
            ("AMBIGUOUS_MARK",),
            changes={"q_tobacco": ("yes", "no")},
            pages=("form",),
            style="hand-dkg",
        ),
        Case(
            "hif_pcp_unknown",
            "member's PCP not in the directory",
            "hif_met",
            "manual_triage",
            ("HIF_PCP_UNKNOWN",),
            member_pcp="unknown",
            pages=("form",),
        ),
        Case(
            "hif_incomplete",
            "most questions unanswered (info)",
            "hif_met",
            "forward_to_pcp",
            info=("HIF_INCOMPLETE",),
            changes={"variant": "incomplete"},
            pages=("form",),
            fmt="png",
        ),
        Case(
            "hif_es_hand",
            "Spanish survey hand-printed, standard resolution",
            "hif_met",
            "forward_to_pcp",
            language="es",
            style="hand-humor",
            fine=False,
            pages=("form",),
        ),
        # --- Faxes without a form of ours --------------------------------------------------------------
        Case("unknown_stray_page", "an advertisement", None, "manual_triage", pages=("stray",)),
        Case(
            "only_supporting_pages",
            "cover sheet and member letter, the form forgotten",
            None,
            "manual_triage",
            pages=("fax_cover", "member_letter"),
        ),
        Case(
            "two_forms_one_fax",
            "a CM referral and a CBAS referral in one fax",
            "cm_referral",
            C,
            pages=("fax_cover", "form", "form2"),
            second_form="cbas_referral",
            second_route=B,
        ),
    ]


CASES: tuple[Case, ...] = tuple(_cases())
RECEIVED_BASE = datetime(2026, 11, 2, 8, 30)


def received_at(index: int) -> datetime:
    return RECEIVED_BASE + timedelta(days=index % 18, minutes=37 * index)


@dataclass(frozen=True)
class World:
    """The offices and members the corpus talks about (what members.csv and providers.csv hold)."""

    providers: list[Provider]
    other_provider: Provider  # a PCP members can be assigned to who never sends faxes here
    unlisted_npi: str  # a PCP NPI missing from the directory


def make_world() -> World:
    providers = make_providers()
    return World(providers=providers[:-1], other_provider=providers[-1], unlisted_npi="1999999992")


def member_for(case: Case, index: int, world: World, sender: Provider) -> Member:
    rng = random.Random(f"member:{case.case_id}")
    when = received_at(index).date()
    age = case.member_age if case.member_age is not None else rng.uniform(30, 80)
    dob = when - timedelta(days=int(age * 365.25))
    pcp = {"sender": sender.npi, "other": world.other_provider.npi, "unknown": world.unlisted_npi}[case.member_pcp]
    language = case.language if case.form == "hif_met" else rng.choice(["en", "en", "es", "hmn", "zh-Hant"])
    return make_member(rng, dob=dob, pcp_npi=pcp, language=language)


ValueBuilder = Callable[[Member, Provider, date, random.Random, str], dict[str, Value]]


def with_changes(values: dict[str, Value], case: Case, when: date) -> dict[str, Value]:
    out = dict(values)
    for name, value in case.changes.items():
        if name == "variant":
            continue
        if value is None:
            out.pop(name, None)
        elif value == "bad_npi":
            good = str(out[name])
            out[name] = Raw(good[:-1] + str((int(good[-1]) + 3) % 10))
        elif value == "future":
            out[name] = when + timedelta(days=9)
        else:
            out[name] = value
    return out


def variant(case: Case) -> str:
    v = case.changes.get("variant", "base")
    return str(v)


def replace_case(case: Case, **kw: object) -> Case:
    return replace(case, **kw)  # type: ignore[arg-type]

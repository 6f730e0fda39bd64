"""Complete, valid values for each form (canonical), with the variants the corpus cases use."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sample_faxes.cases import Icd, Value
from sample_faxes.people import Member, Provider, digits_to_phone

d = lambda x: x.strftime("%m/%d/%Y")  # noqa: E731  dates inside narratives are written like this


def member_reassignment(m: Member, p: Provider, when: date, rng: random.Random, variant: str) -> dict[str, Value]:
    o = p.office
    v: dict[str, Value] = {
        "request_date": when - timedelta(days=1),
        "pcp_name": o.pcp_name,
        "practice_name": o.practice,
        "pcp_npi": p.npi,
        "office_contact": rng.choice(["Carmen Diaz", "Tom Becker", "Lisa Yang", "Omar Haddad"]),
        "office_phone": digits_to_phone(o.phone),
        "office_fax": digits_to_phone(o.fax),
        "member_name": m.name,
        "member_dob": m.dob,
        "member_id": m.member_id,
        "member_letter_date": when - timedelta(days=6),
        "attach_member_letter": True,
        "signature": True,
        "signature_date": when - timedelta(days=1),
    }
    e1, e2, e3 = (when - timedelta(days=n) for n in (120, 75, 30))
    if variant in ("base", "family"):
        v["reason_abusive_behavior"] = True
        v["narrative"] = (
            f"On {d(e1)} the member shouted at front desk staff and threw a clipboard at a medical assistant. "
            f"On {d(e2)} the member threatened the physician during a visit. The physician met with the member on "
            f"{d(e2 + timedelta(days=3))} to review our code of conduct and we sent a warning letter on "
            f"{d(e2 + timedelta(days=5))}. The behavior happened again on {d(e3)}."
        )
        if variant == "family":
            v["member_name"] = f"{m.name} and family"
            v["narrative"] = (
                str(v["narrative"]) + " We ask that the member and all children in the household be reassigned."
            )
    elif variant.startswith("missed"):
        a1, a2, a3 = (when - timedelta(days=n) for n in (200, 130, 45))
        if variant == "missed_span":
            a1 = when - timedelta(days=520)
        v["reason_missed_appointments"] = True
        v.update({"missed_appt_1": a1, "missed_appt_2": a2, "missed_appt_3": a3})
        if variant == "missed_no_goodfaith":
            v["narrative"] = (
                f"The member did not come to scheduled appointments on {d(a1)}, {d(a2)} and {d(a3)}. "
                f"On {d(a3 + timedelta(days=10))} the physician counseled the member in person about keeping appointments, "
                "and the member again failed to keep the next one."
            )
        else:
            v["goodfaith_efforts"] = True
            v["goodfaith_description"] = (
                f"Reminder calls two days before each visit ({d(a1 - timedelta(days=2))}, {d(a2 - timedelta(days=2))}, "
                f"{d(a3 - timedelta(days=2))}) and a reminder letter mailed on {d(a2 + timedelta(days=3))}. Outreach log attached."
            )
            v["narrative"] = (
                f"The member missed scheduled appointments on {d(a1)}, {d(a2)} and {d(a3)} without calling to cancel. "
                f"Our staff called the member after each missed visit to reschedule and discussed our no-show policy "
                f"with the member on {d(a2 + timedelta(days=7))}."
            )
    elif variant == "mma":
        v["reason_mma_violation"] = True
        v["attach_mma"] = True
        v["narrative"] = (
            f"The member signed a Medication Management Agreement on {d(e1)}. On {d(e2)} the pharmacy reported "
            f"early refills of controlled medication from two other prescribers, in violation of the agreement. "
            f"The physician met with the member on {d(e2 + timedelta(days=4))} to review the agreement and gave a written warning; "
            f"a second violation was found on {d(e3)}."
        )
    elif variant.startswith("noncompliance"):
        v["reason_noncompliance"] = True
        harm = (
            " This refusal endangers the member's health: the A1C rose to 11.2 and the member was hospitalized on "
            f"{d(e3)} for uncontrolled diabetes."
        )
        v["narrative"] = (
            f"Since {d(e1)} the member has refused insulin and declined referral to diabetes case management. "
            f"The physician counseled the member on {d(e2)} and our nurse called on {d(e2 + timedelta(days=14))} to offer education."
            + ("" if variant.endswith("no_harm") else harm)
        )
    elif variant == "complaint":
        v["reason_other"] = True
        v["reason_other_text"] = "Member filed a complaint about our office staff"
        v["narrative"] = (
            f"On {d(e2)} the member filed a complaint with the plan about our front desk staff. We met with the member "
            f"on {d(e3)} to discuss the concern and apologized for the wait time."
        )
    elif variant == "vague":
        v["reason_ineffective_relationship"] = True
        v["narrative"] = "Patient is difficult."
    elif variant == "no_efforts":
        v["reason_abusive_behavior"] = True
        v["narrative"] = (
            f"On {d(e1)} the member shouted at front desk staff and threw a clipboard at a medical assistant. "
            f"On {d(e2)} the member threatened the physician during a visit and had to be escorted out of the building."
        )
    else:
        raise ValueError(f"unknown variant {variant!r}")
    return v


def cm_referral(m: Member, p: Provider, when: date, rng: random.Random, variant: str) -> dict[str, Value]:
    o = p.office
    v: dict[str, Value] = {
        "referral_date": when - timedelta(days=1),
        "referrer_name": o.pcp_name,
        "referrer_npi": p.npi,
        "referrer_organization": o.practice,
        "referrer_phone": digits_to_phone(o.phone),
        "referrer_fax": digits_to_phone(o.fax),
        "member_name": m.name,
        "member_dob": m.dob,
        "member_id": m.member_id,
        "member_phone": f"831-555-{rng.randint(1000, 9999)}",
        "member_language": {"en": "English", "es": "Spanish", "hmn": "Hmong", "zh-Hant": "Chinese"}[m.language],
        "member_agrees": True,
        "signature": True,
        "signature_date": when - timedelta(days=1),
    }
    if variant == "base":
        v.update({"program_care_coordination": True, "need_community_resources": True, "need_coordination": True})
        v["referral_reason"] = (
            "Member lives alone after a recent stroke, sees a neurologist, a cardiologist and physical therapy, and "
            "needs help coordinating these visits and finding transportation and meal delivery in the community."
        )
    elif variant == "ccm":
        v.update({"program_complex_cm": True, "frequent_ed_use": True, "ed_visits_12mo": "6", "careplan_fax": True})
        v["diagnoses"] = Icd("I50.9 heart failure, N18.4 chronic kidney disease", ("I50.9", "N18.4"))
        v["referral_reason"] = (
            "Six emergency department visits in the last 12 months for heart failure exacerbations; missed dialysis "
            "evaluation; needs a care plan with cardiology, nephrology and home health, and medication adherence support."
        )
    elif variant == "dm_diabetes":
        v["program_dm_diabetes"] = True
        v["diagnoses"] = Icd("E11.9 type 2 diabetes without complications", ("E11.9",))
        v["referral_reason"] = (
            "Newly diagnosed type 2 diabetes, A1C 9.1 on last visit; needs diet and glucose self-management education."
        )
    elif variant == "dm_asthma":
        v["program_dm_asthma"] = True
        v["diagnoses"] = Icd("J45.40 moderate persistent asthma", ("J45.40",))
        v["referral_reason"] = (
            "Two urgent care visits for asthma this fall; family needs inhaler technique and trigger education at home."
        )
    else:
        raise ValueError(f"unknown variant {variant!r}")
    return v


def cbas_referral(m: Member, p: Provider, when: date, rng: random.Random, variant: str) -> dict[str, Value]:
    o = p.office
    v: dict[str, Value] = {
        "referral_date": when - timedelta(days=2),
        "member_name": m.name,
        "member_dob": m.dob,
        "member_id": m.member_id,
        "member_phone": f"209-555-{rng.randint(1000, 9999)}",
        "pcp_name": o.pcp_name,
        "pcp_npi": p.npi,
        "pcp_phone": digits_to_phone(o.phone),
        "pcp_fax": digits_to_phone(o.fax),
        "preferred_center": rng.choice(["Sunrise Adult Day Health", "Valley CBAS Center", "Golden Years Day Program"]),
        "signature": True,
        "signature_date": when - timedelta(days=2),
    }
    if variant == "icf":
        v["resides_icf_ddh"] = True
        v["clinical_summary"] = (
            "Resident of an ICF/DD-H home with cerebral palsy and seizure disorder; day program supports habilitation goals."
        )
        return v
    v.update(
        {
            "crit_deterioration_risk": True,
            "crit_requires_core_services": True,
            "support_lives_alone": True,
            "conditions": Icd("F03.90 dementia, I10 hypertension, E11.9 type 2 diabetes", ("F03.90", "I10", "E11.9")),
            "caregiver_name": rng.choice(["Rosa Medina (daughter)", "Kou Lee (son)", "Paul Grant (nephew)"]),
            "caregiver_phone": f"209-555-{rng.randint(1000, 9999)}",
            "clinical_summary": (
                "Moderate dementia with two falls and one ED visit in the last 6 months; misses medications when alone. "
                "Needs daily nursing monitoring of blood pressure and glucose, meals, and supervised activities to stay at home."
            ),
        }
    )
    return v


YES_NO_QUESTIONS = (
    "q_regular_doctor",
    "q_pregnant",
    "q_hospital_stay",
    "q_serious_treatment",
    "q_meds_running_out",
    "q_medical_equipment",
    "q_needs_help_daily",
    "q_felt_depressed",
    "q_self_harm",
    "q_tobacco",
    "q_substance_use",
)


def hif_met(m: Member, p: Provider, when: date, rng: random.Random, variant: str) -> dict[str, Value]:
    v: dict[str, Value] = {
        "member_name": m.name,
        "member_dob": m.dob,
        "member_id": m.member_id,
        "member_phone": f"831-555-{rng.randint(1000, 9999)}",
        "preferred_language": {"en": "English", "es": "Español", "hmn": "Hmoob", "zh-Hant": "Chinese"}[m.language],
        "q_er_visits": (rng.choice(["0", "1"]),),
        "respondent": ("self",),
        "signature": True,
        "signature_date": when - timedelta(days=rng.randint(2, 12)),
    }
    for q in YES_NO_QUESTIONS:
        v[q] = ("yes",) if q == "q_regular_doctor" else ("no",)
    for cond in rng.sample(
        ["cond_asthma", "cond_diabetes", "cond_high_blood_pressure", "cond_heart_disease"], k=rng.randint(0, 2)
    ):
        v[cond] = True
    if variant == "incomplete":
        for q in YES_NO_QUESTIONS[:8]:
            v.pop(q)
        v.pop("q_er_visits")
    elif variant != "base":
        raise ValueError(f"unknown variant {variant!r}")
    return v


BUILDERS = {
    "member_reassignment": member_reassignment,
    "cm_referral": cm_referral,
    "cbas_referral": cbas_referral,
    "hif_met": hif_met,
}

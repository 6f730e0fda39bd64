"""The committed corpus: it is what the generator makes, and its ground truth agrees with RULES.md.

The checks here re-derive each code's condition from the ground-truth values with deliberately simple code,
independent of validators/: a case labelled RMR_APPT_DATES_INSUFFICIENT must list fewer than three dates, and a
case not labelled with it must not.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest

from faxintake.catalog import load_catalog
from sample_faxes.build import CORPUS_DIR, build_case
from sample_faxes.cases import CASES, make_world

TRUTHS = {
    p.name.removesuffix(".truth.json"): json.loads(p.read_text()) for p in sorted(CORPUS_DIR.glob("*.truth.json"))
}
ROSTER = {r["member_id"]: r for r in csv.DictReader((CORPUS_DIR / "members.csv").open())}
PROVIDERS = {r["npi"]: r for r in csv.DictReader((CORPUS_DIR / "providers.csv").open())}
ROUTES = {
    "provider_services",
    "case_management",
    "cbas_assessment",
    "expedited_care",
    "forward_to_pcp",
    "return_to_sender",
    "manual_triage",
}
RETURN_CODES = {
    "REQUIRED_MISSING",
    "INVALID_FORMAT",
    "DATE_IN_FUTURE",
    "SIGNATURE_MISSING",
    "INCOMPLETE_TRANSMISSION",
    "RMR_NO_REASON",
    "RMR_INAPPROPRIATE_REASON",
    "RMR_MULTIPLE_MEMBERS",
    "RMR_APPT_DATES_INSUFFICIENT",
    "RMR_APPT_DATES_SPAN",
    "RMR_GOODFAITH_MISSING",
    "RMR_MMA_COPY_MISSING",
    "RMR_MEMBER_LETTER_MISSING",
    "RMR_NARRATIVE_NOT_SPECIFIC",
    "RMR_CORRECTIVE_EFFORTS_MISSING",
    "RMR_NONCOMPLIANCE_HARM_NOT_STATED",
    "RMR_MEMBER_NOT_LINKED",
    "CMR_NO_PROGRAM",
    "CMR_CC_NEEDS_MISSING",
    "CMR_DM_ASTHMA_AGE",
    "CMR_DM_DIABETES_AGE",
    "CMR_DM_DIAGNOSIS_MISSING",
    "CMR_REASON_NOT_SPECIFIC",
    "CBAS_UNDER_18",
    "CBAS_CRITERIA_INCOMPLETE",
    "CBAS_CONDITION_MISSING",
    "CBAS_SUPPORT_NETWORK_MISSING",
    "CBAS_NOT_FROM_PCP",
}
EXPEDITED = {
    "q_pregnant": "yes",
    "q_er_visits": "2+",
    "q_hospital_stay": "yes",
    "q_serious_treatment": "yes",
    "q_meds_running_out": "yes",
    "q_medical_equipment": "yes",
    "q_needs_help_daily": "yes",
    "q_self_harm": "yes",
}
DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


def test_corpus_is_committed_whole() -> None:
    assert set(TRUTHS) == {c.case_id for c in CASES}
    assert len(TRUTHS) >= 60
    for case_id, truth in TRUTHS.items():
        assert (CORPUS_DIR / truth["file"]).exists(), case_id
    assert sum(p.stat().st_size for p in CORPUS_DIR.iterdir()) < 12_000_000


def test_corpus_covers_every_route_form_language_and_return_code() -> None:
    docs = [d for t in TRUTHS.values() for d in t["documents"]]
    assert {d["route"] for d in docs} == ROUTES
    assert {c for d in docs for c in d["codes"]} >= RETURN_CODES
    assert {(d["doc_type"], d["language"]) for d in docs} >= {
        ("member_reassignment", "en"),
        ("cm_referral", "en"),
        ("cbas_referral", "en"),
        ("hif_met", "en"),
        ("hif_met", "es"),
        ("hif_met", "zh-Hant"),
        ("hif_met", "hmn"),
    }
    formats = {t["format"] for t in TRUTHS.values()}
    assert formats == {"tiff-g4", "tiff-g3", "pdf-image", "pdf-text", "png", "jpeg"}
    assert {t["resolution"] for t in TRUTHS.values()} == {"fine", "standard"}
    assert {"hand-humor", "hand-dkg"} <= {t["style"] for t in TRUTHS.values()}


@pytest.mark.parametrize("case_id", sorted(TRUTHS))
def test_truth_is_well_formed(case_id: str) -> None:
    truth = TRUTHS[case_id]
    numbers = [p["number"] for p in truth["pages"]]
    assert numbers == list(range(1, truth["page_count"] + 1))
    kinds = {p["number"]: p["doc_type"] for p in truth["pages"]}
    for doc in truth["documents"]:
        for n in doc["pages"]:
            assert kinds[n] == doc["doc_type"]
        if doc["doc_type"] != "unknown":
            form = load_catalog().form(doc["doc_type"])
            assert set(doc["fields"]) == {f.name for f in form.fields}
            for f in form.fields:
                value = doc["fields"][f.name]["value"]
                assert isinstance(value, bool) == (f.type.value in ("checkbox", "signature")), f.name
        for att in doc["attachments"]:
            assert all(kinds[n] == att["doc_type"] for n in att["pages"])


def _age(dob: str, on: date) -> int:
    born = date.fromisoformat(dob)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _conditions(truth: dict, doc: dict) -> dict[str, bool]:
    """Each code's condition, computed the plain way from the ground truth."""
    v = {k: f["value"] for k, f in doc["fields"].items()}
    valid = {k: f.get("valid", True) for k, f in doc["fields"].items()}
    received = date.fromisoformat(truth["received_at"][:10])
    kind = doc["doc_type"]
    attached = {a["doc_type"] for a in doc["attachments"]}
    member = ROSTER.get(v.get("member_id", ""))
    form = load_catalog().form(kind)
    blank = lambda name: v[name] in ("", False)  # noqa: E731
    required_blank = [
        f.name
        for f in form.fields
        if f.type.value != "signature"
        and blank(f.name)
        and not f.name.startswith("missed_appt")
        and ((f.required and not any(v.get(u) for u in f.required_unless)) or any(v.get(w) for w in f.required_when))
        and not (
            kind == "cbas_referral"
            and f.name in ("crit_deterioration_risk", "crit_requires_core_services", "conditions")
        )
        and not (kind == "member_reassignment" and f.name in ("goodfaith_efforts", "goodfaith_description"))
    ]
    dates = [x for k, x in v.items() if form.field_map[k].type.value == "date" and valid[k] and x]
    c: dict[str, bool] = {
        "REQUIRED_MISSING": bool(required_blank),
        "INVALID_FORMAT": not all(valid.values()),
        "DATE_IN_FUTURE": any(date.fromisoformat(x) > received for x in dates),
        "SIGNATURE_MISSING": "signature" in v and form.field_map["signature"].required and not v["signature"],
        "INCOMPLETE_TRANSMISSION": bool(truth["cover"])
        and int(truth["cover"]["fields"]["pages_total"]["value"]) > truth["page_count"],
        "MEMBER_NOT_FOUND": member is None or member["dob"] != v["member_dob"],
        "AMBIGUOUS_MARK": any(x == "?" for x in v.values()),
    }
    age = _age(v["member_dob"], received) if v.get("member_dob") else None
    if kind == "member_reassignment":
        reasons = [k for k in v if k.startswith("reason_") and k != "reason_other_text"]
        appts = sorted({date.fromisoformat(v[f"missed_appt_{i}"]) for i in range(1, 5) if v[f"missed_appt_{i}"]})
        narrative = (v["narrative"] + " " + v["goodfaith_description"]).lower()
        c |= {
            "RMR_NO_REASON": not any(v[r] for r in reasons),
            "RMR_INAPPROPRIATE_REASON": v["reason_other"]
            and "complaint" in v["reason_other_text"].lower()
            and sum(bool(v[r]) for r in reasons) == 1,
            "RMR_MULTIPLE_MEMBERS": "family" in v["member_name"].lower() or "all children" in narrative,
            "RMR_APPT_DATES_INSUFFICIENT": v["reason_missed_appointments"] and len(appts) < 3,
            "RMR_APPT_DATES_SPAN": v["reason_missed_appointments"]
            and len(appts) >= 3
            and not any((appts[i + 2] - appts[i]).days <= 365 for i in range(len(appts) - 2)),
            "RMR_GOODFAITH_MISSING": v["reason_missed_appointments"] and not v["goodfaith_efforts"],
            "RMR_MMA_COPY_MISSING": v["reason_mma_violation"] and "mma" not in attached,
            "RMR_MEMBER_LETTER_MISSING": "member_letter" not in attached,
            "RMR_NARRATIVE_NOT_SPECIFIC": not DATE.search(v["narrative"]) or len(v["narrative"].split()) < 8,
            "RMR_CORRECTIVE_EFFORTS_MISSING": not re.search(
                r"called|met with|counsel|warning|discuss|reminder|offer", narrative
            ),
            "RMR_NONCOMPLIANCE_HARM_NOT_STATED": v["reason_noncompliance"] and "endanger" not in narrative,
            "RMR_MEMBER_NOT_LINKED": member is not None and valid["pcp_npi"] and member["pcp_npi"] != v["pcp_npi"],
        }
    elif kind == "cm_referral":
        codes = doc["fields"]["diagnoses"]["codes"]
        dm_ok = (not v["program_dm_asthma"] or any(x.startswith("J45") for x in codes)) and (
            not v["program_dm_diabetes"] or any(x[:3] in ("E08", "E09", "E10", "E11", "E13") for x in codes)
        )
        c |= {
            "CMR_NO_PROGRAM": not any(v[k] for k in v if k.startswith("program_")),
            "CMR_CC_NEEDS_MISSING": v["program_care_coordination"]
            and not any(v[k] for k in v if k.startswith("need_")),
            "CMR_DM_ASTHMA_AGE": v["program_dm_asthma"] and age is not None and not 5 <= age <= 11,
            "CMR_DM_DIABETES_AGE": v["program_dm_diabetes"] and age is not None and age < 18,
            "CMR_DM_DIAGNOSIS_MISSING": not dm_ok,
            "CMR_REASON_NOT_SPECIFIC": len(v["referral_reason"].split()) < 5,
        }
    elif kind == "cbas_referral":
        icf = v["resides_icf_ddh"]
        c |= {
            "CBAS_UNDER_18": not icf and age is not None and age < 18,
            "CBAS_CRITERIA_INCOMPLETE": not icf
            and not (v["crit_deterioration_risk"] and v["crit_requires_core_services"]),
            "CBAS_CONDITION_MISSING": not icf and not v["conditions"],
            "CBAS_SUPPORT_NETWORK_MISSING": not icf and not any(v[k] for k in v if k.startswith("support_")),
            "CBAS_NOT_FROM_PCP": member is not None and valid["pcp_npi"] and member["pcp_npi"] != v["pcp_npi"],
        }
    elif kind == "hif_met":
        answers = {k: x for k, x in v.items() if k.startswith("q_")}
        c |= {
            "HIF_EXPEDITED": any(answers.get(q) in (a, "?") for q, a in EXPEDITED.items()),
            "HIF_SELF_HARM": answers["q_self_harm"] == "yes",
            "HIF_PCP_UNKNOWN": member is not None and member["pcp_npi"] not in PROVIDERS,
            "SIGNATURE_MISSING": False,
        }
    return c


@pytest.mark.parametrize("case_id", sorted(TRUTHS))
def test_labelled_codes_agree_with_the_values(case_id: str) -> None:
    truth = TRUTHS[case_id]
    for doc in truth["documents"]:
        if doc["doc_type"] == "unknown":
            assert doc["route"] == "manual_triage"
            continue
        conditions = _conditions(truth, doc)
        labelled = set(doc["codes"])
        for code, holds in conditions.items():
            assert holds == (code in labelled), f"{case_id}: {code} condition={holds} but labelled={code in labelled}"
        expected_route = (
            "manual_triage"
            if labelled & {"MEMBER_NOT_FOUND", "HIF_PCP_UNKNOWN"} and "HIF_EXPEDITED" not in labelled
            else "return_to_sender"
            if labelled & RETURN_CODES
            else doc["route"]
        )
        assert doc["route"] == expected_route


@pytest.mark.parametrize(
    "case_id", ["rmr_complete_abusive", "rmr_efax_text_layer", "cm_standard_resolution", "hif_incomplete"]
)
def test_generator_reproduces_the_committed_fax(case_id: str, tmp_path: Path) -> None:
    index = next(i for i, c in enumerate(CASES) if c.case_id == case_id)
    truth = build_case(CASES[index], index, make_world(), tmp_path)
    assert truth == TRUTHS[case_id]
    assert (tmp_path / truth["file"]).read_bytes() == (CORPUS_DIR / truth["file"]).read_bytes()

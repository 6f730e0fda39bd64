"""Value parsers: table-driven cases, and hypothesis properties (round trips; no input raises)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.fax_header import parse_fax_header
from extractors.normalize import (
    date_spellings,
    find_icd10_codes,
    format_phone,
    name_initials,
    normalize,
    normalize_member_id,
    npi_is_valid,
    parse_date,
    repair_icd10_text,
    strip_accents_fold,
)
from faxintake.catalog import FieldType
from sample_faxes.people import npi_check_digit

RECEIVED = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "is_dob", "expected"),
    [
        ("11/20/2026", False, date(2026, 11, 20)),
        ("1/5/26", False, date(2026, 1, 5)),
        ("01-05-2026", False, date(2026, 1, 5)),
        ("Jan 5, 2026", False, date(2026, 1, 5)),
        ("Nov 1. 2026", False, date(2026, 11, 1)),  # the comma left a period in the fax
        ("Nov 1 2026", False, date(2026, 11, 1)),
        ("5 January 2026", False, date(2026, 1, 5)),
        ("2026-01-05", False, date(2026, 1, 5)),
        ("2/29/2024", False, date(2024, 2, 29)),
        ("2/29/2025", False, None),
        ("13/01/2026", False, None),
        ("8/19/73", True, date(1973, 8, 19)),
        ("11/19/26", True, date(2026, 11, 19)),  # not after the received date: this century
        ("11/21/26", True, date(1926, 11, 21)),  # after it: a date of birth is last century
        ("O1/O5/2O26", False, date(2026, 1, 5)),  # OCR read zeros as letters
        ("1@/2@/2@26", False, date(2026, 10, 20)),  # slashed zeros read as '@'
        ("11/20/2026 -", False, date(2026, 11, 20)),
        ("next tuesday", False, None),
    ],
)
def test_parse_date(text: str, is_dob: bool, expected: date | None) -> None:
    assert parse_date(text, received=RECEIVED, is_dob=is_dob) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(831) 555-0147", "831-555-0147"),
        ("831.555.0147", "831-555-0147"),
        ("1-831-555-0147", "831-555-0147"),
        ("+1 831 555 0147", "831-555-0147"),
        ("831-555-014", None),
        ("831-555-01477", None),
        ("", None),
    ],
)
def test_format_phone(text: str, expected: str | None) -> None:
    assert format_phone(text) == expected


def test_npi_check_digit() -> None:
    assert npi_is_valid("1234567893")
    assert not npi_is_valid("1234567890")
    assert not npi_is_valid("123456789")
    assert normalize(FieldType.NPI, "1234567890").valid is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [("91234567a", "91234567A"), ("9123 4567-A", "91234567A"), ("9123456A", None), ("912345678", None)],
)
def test_member_id(text: str, expected: str | None) -> None:
    assert normalize_member_id(text) == expected


def test_icd10_codes_in_free_text() -> None:
    assert find_icd10_codes("E119 type 2 diabetes; J45.40 on 11/20/2026, A1C 9.1, call 831-555-0147") == (
        "E11.9",
        "J45.40",
    )
    assert (
        repair_icd10_text("FO3 90 dementia, 110 hypertension, E11 9 diabetes")
        == "F03.90 dementia, I10 hypertension, E11.9 diabetes"
    )
    assert repair_icd10_text("BP 110/70 at the 12 visits") == "BP 110/70 at the 12 visits"
    assert repair_icd10_text("FQ3.90 dementia, E1D.9") == "F03.90 dementia, E10.9"
    assert repair_icd10_text("DOD noted, ADD") == "DOD noted, ADD"  # no digit: words, not codes
    # a slashed or dotted zero (Go Mono, typewriters) read as '@'
    assert repair_icd10_text("F@3.9@ dementia, I1@ hypertension") == "F03.90 dementia, I10 hypertension"
    n = normalize(FieldType.ICD10_LIST, "  I10   hypertension ")
    assert n.value == "I10 hypertension" and n.codes == ("I10",)


def test_blank_and_invalid_values() -> None:
    assert normalize(FieldType.DATE, "  ") == normalize(FieldType.DATE, "")
    assert normalize(FieldType.DATE, "").value == "" and normalize(FieldType.DATE, "").valid
    bad = normalize(FieldType.PHONE, "831  555 01")
    assert bad.value == "831 555 01" and not bad.valid
    with pytest.raises(ValueError):
        normalize(FieldType.CHECKBOX, "x")


def test_names() -> None:
    assert strip_accents_fold("Núñez-Ortiz ") == "nunezortiz"
    assert name_initials("Rivera, Ana") == "A.R." == name_initials("Ana Rivera")


@pytest.mark.parametrize(
    ("line", "sent", "fax", "page", "total"),
    [
        (
            "11/20/2026 09:14  FROM: Salinas Family Practice  (831) 555-0147   P.002/005",
            datetime(2026, 11, 20, 9, 14),
            "831-555-0147",
            2,
            5,
        ),
        (
            "NOV-20-2026 09:14 AM  8315550147  SALINAS FAM PRAC  P. 2/5",
            datetime(2026, 11, 20, 9, 14),
            "831-555-0147",
            2,
            5,
        ),
        ("NOV-20-2026 01:05 PM  8315550147  SALINAS  P. 1/1", datetime(2026, 11, 20, 13, 5), "831-555-0147", 1, 1),
        (
            "11-16-26 03:37  ATWATER HEALTH  Fax 209-344-6063  Page 2 of 4",
            datetime(2026, 11, 16, 3, 37),
            "209-344-6063",
            2,
            4,
        ),
        ("07-11-87 17:12 T-BROOKTROUT TECH", datetime(1987, 7, 11, 17, 12), None, None, None),
    ],
)
def test_fax_header_lines(line: str, sent: datetime, fax: str | None, page: int | None, total: int | None) -> None:
    h = parse_fax_header(line)
    assert h is not None
    assert (h.sent_at, h.sender_fax, h.page, h.pages_total) == (sent, fax, page, total)


def test_not_a_header() -> None:
    assert parse_fax_header("Dear Ms. Rivera,") is None
    assert parse_fax_header("") is None


dates = st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31))


@settings(max_examples=200, deadline=None)
@given(dates, st.sampled_from(["%m/%d/%Y", "{m}/{d}/%Y", "%m-%d-%Y", "%b {d}, %Y", "%Y-%m-%d"]))
def test_dates_round_trip(d: date, fmt: str) -> None:
    assert parse_date(d.strftime(fmt.format(m=d.month, d=d.day))) == d


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
def test_every_spelling_of_a_date_reads_back_as_that_date(d: date) -> None:
    spellings = date_spellings(d)
    assert {d.strftime("%m/%d/%Y"), d.strftime("%b ") + f"{d.day}, {d.year}"} <= set(spellings)
    assert all(parse_date(written, received=d) == d for written in spellings)
    assert date_spellings(d, worded=False) == [s for s in spellings if not s[0].isalpha()]


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"[2-9]\d{2}[2-9]\d{6}", fullmatch=True),
    st.sampled_from(["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "1 {a} {b} {c}"]),
)
def test_phones_round_trip(digits: str, fmt: str) -> None:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    assert format_phone(fmt.format(a=a, b=b, c=c)) == f"{a}-{b}-{c}"


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\d{9}", fullmatch=True))
def test_npi_round_trip(first9: str) -> None:
    npi = first9 + npi_check_digit(first9)
    assert npi_is_valid(npi)
    wrong = npi[:-1] + str((int(npi[-1]) + 1) % 10)
    assert not npi_is_valid(wrong)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_no_parser_raises(text: str) -> None:
    parse_date(text, received=RECEIVED, is_dob=True)
    format_phone(text)
    normalize_member_id(text)
    find_icd10_codes(text)
    repair_icd10_text(text)
    parse_fax_header(text)
    for t in (
        FieldType.TEXT,
        FieldType.MULTILINE,
        FieldType.DATE,
        FieldType.PHONE,
        FieldType.NPI,
        FieldType.MEMBER_ID,
        FieldType.ICD10_LIST,
    ):
        normalize(t, text, received=RECEIVED)


def test_icd10_codes_with_a_pound_sign_for_e_a_comma_for_the_dot_or_a_space_before_it() -> None:
    assert (
        repair_icd10_text("F03,90 dementia, £11.9 type 2 diabetes, E£11.9 again, E11 .9 once more")
        == "F03.90 dementia, E11.9 type 2 diabetes, E11.9 again, E11.9 once more"
    )
    assert repair_icd10_text("I10, E11.9") == "I10, E11.9"  # a list's comma is followed by a space
    assert repair_icd10_text("E11 type 2 diabetes") == "E11 type 2 diabetes"  # a word after a code is no subcode
    assert find_icd10_codes(repair_icd10_text("E119 type 2")) == ("E11.9",)

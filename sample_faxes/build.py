"""Build the committed corpus: each case as a fax file beside its ground truth, plus the roster and directory.

uv run python -m sample_faxes.build [--out sample_faxes/corpus] [--only CASE_ID ...]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium

from faxintake.catalog import load_catalog
from sample_faxes.cases import (
    CASES,
    Case,
    Icd,
    Raw,
    Value,
    World,
    make_world,
    member_for,
    received_at,
    variant,
    with_changes,
)
from sample_faxes.covers import cover_values, draw_cover
from sample_faxes.degrade import FaxHeaderLine, degrade_page, random_degradation
from sample_faxes.fax_writer import write_image_pdf, write_text_pdf, write_tiff
from sample_faxes.fill import FillStyle, Written, fill_form
from sample_faxes.letters import draw_letter
from sample_faxes.people import Member, Provider, digits_to_phone
from sample_faxes.rasterize import render_pdf_pages
from sample_faxes.revisions import revision
from sample_faxes.supporting import (
    CoverInfo,
    chart_note,
    cover_sheet,
    medication_agreement,
    member_letter,
    stray_page,
)
from sample_faxes.typefaces import register_typefaces
from sample_faxes.values import BUILDERS
from sample_faxes.variation import Variation, annotate, describe

CORPUS_DIR = Path(__file__).parent / "corpus"
EXTENSIONS = {"tiff-g4": "tif", "tiff-g3": "tif", "pdf-image": "pdf", "pdf-text": "pdf", "png": "png", "jpeg": "jpg"}
DATE_STYLES = ("%m/%d/%Y", "{m}/{d}/%y", "%m-%d-%Y", "%b {d}, %Y", "{m}/{d}/%Y")  # every style FORMS.md names
PHONE_STYLES = ("({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}")
STYLES = {
    "typed": ("Typed", 10.0),
    "typed-mono": ("Typed-Mono", 9.5),
    "hand-humor": ("Hand-Humor", 10.5),
    "hand-dkg": ("Hand-DKG", 12.0),
}


def write_date(value: date, style: int) -> str:
    fmt = DATE_STYLES[style % len(DATE_STYLES)]
    return value.strftime(fmt.format(m=value.month, d=value.day))


def write_phone(value: str, style: int) -> str:
    a, b, c = value.split("-")
    return PHONE_STYLES[style % len(PHONE_STYLES)].format(a=a, b=b, c=c)


def written_value(ftype: str, value: Value, case: Case) -> Written:
    if isinstance(value, date):
        return write_date(value, case.date_style)
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Icd):
        return value.text
    if ftype == "phone" and isinstance(value, str):
        return write_phone(value, case.phone_style)
    return value


def expected_value(ftype: str, value: Value | None) -> dict[str, object]:
    """The normalized value INTERFACES.md promises for what was written."""
    if value is None:
        blank: object = False if ftype in ("checkbox", "signature") else ""
        out: dict[str, object] = {"value": blank}
    elif isinstance(value, date):
        out = {"value": value.isoformat()}
    elif isinstance(value, Raw):
        out = {"value": " ".join(value.text.split()), "valid": False}
    elif isinstance(value, Icd):
        out = {"value": " ".join(value.text.split()), "codes": list(value.codes)}
    elif isinstance(value, tuple):
        out = {"value": "" if not value else value[0] if len(value) == 1 else "?"}
    else:
        out = {"value": value}
    if ftype == "icd10_list" and "codes" not in out:
        out["codes"] = []
    return out


CAPITALS_ONLY = ("hand-humor",)  # Humor Sans has no lower case: people print in capitals, and that is what is read


def _upper(value: Value) -> Value:
    if isinstance(value, str):
        return value.upper()
    if isinstance(value, Raw):
        return Raw(value.text.upper())
    if isinstance(value, Icd):
        return Icd(value.text.upper(), value.codes)
    return value


@dataclass
class Page:
    doc_type: str
    pdf: bytes  # one page
    form_page: int | None = None


def _pages_of(pdf: bytes) -> list[bytes]:
    src = pdfium.PdfDocument(pdf)
    out = []
    for i in range(len(src)):
        one = pdfium.PdfDocument.new()
        one.import_pages(src, [i])
        buf = io.BytesIO()
        one.save(buf)
        out.append(buf.getvalue())
    return out


def _concat(pages: list[bytes]) -> bytes:
    doc = pdfium.PdfDocument.new()
    for p in pages:
        doc.import_pages(pdfium.PdfDocument(p))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _form_document(
    case: Case,
    form_id: str,
    member: Member,
    sender: Provider,
    when: datetime,
    seed: int,
    variation: Variation | None = None,
) -> tuple[list[Page], dict[str, dict[str, object]], dict[str, Value]]:
    revised = variation.revision_of(form_id) if variation is not None else None
    form = revision(revised) if revised else load_catalog().form(form_id)
    rng = random.Random(f"values:{case.case_id}:{form_id}")
    values = with_changes(
        BUILDERS[form_id](member, sender, when.date(), rng, variant(case) if form_id == case.form else "base"),
        case,
        when.date(),
    )
    if case.style in CAPITALS_ONLY if variation is None else variation.face.capitals_only:
        values = {name: _upper(v) for name, v in values.items()}
    written = {name: written_value(form.field_map[name].type.value, v, case) for name, v in values.items()}
    if variation is None:
        font, size = STYLES[case.style]
        style = FillStyle(font=font, size=size, mark=case.mark)
    else:
        register_typefaces()
        face = variation.face
        style = FillStyle(face.name, face.size, case.mark, face.hand, variation.raise_pt, variation.indent_pt)
    pdf = fill_form(form, case.language if form_id == "hif_met" else "en", written, style, seed)
    fields = {f.name: expected_value(f.type.value, values.get(f.name)) for f in form.fields}
    pages = [Page(form_id, p, n) for n, p in enumerate(_pages_of(pdf), start=1)]
    return pages, fields, values


def build_case(
    case: Case, index: int, world: World, out_dir: Path, variation: Variation | None = None
) -> dict[str, object]:
    when = received_at(index)
    sender = world.providers[index % len(world.providers)]
    member = member_for(case, index, world, sender)
    seed = index * 7919 + 17
    office = sender.office
    pages: list[Page] = []
    documents: list[dict[str, object]] = []
    truth_members = [member]
    form_fields: dict[str, dict[str, object]] = {}
    for kind in case.pages:
        if kind == "form":
            assert case.form is not None
            form_pages, form_fields, _ = _form_document(case, case.form, member, sender, when, seed, variation)
            pages.extend(form_pages)
        elif kind == "form2":
            assert case.second_form is not None
            second = member_for(Case(case.case_id + "#2", "", None, ""), index, world, sender)
            truth_members.append(second)
            more, fields2, _ = _form_document(case, case.second_form, second, sender, when, seed + 1, variation)
            pages.extend(more)
            documents.append(
                {"doc_type": case.second_form, "fields": fields2, "route": case.second_route, "codes": [], "info": []}
            )
        elif kind == "fax_cover":
            pages.append(Page("fax_cover", b""))  # drawn below, once the page count is known
        elif kind == "member_letter":
            sent = when.date() - _days(6)
            letter = (
                member_letter(office, member.first, member.last, sent)
                if variation is None
                else draw_letter(office, f"{member.first} {member.last}", sent, variation.letter)
            )
            pages.append(Page("member_letter", letter))
        elif kind == "mma":
            pages.append(
                Page("mma", medication_agreement(office, f"{member.first} {member.last}", when.date() - _days(300)))
            )
        elif kind == "attachment":
            entries = [
                (when.date() - _days(n), text)
                for n, text in (
                    (200, "Reminder call placed two days before the visit; left voicemail."),
                    (130, "Patient did not arrive for scheduled visit. Called to reschedule, no answer."),
                    (45, "No-show. Reminder letter mailed and policy reviewed by phone."),
                )
            ]
            pages.append(Page("attachment", chart_note(office, f"{member.first} {member.last}", entries)))
        elif kind == "stray":
            pages.append(Page("unknown", stray_page(index)))
        else:
            raise ValueError(f"{case.case_id}: unknown page kind {kind!r}")
    total = len(pages)
    cover_fields: dict[str, object] | None = None
    for i, page in enumerate(pages):
        if page.doc_type == "fax_cover":
            recipient = "Provider Services" if case.form == "member_reassignment" else "Case Management"
            template = index % 4
            info = CoverInfo(
                office,
                recipient,
                "(831) 430-5857",
                total,
                when.date(),
                "Member reassignment request" if case.form == "member_reassignment" else "Referral",
            )
            if variation is None:
                pages[i] = Page("fax_cover", cover_sheet(info, template))
                sender_name = office.pcp_name if template % 4 == 0 else office.practice
            else:
                pages[i] = Page("fax_cover", draw_cover(info, variation.cover))
                sender_name = cover_values(info, variation.cover)["from"]
            cover_fields = {
                "sender_name": {"value": sender_name},
                "sender_fax": {"value": digits_to_phone(office.fax)},
                "sender_phone": {"value": digits_to_phone(office.phone)},
                "recipient": {"value": recipient},
                "pages_total": {"value": str(total)},
                "date": {"value": when.date().isoformat()},
                "subject": {"value": info.subject},
            }
    arrived = [(n, p) for n, p in enumerate(pages, start=1) if n not in case.drop_pages]
    by_member = case.form != "hif_met"
    headers = [
        FaxHeaderLine(
            sent_at=when,
            sender_fax=digits_to_phone(office.fax) if by_member else "831-555-0100",
            sender_name=office.practice.upper()[:22] if by_member else "PRINT AND SHIP 0412",
            page=n,
            pages_total=total,
            style=index % 3,
        )
        for n, _ in arrived
    ]
    ext = EXTENSIONS[case.fmt]
    fax_path = out_dir / f"{case.case_id}.{ext}"
    vector = _concat([p.pdf for _, p in arrived])
    if case.fmt == "pdf-text":
        write_text_pdf(vector, headers, fax_path)
    else:
        rng = random.Random(seed)
        dpi = (204.0, 196.0 if case.fine else 98.0)
        images = []
        for (n, _), header, raster in zip(
            arrived, headers, render_pdf_pages(vector, dpi_x=dpi[0], dpi_y=dpi[1]), strict=True
        ):
            d = random_degradation(rng, severity=case.severity, allow_upside_down=False)
            d = replace(d, upside_down=n in case.upside_down, fine=case.fine)
            if variation is not None:
                d = replace(
                    d,
                    skew_deg=variation.skew_deg,
                    scale=variation.scale,
                    shift_in=variation.shift_in,
                    stretch=variation.stretch,
                )
                raster = annotate(raster, variation, n, dpi)
            images.append(degrade_page(raster, rng, d, header))
        if case.fmt.startswith("tiff"):
            write_tiff(images, fax_path, compression="group4" if case.fmt == "tiff-g4" else "group3", dpi=dpi)
        elif case.fmt == "pdf-image":
            write_image_pdf(images, fax_path, dpi=dpi)
        else:
            img = images[0].convert("L")
            if case.fmt == "png":
                img.save(fax_path, format="PNG", dpi=dpi)
            else:
                img.save(fax_path, format="JPEG", quality=80, dpi=dpi)
    # Ground truth, numbered as the pages arrived.
    renumber = {orig: new for new, (orig, _) in enumerate(arrived, start=1)}
    page_truth = [{"number": renumber[n], "doc_type": p.doc_type} for n, p in arrived]
    supporting = [
        {"doc_type": p.doc_type, "pages": [renumber[n]]}
        for n, p in arrived
        if p.doc_type in ("member_letter", "mma", "attachment")
    ]
    if case.form is not None:
        first_form = [renumber[n] for n, p in arrived if p.doc_type == case.form]
        main: dict[str, object] = {
            "doc_type": case.form,
            "language": case.language if case.form == "hif_met" else "en",
            "pages": first_form,
            "attachments": supporting,
            "fields": form_fields,
            "route": case.route,
            "codes": sorted(case.codes),
            "info": sorted(case.info),
        }
        if documents:
            second_pages = [renumber[n] for n, p in arrived if p.doc_type == case.second_form]
            documents[0].update({"language": "en", "pages": second_pages, "attachments": []})
        documents.insert(0, main)
    else:
        stray = [renumber[n] for n, p in arrived if p.doc_type == "unknown"]
        documents = [
            {
                "doc_type": "unknown",
                "language": None,
                "pages": stray,
                "attachments": supporting,
                "fields": {},
                "route": "manual_triage",
                "codes": [],
                "info": [],
            }
        ]
    return {
        "case": case.case_id,
        "covers": case.covers,
        "file": fax_path.name,
        "format": case.fmt,
        "style": case.style if variation is None else variation.face.name,
        **({} if variation is None else {"family": variation.family, "variation": describe(variation)}),
        "resolution": "fine" if case.fine else "standard",
        "received_at": when.isoformat(timespec="seconds"),
        "page_count": len(arrived),
        "pages": page_truth,
        "cover": {"pages": [renumber[n] for n, p in arrived if p.doc_type == "fax_cover"], "fields": cover_fields}
        if cover_fields
        else None,
        "documents": documents,
    }


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def build_corpus(out_dir: Path = CORPUS_DIR, only: set[str] | None = None) -> list[dict[str, object]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    world = make_world()
    truths = []
    for index, case in enumerate(CASES):
        if only and case.case_id not in only:
            continue
        truth = build_case(case, index, world, out_dir)
        (out_dir / f"{case.case_id}.truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")
        truths.append(truth)
    if only is None:
        write_readme(out_dir.parent / "README.md", truths)
    write_references(out_dir, CASES, world)
    return truths


def write_references(out_dir: Path, cases: Sequence[Case], world: World) -> None:
    """The roster (members.csv) and provider directory (providers.csv) the faxes of `cases` agree with."""
    members: dict[str, dict[str, str]] = {}
    for index, case in enumerate(cases):
        sender = world.providers[index % len(world.providers)]
        for m in (
            member_for(case, index, world, sender),
            member_for(Case(case.case_id + "#2", "", None, ""), index, world, sender),
        ):
            if case.member_in_roster and (m is not None):
                members[m.member_id] = m.roster_row()
    _write_csv(out_dir / "members.csv", list(members.values()))
    _write_csv(out_dir / "providers.csv", [p.directory_row() for p in [*world.providers, world.other_provider]])


README_HEAD = """# Sample faxes

`corpus/` holds synthetic faxes, each beside its ground truth (`<case>.truth.json`: every page's doc type,
the cover sheet's fields, and per document every field's expected normalized value, the route and the codes),
and the roster (`members.csv`) and provider directory (`providers.csv`) they agree with. Every person, NPI,
CIN and phone number here is made up.

Rebuild (deterministic: the same code gives the same bytes):

    uv run python -m sample_faxes.build

The cases are declared in `cases.py`; values come from `values.py`, page images from `degrade.py`.

| case | file | covers | pages | route | codes |
|---|---|---|---|---|---|
"""


def write_readme(path: Path, truths: list[dict[str, object]]) -> None:
    rows = []
    for t in truths:
        docs = t["documents"]
        assert isinstance(docs, list)
        routes = ", ".join(str(d["route"]) for d in docs)
        codes = ", ".join(sorted({c for d in docs for c in [*d["codes"], *d["info"]]})) or "-"
        detail = f"{t['format']}, {t['resolution']}, {t['style']}"
        rows.append(
            f"| {t['case']} | `{t['file']}` | {t['covers']} ({detail}) | {t['page_count']} | {routes} | {codes} |"
        )
    path.write_text(README_HEAD + "\n".join(rows) + "\n")


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: next(iter(r.values()))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=CORPUS_DIR)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    truths = build_corpus(args.out, set(args.only) if args.only else None)
    print(f"wrote {len(truths)} faxes to {args.out}")


if __name__ == "__main__":
    main()

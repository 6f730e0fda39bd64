"""Analyst tables from the store: documents, fields (long form), findings and routes, as Parquet and CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select

from faxintake.store import Store
from faxintake.store.models import DocumentRow, Fax, FieldRow, FindingRow

DATA_DICTIONARY: dict[str, dict[str, str]] = {
    "documents": {
        "document_id": "the document's id in the store (queues and `faxintake queue show` use it)",
        "fax_sha256": "content hash of the fax file the document arrived in",
        "source": "the fax file's name as received",
        "received_at": "when the fax arrived (ISO datetime)",
        "doc_type": "member_reassignment, cm_referral, cbas_referral, hif_met or unknown",
        "language": "en, es, zh-Hant or hmn (the form version read)",
        "pages": "the fax pages the form occupies, e.g. '2,3'",
        "attachment_kinds": "supporting pages that came with it: member_letter, mma, attachment, unknown",
        "route": "the route decided (RULES.md)",
        "status": "open, resolved, or resubmitted (a later fax for the same member and form arrived)",
        "member_initials": "the member's initials only (no name, DOB or CIN in analyst tables)",
        "linked_return_id": "for a resubmission, the document id of the earlier return",
        "decided_at": "when the route was decided",
    },
    "fields": {
        "document_id": "see documents",
        "doc_type": "see documents",
        "field": "the field name (FORMS.md)",
        "value": "the normalized value as text ('True'/'False' for boxes); identifying fields are left out",
        "confidence": "0 to 1: how sure the reading is",
        "valid": "False when the text did not parse as the field's type",
        "blank": "True when nothing was written",
    },
    "findings": {
        "document_id": "see documents",
        "doc_type": "see documents",
        "code": "the finding's stable code (RULES.md)",
        "severity": "return, review or info (after the confidence gate)",
        "demoted_from": "'return' when the confidence gate turned a return into a review",
        "fields": "the fields the finding concerns, comma-separated",
    },
    "routes": {
        "document_id": "see documents",
        "doc_type": "see documents",
        "route": "the route decided",
        "decided_at": "when it was decided",
        "received_at": "when the fax arrived",
        "return_codes": "the `return` codes behind a return_to_sender, comma-separated",
    },
}
# Identifying values stay out of the analyst tables (minimum necessary); the store keeps them for the queues.
PHI_FIELDS = {
    "member_name",
    "member_dob",
    "member_id",
    "member_phone",
    "caregiver_name",
    "caregiver_phone",
    "narrative",
    "goodfaith_description",
    "referral_reason",
    "clinical_summary",
    "reason_other_text",
    "diagnoses",
    "conditions",
}


def tables(store: Store) -> dict[str, pd.DataFrame]:
    with store.session("read the analyst tables") as s:
        docs = s.execute(select(DocumentRow, Fax).join(Fax)).all()
        fields = s.execute(select(FieldRow, DocumentRow.doc_type).join(DocumentRow)).all()
        findings = s.execute(select(FindingRow, DocumentRow.doc_type).join(DocumentRow)).all()
    documents = pd.DataFrame(
        [
            {
                "document_id": d.id,
                "fax_sha256": f.sha256,
                "source": Path(f.source).name,
                "received_at": f.received_at,
                "doc_type": d.doc_type,
                "language": d.language,
                "pages": ",".join(map(str, d.pages)),
                "attachment_kinds": ",".join(sorted({a["doc_type"] for a in d.attachments})),
                "route": d.route,
                "status": d.status,
                "member_initials": d.member_initials,
                "linked_return_id": d.linked_return_id,
                "decided_at": d.decided_at,
            }
            for d, f in docs
        ],
        columns=list(DATA_DICTIONARY["documents"]),
    )
    field_rows = pd.DataFrame(
        [
            {
                "document_id": f.document_id,
                "doc_type": t,
                "field": f.name,
                "value": f.value,
                "confidence": f.confidence,
                "valid": f.valid,
                "blank": f.value in ("", "False"),
            }
            for f, t in fields
            if f.name not in PHI_FIELDS
        ],
        columns=list(DATA_DICTIONARY["fields"]),
    )
    finding_rows = pd.DataFrame(
        [
            {
                "document_id": f.document_id,
                "doc_type": t,
                "code": f.code,
                "severity": f.severity,
                "demoted_from": f.demoted_from,
                "fields": ",".join(f.fields),
            }
            for f, t in findings
        ],
        columns=list(DATA_DICTIONARY["findings"]),
    )
    returns = (
        finding_rows[finding_rows.severity == "return"]
        .groupby("document_id")["code"]
        .agg(lambda c: ",".join(sorted(set(c))))
    )
    routes = documents[["document_id", "doc_type", "route", "decided_at", "received_at"]].copy()
    routes["return_codes"] = routes["document_id"].map(returns).fillna("")
    return {"documents": documents, "fields": field_rows, "findings": finding_rows, "routes": routes}


def export_tables(store: Store, out_dir: Path, formats: tuple[str, ...] = ("parquet", "csv")) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, frame in tables(store).items():
        if "parquet" in formats:
            written[f"{name}.parquet"] = out_dir / f"{name}.parquet"
            frame.to_parquet(written[f"{name}.parquet"], index=False)
        if "csv" in formats:
            written[f"{name}.csv"] = out_dir / f"{name}.csv"
            frame.to_csv(written[f"{name}.csv"], index=False)
    written["DATA_DICTIONARY.md"] = write_data_dictionary(out_dir / "DATA_DICTIONARY.md")
    return written


def data_dictionary_markdown() -> str:
    lines = []
    for table, columns in DATA_DICTIONARY.items():
        lines += [f"### `{table}`", "", "| column | meaning |", "|---|---|"]
        lines += [f"| `{c}` | {m} |" for c, m in columns.items()]
        lines.append("")
    return "\n".join(lines)


def write_data_dictionary(path: Path) -> Path:
    path.write_text(data_dictionary_markdown())
    return path

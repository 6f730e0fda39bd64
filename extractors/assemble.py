"""Group a fax's classified pages into its cover sheet and documents: each form with the supporting pages it came with."""

from __future__ import annotations

from faxintake.model import ROUTABLE_FORMS, Attachment, Cover, Document, FieldRead, PageRead

ATTACHABLE = ("member_letter", "mma", "attachment", "unknown")


def assemble(pages: list[PageRead]) -> tuple[Cover | None, list[Document]]:
    covers = [p for p in pages if p.doc_type == "fax_cover"]
    cover = Cover(pages=tuple(p.number for p in covers), fields=dict(covers[0].fields)) if covers else None
    groups: list[tuple[PageRead, list[PageRead], list[PageRead]]] = []  # first form page, form pages, supporting
    pending: list[PageRead] = []
    for page in pages:
        if page.doc_type in ROUTABLE_FORMS:
            current = groups[-1] if groups else None
            continues = (
                current is not None
                and current[0].doc_type == page.doc_type
                and current[0].language == page.language
                and page.form_page is not None
                and current[1][-1].form_page is not None
                and page.form_page == current[1][-1].form_page + 1
            )
            if continues and current is not None:
                current[1].append(page)
            else:
                groups.append((page, [page], pending))
                pending = []
        elif page.doc_type in ATTACHABLE:
            (groups[-1][2] if groups else pending).append(page)
    if not groups:
        unknown = [p for p in pending if p.doc_type == "unknown"]
        support = [p for p in pending if p.doc_type != "unknown"]
        return cover, [
            Document(
                doc_type="unknown",
                language=None,
                pages=tuple(p.number for p in unknown),
                attachments=_attachments(support),
            )
        ]
    if pending:  # supporting pages after nothing: they belong to the last form
        groups[-1][2].extend(pending)
    docs = []
    for first, form_pages, support in groups:
        fields: dict[str, FieldRead] = {}
        for p in form_pages:
            fields.update(p.fields)
        docs.append(
            Document(
                doc_type=first.doc_type,
                language=first.language,
                pages=tuple(p.number for p in form_pages),
                attachments=_attachments(support),
                fields=fields,
            )
        )
    return cover, docs


def _attachments(pages: list[PageRead]) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(
            doc_type=p.doc_type, pages=(p.number,), fields=dict(p.fields), in_doubt=p.classify_confidence < SURE_KIND
        )
        for p in pages
    )


SURE_KIND = 0.75  # a supporting page classified less surely than this may be another kind (classify.IN_DOUBT)

"""The store's tables (SQLAlchemy 2). The schema is created and changed only by the Alembic migrations beside it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012  (SQLAlchemy reads it as is)


class Fax(Base):
    __tablename__ = "faxes"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    source: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    sender_fax: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(
        default=dict
    )  # the result JSON as written, for duplicates and audits
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    pages: Mapped[list[Page]] = relationship(back_populates="fax", cascade="all, delete-orphan", order_by="Page.number")
    documents: Mapped[list[DocumentRow]] = relationship(
        back_populates="fax", cascade="all, delete-orphan", order_by="DocumentRow.index"
    )


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("fax_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fax_id: Mapped[int] = mapped_column(ForeignKey("faxes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[str] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(10))
    form_page: Mapped[int | None] = mapped_column(Integer)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    skew: Mapped[float] = mapped_column(Float, default=0.0)
    classify_confidence: Mapped[float] = mapped_column(Float, default=1.0)
    read_by: Mapped[str | None] = mapped_column(String(16))  # a form page: "template" (registered) or "labels"
    # Where the blank form lies on the upright page: a 2x3 affine from form points to page points (both 1/72 inch,
    # origin top left), from the registration; None when the page was not registered. Draws field boxes on the page.
    form_to_page: Mapped[list[Any] | None] = mapped_column(nullable=True)
    fax: Mapped[Fax] = relationship(back_populates="pages")


class DocumentRow(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    fax_id: Mapped[int] = mapped_column(ForeignKey("faxes.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[str] = mapped_column(String(40), index=True)
    language: Mapped[str | None] = mapped_column(String(10))
    pages: Mapped[list[Any]] = mapped_column(default=list)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    route: Mapped[str | None] = mapped_column(String(32), index=True)
    notice: Mapped[str | None] = mapped_column(Text)
    member_key: Mapped[str | None] = mapped_column(String(64), index=True)  # hash of form + CIN: links resubmissions
    member_initials: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    linked_return_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolved_reason: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped by every change a person or a re-decision makes: a save based on an older version is refused, so two
    # reviewers saving the same document at once get a conflict, not a silent overwrite.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    fax: Mapped[Fax] = relationship(back_populates="documents")
    fields: Mapped[list[FieldRow]] = relationship(back_populates="document", cascade="all, delete-orphan")
    findings: Mapped[list[FindingRow]] = relationship(back_populates="document", cascade="all, delete-orphan")


class FieldRow(Base):
    __tablename__ = "fields"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    value_type: Mapped[str] = mapped_column(String(8))  # "str" or "bool"
    raw: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Float)
    content_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)  # multiline: how sure the words are
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    box: Mapped[list[Any] | None] = mapped_column(nullable=True)
    codes: Mapped[list[Any] | None] = mapped_column(nullable=True)
    document: Mapped[DocumentRow] = relationship(back_populates="fields")


class FindingRow(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(48), index=True)
    severity: Mapped[str] = mapped_column(String(8))
    fields: Mapped[list[Any]] = mapped_column(default=list)
    message: Mapped[str] = mapped_column(Text)
    demoted_from: Mapped[str | None] = mapped_column(String(8))
    details: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    document: Mapped[DocumentRow] = relationship(back_populates="findings")


class Notice(Base):
    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    fax_to: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Audit(Base):
    """Every state change: who, what, from which state to which, why, when."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A member of staff who signs in to the review app. Never deleted (the audit names them): disabled instead."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # reviewer, director or admin
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, with its parameters and salt
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login: Mapped[datetime | None] = mapped_column(DateTime)


class Correction(Base):
    """A value a reviewer changed: the value as read and as corrected, in full (the audit row shows them shortened)."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    before_confidence: Mapped[float] = mapped_column(Float)
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime)


class Decision(Base):
    """The Medical Director's decision on a member reassignment request."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(8))  # approve, defer or deny
    reason: Mapped[str] = mapped_column(Text)
    effective_date: Mapped[date | None] = mapped_column(Date)  # approvals only
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime)


class Letter(Base):
    """A PDF made by the review app (a deficiency notice, a decision letter to the provider or to the member),
    kept in the store itself so that it is as durable as the decision it belongs to."""

    __tablename__ = "letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))  # deficiency_notice, provider_letter, member_letter
    reference: Mapped[str] = mapped_column(String(32))
    send_to: Mapped[str | None] = mapped_column(String(32))  # a fax number, or "mail"
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime)


class PageImage(Base):
    """A page of a kept original rendered upright as PNG for the review app, once."""

    __tablename__ = "page_images"
    __table_args__ = (UniqueConstraint("fax_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fax_id: Mapped[int] = mapped_column(ForeignKey("faxes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    dpi: Mapped[float] = mapped_column(Float)  # of the PNG
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    png: Mapped[bytes] = mapped_column(LargeBinary)

"""The tables of what the archive holds: sites, captures, documents, versions, attachments, clusters."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, SmallInteger, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(6))
    family: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str] = mapped_column(String(500))
    columns: Mapped[list] = mapped_column(JSON, default=list)
    farm: Mapped[bool] = mapped_column(default=False)


class Capture(Base):
    """One HTTP exchange as kept in the WARC files."""
    __tablename__ = "captures"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    payload_digest: Mapped[str] = mapped_column(String(80), index=True)
    warc_file: Mapped[str | None] = mapped_column(String(300))
    warc_offset: Mapped[int | None] = mapped_column(Integer)
    warc_length: Mapped[int | None] = mapped_column(Integer)


class Document(Base):
    __tablename__ = "documents"
    # a citation's 文号 is looked up by year:number and issuer together (archive/store/citations.py)
    __table_args__ = (Index("ix_documents_doc_number_key_issuer", "doc_number_key", "doc_number_issuer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    written: Mapped[date | None] = mapped_column(Date)
    agency: Mapped[str | None] = mapped_column(String(200))
    doc_number: Mapped[str | None] = mapped_column(String(200))
    # archive.extract.docnumber.number_key of the 文号 ('2021:12'): what a citation is resolved by
    doc_number_key: Mapped[str | None] = mapped_column(String(24))
    doc_number_issuer: Mapped[str | None] = mapped_column(String(100))   # its 机关代字, NFKC (湘政办发)
    title_key: Mapped[str | None] = mapped_column(String(300), index=True)  # extract.citations.title_key
    index_number: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))   # 主题分类 as printed
    validity: Mapped[str | None] = mapped_column(String(20))   # 有效性 as printed
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    province: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str | None] = mapped_column(String(50))
    county: Mapped[str | None] = mapped_column(String(50))
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    doc_type: Mapped[str | None] = mapped_column(String(20))
    themes: Mapped[list] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    outline: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[dict] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / changed / withdrawn
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)  # when it vanished from its site
    # when `govplans verify --repair` found no readable WARC record left for it
    evidence_lost_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # when extraction last changed the stored fields but not the content (a redesign, a better extractor)
    reextracted_at: Mapped[datetime | None] = mapped_column(DateTime)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    # clusters.id; no foreign key because clusters.canonical_document_id points back here
    cluster_id: Mapped[int | None] = mapped_column(Integer, index=True)

    versions: Mapped[list["Version"]] = relationship(back_populates="document", order_by="Version.number")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="document")
    site: Mapped[Site | None] = relationship()
    capture: Mapped[Capture | None] = relationship()


class Version(Base):
    """Each distinct content a document has had; number 1 is the first seen."""
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    seen_at: Mapped[datetime] = mapped_column(DateTime)  # first seen with this content
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)  # last seen with this content
    attachment_text: Mapped[str | None] = mapped_column(Text)   # its files' text, each part marked
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    document: Mapped[Document] = relationship(back_populates="versions")


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("document_id", "url"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text, default="")
    ext: Mapped[str] = mapped_column(String(10), default="")
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    text: Mapped[str | None] = mapped_column(Text)
    document: Mapped[Document] = relationship(back_populates="attachments")


class SiteTemplate(Base):
    """A site's page template learnt from its pages (archive/extract/site_chrome.py): how many pages
    it has seen and on how many of them each short line appeared. A redesign starts a new row."""
    __tablename__ = "site_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    cleaned_at_pages: Mapped[int] = mapped_column(Integer, default=0)  # stored texts last cleaned then
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Cluster(Base):
    """Documents that are copies of one text (exact or near duplicates); every document has one."""
    __tablename__ = "clusters"
    id: Mapped[int] = mapped_column(primary_key=True)
    # earliest government copy; None when every member comes from an aggregator
    canonical_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    size: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class LshBucket(Base):
    """One MinHash LSH band of one document: documents sharing a key are near-duplicate candidates."""
    __tablename__ = "lsh_buckets"
    # a bucket's members in id order, read from the index alone (archive/store/clusters.py caps them)
    __table_args__ = (Index("ix_lsh_buckets_key_document_id", "key", "document_id"),)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)  # hash of (band, the band's hash values)


class DedupKeys(Base):
    """A document's masked-sentence keys as its LSH bands were made from them, for the copy check:
    a sorted little-endian uint64 array's bytes (archive.dedup.clusters.pack_keys). Written with the bands."""
    __tablename__ = "dedup_keys"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    keys: Mapped[bytes] = mapped_column(LargeBinary)


class Citation(Base):
    """One document a document cites (文号, 《title》 or both), resolved to an archived document
    when one matches; cited_id stays None until one arrives (archive/store/citations.py)."""
    __tablename__ = "citations"
    __table_args__ = (Index("ix_citations_number_key_issuer", "number_key", "issuer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)           # order on the page (text first, then attachments)
    source: Mapped[str] = mapped_column(String(16))          # text / attachment
    doc_number: Mapped[str | None] = mapped_column(String(200))   # as printed
    issuer: Mapped[str | None] = mapped_column(String(100))
    number_key: Mapped[str | None] = mapped_column(String(24))
    title: Mapped[str | None] = mapped_column(Text)
    title_key: Mapped[str | None] = mapped_column(String(300), index=True)
    cited_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"), index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(16))   # doc_number / title; None: unresolved

"""Made PDFs kept in the database, so every worker and host answers a download from one copy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import utcnow
from app.extensions import db


class PdfCache(db.Model):
    """One PDF as made for (kind, language, what it shows, renderer version); key hashes them."""

    __tablename__ = "pdf_cache"
    __table_args__ = (Index("ix_pdf_cache_project_kind_lang", "project_id", "kind", "lang"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(8))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), default=None
    )
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    content: Mapped[bytes] = mapped_column(LargeBinary)

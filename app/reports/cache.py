"""Made PDFs kept in the database: each made once per content, language and renderer version.

A PDF's key hashes its kind, its language, a fingerprint of what it shows (the report's assembled
data, or the HTML it is made from) and the renderer's version: the app's report sources, templates
and stylesheet, WeasyPrint's version and the language's compiled catalogue, so a fix to any of
them makes new PDFs. The PDFs are the same bytes for the same input (no creation time inside), so
two hosts that make one make the same file.

The cache only ever saves time: a table that cannot be read or written (missing, read-only, busy)
is logged and the PDF is made as if there were no cache.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from app.db import forget_old_versions_soon, utcnow
from app.extensions import db
from app.reports.models import PdfCache
from config import BASE_DIR
from workshops.pdf import html_to_pdf

log = logging.getLogger(__name__)

# What the look of a PDF depends on besides its data: hashed once per process.
RENDERER_SOURCES = (
    "app/reports",
    "workshops/pdf.py",
    "workshops/glyphs.py",
    "workshops/programme/templates",
    "workshops/businesses/pairing/figure.py",
    "evaluations/charts.py",
)


def fingerprint(value: object) -> str:
    """A hash of what a PDF shows: of a string as it is, of plain dataclasses by their repr."""
    text = value if isinstance(value, str) else repr(value)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=16)
def renderer_version(lang: str, translations: str) -> str:
    """A hash of the renderer's sources, WeasyPrint's version and lang's compiled catalogue."""
    digest = hashlib.sha256()
    try:
        digest.update(version("weasyprint").encode())
    except PackageNotFoundError:  # pragma: no cover - WeasyPrint is a requirement
        digest.update(b"weasyprint?")
    files: list[Path] = []
    for name in RENDERER_SOURCES:
        path = BASE_DIR / name
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in {".py", ".html", ".css"})
        elif path.is_file():
            files.append(path)
    files.append(Path(translations) / lang / "LC_MESSAGES" / "messages.mo")
    for path in files:
        digest.update(
            str(path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path).encode()
        )
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.hexdigest()


def _translations_folder() -> str:
    return str(Path(current_app.root_path) / "translations")


def key_for(kind: str, lang: str, content_fingerprint: str, project_id: int | None) -> str:
    """The cache key of one PDF."""
    parts = (kind, lang, str(project_id or ""), content_fingerprint)
    parts += (renderer_version(lang, _translations_folder()),)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _read(key: str) -> bytes | None:
    try:
        with db.engine.connect() as connection:
            return connection.execute(
                select(PdfCache.content).where(PdfCache.key == key)
            ).scalar_one_or_none()
    except SQLAlchemyError as error:
        log.warning("PDF cache not readable, making the PDF: %s", error.__class__.__name__)
        return None


def _write(key: str, kind: str, lang: str, project_id: int | None, content: bytes) -> None:
    """Keep content under key, replacing older PDFs of the same kind, language and project.

    A replaced PDF (the report before one more answer, say) is emptied from SQLite's log and
    files soon after, as an answer's older states are: two versions side by side in a copy of
    the database would show what changed between them.
    """
    same = (PdfCache.kind == kind, PdfCache.lang == lang, PdfCache.key != key)
    if project_id is None:
        same += (PdfCache.project_id.is_(None),)
    else:
        same += (PdfCache.project_id == project_id,)
    try:
        with db.engine.begin() as connection:
            replaced = connection.execute(delete(PdfCache).where(*same)).rowcount
            connection.execute(
                insert(PdfCache).values(
                    key=key,
                    kind=kind,
                    lang=lang,
                    project_id=project_id,
                    size=len(content),
                    created_at=utcnow(),
                    content=content,
                )
            )
    except SQLAlchemyError as error:  # another worker made it first, or the cache is read-only
        log.warning("PDF cache not written: %s", error.__class__.__name__)
        return
    if replaced:
        forget_old_versions_soon(db.engine)


def cached_pdf(
    kind: str,
    lang: str,
    content_fingerprint: str,
    build: Callable[[], bytes],
    *,
    project_id: int | None = None,
) -> bytes:
    """The kept PDF for these inputs, or build()'s, which is then kept for the next time."""
    key = key_for(kind, lang, content_fingerprint, project_id)
    found = _read(key)
    if found is not None:
        return bytes(found)
    content = build()
    _write(key, kind, lang, project_id, content)
    return content


def html_pdf(
    kind: str,
    lang: str,
    html: str,
    *,
    project_id: int | None = None,
    build: Callable[[], bytes] | None = None,
) -> bytes:
    """The PDF made from one HTML string (by workshops.pdf unless build is given), kept."""
    if build is None:

        def build() -> bytes:
            return html_to_pdf(html)

    return cached_pdf(kind, lang, fingerprint(html), build, project_id=project_id)


def forget(project_id: int) -> int:
    """Delete every kept PDF of a project (in the caller's transaction); returns how many."""
    result = db.session.execute(delete(PdfCache).where(PdfCache.project_id == project_id))
    return result.rowcount or 0

"""The method report for municipalities, and the project's exports."""

from __future__ import annotations

from flask import Flask

from workshops import pdf
from workshops.privacy import service as privacy


def init_app(app: Flask) -> None:
    """Register the report and export pages and the report, export, backup and restore commands."""
    from app.reports import cache, commands, routes

    app.register_blueprint(routes.bp)
    # An erase drops the project's kept PDFs, which may show what was erased.
    privacy.on_erase(cache.forget)
    pdf.keep_pdfs_with(app, cache.html_pdf)
    for command in commands.COMMANDS:
        app.cli.add_command(command)

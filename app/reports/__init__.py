"""The method report for municipalities, and the project's exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the report and export pages and commands (filled in by the report issue)."""

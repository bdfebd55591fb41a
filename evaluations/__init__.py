"""Evaluation forms, anonymous answers and their pie charts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints (none yet: the evaluation issue adds them)."""

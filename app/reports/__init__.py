"""The method report for municipalities, and the project's exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the report and export pages and the report, export, backup and restore commands."""
    from app.reports import commands, routes

    app.register_blueprint(routes.bp)
    for command in commands.COMMANDS:
        app.cli.add_command(command)

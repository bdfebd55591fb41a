"""Log-in for process leaders and viewers (participants never need an account)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.extensions import login_manager


def init_app(app: Flask) -> None:
    """Register the log-in pages and tell Flask-Login how to find a user."""
    from app.auth import routes
    from app.auth.models import User, user_for_session

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return user_for_session(user_id)  # None once the user's sessions were ended

    app.register_blueprint(routes.bp)

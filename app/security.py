"""Security headers on every response, and cookies marked Secure when served over HTTPS."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """The signed cookie session, Secure whenever the request came over HTTPS."""

    def open_session(self, app: Flask, request):
        """No cookie, no work: a phone's poll carries no session, so none is read or verified."""
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def save_session(self, app: Flask, session, response) -> None:
        super().save_session(app, session, response)
        if request.is_secure:
            # Last in the response's life: Flask-Login's remember cookie has no per-request
            # Secure setting, so every cookie set over HTTPS is marked Secure here.
            cookies = response.headers.getlist("Set-Cookie")
            if any("; Secure" not in cookie for cookie in cookies):
                response.headers.remove("Set-Cookie")
                for cookie in cookies:
                    secure = cookie if "; Secure" in cookie else f"{cookie}; Secure"
                    response.headers.add("Set-Cookie", secure)


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        # Only over HTTPS: a venue LAN served on plain HTTP must keep working.
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response and use the HTTPS-aware session cookie."""
    app.session_interface = SessionInterface()
    app.after_request(_headers)

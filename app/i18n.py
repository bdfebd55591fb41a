"""Which language and time zone a request is served in, and the language switch."""

from __future__ import annotations

from babel.dates import get_datetime_format
from flask import Flask, current_app, g, request
from flask_babel import format_date, format_time, get_locale, refresh
from flask_login import current_user
from markupsafe import Markup

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {
    "nb": "Norsk bokmål",
    "sv": "Svenska",
    "da": "Dansk",
    "fi": "Suomi",
    "en": "English",
}
# Browsers often say "no" or "nn" for Norwegian; we serve Bokmål for both.
_ALIASES = {"no": "nb", "nn": "nb", "nb": "nb"}


def supported(code: str | None) -> str | None:
    """The supported language code for `code` (e.g. 'no-NO' -> 'nb'), or None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    base = _ALIASES.get(base, base)
    return base if base in current_app.config["LANGUAGES"] else None


def select_locale() -> str:
    """Pick the language: ?lang=, cookie, user setting, browser, project language, nb."""
    choice = supported(request.args.get("lang")) or supported(request.cookies.get(LANGUAGE_COOKIE))
    if choice:
        return choice
    if current_user and current_user.is_authenticated and supported(current_user.language):
        return current_user.language
    for value, _quality in request.accept_languages:
        if choice := supported(value):
            return choice
    return supported(g.get("project_language")) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Show times in the current project's time zone, else the default."""
    return g.get("project_timezone") or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _remember_language(response):
    """Keep a language chosen with ?lang= in a cookie for the next pages."""
    chosen = supported(request.args.get("lang"))
    if chosen and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(
            LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


def lang_attr(language: str | None) -> Markup:
    """` lang="xx"` for content in another language than the page's, else nothing (WCAG 3.1.2).

    Project texts and ideas are written in the project's language; a page shown in another
    language marks them so that screen readers pronounce them right.
    """
    page = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    if not language or language == page or language not in LANGUAGE_NAMES:
        return Markup("")
    return Markup(' lang="%s"') % language


def _template_globals() -> dict:
    return {
        "current_language": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        "language_names": LANGUAGE_NAMES,
        "lang_attr": lang_attr,
    }


def _fresh_choice() -> None:
    """Choose the language anew for each request (an app context may outlive one)."""
    g.pop("project_language", None)
    g.pop("project_timezone", None)
    refresh()


def when(value) -> str:
    """A date and time as people read it, in the page's language and time zone, without seconds
    (Babel's "medium" date with its "short" time; the `when` template filter)."""
    if value is None:
        return ""

    pattern = get_datetime_format("medium", locale=get_locale())
    return pattern.replace("{1}", format_date(value, "medium")).replace(
        "{0}", format_time(value, "short")
    )


def init_app(app: Flask) -> None:
    """Attach the language cookie and template helpers."""
    app.before_request(_fresh_choice)
    app.after_request(_remember_language)
    app.context_processor(_template_globals)
    app.add_template_filter(when, "when")

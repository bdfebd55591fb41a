"""Settings, read from the environment (see README, "Configuration")."""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("KRAFTVERK_INSTANCE", BASE_DIR / "instance"))


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


class StartupError(SystemExit):
    """The app cannot start; its message is one line on standard error (no traceback), exit 1."""


def _cannot_use(folder: Path, error: OSError) -> StartupError:
    cause = error.strerror or type(error).__name__
    return StartupError(
        f"Error: cannot start: the folder {folder} is not writable ({cause});"
        " free some space or set KRAFTVERK_INSTANCE to a writable folder"
    )


def check_writable(folder: Path) -> None:
    """Create `folder` if needed and prove a file can be written there, else StartupError."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder) as probe:
            probe.write(b"kraftverk")
            probe.flush()
    except OSError as error:
        raise _cannot_use(folder, error) from error


def _secret_from_file(path: Path) -> str:
    """Read the secret in `path`, creating it once (atomically, so parallel workers agree)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
        return path.read_text(encoding="ascii").strip()
    except OSError as error:
        raise _cannot_use(path.parent, error) from error


def _sqlite_folder(url: str) -> Path | None:
    """The folder of an SQLite database file (None for other engines or in memory)."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0]).parent


def database_url() -> str:
    """The app's database: DATABASE_URL, else an SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'kraftverk.sqlite3'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Let plain `postgresql://` URLs use psycopg 3, the driver we ship; refuse other engines."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("postgresql+psycopg://", "sqlite://")):
        scheme = url.split(":", 1)[0] if ":" in url else url[:20]
        raise StartupError(
            f"Error: cannot start: DATABASE_URL names the engine {scheme!r}; use"
            " a postgresql:// URL (README, Configuration) or leave it unset for SQLite"
        )
    return url


def postgres_engine_options() -> dict:
    """Pool sizes and a statement timeout for PostgreSQL (docs/deploy.md sizes them).

    No ping on every checkout (a round trip per request): app/db.py checks only connections that
    sat idle in the pool."""
    timeout_ms = _int("DATABASE_STATEMENT_TIMEOUT_MS", 30000)
    return {
        "pool_pre_ping": False,
        "pool_size": _int("DATABASE_POOL_SIZE", 5),
        "max_overflow": _int("DATABASE_MAX_OVERFLOW", 5),
        "pool_timeout": 10,
        "connect_args": {
            "connect_timeout": 5,
            "options": f"-c statement_timeout={timeout_ms}",
            # psycopg prepares a statement on the server after its fifth run on a connection;
            # PgBouncer in transaction mode (before 1.21) needs that off (docs/deploy.md).
            "prepare_threshold": None if _off("DATABASE_PREPARED_STATEMENTS") else 5,
        },
    }


def _off(name: str) -> bool:
    """True when the setting is one of off, no, false, 0."""
    return os.environ.get(name, "").strip().lower() in {"off", "no", "false", "0"}


class Config:
    """Production defaults; every value can come from the environment."""

    TESTING = False
    INSTANCE_PATH = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI: str | None = None  # resolved in create_app
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # How long an SQLite write waits for another writer before the client gets 503 Retry-After.
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 10000)
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY") or None
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    SMTP_URL = os.environ.get("SMTP_URL", "")
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")
    LANGUAGES = ("nb", "sv", "da", "fi", "en")
    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    # A CSRF token must survive a whole workshop day on the leader's laptop.
    WTF_CSRF_TIME_LIMIT = 14 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # uploads; the JSON API has its own, smaller limit
    API_MAX_BODY = 64 * 1024
    EVALUATION_MIN_RESPONSES = _int("EVALUATION_MIN_RESPONSES", 5)  # fewer: no chart shown
    REGISTRATION_RETENTION_DAYS = _int("REGISTRATION_RETENTION_DAYS", 365)
    PUBLIC_CACHE_SECONDS = _int("PUBLIC_CACHE_SECONDS", 30)  # calendar and feeds from memory
    HEAVY_WORK_LIMIT = _int("HEAVY_WORK_LIMIT", 2)  # PDFs and exports at once per process
    MAIL_FROM = os.environ.get("MAIL_FROM", "")  # default: noreply@ the PUBLIC_URL's host
    LOGIN_ATTEMPTS = 10  # per e-mail address in LOGIN_WINDOW before a pause
    LOGIN_WINDOW = timedelta(minutes=15)
    # Public registrations per client address and per workshop in 15 minutes (0: no limit).
    REGISTRATIONS_PER_CLIENT = _int("REGISTRATIONS_PER_CLIENT", 10)
    REGISTRATIONS_PER_WORKSHOP = _int("REGISTRATIONS_PER_WORKSHOP", 60)

    @classmethod
    def resolve(cls) -> None:
        """Fill in what depends on the environment at start-up (database, secret)."""
        if cls.SQLALCHEMY_DATABASE_URI is None:
            cls.SQLALCHEMY_DATABASE_URI = database_url()
            if cls.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
                cls.SQLALCHEMY_ENGINE_OPTIONS = postgres_engine_options()
        folder = _sqlite_folder(cls.SQLALCHEMY_DATABASE_URI)
        if folder is not None:
            check_writable(folder)  # SQLite writes its file, journal and WAL there
        if not cls.SECRET_KEY:
            cls.SECRET_KEY = _secret_from_file(Path(cls.INSTANCE_PATH) / "secret_key")


class TestingConfig(Config):
    """Tests: a temporary database, no CSRF on the test client unless a test turns it on."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - tests only
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a hash method, fast for tests
    # Tests register many times from one address; the limits' own tests set them.
    REGISTRATIONS_PER_CLIENT = None
    REGISTRATIONS_PER_WORKSHOP = None

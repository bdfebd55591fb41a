"""No secret in the repository: no private key, no literal secret key or password in settings."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Anywhere in the repository.
KEYS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}\b"),
}
# Outside the tests and benchmarks, whose throwaway logins on throwaway databases are their job.
SETTINGS = {
    "secret in settings": re.compile(
        r"""(?ix)\b(?:secret_key|password|passwd|api_key|token|smtp_url|database_url)\b
        ["']?\s*[:=]\s*[rbf]?["'][^"'\s]{6,}["']"""
    ),
    "credentials in a URL": re.compile(
        r"\b[a-z+]+://[^/\s:@'\"`]+:(?!(?:pass|password|secret)@)[^/\s@'\"`]{3,}@[\w.-]+"
    ),
}
THROWAWAY = ("tests/", "bench/")
# Clearly marked test-only values.
ALLOWED = (
    'SECRET_KEY = "test-secret-key-not-for-production"',
    'PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"',
)
SKIPPED_SUFFIXES = (".po", ".pot", ".mo", ".png", ".jpg", ".ico", ".pdf", ".xlsx", ".woff2", ".ttf")


def _tracked_files() -> list[Path]:
    listed = subprocess.run(  # noqa: S603 - a fixed command line
        ["git", "ls-files", "-z"],  # noqa: S607 - git from PATH, as the developer runs it
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def _findings(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    name = path.relative_to(ROOT).as_posix()
    suspects = KEYS if name.startswith(THROWAWAY) else KEYS | SETTINGS
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if any(allowed in line for allowed in ALLOWED):
            continue
        for kind, pattern in suspects.items():
            if pattern.search(line):
                found.append(f"{name}:{number}: {kind}")
    return found


def test_tracked_files_hold_no_secret():
    files = [p for p in _tracked_files() if p.is_file() and not p.name.endswith(SKIPPED_SUFFIXES)]

    found = [finding for path in files for finding in _findings(path)]

    assert len(files) > 50
    assert found == []


def test_the_production_secret_key_comes_from_the_environment_or_the_instance_folder():
    from config import Config, TestingConfig

    settings = (ROOT / "config.py").read_text(encoding="utf-8")

    assert 'os.environ.get("SECRET_KEY")' in settings
    assert "test" in TestingConfig.SECRET_KEY and "not-for-production" in TestingConfig.SECRET_KEY
    assert Config.SECRET_KEY is None or Config.SECRET_KEY != TestingConfig.SECRET_KEY


def test_the_instance_folder_is_not_tracked():
    tracked = [p.relative_to(ROOT).as_posix() for p in _tracked_files()]

    assert not [name for name in tracked if name.startswith("instance/") and "secret" in name]
    assert "instance/secret_key" not in tracked
    assert "instance/demo-login.txt" not in tracked

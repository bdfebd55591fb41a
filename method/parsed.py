"""The method's YAML files parsed, and the parsed data kept for the next process.

libyaml still takes about 0.05 s to parse the taxonomy and the programme, in every process that
reads them (a command, each worker). Once the app names a folder (`keep_in`: the instance
folder's cache), the data each file gives is kept there with marshal, one file per data file and
loader, with a hash of the text it was parsed from; the next process reading the same text with
the same loader loads that instead (about a millisecond). A changed text is parsed again and
replaces the kept data. Files are written under a temporary name and renamed, so processes can
share the folder. No folder, a folder that cannot be read or written, a damaged kept file, or
data marshal cannot hold (a date) only means parsing.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sys
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from method import files

# A new value when what is kept changes meaning (a loader's rules, the format of the files).
FORMAT = 1
_folder: Path | None = None


def keep_in(folder: Path | None) -> None:
    """Keep parsed data in folder from now on (None: parse every time)."""
    global _folder
    _folder = folder


def load(text: str, loader: type, name: str) -> Any:
    """Return yaml.load(text, Loader=loader), kept once parsed under name (the file's name)."""
    folder = _folder
    if folder is None:
        return yaml.load(text, Loader=loader)  # noqa: S506  # nosec B506 - callers pass safe loaders
    key = _key(text, loader)
    kept = folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}-{key[:8]}.marshal"
    try:
        stored_key, data = marshal.loads(kept.read_bytes())  # noqa: S302  # nosec B302 - ours
        if stored_key == key:
            return data
    except (OSError, EOFError, ValueError, TypeError):
        pass
    data = yaml.load(text, Loader=loader)  # noqa: S506  # nosec B506 - as above
    try:
        content = marshal.dumps((key, data))
    except ValueError:
        return data
    _write(kept, content)
    return data


def _key(text: str, loader: type) -> str:
    """What the kept data was read from: the loader (its first 8 digits), then the text."""
    return _loader_key(loader) + hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=16)
def _loader_key(loader: type) -> str:
    """The loader: its name, the source of the module that defines it (a changed constructor
    changes the data) and the versions of what reads and keeps."""
    reader = (FORMAT, sys.version_info[:2], marshal.version, yaml.__version__)
    digest = hashlib.sha256(repr((*reader, loader.__module__, loader.__qualname__)).encode())
    module = sys.modules.get(loader.__module__)
    source = getattr(module, "__file__", None)
    if source:
        try:
            digest.update(Path(source).read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()[:8]


def _write(path: Path, content: bytes) -> None:
    with suppress(OSError):  # a folder that cannot be written only means parsing next time
        files.write_atomically(path, content)

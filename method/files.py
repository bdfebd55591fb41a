"""Writing a file so that no reader ever sees half of it: the one way the app does it.

Here, at the bottom of the layers, because the method's kept data (parsed.py), the evaluation
charts kept on disk and the commands' output files all write this way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: bytes) -> None:
    """Write content to path through a temporary file in its folder, renamed over path.

    Raises OSError (the temporary file removed) when the folder cannot be made or written.
    """
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise

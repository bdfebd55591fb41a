"""Characters no installed font can draw, made visible before a PDF is laid out.

WeasyPrint finds a font for each character through fontconfig. A character no font covers (a
private-use character, a script without a font) would be drawn as the font's .notdef glyph,
which PDF/A forbids and text extraction reads back as the lost character. Such characters are
replaced by U+FFFD, the replacement character, drawn as a visible "?" in a diamond. The fonts'
coverage is read once per process from fontconfig (`fc-list`); when fontconfig's tools are
missing nothing is replaced. font_face() names the file fontconfig picks for a family, and what
it covers, for figures that draw text themselves (`fc-match`).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess  # nosec B404 - fc-list, a fixed command without user input
import unicodedata
from bisect import bisect_right
from functools import lru_cache

PLACEHOLDER = "\ufffd"
# Never drawn as glyphs of their own (controls, format characters such as joiners, bidi marks
# and emoji tags, spaces) or handled by shaping (variation selectors): always kept.
_KEPT_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
_VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))

log = logging.getLogger(__name__)


class Coverage:
    """Code points as sorted, merged ranges: built in milliseconds, looked up by bisection."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self.starts = [first for first, _ in merged]
        self.ends = [last for _, last in merged]

    def __contains__(self, point: int) -> bool:
        k = bisect_right(self.starts, point) - 1
        return k >= 0 and point <= self.ends[k]

    def __len__(self) -> int:
        return sum(last - first + 1 for first, last in zip(self.starts, self.ends, strict=True))


def parse_charsets(text: str) -> Coverage:
    """The code points of fontconfig charsets, one font per line ("20-7e a0-377 ...")."""
    ranges: list[tuple[int, int]] = []
    # Fonts share most ranges (fc-list: about 12,000 parts, 2,000 different): each read once.
    for part in set(text.split()):
        first, _, last = part.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    return Coverage(ranges)


@lru_cache(maxsize=1)
def coverage() -> Coverage | None:
    """Every code point some installed font draws, or None when fontconfig cannot be asked."""
    command = shutil.which("fc-list")
    if command is None:
        log.warning("fc-list not found: characters without a font are not replaced")
        return None
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603 - fixed arguments
            [command, "--format", "%{charset}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("fc-list failed (%s): characters without a font are not replaced", error)
        return None
    points = parse_charsets(result.stdout)
    return points if points.starts else None


@lru_cache(maxsize=8)
def font_face(family: str) -> tuple[str, Coverage] | None:
    """The font file fontconfig picks for family (as WeasyPrint would) and the code points it
    covers, or None when fontconfig cannot be asked or has no font of that family (fc-match
    always answers, with some other font as a stand-in: that one is not taken)."""
    command = shutil.which("fc-match")
    if command is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603 - fixed arguments
            [command, "--format", "%{file}\n%{family}\n%{charset}\n", family],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("fc-match failed (%s)", error)
        return None
    path, _, rest = result.stdout.partition("\n")
    families, _, charset = rest.partition("\n")
    if not path or family.casefold() not in {f.strip().casefold() for f in families.split(",")}:
        return None
    return path, parse_charsets(charset)


def drawable(char: str, covered: Coverage | None = None) -> bool:
    """Whether char is drawn (a font covers it) or needs no glyph of its own."""
    point = ord(char)
    if point < 0x80 or unicodedata.category(char) in _KEPT_CATEGORIES:
        return True
    if any(point in selectors for selectors in _VARIATION_SELECTORS):
        return True
    covered = coverage() if covered is None else covered
    return covered is None or point in covered


def visible(text: str, covered: Coverage | None = None) -> str:
    """text with every character no font draws replaced by PLACEHOLDER."""
    if text.isascii():
        return text
    missing = {ord(c): PLACEHOLDER for c in set(text) if not drawable(c, covered)}
    return text.translate(missing) if missing else text


# Combining marks as the usual scripts use them (Latin, Greek, Cyrillic, Hebrew, Arabic, the
# symbols' and half marks' blocks, variation selectors). A letter carries a few; more than
# STACKED in a row is no writing but a tower drawn over the lines above (a "Zalgo" text).
STACKED = 6
_STACK = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u06d6-\u06ed"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f]"
    f"{{{STACKED + 1},}}"
)


def stacks_marks(text: str) -> bool:
    """Whether a letter of the text carries more combining marks than writing does, so that its
    box should cut them off (the report's `clipped` class): one regular-expression search."""
    return bool(_STACK.search(text))

"""Refuse control characters in what users send, before any view or database sees it.

A NUL or another C0 control character (U+0000-U+001F) other than tab, line feed and carriage
return has no place in text a person types: PostgreSQL refuses NUL outright, and the others break
mail headers, CSV and XLSX files, and terminals. Every request is checked as it comes in: the
query string of pages (not of the API, which checks its own parameters) and HTML form fields
(400), JSON bodies, keys and values at any depth (422), and the cells of an uploaded CSV file
(400). The answer names the field, the JSON path or the file's
row and column, on both engines alike. Tabs and line breaks pass and stay as typed.

A JSON body can also carry half of a character: a lone UTF-16 surrogate ("\\ud800"), which no
text a person types holds and which cannot be stored or written as UTF-8. It is refused the same
way (422, `invalid_character`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Flask, abort, request
from flask_babel import gettext as _

from workshops.http import api_abort, first_control

MAX_DEPTH = 64  # JSON nested deeper is refused elsewhere; we stop looking here


def _json_paths(value, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, text) for every key and string in a JSON value."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        yield path or "(body)", value
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from _json_paths(item, child, depth + 1)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _json_paths(item, f"{path}[{n}]", depth + 1)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_control(data: bytes) -> tuple[int, int, str] | None:
    """(row, column, character) of the first cell with a control character, counted from 1."""
    text = _decode(data)
    if not first_control(text):
        return None
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=header.count)
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row_number, row in enumerate(rows, start=1):
            for column, cell in enumerate(row, start=1):
                if char := first_control(cell):
                    return row_number, column, char
    except csv.Error:
        pass
    # Not CSV as the reader takes it: name the line.
    for number, line in enumerate(text.split("\n"), start=1):
        if char := first_control(line):
            return number, 1, char
    return None


def _surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def _message(field: str, char: str) -> str:
    if _surrogate(char):
        return _(
            "%(field)s contains half of a character (U+%(code)s), which cannot be stored: "
            "please type the text again and send it.",
            field=f"«{field}»",
            code=f"{ord(char):04X}",
        )
    return _(
        "%(field)s contains a control character (U+%(code)s). Only tabs and line breaks are "
        "allowed: please remove it and send again.",
        field=f"«{field}»",
        code=f"{ord(char):04X}",
    )


def _refuse(status: int, field: str, char: str) -> None:
    code = "invalid_character" if _surrogate(char) else "control_character"
    api_abort(status, code, _message(field, char))


# A form a person fills in is far smaller (the longest field takes 5,000 characters); uploads are
# multipart and keep MAX_CONTENT_LENGTH.
FORM_BYTES = 1024 * 1024
FORM_FIELDS = 2000


def _oversized_form() -> bool:
    """A url-encoded body too long, or with too many fields, for any form of the app."""
    if (request.content_length or 0) > FORM_BYTES:
        return True
    body = request.get_data(cache=True)  # read once; the form is parsed from it afterwards
    return len(body) > FORM_BYTES or body.count(b"&") >= FORM_FIELDS


def check_request() -> None:
    """Stop the request with 400/422 naming the first field that holds a control character."""
    if not request.path.startswith("/api/"):  # the API reads and checks its own parameters
        for name, value in request.args.items(multi=True):
            if char := first_control(name) or first_control(value):
                _refuse(400, name, char)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype == "application/x-www-form-urlencoded" and _oversized_form():
        abort(413)  # before any field is parsed: a million empty fields cost seconds
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            if char := first_control(name) or first_control(value):
                _refuse(400, name, char)
        for name, upload in request.files.items(multi=True):
            filename = upload.filename or ""
            if not (filename.lower().endswith((".csv", ".txt")) or upload.mimetype == "text/csv"):
                continue
            data = upload.stream.read()
            upload.stream.seek(0)
            found = csv_control(data)
            if found:
                row, column, char = found
                where = _(
                    "%(file)s, row %(row)s, column %(column)s",
                    file=filename or name,
                    row=row,
                    column=column,
                )
                _refuse(400, where, char)
    elif request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:
            return  # the view refuses it as invalid JSON
        for path, text in _json_paths(data, ""):
            if char := first_control(text):
                _refuse(422, path, char)


def init_app(app: Flask) -> None:
    """Check every request before its view runs."""
    app.before_request(check_request)

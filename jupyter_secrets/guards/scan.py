"""Find your own secret values in files: the engine of ``jupyter secrets scan``.

Pattern scanners (gitleaks, detect-secrets) look for things shaped like credentials; this one
knows the real values, so a password with no recognisable shape is found too.  It searches
every file for every value in every form the leak guards know (``redact.py``: as it is, HTML-,
JSON-, Python-string- and URL-escaped, its bytes' ``repr``, with LF, CRLF or CR line endings,
without surrounding whitespace), and also:

- **base64** (standard and URL-safe alphabets) at any alignment: the part of the encoding that
  does not depend on the bytes around the value, so a value inside a longer base64 text
  (``echo -n "$TOKEN" | base64``, a data URL, a basic-auth header) is found;
- in notebooks, **cell attachments** and **binary outputs** (``image/png`` and every other
  base64 MIME type) are decoded and searched as bytes, and multi-line sources and outputs
  (stored as lists of lines) are searched joined, so a pasted key spanning several lines is
  found;
- values that are bytes (not text) are searched as raw bytes, base64 and hex.

Files are searched as bytes, in bounded chunks (a file of any size costs ``CHUNK_BYTES`` of
memory plus the automaton); binary files are searched too and reported by byte offset.
Findings name the file, the line (or byte offset) and the secret, never the value: nothing
here logs, prints, stores in an exception or puts in a ``repr`` any value.

Limits: a value transformed otherwise (reversed, compressed, encrypted, base64 wrapped across
lines outside notebooks, UTF-16) is not found, and values shorter than ``min_length`` are not
searched for (they would match ordinary text).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from jupyter_secrets.guards.redact import DEFAULT_MIN_LENGTH, _forms, _line_ending_variants

__all__ = [
    "CHUNK_BYTES",
    "NOTEBOOK_MAX_BYTES",
    "SKIP_DIRS",
    "Finding",
    "ValueScanner",
    "walk",
]

#: Directories never walked into (named paths inside them are still searched).
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv"})
#: How much of a file is read at once.
CHUNK_BYTES = 4 * 1024 * 1024
#: Notebooks up to this size are also parsed (attachments, outputs, multi-line sources).
NOTEBOOK_MAX_BYTES = 64 * 1024 * 1024
#: A file is binary when this first part of it holds a NUL byte.
_SNIFF_BYTES = 8192

AS_IS, ENCODED, BASE64, HEX = "as is", "encoded", "base64", "hex"


@dataclass(frozen=True, order=True)
class Finding:
    """One place a value was found.  ``line`` is None for a binary file (see ``offset``)."""

    path: str
    line: int | None
    name: str
    form: str = AS_IS
    where: str = ""  # inside a notebook: "cell 3 attachment 'a.png'", ...
    offset: int = field(default=0, compare=False)

    def location(self) -> str:
        if self.line is None:
            return f"{self.path} (binary, byte {self.offset})"
        return f"{self.path}:{self.line}"

    def describe(self) -> str:
        """``path:line: 'name' (form, where)``: never the value."""
        details = ", ".join(part for part in (self.form, self.where) if part)
        return f"{self.location()}: '{self.name}' ({details})"


def _latin1(data: bytes) -> str:
    """Bytes as a str of the same length (one char per byte), for the str-keyed automaton."""
    return data.decode("latin-1")


def _base64_forms(data: bytes) -> Iterator[str]:
    """The parts of ``data``'s base64 that appear whatever bytes surround it, per alignment.

    Encoded after 0, 1 or 2 bytes of something else, the first characters of the encoding
    mix in those bytes and the last ones the bytes after: only the characters made of
    ``data``'s bits alone are kept.
    """
    skip = (0, 2, 3)  # characters touched by the 0, 1 or 2 bytes before
    keep_tail = (0, 1, 2)  # whole characters of a last group of 0, 1 or 2 bytes
    for align in range(3):
        total = align + len(data)
        end = (total // 3) * 4 + keep_tail[total % 3]
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * align + data).decode("ascii")[skip[align] : end]
            yield text


def _forms_of(value: str | bytes) -> Iterator[tuple[bytes, str]]:
    """(bytes to look for, what form they are) for one value."""
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        text: str | None = value
    else:
        data = bytes(value)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    yield data, AS_IS
    if text is not None:
        as_is = {text, text.strip(), *_line_ending_variants(text)}
        for variant in _line_ending_variants(text):
            as_is.add(variant.strip())
        for form in _forms(text):
            yield form.encode("utf-8", "surrogatepass"), AS_IS if form in as_is else ENCODED
    for raw in dict.fromkeys((data, data.strip())):
        for form in _base64_forms(raw):
            yield form.encode("ascii"), BASE64
    if text is None:
        yield data.hex().encode("ascii"), HEX
        yield data.hex().upper().encode("ascii"), HEX


class ValueScanner:
    """Searches bytes and files for the given values; ``values`` maps a secret name to its value.

    Values shorter than ``min_length`` (characters of text, or bytes) are left out: see
    ``skipped``.  Immutable once built, and never holding a value in its ``repr``.
    """

    def __init__(
        self, values: Mapping[str, str | bytes], min_length: int = DEFAULT_MIN_LENGTH
    ) -> None:
        self.min_length = min_length
        self.skipped = sorted(name for name, value in values.items() if len(value) < min_length)
        # pattern -> (names, form); the raw forms first, so that a pattern keeps its plainest
        # description when it is also an encoded form of another value.
        patterns: dict[str, tuple[list[str], str]] = {}
        for name, value in sorted(values.items()):
            if len(value) < min_length:
                continue
            for data, form in _forms_of(value):
                if len(data) < min_length:
                    continue
                key = _latin1(data)
                entry = patterns.get(key)
                if entry is None:
                    patterns[key] = ([name], form)
                elif name not in entry[0]:
                    entry[0].append(name)
        self.names = sorted({name for names, _ in patterns.values() for name in names})
        self._overlap = max(map(len, patterns), default=1) - 1
        self._automaton: Any = None
        if patterns:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
            for key, (names, form) in patterns.items():
                automaton.add_word(key, (len(key), tuple(names), form))
            automaton.make_automaton()
            self._automaton = automaton

    def __bool__(self) -> bool:
        return self._automaton is not None

    def __repr__(self) -> str:
        return f"<ValueScanner of {len(self.names)} secret(s), min_length={self.min_length}>"

    # ------------------------------------------------------------------ bytes

    def find(self, data: bytes) -> list[tuple[int, str, str]]:
        """``(offset, name, form)`` of every value in ``data``: one per place and name."""
        if self._automaton is None or not data:
            return []
        return self._matches(_latin1(data), 0)

    def _matches(self, text: str, first_end: int) -> list[tuple[int, str, str]]:
        """Matches ending at or after ``first_end`` (earlier ones were seen in a previous chunk)."""
        found: dict[tuple[int, str], tuple[int, str]] = {}
        for end, (length, names, form) in self._automaton.iter(text):
            if end < first_end:
                continue
            start = end - length + 1
            for name in names:
                # Overlapping forms of one value at one place (the value and its stripped
                # form) are one finding: keep the longest.
                previous = found.get((start, name))
                if previous is None or previous[0] < length:
                    found[(start, name)] = (length, form)
        merged: list[tuple[int, str, str]] = []
        last_end: dict[str, int] = {}
        for (start, name), (length, form) in sorted(found.items()):
            if start < last_end.get(name, -1):
                continue  # inside a match of the same value already reported
            last_end[name] = start + length
            merged.append((start, name, form))
        return merged

    # ------------------------------------------------------------------ files

    def scan_file(self, path: Path, shown: str | None = None) -> list[Finding]:
        """Every finding in the file at ``path`` (``shown``: how to name it in findings)."""
        shown = shown if shown is not None else str(path)
        if self._automaton is None:
            return []
        findings: dict[tuple[int | None, str, str], Finding] = {}
        with open(path, "rb") as file:
            head = file.read(_SNIFF_BYTES)
            binary = b"\0" in head
            file.seek(0)
            position = 0  # offset in the file of text[0]
            lines = 1  # line number at text[0]
            tail = ""
            while True:
                chunk = file.read(CHUNK_BYTES)
                if not chunk:
                    break
                text = tail + _latin1(chunk)
                # A match ending inside the tail was found in the previous chunk.
                for start, name, form in self._matches(text, len(tail)):
                    line = None if binary else lines + text.count("\n", 0, start)
                    finding = Finding(shown, line, name, form, offset=position + start)
                    findings.setdefault((line, name, ""), finding)
                keep = min(self._overlap, len(text))
                cut = len(text) - keep
                lines += text.count("\n", 0, cut)
                position += cut
                tail = text[cut:]
        if not binary and path.suffix == ".ipynb":
            for finding in self._scan_notebook(path, shown):
                # Where in the notebook says more than the byte scan's finding of that line.
                findings[(finding.line, finding.name, "")] = finding
        return sorted(findings.values(), key=lambda f: (f.line or 0, f.offset, f.name))

    def _scan_notebook(self, path: Path, shown: str) -> Iterator[Finding]:
        """What only a parsed notebook shows: base64 attachments and outputs, joined lines."""
        try:
            if path.stat().st_size > NOTEBOOK_MAX_BYTES:
                return
            raw = path.read_bytes().decode("utf-8")
            notebook = json.loads(raw)
        except (OSError, UnicodeDecodeError, ValueError):
            return  # not a notebook after all: the byte scan covered it
        if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
            return
        lines = _LineFinder(raw)
        for number, cell in enumerate(notebook["cells"], start=1):
            if not isinstance(cell, dict):
                continue
            label = f"cell {number}"
            yield from self._joined(shown, lines, cell.get("source"), f"{label} source")
            attachments = cell.get("attachments")
            if isinstance(attachments, dict):
                for name, bundle in attachments.items():
                    if isinstance(bundle, dict):
                        for mime, data in bundle.items():
                            where = f"{label} attachment '{name}' {mime}"
                            yield from self._decoded(shown, lines, data, where)
            outputs = cell.get("outputs")
            if not isinstance(outputs, list):
                continue
            for output in outputs:
                if not isinstance(output, dict):
                    continue
                yield from self._joined(shown, lines, output.get("text"), f"{label} output")
                traceback = output.get("traceback")
                if isinstance(traceback, list):
                    joined = [line + "\n" for line in traceback if isinstance(line, str)]
                    yield from self._joined(shown, lines, joined, f"{label} traceback")
                data = output.get("data")
                if not isinstance(data, dict):
                    continue
                for mime, content in data.items():
                    where = f"{label} output {mime}"
                    if _is_text_mime(mime):
                        yield from self._joined(shown, lines, content, where)
                    else:
                        yield from self._decoded(shown, lines, content, where)

    def _joined(
        self, shown: str, lines: _LineFinder, content: Any, where: str
    ) -> Iterator[Finding]:
        """A multi-line string stored as a list of lines, searched as one text."""
        if not isinstance(content, list) or len(content) < 2:
            return  # one JSON string: the byte scan saw it with its JSON escapes
        pieces = [piece for piece in content if isinstance(piece, str)]
        text = "".join(pieces)
        starts, offset = [], 0
        for piece in pieces:
            starts.append(offset)
            offset += len(piece)
        encoded = text.encode("utf-8", "surrogatepass")
        for start, name, form in self.find(encoded):
            char_start = len(encoded[:start].decode("utf-8", "replace"))
            index = max(i for i, s in enumerate(starts) if s <= char_start) if starts else 0
            line = lines.line_of_string(pieces[index]) if pieces else None
            yield Finding(shown, line, name, form, where)

    def _decoded(
        self, shown: str, lines: _LineFinder, content: Any, where: str
    ) -> Iterator[Finding]:
        """A base64 attachment or output, decoded and searched as bytes."""
        if isinstance(content, list):
            content = "".join(piece for piece in content if isinstance(piece, str))
        if not isinstance(content, str) or not content:
            return
        try:
            data = base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError):
            return  # not base64: the byte scan covered the text itself
        for _start, name, form in self.find(data):
            form = "base64 data" if form == AS_IS else f"{form} inside base64 data"
            yield Finding(shown, lines.line_of_text(content[:64]), name, form, where)


def _is_text_mime(mime: str) -> bool:
    return (
        mime.startswith("text/")
        or mime.endswith(("+json", "+xml", "/json", "/javascript", "/xml"))
        or mime in ("image/svg+xml", "application/x-latex")
    )


class _LineFinder:
    """Line numbers, in a notebook's JSON text, of the strings of its parsed cells.

    nbformat writes each line of a source or output as one JSON string on its own line, in
    document order: each string is looked for after the previous one found (from the start
    again when it is not there), as ``json.dumps`` would have written it.
    """

    def __init__(self, raw: str):
        self.raw = raw
        self.cursor = 0

    def _line_at(self, index: int) -> int:
        return self.raw.count("\n", 0, index) + 1

    def _find(self, needles: Iterable[str]) -> int | None:
        for needle in needles:
            if not needle:
                continue
            for start in (self.cursor, 0):
                index = self.raw.find(needle, start)
                if index >= 0:
                    self.cursor = index
                    return self._line_at(index)
        return None

    def line_of_string(self, piece: str) -> int | None:
        return self._find(
            (json.dumps(piece, ensure_ascii=False), json.dumps(piece), json.dumps(piece)[:-1])
        )

    def line_of_text(self, start: str) -> int | None:
        return self._find((json.dumps(start, ensure_ascii=False)[:-1],))


def walk(paths: Iterable[Path], skip: Iterable[Path] = ()) -> Iterator[tuple[Path, str | None]]:
    """Every regular file under ``paths``: ``(path, None)``, or ``(path, why not)`` for a path
    that cannot be searched.  Directories in ``SKIP_DIRS`` and the paths in ``skip`` (the
    store, its key, the secrets directory) are left out; symbolic links are never followed
    (git stores a link, not what it points to)."""
    skipped = {os.path.realpath(p) for p in skip}

    def is_skipped(path: Path) -> bool:
        return os.path.realpath(path) in skipped

    for top in paths:
        if top.is_symlink():
            continue
        if not top.exists():
            yield top, "no such file or directory"
            continue
        if is_skipped(top):
            continue
        if top.is_file():
            yield top, None
            continue
        if not top.is_dir():
            continue  # a socket, a FIFO: nothing a commit holds
        for directory, subdirs, files in os.walk(top, followlinks=False):
            subdirs[:] = sorted(
                d for d in subdirs if d not in SKIP_DIRS and not is_skipped(Path(directory, d))
            )
            for name in sorted(files):
                path = Path(directory, name)
                if path.is_symlink() or is_skipped(path) or not path.is_file():
                    continue
                yield path, None

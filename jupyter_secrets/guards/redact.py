"""Find secret values in text and replace them with ``[REDACTED:<slot name>]``.

One engine for both leak guards: the save guard (``guard.py``, in the server) and the kernel
output redaction (``kernel_redact.py``, inside IPython kernels).  It is cheap to import (stdlib,
``pyahocorasick`` and ``ahocorasick_rs`` only; ``orjson`` on first use of the pieces path),
since kernels import it.

How it matches, and why:

- **One pass over the text, whatever the number of values**: every form of every value goes
  into one Aho-Corasick automaton (``pyahocorasick``, C).  A text without any value costs one
  scan in C and nothing in Python.
- **Fast paths, exact all the same** (issue 16): a long text is first asked whether it holds
  any form at all (``ahocorasick_rs``, Rust, on UTF-8 bytes, ~15× pyahocorasick's speed; an
  ASCII text gets all its matches from that search too, as ``Automaton.iter`` gives them), and
  a large JSON container (a notebook) is serialized once (``orjson``) and scanned once for
  the serialized forms, so that only the pieces (cells) holding a value are walked in
  Python.  Both are exact: UTF-8 and JSON escaping encode each character on its own, so a
  text holds a form exactly when its encoding holds the form's encoding.
- **Every occurrence is covered**: we take *all* matches from ``Automaton.iter`` and choose
  the replacements in Python, instead of using ``Automaton.iter_long``.  ``iter_long`` (the
  library's leftmost-longest mode) misses matches in pyahocorasick 2.3.1 — e.g. with the
  values ``知识产权`` and ``国家知识产权局``, the text ``国家知识产权`` yields nothing — and a
  missed match is a leaked value.  ``tests/test_redact.py`` pins that down.
- **Longest wins, nothing is left half visible**: overlapping matches are merged into one
  span.  A value inside a longer value is named only by the longer one; two values that cross
  (``...abcdef`` and ``defghi...``) are both named, and the whole span is replaced.
- **Encoded forms**: a value is also searched for as it appears once escaped by the usual
  encoders of output and saved files — HTML (``html.escape``, with and without quotes), a JSON
  string (``json.dumps(v)[1:-1]``, ASCII and not), a Python ``repr`` (``repr(v)[1:-1]``), the
  ``repr`` of its UTF-8 bytes (``b'\\xc3\\xa9...'``), a URL component (``urllib.parse.quote``)
  and a form field (``quote_plus``, what ``urlencode`` does: ``+`` for a space) — and without
  its surrounding whitespace (a value file often ends with a newline that the code strips).
  A multi-line value is also searched for with LF, CRLF and CR line endings (a pty turns LF
  into CRLF, editors save either).  All map to the value's slot name.
- **Binary values** (bytes) never reach this module as bytes: the server hands them over as
  the texts they appear as (``core/exposed.py: redaction_forms``: their UTF-8 text when they
  decode, the ``repr`` of the bytes, base64 forms, hex), each an ordinary value here, so
  nothing here decodes bytes and nothing fails on bytes that are not UTF-8.
- **Text that arrives in pieces** (kernel streams): ``redact_partial`` redacts what no
  continuation can change and hands back the end that may still grow into a value — only
  the longest end of the text that begins some form of a value, so other output is never
  held back.
- **Short values are ignored**: a value shorter than ``min_length`` (default 6) would match
  ordinary words and numbers everywhere ("admin", "1234"), corrupting output and files for no
  protection.  Such values are not redacted at all; say so to users.

Limits (best effort, documented in the README): a value transformed by code (reversed,
base64-encoded — except a binary value's own base64 forms —, sliced) is not found; a value that itself contains ``[`` or
``]`` could in theory be re-formed by a replacement marker and the text around it; and a value
that is part of a marker (of its slot's name, say) is of course still seen inside the marker.

Nothing here ever logs a value or puts one in an exception or a ``repr``.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import quote, quote_plus

import ahocorasick
import ahocorasick_rs

__all__ = ["DEFAULT_MIN_LENGTH", "CleanStrings", "Redactor", "marker"]

#: Values shorter than this are not redacted (see the module docstring).
DEFAULT_MIN_LENGTH = 6

#: Texts at least this long are first checked by the prefilter (see ``_Prefilter``).
_PREFILTER_MIN_CHARS = 256


class CleanStrings:
    """Long strings already found free of values, for one Redactor: a bounded memo.

    A notebook is saved again and again (autosave, and real-time collaboration saves a second
    after each change) while most of its text stays the same; scanning a 5 MB notebook costs
    about as much as writing it.  Membership is exact (``str`` equality), so a string is skipped
    only if it is the very text that was checked.  Only strings of at least ``min_chars`` are
    kept (short ones are cheaper to scan than to remember); past ``max_chars`` in total the memo
    starts over.  Valid for one Redactor only: use a new one when the values change.
    """

    def __init__(self, min_chars: int = 512, max_chars: int = 32 * 1024 * 1024):
        self.min_chars = min_chars
        self.max_chars = max_chars
        self._strings: set[str] = set()
        self._chars = 0

    def __contains__(self, text: str) -> bool:
        return len(text) >= self.min_chars and text in self._strings

    def __len__(self) -> int:
        return len(self._strings)

    def add(self, text: str) -> None:
        if not self.min_chars <= len(text) <= self.max_chars or text in self._strings:
            return
        if self._chars + len(text) > self.max_chars:
            self._strings.clear()
            self._chars = 0
        self._strings.add(text)
        self._chars += len(text)


class _Occurrences:
    """Where patterns occur in bytes, as reported by a non-overlapping search: whenever some
    pattern occurs, a reported match overlaps it (or is it).  Rust, ``ahocorasick_rs``.

    ``grouped``: up to 128 patterns are searched in two groups of at most 64 with a
    leftmost-first search, which the ``aho-corasick`` crate can run with its SIMD "Teddy"
    searcher (64 patterns at most, leftmost searches only): for tokens of mixed case and digits
    over notebook text, ~1.6 ms per group over the 5.6 MB notebook here against ~12 ms for one
    standard automaton of 100 patterns (issue 16).  Data-dependent: when Teddy is not chosen
    (patterns sharing their first bytes) or finds candidates everywhere (lower-case values in
    lower-case text), each group costs what the single automaton did, so at most two groups
    (at worst 2x of a scan that is ~4% of the save), and only for the notebook scan; the kernel
    output's streams keep one automaton.  Either way, an occurrence that is not reported
    overlaps a reported match (a leftmost search reports the leftmost match at or after
    where it resumes).
    """

    _GROUP = 64

    def __init__(self, encoded: list[bytes], grouped: bool = False):
        size = self._GROUP
        if grouped and len(encoded) <= 2 * size:
            leftmost = ahocorasick_rs.MatchKind.LeftmostFirst
            self._searches = [
                ahocorasick_rs.BytesAhoCorasick(encoded[i : i + size], matchkind=leftmost)
                for i in range(0, len(encoded), size)
            ]
        else:
            self._searches = [ahocorasick_rs.BytesAhoCorasick(encoded)]

    def any(self, data: bytes) -> bool:
        return any(search.find_matches_as_indexes(data) for search in self._searches)

    def starts(self, data: bytes) -> list[int]:
        return [
            start
            for search in self._searches
            for _, start, _ in search.find_matches_as_indexes(data)
        ]


class _Prefilter:
    """Does a text hold any of the patterns at all?  A yes/no answer in Rust, on UTF-8 bytes.

    pyahocorasick walks its automaton at about 30 MB/s on ``str``; ``ahocorasick_rs`` (the
    Rust ``aho-corasick`` crate) answers on bytes at about 500 MB/s.  Most text holds no value,
    so a long text is first asked here and goes to the (exact, all-matches) pyahocorasick pass
    only when some pattern is in it.  Exact, not a heuristic: UTF-8 (with ``surrogatepass``)
    encodes each code point on its own, so a text holds a pattern exactly when its bytes hold
    the pattern's bytes.

    For an ASCII text it also gives every match itself (``matches_of_ascii``), since byte
    offsets are then character offsets: a long text that holds a value (a cell's output
    showing a token) needs no pyahocorasick pass either (issue 16).
    """

    def __init__(self, names_by_pattern: Mapping[str, str]):
        # Distinct strings have distinct UTF-8 bytes: index i of the matcher is pattern i.
        encoded = [p.encode("utf-8", "surrogatepass") for p in names_by_pattern]
        self._found = [(len(p), name) for p, name in names_by_pattern.items()]
        self._matcher = ahocorasick_rs.BytesAhoCorasick(encoded)

    def holds_any(self, text: str) -> bool:
        # Standard (non-overlapping) search reports a match whenever any pattern occurs.
        return bool(self._matcher.find_matches_as_indexes(text.encode("utf-8", "surrogatepass")))

    def matches_of_ascii(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, -length, name)`` of every match in ``text``, which must be ASCII.

        Overlapping search: every occurrence of every pattern, as pyahocorasick's ``iter``.
        """
        found = self._found
        return [
            (start, -found[i][0], found[i][1])
            for i, start, _ in self._matcher.find_matches_as_indexes(
                text.encode("ascii"), overlapping=True
            )
        ]


#: A container is redacted through its serialized text (``Redactor._redact_pieces``) when it
#: splits into at least this many pieces (a notebook's cells, say); smaller ones are walked.
_PIECES_MIN = 16


#: The grouped search is kept for a value set when it scans a sample of this size at this
#: rate at least (the single automaton does ~0.45 GB/s here; two groups ~1.5 GB/s when the
#: SIMD searcher fits the values, ~0.2 GB/s when not).
_SAMPLE_BYTES = 256 * 1024
_FAST_BYTES_PER_S = 0.9e9  # twice the single automaton
_CHOOSE_MIN_BYTES = 1_000_000  # smaller texts use the single automaton


class _SerializedPrefilter:
    """Which pieces of a container hold the serialized form of some pattern: one ``orjson``
    serialization of all the pieces and one scan of it (Rust), whatever their number.

    JSON escapes each character of a string on its own (``orjson``: ``"``, ``\\`` and control
    characters), so a string holds a pattern exactly when its serialized text holds the
    pattern's serialized text: one scan tells which pieces can hold a value, and only those
    are walked.  The pieces are serialized in one call (a call per piece costs ~8x more,
    orjson's per-call buffer: that was a third of the guard's time on a large notebook,
    issue 16), as an indented object keyed by their index, ``{"0": piece, "1": piece}``.  In
    that text a raw newline is never inside a string (it is escaped) and only the lines of
    those keys begin with a newline, exactly two spaces and a quote (deeper lines are indented
    more, a piece's closing bracket has no quote): the piece holding a match is named by the
    nearest such line before it.  No serialized pattern holds a raw newline, so none matches
    across two pieces.
    """

    #: How each piece's line begins (``OPT_INDENT_2``): newline, two spaces, the key's quote.
    _KEY_LINE = b'\n  "'

    def __init__(self, patterns: Iterable[str]):
        import orjson  # lazily: kernels mostly redact small messages, the server large files

        self._dumps = orjson.dumps
        self._indent = orjson.OPT_INDENT_2
        self._encoded = list(dict.fromkeys(orjson.dumps(p)[1:-1] for p in patterns))
        self._grouped: _Occurrences | None = None  # (see _search)
        self._single: _Occurrences | None = None
        self._chosen: _Occurrences | None = None

    def _search(self, text: bytes) -> _Occurrences:
        """The grouped (SIMD) search when a sample of the first large text shows it fast, else
        one standard automaton.  Only speed depends on the choice: both are exact.

        The grouped search is ~6x faster on typical tokens and ~2x slower on lower-case values
        in lower-case text (see ``_Occurrences``); which one a value set gets is measured once,
        on the first 256 KiB of its first text of at least 1 MB (~0.1 ms when fast)."""
        if self._chosen is not None:
            return self._chosen
        if len(self._encoded) <= 2 * _Occurrences._GROUP and len(text) >= _CHOOSE_MIN_BYTES:
            if self._grouped is None:
                self._grouped = _Occurrences(self._encoded, grouped=True)
            sample = text[:_SAMPLE_BYTES]
            start = time.perf_counter()
            self._grouped.starts(sample)
            if (time.perf_counter() - start) * _FAST_BYTES_PER_S <= len(sample):
                self._chosen = self._grouped
                return self._chosen
        if self._single is None:
            self._single = _Occurrences(self._encoded)
        self._chosen = self._single if len(text) >= _CHOOSE_MIN_BYTES else None
        return self._single

    def pieces_hit(self, pieces: list[Any]) -> set[int]:
        """The indexes of the ``pieces`` whose serialized text holds some serialized pattern.

        Raises ``TypeError`` (``orjson.JSONEncodeError``) for what orjson cannot serialize.
        """
        text = self._dumps({str(i): piece for i, piece in enumerate(pieces)}, option=self._indent)
        # An occurrence that is not reported overlaps a reported match, which is then in the
        # same piece; a clean text ends here, after one scan.
        hit: set[int] = set()
        for start in self._search(text).starts(text):
            line = text.rfind(self._KEY_LINE, 0, start)
            key = text[line + 4 : text.find(b'"', line + 4)]
            if line < 0 or not key.isdigit() or int(key) >= len(pieces):
                return set(range(len(pieces)))  # not the layout this relies on: walk them all
            hit.add(int(key))
        return hit


def marker(slot_name: str) -> str:
    """What replaces a value of ``slot_name``."""
    return f"[REDACTED:{slot_name}]"


def _line_ending_variants(value: str) -> Iterable[str]:
    """``value`` as it may come back through a terminal or an editor: LF, CRLF or CR endings.

    A pty turns each LF into CRLF (``!cat file`` in a notebook), a Windows editor saves CRLF,
    old Mac text uses CR.  The value itself comes first.
    """
    if "\n" not in value and "\r" not in value:
        return (value,)
    lf = value.replace("\r\n", "\n").replace("\r", "\n")
    pty = value.replace("\n", "\r\n")  # a CRLF value through a pty: CR CR LF
    return dict.fromkeys((value, lf, lf.replace("\n", "\r\n"), lf.replace("\n", "\r"), pty))


def _replace(text: str, spans: list[tuple[int, int, list[str]]]) -> str:
    """``text`` with each span replaced by the markers of its slot names."""
    pieces: list[str] = []
    position = 0
    for start, end, names in spans:
        pieces.append(text[position:start])
        pieces.extend(marker(name) for name in names)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _forms(value: str) -> Iterable[str]:
    """The forms of ``value`` searched for: itself first, then its common encodings.

    Every line-ending variant is searched for as it is and stripped; the encodings are those
    of the value itself (each form of a long value costs memory in the automaton, about
    50 bytes a character, so the variants are not multiplied by the encoders).
    """
    for base in dict.fromkeys((value, value.strip())):
        yield base
        yield html.escape(base)
        yield html.escape(base, quote=False)
        yield json.dumps(base)[1:-1]
        yield json.dumps(base, ensure_ascii=False)[1:-1]
        yield repr(base)[1:-1]
        yield repr(base.encode("utf-8", "surrogatepass"))[2:-1]  # print(value.encode())
        yield quote(base, safe="")
        yield quote(base)
        yield quote_plus(base)  # form encoding (urlencode): "+" for a space
    for variant in _line_ending_variants(value):
        yield variant
        yield variant.strip()


class Redactor:
    """Replaces every occurrence of the given values (and their encoded forms) in text.

    ``names_by_value`` maps each secret value to its slot name.  Immutable once built: build
    a new one when the values change.  Safe to share between threads.
    """

    def __init__(self, names_by_value: Mapping[str, str], min_length: int = DEFAULT_MIN_LENGTH):
        self.min_length = min_length
        patterns: dict[str, str] = {}
        # Raw values first, so that a value always keeps its own name even when it equals an
        # encoded form of another; sorted so that the result does not depend on dict order.
        kept = sorted(
            (name, value)
            for value, name in names_by_value.items()
            if isinstance(value, str) and len(value) >= min_length
        )
        for name, value in kept:
            patterns.setdefault(value, name)
        for name, value in kept:
            for form in _forms(value):
                if len(form) >= min_length:
                    patterns.setdefault(form, name)
        self._names = frozenset(name for name, _ in kept)
        self._automaton = None
        self._prefilter = _Prefilter(patterns) if patterns else None
        self._patterns = tuple(patterns)  # for _serialized(), built on first use
        self._serialized_prefilter: _SerializedPrefilter | Literal[False] | None = None
        # For redact_partial: the longest form, and where a form may begin in a text.
        self._max_length = max(map(len, patterns), default=0)
        firsts = sorted({pattern[0] for pattern in patterns})
        self._first_chars = (
            re.compile("[" + "".join(map(re.escape, firsts)) + "]") if firsts else None
        )
        if patterns:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
            for pattern, name in patterns.items():
                automaton.add_word(pattern, (len(pattern), name))
            automaton.make_automaton()
            self._automaton = automaton

    def __bool__(self) -> bool:
        """False when there is nothing to redact (callers skip work then)."""
        return self._automaton is not None

    def __repr__(self) -> str:
        # Never the values; only how many slots are covered.
        return f"<Redactor of {len(self._names)} slot(s), min_length={self.min_length}>"

    @property
    def max_length(self) -> int:
        """Length of the longest form searched for (0 when there is none)."""
        return self._max_length

    @property
    def slot_names(self) -> frozenset[str]:
        """The slot names whose values this redactor looks for."""
        return self._names

    def redact(self, text: str) -> tuple[str, set[str]]:
        """``text`` with every value replaced by ``[REDACTED:<slot name>]``, and the names hit."""
        if self._automaton is None or not text:
            return text, set()
        spans = self._spans(text)
        if not spans:
            return text, set()
        return _replace(text, spans), {name for _, _, names in spans for name in names}

    def redact_partial(self, text: str) -> tuple[str, str, set[str]]:
        """For text that more text may follow (a stream): ``(head, tail, names)``.

        ``head`` is the redacted part of ``text`` that no continuation can change; ``tail`` is
        the rest, as it is, to be put before the next piece (or redacted alone when none
        comes).  The tail is the longest end of ``text`` that is the beginning of some form of
        a value (extended back to the start of a match it cuts), so text that cannot begin a
        value is never held back: usually the tail is empty.
        """
        if self._automaton is None or not text:
            return text, "", set()
        cut = len(text) - self._unfinished_length(text)
        spans = self._spans(text)
        for start, end, _ in spans:
            if start < cut < end:  # (spans are disjoint: at most one crosses the cut)
                cut = start
        spans = [span for span in spans if span[1] <= cut]
        names = {name for _, _, span_names in spans for name in span_names}
        return _replace(text[:cut], spans), text[cut:], names

    def _unfinished_length(self, text: str) -> int:
        """Length of the longest end of ``text`` that is a proper beginning of a form."""
        automaton, first_chars = self._automaton, self._first_chars
        if automaton is None or first_chars is None:
            return 0
        # Only ends shorter than the longest form can still grow into one.
        for found in first_chars.finditer(text, max(0, len(text) - self._max_length + 1)):
            i = found.start()
            # Automaton.match(key): is key the beginning of some pattern (in C)?  A short probe
            # first, so that a long text costs little.
            if automaton.match(text[i : i + 16]) and automaton.match(text[i:]):
                return len(text) - i
        return 0

    def _spans(self, text: str) -> list[tuple[int, int, list[str]]]:
        """Where values are: disjoint ``(start, end, slot names)``, in order."""
        # (start, -length, name) of every match, overlapping ones included.
        assert self._automaton is not None  # callers return early for a matcher of no value
        prefilter = self._prefilter
        found = None
        if len(text) >= _PREFILTER_MIN_CHARS and prefilter:
            # The standard search first: on clean text (most output) it is ~25% faster than
            # the overlapping one, which only a text holding a value then pays.
            if not prefilter.holds_any(text):
                return []
            if text.isascii():  # (O(1))
                found = prefilter.matches_of_ascii(text)
        if found is None:
            found = [
                (end - length + 1, -length, name)
                for end, (length, name) in self._automaton.iter(text)
            ]
        found.sort()
        spans: list[tuple[int, int, list[str]]] = []
        for start, negative_length, name in found:
            end = start - negative_length
            if spans and start < spans[-1][1]:  # overlaps the current span
                span_start, span_end, span_names = spans[-1]
                if end > span_end:  # crosses it: not inside a longer value, so it is named
                    if span_names[-1] != name:
                        span_names.append(name)
                    spans[-1] = (span_start, end, span_names)
                continue
            spans.append((start, end, [name]))
        return spans

    def redact_json(self, obj: Any, clean: CleanStrings | None = None) -> tuple[Any, set[str]]:
        """Redact every string of a JSON-like object (dicts, lists, tuples, strings).

        Dict keys are redacted too: an ``application/json`` output or a metadata dict can be
        keyed by a value (``{token: user}``).  Two keys that become equal keep both entries
        (a `` (2)``, `` (3)``... suffix).  Untouched parts are returned as the same objects, so
        a clean notebook costs no copy; containers holding a value are new objects (the
        input is never modified).  Other types are returned as they are.

        ``clean``, if given, remembers long strings found free of values *by this redactor*,
        so that saving the same large notebook again skips what it already checked (see
        :class:`CleanStrings`).
        """
        if self._automaton is None:
            return obj, set()
        hit: set[str] = set()
        fast = self._redact_pieces(obj, hit, clean)
        if fast is not None:
            return fast, hit
        return self._walk(obj, hit, clean), hit

    def _serialized(self) -> _SerializedPrefilter | None:
        if self._serialized_prefilter is None:
            try:
                self._serialized_prefilter = _SerializedPrefilter(self._patterns)
            except (ImportError, TypeError):  # no orjson; a pattern that is not UTF-8
                self._serialized_prefilter = False
        return self._serialized_prefilter or None

    def _redact_pieces(self, obj: Any, hit: set[str], clean: CleanStrings | None) -> Any:
        """``redact_json`` of a large container by its serialized pieces; None: walk it instead.

        The pieces are its values, a list value giving one piece per item (a notebook's
        cells).  Each is serialized (``orjson``, in C), all are scanned at once (in Rust), and
        only the pieces whose text holds a value are walked: the result is the walk's, at a
        fraction of its cost.  Anything ``orjson`` refuses (other types, keys that are not
        strings, lone surrogates), or a dict key holding a value, is left to the walk.
        """
        if isinstance(obj, dict):
            if any(type(key) is not str or self._spans(key) for key in obj):
                return None
            places = [
                (key, i, item)
                for key, value in obj.items()
                for i, item in (
                    enumerate(value) if type(value) is list and value else ((None, value),)
                )
            ]
        elif type(obj) is list:
            places = [(None, i, item) for i, item in enumerate(obj)]
        else:
            return None
        if len(places) < _PIECES_MIN:
            return None
        serialized = self._serialized()
        if serialized is None:
            return None
        try:
            hit_pieces = serialized.pieces_hit([item for _, _, item in places])
        except TypeError:  # (orjson.JSONEncodeError is one)
            return None
        changed: dict[tuple[Any, Any], Any] = {}
        for n in sorted(hit_pieces):
            key, i, item = places[n]
            new = self._walk(item, hit, clean)
            if new is not item:
                changed[key, i] = new
        if not changed:
            return obj
        if type(obj) is list:
            return [changed.get((None, i), item) for i, item in enumerate(obj)]
        result = dict(obj)
        for key in dict.fromkeys(key for key, _ in changed):
            value = obj[key]
            if type(value) is list and value:
                result[key] = [changed.get((key, j), item) for j, item in enumerate(value)]
            else:
                result[key] = changed[key, None]
        return result

    def _walk(self, obj: Any, hit: set[str], clean: CleanStrings | None) -> Any:
        if isinstance(obj, str):
            if clean is not None and obj in clean:
                return obj
            text, names = self.redact(obj)
            if names:
                hit.update(names)
            elif clean is not None:
                clean.add(obj)
            return text
        if isinstance(obj, dict):
            changed = False
            items = []
            for key, value in obj.items():
                new_key = self._walk(key, hit, None) if isinstance(key, str) else key
                new_value = self._walk(value, hit, clean)
                changed = changed or new_key is not key or new_value is not value
                items.append((new_key, new_value))
            if not changed:
                return obj
            result: dict[Any, Any] = {}
            for key, value in items:
                unique, n = key, 1
                while unique in result:
                    n += 1
                    unique = f"{key} ({n})"
                result[unique] = value
            return result
        if isinstance(obj, (list, tuple)):
            new = [self._walk(item, hit, clean) for item in obj]
            if all(a is b for a, b in zip(new, obj)):
                return obj
            return new
        return obj

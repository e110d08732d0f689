"""The fast paths of the matching engine give exactly what the plain walk gives.

``Redactor.redact_json`` serializes a large container's pieces (a notebook's cells) and walks
only those whose text holds a value; ``Redactor.redact`` asks a Rust prefilter first for long
texts.  Both must find every value the exact pass finds: these tests compare them with the
walk (``_walk``) on random documents full of values, encoded forms, escapes, surrogates and
odd types, and check the cases that must fall back to the walk.
"""

from __future__ import annotations

import random
import string

from hypothesis import given, settings
from hypothesis import strategies as st

import jupyter_secrets.guards.redact as redact_module
from jupyter_secrets.guards.redact import CleanStrings, Redactor

VALUES = [
    "tok-" + "A1b2C3d4" * 3,
    'quo"te\\back\\slash-value',
    "multi\nline\tvalue-1234",
    "caf\u00e9-\u56fd\u5bb6-\U0001f600-secret",
    "<html&'value'>",
]
NAMES = {value: f"slot {i}" for i, value in enumerate(VALUES)}


def walked(redactor: Redactor, obj):
    hit: set[str] = set()
    return redactor._walk(obj, hit, None), hit


def random_text(rng: random.Random, with_value: bool) -> str:
    filler = "".join(
        rng.choices(string.ascii_letters + ' "\\\n\t\u00e9\u2028', k=rng.randint(0, 300))
    )
    if not with_value:
        return filler
    value = rng.choice(VALUES)
    form = rng.choice([value, value.encode().decode("latin-1"), repr(value)[1:-1], value.strip()])
    cut = rng.randint(0, len(filler))
    return filler[:cut] + form + filler[cut:]


def random_notebook(rng: random.Random, cells: int, leak_every: int) -> dict:
    return {
        "nbformat": 4,
        "metadata": {"kernelspec": {"name": "python3"}, "note": random_text(rng, False)},
        "cells": [
            {
                "cell_type": "code",
                "source": random_text(rng, i % leak_every == 0),
                "outputs": [
                    {"output_type": "stream", "text": random_text(rng, i % leak_every == 1)},
                    {"data": {"text/html": random_text(rng, False), "n": i, "f": 1.5}},
                ],
                "execution_count": None,
            }
            for i in range(cells)
        ],
    }


def test_notebook_fast_path_equals_the_walk():
    rng = random.Random(7)
    redactor = Redactor(NAMES)
    for leak_every in (3, 17, 10_000):
        notebook = random_notebook(rng, 60, leak_every)
        expected = walked(redactor, notebook)
        got = redactor.redact_json(notebook)
        assert got == expected
        if not expected[1]:
            assert got[0] is notebook  # a clean notebook costs no copy
        else:
            # containers that hold a value are new; the clean cells are the same objects
            assert got[0] is not notebook and got[0]["cells"] is not notebook["cells"]
            for old, new, exp in zip(notebook["cells"], got[0]["cells"], expected[0]["cells"]):
                assert (new is old) == (exp is old)


def test_fast_path_is_taken_and_finds_a_value_in_one_cell_of_many():
    redactor = Redactor(NAMES)
    cells = [{"source": f"print({i})", "outputs": []} for i in range(200)]
    cells[150]["outputs"].append({"text": f"the token is {VALUES[0]}!"})
    notebook = {"cells": cells, "metadata": {}}
    assert redactor._redact_pieces(notebook, set(), None) is not None  # not the walk
    out, names = redactor.redact_json(notebook)
    assert names == {"slot 0"}
    assert out["cells"][150]["outputs"][0]["text"] == "the token is [REDACTED:slot 0]!"
    assert out["cells"][149] is cells[149] and notebook["cells"][150] is cells[150]
    assert VALUES[0] in cells[150]["outputs"][0]["text"]  # the input is never modified


def test_json_escaped_values_are_found_in_pieces():
    """A value with quotes, backslashes, control and non-ASCII characters: its serialized
    form differs from the value, and must still be found."""
    redactor = Redactor(NAMES)
    for value in VALUES:
        pieces = [f"clean {i}" for i in range(40)] + [f"x{value}y"]
        out, names = redactor.redact_json(pieces)
        assert names == {NAMES[value]}, value
        assert out[-1] == f"x[REDACTED:{NAMES[value]}]y"


def test_a_value_in_a_dict_key_is_found_and_keys_stay_unique():
    redactor = Redactor(NAMES)
    doc = {f"k{i}": i for i in range(40)}
    doc[f"key {VALUES[0]}"] = 1
    out, names = redactor.redact_json(doc)
    assert names == {"slot 0"} and "key [REDACTED:slot 0]" in out
    inner = [{f"a{VALUES[0]}": 1, "a[REDACTED:slot 0]": 2}] + [{"x": i} for i in range(40)]
    out, names = redactor.redact_json(inner)
    assert out == walked(redactor, inner)[0]
    assert set(out[0]) == {"a[REDACTED:slot 0]", "a[REDACTED:slot 0] (2)"}


def test_what_orjson_refuses_falls_back_to_the_walk():
    redactor = Redactor(NAMES)
    lone = "\ud800" + VALUES[0]  # a lone surrogate: not UTF-8, orjson refuses it
    for odd in (lone, {1: VALUES[0]}, 2**70, b"bytes", {VALUES[0]}):
        doc = [f"clean {i}" for i in range(40)] + [odd, f"and {VALUES[1]}"]
        assert redactor.redact_json(doc) == walked(redactor, doc), type(odd)


def test_small_containers_and_no_orjson_use_the_walk(monkeypatch):
    redactor = Redactor(NAMES)
    small = {"text": VALUES[0]}
    assert redactor._redact_pieces(small, set(), None) is None
    assert redactor.redact_json(small) == ({"text": "[REDACTED:slot 0]"}, {"slot 0"})
    monkeypatch.setattr(redactor, "_serialized_prefilter", False)  # as without orjson
    doc = [f"clean {i}" for i in range(40)] + [VALUES[2]]
    assert redactor.redact_json(doc) == walked(redactor, doc)


def test_clean_memo_still_applies_in_walked_pieces():
    redactor = Redactor(NAMES)
    clean = CleanStrings(min_chars=10)
    long_clean = "x" * 600
    doc = [[long_clean, VALUES[0]]] + [f"c{i}" for i in range(40)]
    out, names = redactor.redact_json(doc, clean)
    assert names == {"slot 0"} and long_clean in clean


def test_long_text_prefilter_equals_the_exact_pass(monkeypatch):
    rng = random.Random(3)
    redactor = Redactor(NAMES)
    for _ in range(200):
        text = "".join(random_text(rng, rng.random() < 0.5) for _ in range(5))
        fast = redactor.redact(text)
        monkeypatch.setattr(redact_module, "_PREFILTER_MIN_CHARS", 10**9)
        exact = redactor.redact(text)
        monkeypatch.undo()
        assert fast == exact
        assert redactor.redact_partial(text) == redactor.redact_partial(text)


def json_pieces(text_size: int, extra: tuple = (), max_leaves: int = 12, min_size: int = 1):
    """Lists of JSON documents whose strings and keys sometimes hold one of ``VALUES``."""
    return st.lists(
        st.recursive(
            st.one_of(
                st.text(max_size=text_size),
                st.sampled_from(VALUES).map(lambda v: f"..{v}.."),
                st.integers(-(2**40), 2**40),
                *extra,
                st.none(),
                st.booleans(),
            ),
            lambda children: st.one_of(
                st.lists(children, max_size=4),
                st.dictionaries(
                    st.one_of(st.text(max_size=8), st.sampled_from(VALUES)), children, max_size=3
                ),
            ),
            max_leaves=max_leaves,
        ),
        min_size=min_size,
        max_size=40,
    )


@settings(max_examples=150, deadline=None)
@given(json_pieces(40, max_leaves=12, min_size=16))
def test_fast_path_equals_the_walk_on_any_json(doc):
    redactor = Redactor(NAMES)
    assert redactor.redact_json(doc) == walked(redactor, doc)
    assert redactor.redact_json({"cells": doc, "m": {}}) == walked(
        redactor, {"cells": doc, "m": {}}
    )


def _pieces_holding_a_form(redactor: Redactor, pieces: list) -> set[int]:
    """The definition ``pieces_hit`` must meet: each piece's own serialized text is searched."""
    import orjson

    forms = {orjson.dumps(p)[1:-1] for p in redactor._patterns}
    return {i for i, piece in enumerate(pieces) if any(f in orjson.dumps(piece) for f in forms)}


@settings(max_examples=150, deadline=None)
@given(json_pieces(30, (st.floats(allow_nan=False),), max_leaves=10))
def test_one_serialization_names_exactly_the_pieces_holding_a_form(pieces):
    """One orjson text of all the pieces, one scan: the pieces it names are exactly those whose
    own serialization holds a serialized form (empty containers, scalars, keys, escapes and
    newlines in strings included), never every piece as the layout's fallback would."""
    redactor = Redactor(NAMES)
    serialized = redactor._serialized()
    assert serialized is not None
    assert serialized.pieces_hit(pieces) == _pieces_holding_a_form(redactor, pieces)


def test_ascii_long_texts_take_every_match_from_the_rust_search(monkeypatch):
    """A long ASCII text gets its matches from the Rust prefilter (overlapping search) in place
    of pyahocorasick's pass: the same spans, nested, crossing and repeated values included."""
    rng = random.Random(11)
    ascii_values = ["tok-" + "A1b2C3d4" * 3, "b2C3d4A1b2", "d4A1b2C3xyz", "plain-value-42"]
    redactor = Redactor({v: f"s{i}" for i, v in enumerate(ascii_values)})
    calls = []
    original = redactor._prefilter.matches_of_ascii
    monkeypatch.setattr(
        redactor._prefilter, "matches_of_ascii", lambda t: calls.append(1) or original(t)
    )
    holding = 0
    for _ in range(200):
        parts = []
        for _ in range(rng.randint(1, 8)):
            parts.append(
                "".join(rng.choices(string.ascii_letters + ' "\\\n', k=rng.randint(0, 200)))
            )
            if rng.random() < 0.6:
                value = rng.choice(ascii_values)
                parts.append(rng.choice([value, value[: rng.randint(1, len(value))], value * 2]))
        text = "".join(parts).ljust(300, ".")
        holding += redactor._prefilter.holds_any(text)
        fast = redactor.redact(text)
        monkeypatch.setattr(redact_module, "_PREFILTER_MIN_CHARS", 10**9)
        exact = redactor.redact(text)
        monkeypatch.setattr(redact_module, "_PREFILTER_MIN_CHARS", 256)
        assert fast == exact
    # the fast path was the one taken, for each text holding a value (clean ones stop sooner)
    assert len(calls) == holding > 100


def test_many_values_searched_in_groups_or_at_once_find_the_same(monkeypatch):
    """The notebook scan searches up to 128 patterns in two SIMD groups of 64 (leftmost-first),
    more in one standard automaton: both name the same pieces, whichever group a value's
    pattern fell in, and the long-text redaction still equals the exact pass."""
    rng = random.Random(13)
    monkeypatch.setattr(redact_module, "_CHOOSE_MIN_BYTES", 0)  # choose on these small texts
    for count, rate, groups in ((70, 0, 2), (70, float("inf"), 1), (300, 0, 1)):
        # 70 values: two groups, or the single automaton when the sample is slow; 300: one
        monkeypatch.setattr(redact_module, "_FAST_BYTES_PER_S", rate)
        values = ["v" + "".join(rng.choices(string.ascii_letters, k=15)) for _ in range(count)]
        redactor = Redactor({v: f"s{i}" for i, v in enumerate(values)})
        serialized = redactor._serialized()
        assert serialized is not None
        pieces = [
            f"row {i} " * 40 + (rng.choice(values) if i % 7 == 0 else "clean") for i in range(60)
        ]
        pieces.append("x" * 300 + values[-1])  # the last pattern: in the last group
        assert serialized.pieces_hit(pieces) == _pieces_holding_a_form(redactor, pieces)
        assert serialized._chosen is not None
        assert len(serialized._chosen._searches) == groups
        for text in pieces:
            fast = redactor.redact(text)
            monkeypatch.setattr(redact_module, "_PREFILTER_MIN_CHARS", 10**9)
            assert fast == redactor.redact(text)
            monkeypatch.setattr(redact_module, "_PREFILTER_MIN_CHARS", 256)

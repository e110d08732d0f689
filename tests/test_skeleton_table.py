"""The look-alike table of ``rules.name_key``, filled one character at a time (issue 16), maps
every character as the table built whole from ``confusables.txt`` did."""

from __future__ import annotations

import random
import unicodedata

from jupyter_secrets import rules


def whole_table() -> dict[int, str | None]:
    """The table as it was built before: every prototype parsed, every invisible code point."""
    table: dict[int, str | None] = {}
    with open(rules._CONFUSABLES_FILE, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            source, prototype = line.rstrip("\n").split(";")
            table[int(source, 16)] = "".join(chr(int(cp, 16)) for cp in prototype.split())
    for code in (*range(0x20000), *range(0xE0000, 0xE1000)):
        if rules._is_invisible(chr(code)):
            table[code] = None
    return table


def test_every_character_maps_as_in_the_whole_table():
    whole = whole_table()
    lazy = rules._SkeletonTable(rules._CONFUSABLES_FILE.read_text(encoding="utf-8"))
    rng = random.Random(5)
    codes = {
        *whole,  # every prototype and every invisible character
        *range(0x3000),  # Latin, Greek, Cyrillic, ... and the ASCII names are made of
        *(rng.randrange(0x110000) for _ in range(3000)),
        0x10FFFF,
    }
    codes -= set(range(0xD800, 0xE000))  # lone surrogates: names refuse them
    for code in sorted(codes):
        assert chr(code).translate(lazy) == chr(code).translate(whole), hex(code)


def test_name_key_still_tells_look_alikes():
    assert rules.name_key("db-p\u0430ssword") == rules.name_key("db-password")  # Cyrillic a
    assert rules.name_key("token-0") == rules.name_key("token-O")
    assert rules.name_key("a\u200bb") == rules.name_key("ab")  # an invisible one is removed
    assert rules.name_key("Token") != rules.name_key("token")
    assert rules.name_key("caf\u00e9") == unicodedata.normalize("NFD", "caf\u00e9")

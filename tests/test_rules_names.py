"""Names that look the same (issue 11.9, and the name part of 12.3).

`db-password`, `db\u200b-password` (zero-width space) and `db-pаssword` (Cyrillic а) were three
secrets; C1 controls and bidi overrides were accepted; NFC-equal slot names coexisted in one
project.  Now: invisible, control, bidi, unassigned, private-use and surrogate characters are
refused (named as U+XXXX); names are stored in NFC; names whose UTS #39 skeletons are equal
clash (409).  One rule for slot, project and secret names.
"""

from __future__ import annotations

import json
import unicodedata

import pytest

from jupyter_secrets.core.slotfile import add_slot, new_slot_file, parse_slot_file, update_slot
from jupyter_secrets.errors import Conflict, InvalidInput, SlotFileError
from jupyter_secrets.rules import (
    ensure_name_free,
    lookalike,
    name_key,
    validate_project_name,
    validate_secret_name,
    validate_slot_name,
)

VALIDATORS = (validate_slot_name, validate_project_name, validate_secret_name)

# (character, what the message must name), one of each refused kind.
REFUSED = [
    ("\u200b", "U+200B (ZERO WIDTH SPACE)"),
    ("\u200c", "U+200C (ZERO WIDTH NON-JOINER)"),
    ("\u200d", "U+200D (ZERO WIDTH JOINER)"),
    ("\u2060", "U+2060 (WORD JOINER)"),
    ("\ufeff", "U+FEFF"),
    ("\u00ad", "U+00AD (SOFT HYPHEN)"),
    ("\u0085", "U+0085"),  # C1 control NEL
    ("\u009b", "U+009B"),  # C1 control CSI (terminal escapes)
    ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u2066", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("\u200f", "U+200F (RIGHT-TO-LEFT MARK)"),
    ("\u061c", "U+061C (ARABIC LETTER MARK)"),
    ("\u034f", "U+034F (COMBINING GRAPHEME JOINER)"),
    ("\ufe0f", "U+FE0F (VARIATION SELECTOR-16)"),
    ("\u3164", "U+3164 (HANGUL FILLER)"),
    ("\U000e0041", "U+E0041 (TAG LATIN CAPITAL LETTER A)"),
    ("\ue000", "U+E000"),  # private use
    ("\u0378", "U+0378"),  # unassigned
    ("\u2028", "U+2028 (LINE SEPARATOR)"),
    ("\ud800", "U+D800"),  # lone surrogate
    ("\x00", "U+0000"),
    ("\x1b", "U+001B"),
]


@pytest.mark.parametrize("char, named", REFUSED)
@pytest.mark.parametrize("validate", VALIDATORS)
def test_invisible_and_control_characters_are_refused_and_named(validate, char, named):
    with pytest.raises(InvalidInput) as info:
        validate(f"db{char}-password")
    assert info.value.field == "name"
    assert f"must not contain {named}" in info.value.rule
    assert char not in str(info.value)


@pytest.mark.parametrize(
    "good",
    [
        "db-password",
        "Mot de passe é",
        "数据库",
        "пароль",
        "كلمة السر",
        "🔑 token",
        "DB password (prod)",
        "ΑΠΙ κλειδί",
    ],
)
@pytest.mark.parametrize("validate", VALIDATORS)
def test_visible_names_of_any_script_stay_allowed(validate, good):
    assert validate(good) == good


@pytest.mark.parametrize("validate", VALIDATORS)
def test_names_are_stored_in_nfc(validate):
    decomposed = unicodedata.normalize("NFD", "café")
    assert decomposed != "café"
    assert validate(decomposed) == "café"


@pytest.mark.parametrize(
    "a, b",
    [
        ("db-password", "db-pаssword"),  # Cyrillic а
        ("paypal", "ｐａｙｐａｌ"),  # fullwidth
        ("paypal", "раураl"),  # Cyrillic р, а, у
        ("café", unicodedata.normalize("NFD", "café")),
        ("token-0", "token-O"),  # zero and capital O
        ("all", "a1l"),  # one and small L
        ("db password", "db\u00a0password"),  # no-break space
    ],
)
def test_look_alikes_have_one_key(a, b):
    assert a != b and name_key(a) == name_key(b)
    assert lookalike(b, ["other", a]) == a


@pytest.mark.parametrize(
    "a, b",
    [
        ("db-password", "db-passwords"),
        ("Token", "token"),
        ("prod", "dev"),
        ("パスワード", "パスワー"),
    ],
)
def test_different_names_have_different_keys(a, b):
    assert name_key(a) != name_key(b)
    assert lookalike(a, [b]) is None


def test_clash_message_names_the_existing_name():
    with pytest.raises(Conflict) as info:
        ensure_name_free("db-pаssword", ["db-password"], what="secret")
    assert info.value.field == "name"
    assert str(info.value) == (
        "name: 'db-pаssword' is already used by the secret 'db-password' (the two names look the same)"
    )
    with pytest.raises(Conflict) as info:
        ensure_name_free("Token", ["Token"], what="secret")
    assert str(info.value) == "name: 'Token' is already used by the secret 'Token'"


# ---------------------------------------------------------------------------- slot files


def test_look_alike_slot_names_clash_in_a_project():
    slots = add_slot(new_slot_file("P"), name="db-password", filename="db")
    for twin in ("db-pаssword", "db-pa\u0073\u0073word", "ԁb-password"):  # Cyrillic а, ԁ
        if twin == "db-password":
            continue
        with pytest.raises(Conflict) as info:
            add_slot(slots, name=twin, filename="db2")
        assert "already used by the slot of this project 'db-password'" in str(info.value)
    other = add_slot(slots, name="api token", filename="api")
    with pytest.raises(Conflict):
        update_slot(other, other.slots[1].id, name="db-pаssword")


def test_nfc_equal_slot_names_are_one_name():
    slots = add_slot(new_slot_file("P"), name="café", filename="a")
    with pytest.raises(Conflict):
        add_slot(slots, name=unicodedata.normalize("NFD", "café"), filename="b")


def document(*names: str) -> str:
    return json.dumps(
        {
            "version": 1,
            "project": {"id": "p1", "name": "P"},
            "slots": [{"id": f"s{i}", "name": n, "filename": f"f{i}"} for i, n in enumerate(names)],
        }
    )


@pytest.mark.parametrize("twin", ["db-pаssword", "DB\u200b"])
def test_a_committed_file_with_look_alike_or_invisible_names_is_invalid(twin):
    with pytest.raises(SlotFileError) as info:
        parse_slot_file(document("db-password", twin), "proj/.jupyter/secret-slots.json")
    assert "slots[1].name" in info.value.reason


def test_a_committed_file_with_nfc_equal_names_is_invalid():
    with pytest.raises(SlotFileError) as info:
        parse_slot_file(document("café", unicodedata.normalize("NFD", "café")), "f")
    assert "slots[1].name is used by an earlier slot" in info.value.reason


def test_a_committed_decomposed_name_is_read_as_nfc():
    parsed = parse_slot_file(document(unicodedata.normalize("NFD", "café")), "f")
    assert parsed.slots[0].name == "café"


# ---------------------------------------------------------------------------- through a server


@pytest.mark.parametrize(
    "char, named",
    [("\u200b", "U+200B"), ("\u0085", "U+0085"), ("\u009b", "U+009B"), ("\u202e", "U+202E")],
)
async def test_api_refuses_invisible_characters_in_slot_and_project_names(
    api, project, jp_root_dir, char, named
):
    pid = (await project())["id"]
    status, reply = await api(
        "POST", "projects", pid, "slots", body={"name": f"db{char}-password", "filename": "db"}
    )
    assert status == 400 and reply["field"] == "name" and named in reply["message"], reply
    (jp_root_dir / "other").mkdir()
    status, reply = await api("POST", "projects", body={"path": "other", "name": f"Sa{char}les"})
    assert status == 400 and reply["field"] == "name" and named in reply["message"], reply


@pytest.mark.parametrize("twin", ["db-pаssword", unicodedata.normalize("NFD", "db-pässword")])
async def test_api_look_alike_slot_names_are_a_clash(api, project, twin):
    pid = (await project())["id"]
    first = "db-pässword" if "\u0308" in twin else "db-password"
    status, slot = await api(
        "POST", "projects", pid, "slots", body={"name": first, "filename": "db"}
    )
    assert status == 201, slot
    status, reply = await api(
        "POST", "projects", pid, "slots", body={"name": twin, "filename": "db2"}
    )
    assert status == 409 and reply["field"] == "name", reply
    assert f"already used by the slot of this project '{first}'" in reply["message"]
    status, model = await api("GET", "projects", pid)
    assert [s["name"] for s in model["slots"]] == [first]


@pytest.mark.parametrize("char", ["\u200b", "\u0085", "\u009b", "\u202e"])
async def test_api_refuses_invisible_characters_in_secret_names(api, char):
    status, reply = await api(
        "POST", "user-secrets", body={"name": f"db{char}-password", "value": "v"}
    )
    assert (
        status == 400 and reply["field"] == "name" and f"U+{ord(char):04X}" in reply["message"]
    ), reply


async def test_api_look_alike_secret_names_are_a_clash(api):
    status, reply = await api("POST", "user-secrets", body={"name": "db-password", "value": "v1"})
    assert status == 201, reply
    status, reply = await api("POST", "user-secrets", body={"name": "db-pаssword", "value": "v2"})
    assert status == 409 and reply["field"] == "name", reply
    assert "'db-password'" in reply["message"] and "v2" not in reply["message"]
    status, listing = await api("GET", "user-secrets")
    assert [s["name"] for s in listing["secrets"]] == ["db-password"]

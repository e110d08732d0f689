"""The slot and project rules of SPEC ("Slot rules"): good and bad input for each."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_secrets.errors import InvalidInput
from jupyter_secrets.rules import (
    ENV_FAMILIES,
    validate_description,
    validate_env,
    validate_filename,
    validate_id,
    validate_project_name,
    validate_slot_fields,
    validate_slot_name,
)


def rejects(func, value, field):
    with pytest.raises(InvalidInput) as info:
        func(value)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    return info.value


# ---------------------------------------------------------------------------- filename


@pytest.mark.parametrize(
    "good", ["db-password", "a", "A.b_c-9", ".env", "..a", "a..", "x" * 200, "secret.txt", "-"]
)
def test_good_filenames(good):
    assert validate_filename(good) == good


@pytest.mark.parametrize(
    "bad",
    [
        "",
        ".",
        "..",
        "...",
        "../x",
        "a/b",
        "/abs",
        "a\\b",
        "a\x00b",
        "f" * 201,
        "has space",
        " lead",
        "trail ",
        "ｆｉｌｅ",
        "\u0430bc",  # fullwidth, Cyrillic а
        "tab\t",
        "new\nline",
        "é",
        "a:b",
        "~tmp",
        "a*b",
    ],
)
def test_bad_filenames(bad):
    err = rejects(validate_filename, bad, "filename")
    assert "1-200 characters" in err.rule and "not only dots" in err.rule


@pytest.mark.parametrize("wrong", [5, 1.5, None, ["ok"], {"a": 1}, True])
def test_filename_type(wrong):
    assert rejects(validate_filename, wrong, "filename").rule == "must be a string"


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize("good", ["Token", "DB password", "n" * 99, "Mot de passe é", "数据库"])
def test_good_names(good):
    assert validate_slot_name(good) == good
    assert validate_project_name(good) == good


def test_names_are_stripped():
    assert validate_slot_name("  Token \n") == "Token"
    assert validate_slot_name("  " + "n" * 99 + "  ") == "n" * 99


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "\n", "n" * 100, "a\x00b", "a\nb", "a\x1b[31mb", "a\x7fb", "a\x85b", "\ud800"],
)
def test_bad_names(bad):
    rejects(validate_slot_name, bad, "name")
    rejects(validate_project_name, bad, "name")


@pytest.mark.parametrize("wrong", [5, None, [], {}, False])
def test_name_type(wrong):
    assert rejects(validate_slot_name, wrong, "name").rule == "must be a string"


def test_project_name_field_can_be_renamed():
    with pytest.raises(InvalidInput) as info:
        validate_project_name("", field="project.name")
    assert info.value.field == "project.name"


# ---------------------------------------------------------------------------- description


@pytest.mark.parametrize(
    "good", ["", "read-only PostgreSQL password", "line 1\nline 2\r\n\tx", "d" * 500]
)
def test_good_descriptions(good):
    assert validate_description(good) == good


@pytest.mark.parametrize("bad", ["d" * 501, "a\x00b", "a\x1b[2Jb", "\udfff"])
def test_bad_descriptions(bad):
    rejects(validate_description, bad, "description")


@pytest.mark.parametrize("wrong", [None, 3, ["x"]])
def test_description_type(wrong):
    assert rejects(validate_description, wrong, "description").rule == "must be a string"


# ---------------------------------------------------------------------------- env


@pytest.mark.parametrize("good", ["DB_PASSWORD", "_X", "A", "API_TOKEN_2", "A" * 128, "HOMEPAGE"])
def test_good_env(good):
    assert validate_env(good) == good


def test_env_none_and_empty_mean_no_variable():
    assert validate_env(None) is None
    assert validate_env("") is None


@pytest.mark.parametrize(
    "bad", ["lower", "Mixed", "1ABC", "A-B", "A B", "A" * 129, "Ä", "A\x00", " A", "A=B", "ＡＢ"]
)
def test_bad_env_syntax(bad):
    assert "environment variable name" in rejects(validate_env, bad, "env").rule


@pytest.mark.parametrize(
    "denied",
    [
        "PATH",
        "HOME",
        "USER",
        "SHELL",
        "PWD",
        "TMPDIR",
        "LANG",
        "TERM",
        "IFS",
        "PS1",
        "JUPYTER_SECRETS_DIR",
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "DYLD_INSERT_LIBRARIES",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "JUPYTER_CONFIG_DIR",
        "JUPYTERHUB_API_TOKEN",
        "JPY_PARENT_PID",
        "IPYTHONDIR",
        "CONDA_PREFIX",
        "VIRTUAL_ENV",
        "BASH_FUNC_X",
        "GIT_DIR",
        "BASH_ENV",
        "NODE_OPTIONS",
        "XDG_RUNTIME_DIR",
    ],
)
def test_denied_env(denied):
    assert f"'{denied}' is refused: " in rejects(validate_env, denied, "env").rule


def test_env_families_are_consistent():
    # Every pattern could match a name the syntax rule accepts: none of them is dead weight.
    for family in ENV_FAMILIES:
        assert family.reason and family.reason == family.reason.strip()
        for part in (*family.names, *family.prefixes, *family.suffixes, *family.contains):
            assert part and part == part.upper(), part


@pytest.mark.parametrize("wrong", [5, ["A"], {"A": 1}, True])
def test_env_type(wrong):
    assert rejects(validate_env, wrong, "env").rule == "must be a string"


# ---------------------------------------------------------------------------- ids


@pytest.mark.parametrize("good", ["a", "0" * 64, "f3a9c1e0" * 4, "my-project_1"])
def test_good_ids(good):
    assert validate_id("project_id", good) == good


@pytest.mark.parametrize(
    "bad",
    ["", "a" * 65, "../etc", "a/b", "a.b", "a b", "a\x00", "a\n", "ａ", "\u0430", None, 5, ["a"]],
)
def test_bad_ids(bad):
    with pytest.raises(InvalidInput) as info:
        validate_id("slot_id", bad)
    assert info.value.field == "slot_id"


# ---------------------------------------------------------------------------- payloads


def test_full_payload_is_normalised():
    fields = validate_slot_fields({"name": " DB ", "filename": "db"})
    assert fields == {"name": "DB", "filename": "db", "description": "", "env": None}
    fields = validate_slot_fields(
        {"name": "DB", "filename": "db", "description": "ro", "env": "DB_PASSWORD"}
    )
    assert fields == {"name": "DB", "filename": "db", "description": "ro", "env": "DB_PASSWORD"}


def test_partial_payload_keeps_only_given_fields():
    assert validate_slot_fields({"description": "rw"}, partial=True) == {"description": "rw"}
    assert validate_slot_fields({"env": None}, partial=True) == {"env": None}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"filename": "ok"}, "name"),
        ({"name": "x"}, "filename"),
        ({"name": "x", "filename": "ok", "colour": "red"}, "colour"),
        ({"name": 5, "filename": "ok"}, "name"),
        ({"name": None, "filename": "ok"}, "name"),
        ({"name": "x", "filename": ["ok"]}, "filename"),
        ({"name": "x", "filename": "../x"}, "filename"),
        ({"name": "x", "filename": "ok", "description": "d" * 501}, "description"),
        ({"name": "x", "filename": "ok", "env": "LD_PRELOAD"}, "env"),
        ([1, 2], "body"),
        ("string", "body"),
        (None, "body"),
    ],
)
def test_bad_payloads(payload, field):
    with pytest.raises(InvalidInput) as info:
        validate_slot_fields(payload)
    assert info.value.field == field


def test_unknown_field_message():
    with pytest.raises(InvalidInput) as info:
        validate_slot_fields({"name": "x", "filename": "ok", "filname": "ok"})
    assert (
        str(info.value)
        == "filname: unknown field (allowed: name, description, filename, env, env_file)"
    )


def test_empty_patch_is_rejected():
    with pytest.raises(InvalidInput) as info:
        validate_slot_fields({}, partial=True)
    assert info.value.field == "body"


def test_messages_never_repeat_the_value():
    value = "hunter2-" + "x" * 300
    for payload in ({"name": value, "filename": "ok"}, {"name": "x", "filename": value}):
        with pytest.raises(InvalidInput) as info:
            validate_slot_fields(payload)
        assert "hunter2" not in str(info.value)


# ---------------------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=10,
)
slot_like = st.dictionaries(
    st.sampled_from(["name", "description", "filename", "env", "other"]) | st.text(max_size=5),
    json_values | st.text(alphabet="abcAB_.-/ \x00", max_size=8),
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(payload=slot_like | json_values, partial=st.booleans())
def test_slot_fields_raise_only_invalid_input(payload, partial):
    try:
        fields = validate_slot_fields(payload, partial=partial)
    except InvalidInput as err:
        assert err.field and err.rule
    else:
        assert set(fields) <= {"name", "description", "filename", "env"}


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_single_validators_raise_only_invalid_input(value):
    for func in (
        validate_slot_name,
        validate_project_name,
        validate_description,
        validate_filename,
        validate_env,
        lambda v: validate_id("id", v),
    ):
        try:
            result = func(value)
        except InvalidInput:
            continue
        assert result is None or isinstance(result, str)

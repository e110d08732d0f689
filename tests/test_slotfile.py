"""Slot files: parsing, atomic symlink-proof writes, pure edits and project discovery."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_secrets.core import slotfile
from jupyter_secrets.core.slotfile import (
    SLOT_FILE,
    Slot,
    SlotFile,
    add_slot,
    api_path,
    find_project_dir,
    new_slot_file,
    parse_slot_file,
    read_slot_file,
    remove_slot,
    update_slot,
    write_slot_file,
)
from jupyter_secrets.errors import Conflict, InvalidInput, NotFound, SlotFileError
from jupyter_secrets.rules import validate_slot_name

PID = "0123456789abcdef0123456789abcdef"


def sample() -> SlotFile:
    return SlotFile(
        project_id=PID,
        project_name="Sales analysis",
        slots=(
            Slot(
                "s1", "DB password", "read-only PostgreSQL password", "db-password", "DB_PASSWORD"
            ),
            Slot("s2", "API token", "", "token", None),
        ),
    )


def document(**overrides) -> dict:
    data = sample().to_json()
    data.update(overrides)
    return data


def parse_error(text: str) -> SlotFileError:
    with pytest.raises(SlotFileError) as info:
        parse_slot_file(text, "proj/.jupyter/secret-slots.json")
    err = info.value
    assert err.path == "proj/.jupyter/secret-slots.json"
    assert str(err).startswith("proj/.jupyter/secret-slots.json: ")
    assert "Traceback" not in err.reason and "\n" not in err.reason
    return err


def no_temp_files(directory: Path) -> bool:
    return sorted(p.name for p in directory.iterdir()) == ["secret-slots.json"]


# ---------------------------------------------------------------------------- serialisation


def test_to_json_shape_and_env_omitted_when_none():
    data = sample().to_json()
    assert data == {
        "version": 1,
        "project": {"id": PID, "name": "Sales analysis"},
        "slots": [
            {
                "id": "s1",
                "name": "DB password",
                "description": "read-only PostgreSQL password",
                "filename": "db-password",
                "env": "DB_PASSWORD",
            },
            {"id": "s2", "name": "API token", "description": "", "filename": "token"},
        ],
    }


def test_dumps_is_sorted_pretty_utf8_with_trailing_newline():
    sf = SlotFile(PID, "Données", (Slot("s1", "Clé", "", "cle", None),))
    text = sf.dumps()
    assert text == json.dumps(sf.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "Données" in text and "\\u" not in text
    assert text.index('"project"') < text.index('"slots"') < text.index('"version"')


def test_write_read_round_trip(tmp_path):
    write_slot_file(tmp_path, sample())
    assert read_slot_file(tmp_path) == sample()
    assert (tmp_path / SLOT_FILE).read_text(encoding="utf-8") == sample().dumps()


def test_new_slot_file_has_fresh_hex_id():
    a, b = new_slot_file(" Project "), new_slot_file("Project")
    assert a.project_name == "Project" and a.slots == () and a.version == 1
    assert len(a.project_id) == 32 and int(a.project_id, 16) >= 0 and a.project_id != b.project_id
    with pytest.raises(InvalidInput):
        new_slot_file("")


# ---------------------------------------------------------------------------- writing


def test_write_creates_dir_and_new_file_is_0644(tmp_path):
    old = os.umask(0o077)
    try:
        write_slot_file(tmp_path, sample())
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / SLOT_FILE).stat().st_mode) == 0o644
    assert no_temp_files(tmp_path / ".jupyter")


def test_write_keeps_existing_mode(tmp_path):
    write_slot_file(tmp_path, sample())
    (tmp_path / SLOT_FILE).chmod(0o600)
    write_slot_file(tmp_path, new_slot_file("Other"))
    assert stat.S_IMODE((tmp_path / SLOT_FILE).stat().st_mode) == 0o600
    assert read_slot_file(tmp_path).project_name == "Other"


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    write_slot_file(tmp_path, sample())

    def broken_replace(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(slotfile.os, "replace", broken_replace)
    with pytest.raises(SlotFileError) as info:
        write_slot_file(tmp_path, new_slot_file("Other"))
    assert "No space left on device" in info.value.reason
    assert read_slot_file(tmp_path) == sample()
    assert no_temp_files(tmp_path / ".jupyter")


def test_symlinked_jupyter_dir_is_refused(tmp_path):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    (project / ".jupyter").symlink_to(elsewhere)
    with pytest.raises(SlotFileError) as info:
        write_slot_file(project, sample())
    assert "symbolic link" in info.value.reason
    assert list(elsewhere.iterdir()) == []
    (elsewhere / "secret-slots.json").write_text(sample().dumps())
    with pytest.raises(SlotFileError, match="symbolic link"):
        read_slot_file(project)


def test_symlinked_slot_file_is_refused(tmp_path):
    target = tmp_path / "target.json"
    target.write_text("precious")
    (tmp_path / "p" / ".jupyter").mkdir(parents=True)
    (tmp_path / "p" / SLOT_FILE).symlink_to(target)
    with pytest.raises(SlotFileError, match="symbolic link"):
        write_slot_file(tmp_path / "p", sample())
    assert target.read_text() == "precious"
    assert (tmp_path / "p" / SLOT_FILE).is_symlink()
    with pytest.raises(SlotFileError, match="symbolic link"):
        read_slot_file(tmp_path / "p")


def test_dangling_symlink_is_refused_and_not_created(tmp_path):
    (tmp_path / ".jupyter").mkdir()
    (tmp_path / SLOT_FILE).symlink_to(tmp_path / "would-be-created")
    with pytest.raises(SlotFileError, match="symbolic link"):
        write_slot_file(tmp_path, sample())
    assert not (tmp_path / "would-be-created").exists()


def test_jupyter_that_is_a_file_or_slot_file_that_is_a_dir(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".jupyter").write_text("x")
    with pytest.raises(SlotFileError, match="not a directory"):
        write_slot_file(tmp_path / "a", sample())
    (tmp_path / "b" / SLOT_FILE).mkdir(parents=True)
    with pytest.raises(SlotFileError, match="not a regular file"):
        write_slot_file(tmp_path / "b", sample())
    with pytest.raises(SlotFileError):
        read_slot_file(tmp_path / "b")


# ---------------------------------------------------------------------------- reading


def test_read_missing_file(tmp_path):
    with pytest.raises(SlotFileError, match="does not exist"):
        read_slot_file(tmp_path)


def test_read_fifo_does_not_hang(tmp_path):
    (tmp_path / ".jupyter").mkdir()
    os.mkfifo(tmp_path / SLOT_FILE)
    with pytest.raises(SlotFileError, match="not a regular file"):
        read_slot_file(tmp_path)


def test_read_tolerates_bom_and_rejects_bad_bytes(tmp_path):
    (tmp_path / ".jupyter").mkdir()
    (tmp_path / SLOT_FILE).write_bytes(b"\xef\xbb\xbf" + sample().dumps().encode())
    assert read_slot_file(tmp_path) == sample()
    (tmp_path / SLOT_FILE).write_bytes(b'{"version": 1, "\xff"}')
    with pytest.raises(SlotFileError, match="not UTF-8"):
        read_slot_file(tmp_path)


def test_read_huge_file(tmp_path):
    (tmp_path / ".jupyter").mkdir()
    (tmp_path / SLOT_FILE).write_bytes(b" " * (slotfile.MAX_SLOT_FILE_BYTES + 1))
    with pytest.raises(SlotFileError, match="larger than"):
        read_slot_file(tmp_path)


# ---------------------------------------------------------------------------- parsing


def test_parse_good_and_tolerant_of_unknown_top_level_keys():
    assert parse_slot_file(sample().dumps(), "x") == sample()
    assert parse_slot_file(json.dumps(document(comment="hi")), "x") == sample()


def test_parse_reuses_the_parse_of_the_same_text():
    text = sample().dumps()
    first = parse_slot_file(text, "a/.jupyter/secret-slots.json")
    again = parse_slot_file("".join(list(text)), "b/.jupyter/secret-slots.json")  # equal, not same
    assert again is first and again == sample()
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.project_name = "changed"  # type: ignore[misc]
    edited = sample().dumps().replace("Sales analysis", "Sales")
    assert parse_slot_file(edited, "x").project_name == "Sales"
    big = json.dumps(document(comment="x" * (slotfile._CACHE_MAX_CHARS + 1)))
    assert parse_slot_file(big, "x") == sample()  # parsed, not kept


def test_errors_are_not_cached_and_name_each_source(tmp_path):
    text = json.dumps(document(version=2))
    for source in ("one/.jupyter/secret-slots.json", "two/.jupyter/secret-slots.json"):
        with pytest.raises(SlotFileError) as info:
            parse_slot_file(text, source)
        assert info.value.path == source and "version 2" in info.value.reason
    for name in ("p1", "p2"):  # the same bad text in two projects: each error names its file
        (tmp_path / name / ".jupyter").mkdir(parents=True)
        (tmp_path / name / SLOT_FILE).write_text(text)
        with pytest.raises(SlotFileError) as info:
            read_slot_file(tmp_path / name)
        assert info.value.path == str(tmp_path / name / SLOT_FILE)


def test_parse_defaults_description_and_env():
    data = document(slots=[{"id": "s1", "name": "A", "filename": "a"}])
    assert parse_slot_file(json.dumps(data), "x").slots == (Slot("s1", "A", "", "a", None),)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "not valid JSON"),
        ("garbage", "not valid JSON"),
        ('{"version": 1, "project": {"id": "a"', "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('"text"', "JSON object"),
        ("null", "JSON object"),
        ("[" * 100_000, "nested too deeply"),
        (" " * (slotfile.MAX_SLOT_FILE_BYTES + 1), "larger than"),
        ('{"version": 1, "version": 1}', "duplicate key 'version'"),
    ],
)
def test_parse_garbage(text, fragment):
    assert fragment in parse_error(text).reason


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"version": 2}, "upgrade jupyter_secrets"),
        ({"version": 0}, "version 0"),
        ({"version": "1"}, '"version": 1'),
        ({"version": True}, '"version": 1'),
        ({"version": 1.0}, '"version": 1'),
        ({"version": None}, '"version": 1'),
        ({"project": None}, '"project" object'),
        ({"project": ["id"]}, '"project" object'),
        ({"project": {"id": PID}}, "project.name: must be a string"),
        ({"project": {"id": 5, "name": "x"}}, "project.id: must be a string"),
        ({"project": {"id": "../etc", "name": "x"}}, "project.id: must be 1-64"),
        ({"project": {"id": "a" * 65, "name": "x"}}, "project.id"),
        ({"project": {"id": PID, "name": "x", "extra": 1}}, "unknown key 'extra'"),
        ({"slots": None}, '"slots" list'),
        ({"slots": {"s1": {}}}, '"slots" list'),
        ({"slots": ["x"]}, "slots[0] must be an object"),
        ({"slots": [{"id": "s1", "name": "A"}]}, "slots[0] has no 'filename'"),
        ({"slots": [{"id": "s/1", "name": "A", "filename": "a"}]}, "slots[0].id: must be 1-64"),
        ({"slots": [{"id": "s1", "name": 3, "filename": "a"}]}, "slots[0].name: must be a string"),
        ({"slots": [{"id": "s1", "name": "A", "filename": "../a"}]}, "slots[0].filename: must be"),
        (
            {"slots": [{"id": "s1", "name": "A", "filename": "a", "env": "PATH"}]},
            "slots[0].env: 'PATH' is refused: names containing PATH",
        ),
        (
            {"slots": [{"id": "s1", "name": "A", "filename": "a", "filname": "b"}]},
            "unknown key 'filname'",
        ),
    ],
)
def test_parse_wrong_content(overrides, fragment):
    assert fragment in parse_error(json.dumps(document(**overrides))).reason


def test_parse_missing_version():
    data = document()
    del data["version"]
    assert '"version": 1' in parse_error(json.dumps(data)).reason


@pytest.mark.parametrize(
    "second, fragment",
    [
        ({"id": "s1", "name": "B", "filename": "b"}, "slots[1].id 's1' is used by an earlier slot"),
        ({"id": "s2", "name": "B", "filename": "a"}, "slots[1].filename 'a' is used"),
        ({"id": "s2", "name": "B", "filename": "A"}, "ignoring case"),
        ({"id": "s2", "name": "A", "filename": "b"}, "slots[1].name is used"),
    ],
)
def test_parse_duplicates(second, fragment):
    data = document(slots=[{"id": "s1", "name": "A", "filename": "a"}, second])
    assert fragment in parse_error(json.dumps(data)).reason


# ---------------------------------------------------------------------------- pure edits


def test_add_slot_appends_with_fresh_id_and_is_pure():
    base = sample()
    updated = add_slot(base, name=" New ", filename="new", description="d", env="NEW_VAR")
    assert base == sample()  # unchanged
    assert updated.slots[:2] == base.slots
    slot = updated.slots[-1]
    assert (slot.name, slot.filename, slot.description, slot.env) == ("New", "new", "d", "NEW_VAR")
    assert len(slot.id) == 32 and slot.id not in {"s1", "s2"}


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": "X", "filename": "token"}, "filename"),
        ({"name": "X", "filename": "TOKEN"}, "filename"),
        ({"name": "API token", "filename": "other"}, "name"),
    ],
)
def test_add_slot_clash(kwargs, field):
    with pytest.raises(Conflict) as info:
        add_slot(sample(), **kwargs)
    assert info.value.field == field


def test_add_slot_revalidates():
    with pytest.raises(InvalidInput):
        add_slot(sample(), name="X", filename="a/b")


def test_add_slot_limit(monkeypatch):
    monkeypatch.setattr(slotfile, "MAX_SLOTS", 2)
    with pytest.raises(Conflict, match="at most 2"):
        add_slot(sample(), name="X", filename="x")


def test_update_slot():
    updated = update_slot(sample(), "s1", description="rw", env=None)
    assert updated.slots[0] == Slot("s1", "DB password", "rw", "db-password", None)
    assert updated.slots[1] == sample().slots[1]
    # Keeping its own filename or name (even re-cased) is not a clash with itself.
    same = update_slot(sample(), "s2", filename="TOKEN", name="API token")
    assert same.slots[1].filename == "TOKEN"


def test_update_slot_errors():
    with pytest.raises(Conflict) as info:
        update_slot(sample(), "s2", filename="db-password")
    assert info.value.field == "filename"
    with pytest.raises(NotFound):
        update_slot(sample(), "nope", name="x")
    with pytest.raises(InvalidInput):
        update_slot(sample(), "s1", filename="..")
    with pytest.raises(InvalidInput):
        update_slot(sample(), "s1", colour="red")


def test_remove_slot():
    assert [s.id for s in remove_slot(sample(), "s1").slots] == ["s2"]
    with pytest.raises(NotFound):
        remove_slot(sample(), "nope")


# ---------------------------------------------------------------------------- discovery


@pytest.fixture
def tree(tmp_path):
    """root/ (no slot file)  root/proj/ (project)  root/proj/sub/deep/  root/plain/"""
    root = tmp_path / "root"
    (root / "proj" / "sub" / "deep").mkdir(parents=True)
    (root / "plain").mkdir()
    write_slot_file(root / "proj", sample())
    (root / "proj" / "sub" / "notebook.ipynb").write_text("{}")
    return root.resolve()


@pytest.mark.parametrize(
    "path",
    [
        "proj",
        "proj/",
        "proj/sub",
        "proj/sub/deep",
        "proj/sub/notebook.ipynb",
        "proj/sub/missing/dir",
        "proj/.jupyter",
        "./proj//sub",
    ],
)
def test_nearest_ancestor(tree, path):
    assert find_project_dir(tree, path) == tree / "proj"


def test_nested_project_wins(tree):
    write_slot_file(tree / "proj" / "sub", new_slot_file("Inner"))
    assert find_project_dir(tree, "proj/sub/deep") == tree / "proj" / "sub"
    assert find_project_dir(tree, "proj") == tree / "proj"


def test_root_default(tree):
    assert find_project_dir(tree, "") is None
    assert find_project_dir(tree, "plain") is None
    assert find_project_dir(tree, "does/not/exist") is None
    write_slot_file(tree, new_slot_file("Root"))
    assert find_project_dir(tree, "plain") == tree
    assert find_project_dir(tree, "") == tree


def test_never_above_root(tmp_path):
    write_slot_file(tmp_path, new_slot_file("Outside"))
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    assert find_project_dir(root, "a") is None


def test_symlinked_slot_file_still_marks_the_project(tree):
    (tree / "plain" / ".jupyter").mkdir()
    (tree / "plain" / SLOT_FILE).symlink_to(tree / "proj" / SLOT_FILE)
    assert find_project_dir(tree, "plain") == tree / "plain"
    with pytest.raises(SlotFileError):
        read_slot_file(tree / "plain")


@pytest.mark.parametrize(
    "path",
    [
        "..",
        "../x",
        "proj/../..",
        "proj/../../root",
        "/etc",
        "/",
        "C:/Windows",
        "C:x",
        "a\\..\\..",
        "\\\\server\\share",
        "a\x00b",
        5,
        None,
        ["proj"],
    ],
)
def test_escape_attempts(tree, path):
    with pytest.raises(InvalidInput) as info:
        find_project_dir(tree, path)
    assert info.value.field == "path"


def test_symlink_escaping_root_is_refused(tree, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    write_slot_file(outside, new_slot_file("Outside"))
    (tree / "link").symlink_to(outside)
    with pytest.raises(InvalidInput, match="outside the server root"):
        find_project_dir(tree, "link")
    with pytest.raises(InvalidInput):
        find_project_dir(tree, "link/missing")


def test_symlink_inside_root_is_followed(tree):
    (tree / "alias").symlink_to(tree / "proj" / "sub")
    assert find_project_dir(tree, "alias") == tree / "proj"


def test_symlink_loop(tree):
    (tree / "loop").symlink_to(tree / "loop")
    with pytest.raises(InvalidInput):
        find_project_dir(tree, "loop/x")


def test_api_path(tree, tmp_path):
    assert api_path(tree, tree) == ""
    assert api_path(tree, tree / "proj" / "sub") == "proj/sub"
    assert api_path(tree, find_project_dir(tree, "proj/sub")) == "proj"
    with pytest.raises(ValueError):
        api_path(tree, tmp_path)
    (tree / "alias").symlink_to(tree / "proj")
    assert api_path(tree, tree / "alias") == "alias"


def test_api_path_of_unresolved_root(tree, tmp_path):
    (tmp_path / "root-link").symlink_to(tree)
    assert api_path(tmp_path / "root-link", tmp_path / "root-link" / "proj") == "proj"


# ---------------------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Documents near the real shape, so the parser's deeper branches get exercised too.
near_slot = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=5) | json_values,
        "name": st.text(max_size=5) | json_values,
        "description": st.text(max_size=5) | json_values,
        "filename": st.sampled_from(["a", "b", "A", "..", "a/b"]) | json_values,
        "env": st.sampled_from(["X", "PATH", "", None]) | json_values,
    },
)
near_document = st.fixed_dictionaries(
    {},
    optional={
        "version": st.sampled_from([1, 2, "1", True]) | json_values,
        "project": st.fixed_dictionaries(
            {}, optional={"id": st.sampled_from(["p", "../p"]) | json_values, "name": json_values}
        )
        | json_values,
        "slots": st.lists(near_slot | json_values, max_size=4) | json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_parse_arbitrary_text_raises_only_slot_file_error(text):
    try:
        parse_slot_file(text, "f")
    except SlotFileError:
        pass


@settings(max_examples=200, deadline=None)
@given(data=json_values | near_document)
def test_parse_arbitrary_json_raises_only_slot_file_error(data):
    try:
        result = parse_slot_file(json.dumps(data), "f")
    except SlotFileError:
        return
    assert parse_slot_file(result.dumps(), "f") == result


def _valid(validator):
    def check(value):
        try:
            return validator(value) == value
        except InvalidInput:
            return False

    return check


# Alphabets without control characters and surrogates keep the filters below from rejecting much.
_text = st.characters(blacklist_categories=("Cc", "Cs"))
names = st.text(_text, min_size=1, max_size=99).filter(_valid(validate_slot_name))
slot_ids = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
filenames = st.from_regex(r"[A-Za-z0-9_.-]{1,200}", fullmatch=True).filter(
    lambda f: f.strip(".") != ""
)
envs = st.none() | st.from_regex(r"[A-Z_][A-Z0-9_]{0,20}", fullmatch=True).filter(
    _valid(slotfile.validate_env)
)
slots = st.builds(
    Slot,
    id=slot_ids,
    name=names,
    description=st.text(_text, max_size=500),
    filename=filenames,
    env=envs,
)
slot_files = st.builds(
    SlotFile,
    project_id=slot_ids,
    project_name=names,
    slots=st.lists(
        slots,
        max_size=5,
        unique_by=(lambda s: s.id, lambda s: s.name, lambda s: s.filename.lower()),
    ).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(sf=slot_files)
def test_round_trip_is_identity(sf):
    assert parse_slot_file(sf.dumps(), "f") == sf


@settings(max_examples=30, deadline=None)
@given(sf=slot_files)
def test_round_trip_through_disk(sf, tmp_path_factory):
    directory = tmp_path_factory.mktemp("p")
    write_slot_file(directory, sf)
    assert read_slot_file(directory) == sf

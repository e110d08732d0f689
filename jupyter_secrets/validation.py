"""The slot and project rules of SPEC ("Slot rules"), as pure functions.

Every check raises :class:`InvalidInput` naming the field and the rule in plain words; the
HTTP layer turns that into a 400.  Messages never repeat the offending value: a user may paste a
secret into the wrong box, and error messages end up in logs.

Inputs are whatever JSON decoding produced (or a hand-edited slot file), so every function
accepts ``Any`` and checks types itself.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .errors import InvalidInput

__all__ = [
    "DENIED_ENV_NAMES",
    "DENIED_ENV_PREFIXES",
    "SLOT_FIELDS",
    "validate_description",
    "validate_env",
    "validate_filename",
    "validate_id",
    "validate_project_name",
    "validate_slot_fields",
    "validate_slot_name",
]

NAME_MAX = 99
DESCRIPTION_MAX = 500
FILENAME_MAX = 200
ENV_MAX = 128

SLOT_FIELDS = ("name", "description", "filename", "env")
_REQUIRED_SLOT_FIELDS = ("name", "filename")

# Explicit ASCII classes: ``\w`` would let Unicode look-alikes (Cyrillic 'а', fullwidth 'ｆ')
# into filenames and ids, which then show up as confusing or colliding paths.
_FILENAME = re.compile(r"[A-Za-z0-9_.-]{1,%d}" % FILENAME_MAX)
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ENV = re.compile(r"[A-Z_][A-Z0-9_]{0,%d}" % (ENV_MAX - 1))

# Environment variables a slot may not set.  A slot's value becomes a kernel's environment
# variable, and slot files are committed by *other* people: a project must not be able to make
# a member's kernels load code (LD_PRELOAD, PYTHONSTARTUP, BASH_ENV, NODE_OPTIONS, R_PROFILE...),
# change which interpreter or packages run (PATH, PYTHONPATH, CONDA_*, VIRTUAL_ENV), point
# Jupyter or this extension elsewhere (JUPYTER*, JPY_*, XDG_* where the secrets dir lives,
# JUPYTER_SECRETS_DIR), or break the shell and tools terminals rely on (HOME, IFS, PS1, GIT_*).
# Matching is exact for names, ``startswith`` for prefixes (so ``PYTHON`` covers PYTHONPATH).
DENIED_ENV_NAMES = frozenset(
    {
        # process identity and shell basics
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "TMPDIR", "TMP", "TEMP",
        "LANG", "LANGUAGE", "TERM", "IFS", "PS1", "PS2", "PS4", "CDPATH", "SHELLOPTS",
        "BASHOPTS", "PROMPT_COMMAND",
        # files shells execute on start
        "ENV", "BASH_ENV",
        # code loading of other kernels' languages
        "NODE_OPTIONS", "NODE_PATH", "PERL5LIB", "PERL5OPT", "RUBYOPT", "RUBYLIB",
        "R_LIBS", "R_LIBS_USER", "R_PROFILE", "R_PROFILE_USER", "R_ENVIRON", "R_ENVIRON_USER",
        # ours
        "JUPYTER_SECRETS_DIR",
    }
)
DENIED_ENV_PREFIXES = (
    "LD_", "DYLD_", "PYTHON", "JUPYTER", "JPY_", "IPYTHON", "CONDA", "VIRTUAL_ENV",
    "BASH_FUNC", "GIT_", "XDG_",
)


def _field_label(field: Any) -> str:
    # Unknown keys come from the request: quote odd ones ("", control characters, non-strings)
    # so the message stays one readable line, and keep them short.
    plain = isinstance(field, str) and field and field.isprintable() and field.strip() == field
    text = field if plain else repr(field)
    return text if len(text) <= 40 else text[:37] + "..."


def _require_str(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a string")
    return value


def _is_text(value: str) -> bool:
    """No unpaired surrogates: they cannot be written as UTF-8, so the file write would fail."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _validate_name(field: str, value: Any) -> str:
    """A display name: stripped, 1-99 characters, no control characters."""
    value = _require_str(field, value).strip()
    rule = f"must be 1-{NAME_MAX} characters (surrounding spaces are ignored)"
    if not 1 <= len(value) <= NAME_MAX:
        raise InvalidInput(field, rule)
    # Control characters (NUL, newlines, ESC...) in a name break one-line displays and let a
    # committed slot file send terminal escape sequences to `jupyter secrets` output.
    if not _is_text(value) or any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput(field, "must not contain control characters such as NUL or newlines")
    return value


def validate_slot_name(value: Any) -> str:
    return _validate_name("name", value)


def validate_project_name(value: Any, field: str = "name") -> str:
    return _validate_name(field, value)


def validate_description(value: Any) -> str:
    """Free text up to 500 characters; newlines and tabs are fine, other controls are not."""
    value = _require_str("description", value)
    if len(value) > DESCRIPTION_MAX:
        raise InvalidInput("description", f"must be at most {DESCRIPTION_MAX} characters")
    if not _is_text(value) or any(
        unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value
    ):
        raise InvalidInput(
            "description", "must not contain NUL or control characters (newlines and tabs are fine)"
        )
    return value


def validate_filename(value: Any) -> str:
    """The name of the value's file in the secrets dir: never a path, never '.' or '..'."""
    value = _require_str("filename", value)
    if not _FILENAME.fullmatch(value) or value.strip(".") == "":
        raise InvalidInput(
            "filename",
            f"must be 1-{FILENAME_MAX} characters of letters, digits, '_', '.', '-' "
            "(ASCII only, no spaces or slashes) and not only dots",
        )
    return value


def validate_env(value: Any) -> str | None:
    """``None`` (no variable) or an allowed environment variable name.  ``""`` means ``None``.

    The empty string is accepted as "no variable" because that is what an emptied text box
    sends; storing it would give a slot an env var with no name.
    """
    if value is None or value == "":
        return None
    value = _require_str("env", value)
    if not _ENV.fullmatch(value):
        raise InvalidInput(
            "env",
            f"must be an environment variable name of at most {ENV_MAX} characters: "
            "uppercase letters, digits and '_', not starting with a digit",
        )
    if value in DENIED_ENV_NAMES or value.startswith(DENIED_ENV_PREFIXES):
        raise InvalidInput(
            "env",
            "is reserved (it would change how kernels, shells or Jupyter itself run); "
            "choose another name",
        )
    return value


def validate_id(field: str, value: Any) -> str:
    """A project, slot or secret id: 1-64 of ``[A-Za-z0-9_-]``, safe as a path component."""
    value = _require_str(field, value)
    if not _ID.fullmatch(value):
        raise InvalidInput(field, "must be 1-64 characters of letters, digits, '_' and '-'")
    return value


_VALIDATORS = {
    "name": validate_slot_name,
    "description": validate_description,
    "filename": validate_filename,
    "env": validate_env,
}


def validate_slot_fields(payload: Any, *, partial: bool = False) -> dict[str, Any]:
    """Check a slot payload; return its normalised fields.

    ``partial=False`` (adding a slot): ``name`` and ``filename`` are required, ``description``
    defaults to ``""`` and ``env`` to ``None``, so the result always has the four keys.
    ``partial=True`` (PATCH): only the fields given are returned; at least one is required.
    Unknown fields are an error rather than ignored, so a typo ("filname") is not silently lost.
    """
    if not isinstance(payload, dict):
        raise InvalidInput("body", "must be a JSON object")
    for key in payload:
        if key not in _VALIDATORS:
            raise InvalidInput(
                _field_label(key), f"unknown field (allowed: {', '.join(SLOT_FIELDS)})"
            )
    if partial:
        if not payload:
            raise InvalidInput("body", f"must contain at least one of {', '.join(SLOT_FIELDS)}")
    else:
        for key in _REQUIRED_SLOT_FIELDS:
            if key not in payload:
                raise InvalidInput(key, "is required")
    # Check in a fixed order so the first error reported does not depend on key order.
    fields = {key: _VALIDATORS[key](payload[key]) for key in SLOT_FIELDS if key in payload}
    if not partial:
        fields.setdefault("description", "")
        fields.setdefault("env", None)
    return fields

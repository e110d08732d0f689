"""The slot and project rules of SPEC ("Slot rules"), as pure functions.

Every check raises :class:`InvalidInput` naming the field and the rule in plain words; the
HTTP layer turns that into a 400.  Messages never repeat a refused free-text input: a user may
paste a secret into the wrong box, and error messages end up in logs.  A refused character is
named by its code point; only an environment variable name that passed the syntax rule, and
names in a clash (as the store's messages do), are quoted.

Inputs are whatever JSON decoding produced (or a hand-edited slot file), so every function
accepts ``Any`` and checks types itself.  This module is the one rule book: the request body
(``parse_json_object``), names (``validate_*_name``, ``name_key``), slot fields and env names.
It is longer than the other modules on purpose (about 700 lines): keeping every rule here is
the point, and the table of env name families, each with its reason, is a third of it.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jupyter_secrets.errors import Conflict, InvalidInput
from jupyter_secrets.helper import is_valid_filename

__all__ = [
    "ENV_FAMILIES",
    "SLOT_FIELDS",
    "check_env_names",
    "check_name_characters",
    "ensure_name_free",
    "env_file_name_refusal",
    "env_name_refusal",
    "lookalike",
    "name_key",
    "parse_json_object",
    "validate_api_path",
    "validate_description",
    "validate_env",
    "validate_env_file",
    "validate_filename",
    "validate_id",
    "validate_project_name",
    "validate_secret_name",
    "validate_slot_fields",
    "validate_slot_name",
]

NAME_MAX = 99
DESCRIPTION_MAX = 500
FILENAME_MAX = 200
ENV_MAX = 128

SLOT_FIELDS = ("name", "description", "filename", "env", "env_file")
_REQUIRED_SLOT_FIELDS = ("name", "filename")

# Explicit ASCII classes: ``\w`` would let Unicode look-alikes (Cyrillic 'а', fullwidth 'ｆ')
# into filenames and ids, which then show up as confusing or colliding paths.
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ENV = re.compile(rf"[A-Z_][A-Z0-9_]{{0,{ENV_MAX - 1}}}")
# Unicode's confusables data (UTS #39), shipped in the package: see the file's header.
_CONFUSABLES_FILE = Path(__file__).with_name("confusables.txt")

# ---------------------------------------------------------------------------- env names
#
# A slot's value may also become an environment variable of kernels.  The slot file that
# names the variable is committed by *other* people, and the member only types the value: so
# the name must never be one that changes how a program runs.  With ``HTTPS_PROXY`` every
# HTTPS request would look the value up in DNS as a host name (it leaves the machine); with
# ``SSLKEYLOGFILE`` it becomes a file name; with ``JAVA_TOOL_OPTIONS``, ``LD_PRELOAD`` or
# ``PAGER`` it chooses code to run.  A list of names can never be complete (46 of 46 such
# names passed the old one), so the rule is by *families*: the words and affixes that such
# names are built from.  A refused name costs little: kernels can still read the value from
# its file (``get_secret``), and a project can pick another variable name.
#
# Real credential names must stay allowed (``DATABASE_URL``, ``PGPASSWORD``, ``*_API_KEY``,
# ``GITHUB_TOKEN``, ``AWS_SECRET_ACCESS_KEY`` ...; tests/test_rules_env.py lists them), which
# is why some families are affixes rather than substrings: ``GIT_`` (not ``GIT``, which would
# take ``GITHUB_TOKEN``), ``*CONF``/``*_CONF_*`` (not ``*CONF*``: ``CONFLUENT_API_KEY``),
# ``LANG``/``LANGUAGE`` exactly (not ``LANG*``: ``LANGCHAIN_API_KEY``), ``*HOOK(S)`` at the end
# (not ``*HOOK*``: ``SLACK_WEBHOOK_URL``).


@dataclass(frozen=True)
class EnvFamily:
    """Environment variable names that change how programs run, and why.

    ``reason`` completes "names starting with X ..." (or "NAME is one of the names that ..."),
    so that the refusal says which family a name belongs to and what it would do.
    """

    reason: str
    names: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    # (full-match regex, how to say it) for what affixes cannot say
    patterns: tuple[tuple[str, str], ...] = ()
    # The family of names whose value is a path: refused for ``env`` (the value would become
    # a path), the point of ``env_file`` (its value is the path of the secret's own file).
    names_a_path: bool = False

    def match(self, name: str) -> str | None:
        """How ``name`` belongs to this family ("names ending in _PROXY"), or None."""
        if name in self.names:
            return f"{name} is one of the names that"
        for prefix in self.prefixes:
            if name.startswith(prefix):
                return f"names starting with {prefix}"
        for suffix in self.suffixes:
            if name.endswith(suffix):
                return f"names ending in {suffix}"
        for part in self.contains:
            if part in name:
                return f"names containing {part}"
        for regex, said in self.patterns:
            if re.fullmatch(regex, name):
                return said
        return None


ENV_FAMILIES: tuple[EnvFamily, ...] = (
    EnvFamily(
        "make the dynamic linker or the C library load code into every program",
        prefixes=("LD_", "DYLD_", "GLIBC", "GCONV"),
        contains=("PRELOAD", "MALLOC"),
        names=frozenset({"LD"}),
    ),
    EnvFamily(
        "choose which code a language runtime loads and how it runs",
        prefixes=(
            "PYTHON",
            "IPYTHON",
            "JAVA_",
            "_JAVA_",
            "JDK_",
            "PERL",
            "RUBY",
            "GEM_",
            "NODE_",
            "NPM_",
            "YARN_",
            "BUN_",
            "DENO_",
            "R_",
            "JULIA_",
            "LUA_",
            "DOTNET_",
            "CORECLR_",
            "COMPLUS_",
            "CGO_",
            "OPENSSL_",
            "ELECTRON_",
        ),
        contains=("PYTHON",),  # PYSPARK_PYTHON picks the interpreter of Spark workers
        patterns=((r"GO[A-Z0-9]+", "one-word names starting with GO (Go's settings)"),),
    ),
    EnvFamily(
        "point Jupyter, its kernels, package managers or their environments somewhere else",
        prefixes=(
            "JUPYTER",
            "JPY_",
            "CONDA",
            "MAMBA",
            "VIRTUAL_ENV",
            "PIP_",
            "UV_",
            "GIT_",
            "XDG_",
        ),
    ),
    EnvFamily(
        "are search paths: they choose which programs, libraries or modules are found",
        contains=("PATH", "LIBRARY", "_LIB_", "_LIBS_"),
        suffixes=("LIB", "LIBS"),
    ),
    EnvFamily(
        "pass options or arguments to a program, which can make it load code",
        suffixes=("OPT", "OPTS", "OPTION", "OPTIONS", "FLAGS", "ARGS"),
        contains=("OPTIONS", "_OPTS_"),
    ),
    EnvFamily(
        "redirect network traffic through another server (the value would leave the machine)",
        contains=("PROXY",),
    ),
    EnvFamily(
        "point programs at another server, socket or package index "
        "(the value would be used as a network address)",
        suffixes=(
            "HOST",
            "HOSTS",
            "HOSTNAME",
            "ADDR",
            "ADDRESS",
            "SOCK",
            "SOCKET",
            "REGISTRY",
            "MIRROR",
        ),
        contains=("ENDPOINT", "INDEX"),
        names=frozenset({"HOSTALIASES", "LOCALDOMAIN"}),
    ),
    EnvFamily(
        "name a file or directory that programs read or write (the value would become a path)",
        suffixes=(
            "CONF",
            "CONFIG",
            "FILE",
            "FILES",
            "FILENAME",
            "PROFILE",
            "PROFILER",
            "DIR",
            "DIRS",
            "HOME",
            "ROOT",
            "PREFIX",
            "CACHE",
            "RC",
            "LOG",
        ),
        contains=("_CONF_", "_CONFIG_", "CONFIG_", "FILE_", "_DIR_"),
        names=frozenset({"TMP", "TEMP", "GOOGLE_APPLICATION_CREDENTIALS"}),
        names_a_path=True,
    ),
    EnvFamily(
        "decide which certificates, keys and credential caches are trusted",
        prefixes=("SSL", "KRB5", "GNUPG", "GPG_"),
        suffixes=("CERT", "CERTS", "CERTIFICATE", "CERTIFICATES", "_CA"),
        contains=("SSL", "TLS", "CA_BUNDLE", "_CA_", "CAINFO", "CAFILE", "VERIFY", "INSECURE"),
    ),
    EnvFamily(
        "make a program run a command or load a module (the value would be run)",
        suffixes=(
            "COMMAND",
            "CMD",
            "PAGER",
            "EDITOR",
            "BROWSER",
            "HOOK",
            "HOOKS",
            "INIT",
            "SSH",
            "RSH",
            "BACKEND",
            "ENGINE",
            "ENGINES",
            "ENV",
        ),
        contains=(
            "EXEC",
            "SHELL",
            "ASKPASS",
            "STARTUP",
            "MODULE",
            "PLUGIN",
            "_INIT_",
            "_CMD_",
            "_COMMAND_",
        ),
        names=frozenset(
            {
                "VISUAL",
                "CC",
                "CXX",
                "CPP",
                "FC",
                "AR",
                "AS",
                "MAKE",
                "LESSOPEN",
                "LESSCLOSE",
            }
        ),
    ),
    EnvFamily(
        "decide how shells and standard tools run (user, prompt, locale, time zone, terminal)",
        prefixes=("LC_", "PROMPT_", "BASH_", "HIST"),
        suffixes=("DISPLAY",),
        names=frozenset(
            {
                "HOME",
                "USER",
                "LOGNAME",
                "USERNAME",
                "PWD",
                "OLDPWD",
                "LANG",
                "LANGUAGE",
                "TZ",
                "TERM",
                "TERMINFO",
                "TERMCAP",
                "COLORTERM",
                "IFS",
                "PS1",
                "PS2",
                "PS3",
                "PS4",
                "PROMPT",
                "MAIL",
                "COLUMNS",
                "LINES",
                "SHLVL",
                "UID",
                "EUID",
                "GLOBIGNORE",
                "POSIXLY_CORRECT",
                "LESS",
                "MORE",
            }
        ),
    ),
)


def env_name_refusal(name: str) -> str | None:
    """Why ``name`` (a syntactically valid variable name) may not be set by a slot, or None."""
    for family in ENV_FAMILIES:
        said = family.match(name)
        if said is not None:
            return f"'{name}' is refused: {said} {family.reason}"
    return None


# ``env_file`` names a variable holding the *path* of the secret's file (``PGPASSFILE``,
# ``KUBECONFIG``, ``GOOGLE_APPLICATION_CREDENTIALS``, ``DB_PASSWORD_FILE``): a file to read.
# A name whose path programs use as a directory, or write to (a log, a cache, a home), is not
# one; every other family stays refused (a path can still choose code: ``PYTHONSTARTUP``,
# ``BASH_ENV``, ``LD_PRELOAD``; or trust: ``SSL_CERT_FILE``).
_WRITTEN_PATHS = EnvFamily(
    "name a directory, or a file that programs write to (a secret's file is neither)",
    suffixes=("DIR", "DIRS", "HOME", "ROOT", "PREFIX", "CACHE", "LOG", "PROFILE", "PROFILER"),
    contains=("_DIR_",),
    names=frozenset({"TMP", "TEMP", "TMPDIR"}),
)


def env_file_name_refusal(name: str) -> str | None:
    """Why ``name`` may not hold the path of a slot's file (``env_file``), or None."""
    for family in (_WRITTEN_PATHS, *ENV_FAMILIES):
        if family.names_a_path:
            continue
        said = family.match(name)
        if said is not None:
            return f"'{name}' is refused: {said} {family.reason}"
    return None


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


# ---------------------------------------------------------------------------- names
#
# Slot names, project names and secret names follow one rule: people pick a secret by its
# name (in lists, the launch dialog, `get_secret("...")`), so two names that look the same
# must be one name.  Hence (1) characters that cannot be seen, or that change how the text
# around them is shown, are refused; (2) a name is stored in NFC, so "café" typed precomposed
# or decomposed is one name; (3) names are compared by ``name_key``: the "skeleton" of Unicode
# Technical Standard #39, in which look-alikes such as Latin "a" and Cyrillic "а", or "0"
# and "O", are the same letter.  Names may otherwise use any script.

# Bidirectional controls (embeddings, overrides, isolates, marks): they reorder how the text
# around them is shown, so a name can read differently from what it holds.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Default_Ignorable_Code_Point characters that are not of category Cf (those are refused by
# category): fillers, variation selectors and the combining grapheme joiner show nothing.
_INVISIBLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE0FFF),
)
_INVISIBLE = frozenset(code for low, high in _INVISIBLE_RANGES for code in range(low, high + 1))
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cs": "a lone surrogate, which is not valid Unicode text",
    "Co": "a private-use character, which has no agreed look",
    "Cn": f"not assigned in Unicode {unicodedata.unidata_version}, so it has no agreed look",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def _is_invisible(ch: str) -> bool:
    """Shows nothing: a format character (Cf) or another default-ignorable code point."""
    return ord(ch) in _INVISIBLE or unicodedata.category(ch) == "Cf"


def _refused_char_reason(ch: str) -> str | None:
    if ch in _BIDI_CONTROLS:
        return "a bidirectional control, which reorders how the text around it is shown"
    if _is_invisible(ch):
        return "an invisible character, so two different names would look the same"
    return _REFUSED_CATEGORIES.get(unicodedata.category(ch))


def _describe_char(ch: str) -> str:
    """U+202E (RIGHT-TO-LEFT OVERRIDE): the character itself is never printed."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def check_name_characters(field: str, value: str) -> None:
    """Refuse the first character of ``value`` that a name must not hold, naming it as U+XXXX."""
    for ch in value:
        reason = _refused_char_reason(ch)
        if reason is not None:
            raise InvalidInput(field, f"must not contain {_describe_char(ch)}: it is {reason}")


def _validate_name(field: str, value: Any) -> str:
    """A name: stripped, NFC, 1-99 characters, only visible characters (see above)."""
    value = _require_str(field, value).strip()
    # Checked before NFC, so that the message names the character that was sent.
    check_name_characters(field, value)
    value = unicodedata.normalize("NFC", value)
    if not 1 <= len(value) <= NAME_MAX:
        raise InvalidInput(
            field, f"must be 1-{NAME_MAX} characters (surrounding spaces are ignored)"
        )
    return value


class _SkeletonTable(dict):
    """UTS #39 as a ``str.translate`` table: code point -> its prototype, None (removed) for a
    default-ignorable character, or itself.  Filled one character at a time, on first use.

    Building the whole table (6,311 prototypes parsed, 135,000 code points tested for
    invisibility) cost ~60 ms of every server start, in the first slot file read (issue 16):
    names use few distinct characters, so each is looked up once, in the file's text.
    """

    def __init__(self, text: str):
        super().__init__()
        self._text = text  # the file: "\nSOURCE;PROTOTYPE" lines, hex, sorted

    def __missing__(self, code: int) -> str | int | None:
        result: str | int | None = code  # (an int maps a character to itself)
        # Format characters only exist in planes 0, 1 and 14.
        if (code < 0x20000 or 0xE0000 <= code < 0xE1000) and _is_invisible(chr(code)):
            result = None
        else:
            start = self._text.find(f"\n{code:04X};")
            if start >= 0:
                line = self._text[start + 1 : self._text.index("\n", start + 1)]
                result = "".join(chr(int(cp, 16)) for cp in line.split(";")[1].split())
        self[code] = result
        return result


@functools.cache
def _skeleton_table() -> _SkeletonTable:
    """The translate table of ``name_key``: the file is read once, on first use."""
    return _SkeletonTable(_CONFUSABLES_FILE.read_text(encoding="utf-8"))


def name_sort_key(name: str) -> tuple[str, str, str]:
    """The order of names in every list (API, CLI, panel): as people read them, ignoring case
    (NFKC, case-folded), then by look-alike key, then by the name itself so that the order is
    total (``Token`` before ``token``).  Not by look-alike key first: the skeleton maps ``0``
    to ``O`` and ``1`` to ``l``, which would list ``db-2`` before ``db-0``."""
    readable = unicodedata.normalize("NFKC", name).casefold()
    return (readable, name_key(name).casefold(), name)


def name_key(name: str) -> str:
    """The key by which two names are the same name: the UTS #39 skeleton of ``name``.

    skeleton(X) = NFD(the prototype of each character of NFD(X), default-ignorable characters
    removed).  Equal keys mean the names look alike, e.g. ``name_key("db-pаssword") ==
    name_key("db-password")`` (Cyrillic "а").  The key is only for comparing; never show it
    in place of the name.  A store may keep it in an indexed column to find clashes fast.
    """
    text = unicodedata.normalize("NFD", name.strip())
    return unicodedata.normalize("NFD", text.translate(_skeleton_table()))


def lookalike(name: str, others: Iterable[str]) -> str | None:
    """The first of ``others`` that is the same name as ``name`` (equal or look-alike), or None."""
    key = name_key(name)
    for other in others:
        if name_key(other) == key:
            return other
    return None


def ensure_name_free(name: str, others: Iterable[str], *, what: str) -> None:
    """Raise :class:`Conflict` (field ``name``) when ``name`` is, or looks like, one of ``others``.

    ``what`` says what the others are ("secret", "slot of this project") for the message.
    """
    other = lookalike(name, others)
    if other is not None:
        looks = "" if other == name else " (the two names look the same)"
        raise Conflict(
            f"name: '{name}' is already used by the {what} '{other}'{looks}", field="name"
        )


def validate_secret_name(value: Any) -> str:
    """A user secret's name: the same rule as slot names, NFC, returned stripped."""
    return _validate_name("name", value)


def validate_slot_name(value: Any) -> str:
    return _validate_name("name", value)


def validate_project_name(value: Any, field: str = "name") -> str:
    return _validate_name(field, value)


def validate_description(value: Any) -> str:
    """Free text up to 500 characters; newlines and tabs are fine, other controls are not."""
    value = _require_str("description", value)
    if len(value) > DESCRIPTION_MAX:
        raise InvalidInput("description", f"must be at most {DESCRIPTION_MAX} characters")
    for ch in value:
        # Newlines and tabs are fine in free text; other controls break displays, bidi
        # controls make the shown text differ from what it holds (as in names).
        if ch in "\n\r\t":
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs"):
            raise InvalidInput(
                "description",
                f"must not contain {_describe_char(ch)}: it is {_refused_char_reason(ch)} "
                "(newlines and tabs are fine)",
            )
    return value


def validate_filename(value: Any) -> str:
    """The name of the value's file in the secrets dir: never a path, never '.' or '..'."""
    value = _require_str("filename", value)
    if not is_valid_filename(value):  # the rule lives in the kernel helper, which checks it too
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
    # Upper case only: this also refuses the lower-case names some programs read
    # (http_proxy, https_proxy, no_proxy).
    if not _ENV.fullmatch(value):
        raise InvalidInput(
            "env",
            f"must be an environment variable name of at most {ENV_MAX} characters: "
            "uppercase letters, digits and '_', not starting with a digit",
        )
    refusal = env_name_refusal(value)
    if refusal is not None:
        raise InvalidInput(
            "env",
            f"{refusal}; choose another name (kernels can still read the value from its file)",
        )
    return value


def validate_env_file(value: Any) -> str | None:
    """``None`` or the name of a variable that gets the path of the slot's file (the
    ``<ENV>_FILE`` convention): the syntax of ``env``, and ``env_file_name_refusal``."""
    if value is None or value == "":
        return None
    value = _require_str("env_file", value)
    if not _ENV.fullmatch(value):
        raise InvalidInput(
            "env_file",
            f"must be an environment variable name of at most {ENV_MAX} characters: "
            "uppercase letters, digits and '_', not starting with a digit",
        )
    refusal = env_file_name_refusal(value)
    if refusal is not None:
        raise InvalidInput("env_file", f"{refusal}; choose another name")
    return value


def check_env_names(env: str | None, env_file: str | None) -> None:
    """A slot's two variables are two names."""
    if env is not None and env == env_file:
        raise InvalidInput("env_file", f"must differ from env ('{env}' holds the value itself)")


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
    "env_file": validate_env_file,
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
        fields.setdefault("env", None)  # env_file stays absent unless given
    if "env" in fields and "env_file" in fields:
        check_env_names(fields["env"], fields["env_file"])
    return fields


def validate_api_path(value: Any) -> str:
    """The syntax of an API path (relative, '/'-separated, "" for the root); not its target."""
    if not isinstance(value, str):
        raise InvalidInput("path", "must be a string (a path relative to the server root)")
    if "\x00" in value or "\\" in value:
        raise InvalidInput("path", "must not contain NUL or backslashes")
    if not _is_text(value):
        raise InvalidInput("path", "must be valid Unicode text (it holds a lone surrogate)")
    return value


# ---------------------------------------------------------------------------- request bodies

# Bodies are flat objects of short fields: anything deeper, or a number longer than this, is
# not a request of this API (and a 100 000-deep array or a 5000-digit integer made json.loads
# raise errors that became 500s).
MAX_JSON_DEPTH = 8
MAX_JSON_NUMBER_CHARS = 40


def _json_number(text: str, kind: type) -> Any:
    if len(text) > MAX_JSON_NUMBER_CHARS:
        raise InvalidInput(
            "body", f"numbers must be at most {MAX_JSON_NUMBER_CHARS} characters long"
        )
    return kind(text)


def _json_constant(text: str) -> Any:
    raise InvalidInput("body", f"must be standard JSON ({text} is not a JSON value)")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of duplicate keys silently: a request that says two things
    # about one field is refused rather than guessed.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidInput(_field_label(key), "appears twice in the body")
        result[key] = value
    return result


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """A request body: a JSON object (UTF-8) of valid Unicode text, at most 8 levels deep.

    Every problem is an :class:`InvalidInput` ("body", or the top-level key where a lone
    surrogate sits), never an exception of the parser; nothing of the body is repeated.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("body", "must be valid JSON (UTF-8)") from None
    if not text.strip():
        raise InvalidInput("body", "must be a JSON object")
    try:
        body = json.loads(
            text,
            object_pairs_hook=_json_object,
            parse_int=lambda digits: _json_number(digits, int),
            parse_float=lambda digits: _json_number(digits, float),
            parse_constant=_json_constant,
        )
    except RecursionError:
        raise InvalidInput("body", f"must not nest deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:  # JSONDecodeError, and any other refusal of the parser
        raise InvalidInput("body", "must be valid JSON (UTF-8)") from None
    if not isinstance(body, dict):
        raise InvalidInput("body", "must be a JSON object")
    _check_json_tree(body)
    return body


def _check_json_tree(body: dict[str, Any]) -> None:
    """Depth limit, and no lone surrogate in any key or string (JSON's "\\ud800" escape
    decodes to one; it cannot be encoded as UTF-8, so it would fail later, in a write)."""
    stack: list[tuple[Any, int, str]] = [(body, 1, "body")]
    while stack:
        node, depth, field = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidInput("body", f"must not nest deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(node, dict):
            for key, value in node.items():
                if not _is_text(key):
                    raise InvalidInput(
                        "body", "keys must be valid Unicode text (one holds a lone surrogate)"
                    )
                stack.append((value, depth + 1, key if depth == 1 else field))
        elif isinstance(node, list):
            stack.extend((item, depth + 1, field) for item in node)
        elif isinstance(node, str) and not _is_text(node):
            raise InvalidInput(
                _field_label(field), "must be valid Unicode text (it holds a lone surrogate)"
            )


# ---------------------------------------------------------------------- expiry

#: How every time is written: ISO 8601, UTC, whole seconds.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def normalise_expires(expires: Any) -> str | None:
    """``None``, or an ISO 8601 date or date-time as UTC ``YYYY-MM-DDTHH:MM:SSZ``.

    A time without an offset is taken as UTC; a date alone means its midnight UTC; fractions
    of a second are dropped.
    """
    if expires is None:
        return None
    if not isinstance(expires, str) or not expires.strip():
        raise InvalidInput("expires", "must be an ISO 8601 date-time string or null")
    text = expires.strip()
    if text[-1:] in ("z", "Z"):  # fromisoformat of Python 3.10 does not take "Z"
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "expires", "must be an ISO 8601 date-time such as 2026-12-31T23:59:00Z"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    out_of_range = InvalidInput("expires", "must be between the years 1000 and 9999")
    try:
        when = when.astimezone(timezone.utc)
    except OverflowError:
        raise out_of_range from None
    # strftime does not pad years before 1000, and the stored text must parse back.
    if when.year < 1000:
        raise out_of_range
    return when.strftime(TIME_FORMAT)


def future_expires(expires: Any, now: datetime | None = None) -> str | None:
    """``normalise_expires``, refusing a time that is not in the future.

    A new expiry (a secret created, its expiry changed, a slot filled with an expiring value)
    in the past is a mistake (a typo in the year, today's date whose midnight UTC has gone):
    such a secret would never be written for kernels.  Refused with a 400 naming the time.
    Stored expiries are never checked again: a secret whose expiry passed stays, "expired".
    """
    normalised = normalise_expires(expires)
    if normalised is None:
        return None
    current = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime(TIME_FORMAT)
    if normalised <= current:
        raise InvalidInput(
            "expires",
            f"{normalised} is in the past (now is {current}): a secret that has expired is "
            "never given to kernels; choose a later date, or no expiry",
        )
    return normalised


# ---------------------------------------------------------------------- redaction labels


def redaction_label(slot_names: Iterable[str]) -> str:
    """The one label ``[REDACTED:<label>]`` of a value that fills one or more slots.

    When one secret fills several slots (in one project or several), both leak guards — the
    save guard in the server and the kernel-output redaction in each kernel — must name it the
    same: the first of the slot names in alphabetical order, ignoring case (then by the name
    itself, so that the choice never depends on which project was written last).
    """
    return min(slot_names, key=lambda name: (name.casefold(), name))


# ---------------------------------------------------------------------- for the frontend
#
# The forms of JupyterLab check the same rules as the user types: their data comes from here,
# generated into ``labextension/src/rules.ts`` (``python -m jupyter_secrets.rules FILE``;
# ``tests/test_ui_rules.py`` fails while the file differs, and checks the frontend's verdicts
# on a set of cases against these functions).  The server still decides.

RULES_TS_HEADER = (
    "// Generated from jupyter_secrets/rules.py by `python -m jupyter_secrets.rules "
    "labextension/src/rules.ts`:\n// do not edit (tests/test_ui_rules.py fails while it "
    "differs).\n"
)


def frontend_rules() -> dict[str, Any]:
    """The data of the rules the forms check as the user types (JSON-ready)."""
    return {
        "nameMax": NAME_MAX,
        "descriptionMax": DESCRIPTION_MAX,
        "filenameMax": FILENAME_MAX,
        "envMax": ENV_MAX,
        "filenameChars": "".join(sorted(_filename_chars())),
        "bidiControls": sorted(ord(ch) for ch in _BIDI_CONTROLS),
        "invisibleRanges": [list(pair) for pair in _INVISIBLE_RANGES],
        "refusedCategories": dict(sorted(_REFUSED_CATEGORIES.items())),
        "envFamilies": [
            {
                "reason": family.reason,
                "names": sorted(family.names),
                "prefixes": list(family.prefixes),
                "suffixes": list(family.suffixes),
                "contains": list(family.contains),
                "patterns": [list(pattern) for pattern in family.patterns],
            }
            for family in ENV_FAMILIES
        ],
    }


def _filename_chars() -> set[str]:
    return {chr(c) for c in range(128) if chr(c).isprintable() and is_valid_filename(chr(c) + "a")}


def frontend_rules_typescript() -> str:
    """The text of ``labextension/src/rules.ts``."""
    data = json.dumps(frontend_rules(), indent=2, ensure_ascii=True)
    return (
        RULES_TS_HEADER
        + "import type { IRuleData } from './ruleChecks';\n\n"
        + f"export const RULES: IRuleData = {data};\n"
    )


if __name__ == "__main__":  # python -m jupyter_secrets.rules labextension/src/rules.ts
    import sys

    text = frontend_rules_typescript()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)

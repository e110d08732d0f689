"""The command-line machinery of ``jupyter secrets``: each command is a ``JupyterApp``.

As ``jupyter server extension list`` is built: an app per command, subcommands as
``{name: (class, help)}``, options as traitlets aliases and flags.  Every command loads the
server's config files (``jupyter_server_config.py`` / ``.json`` in the Jupyter config path,
as ``jupyter server`` finds them; ``--config FILE`` for another one) and reads the
``SecretsExtension`` section (``settings.py``); command-line options override the files.

On top of traitlets: positional arguments checked by name, global options before or after the
command, everything after ``--`` passed through untouched (``run -- CMD ...``), and usage
errors that say what was wrong and exit with code 2 (traitlets would warn and go on, or exit 1).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from copy import deepcopy
from typing import Any

from jupyter_core.application import JupyterApp, base_aliases, base_flags
from traitlets import TraitError, default
from traitlets.config.loader import ArgumentError, KVArgParseConfigLoader

from jupyter_secrets._version import __version__
from jupyter_secrets.core.settings import SECTION, SecretsExtension

EXIT_ERROR, EXIT_USAGE, EXIT_MISSING = 1, 2, 3


class UsageError(Exception):
    """The command line is wrong: exit code 2, with the command's usage line."""

    def __init__(self, message: str, app: SecretsCommand | None = None):
        super().__init__(message)
        self.app = app


class CLIError(Exception):
    """An error to print as is, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


# Jupyter's own options, less those that would write a config file (`--generate-config`
# would replace the server's jupyter_server_config.py) or answer questions we never ask.
_jupyter_flags = {
    name: flag for name, flag in base_flags.items() if name not in ("generate-config", "y")
}

STORE_ALIASES: dict[str, Any] = {
    "store": (
        f"{SECTION}.store_path",
        (
            "The store file.  Default: the server's (c.SecretsExtension.store_path, "
            "else <jupyter data dir>/jupyter_secrets/secrets.sqlite3)."
        ),
    ),
    "key-file": (
        f"{SECTION}.key_file",
        (
            "The key file, used when JUPYTER_SECRETS_KEY is not set.  Default: the server's "
            "(c.SecretsExtension.key_file, else secrets.key beside the store)."
        ),
    ),
    "owner": (
        f"{SECTION}.owner",
        (
            "Whose secrets.  Default: the server's (c.SecretsExtension.owner, "
            "else $JUPYTERHUB_USER, else your user name)."
        ),
    ),
}
SECRETS_DIR_ALIAS: dict[str, Any] = {
    "secrets-dir": (
        f"{SECTION}.secrets_dir",
        (
            "Parent of the temporary secrets directory.  Default: the server's "
            "(c.SecretsExtension.secrets_dir, else a memory-backed place)."
        ),
    ),
}

_HELP_AND_VERSION = ("h", "help", "help-all", "V", "version")
# `--Class.trait value`: traitlets takes the next argument as the value.
_CLASS_TRAIT = re.compile(r"^--[A-Za-z_]\w*(\.\w+)+$")


def split_argv(
    argv: list[str], value_options: set[str], *, stop_at_positional: bool
) -> tuple[list[str], list[str]]:
    """(options with their values, positional arguments) of a command line.

    Everything after ``--`` is positional; with ``stop_at_positional``, so is everything from
    the first positional argument on (a subcommand and its arguments, or ``run``'s command).
    """
    options: list[str] = []
    positionals: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            positionals.extend(args)
        elif arg.startswith("-") and arg != "-":
            options.append(arg)
            if "=" not in arg and (arg.lstrip("-") in value_options or _CLASS_TRAIT.match(arg)):
                value = next(args, None)
                if value is not None:
                    options.append(value)
        elif stop_at_positional:
            positionals.append(arg)
            positionals.extend(args)
        else:
            positionals.append(arg)
    return options, positionals


class _Parser(KVArgParseConfigLoader.parser_class):  # type: ignore[misc,valid-type]
    def error(self, message: str):
        raise UsageError(message)


class _Loader(KVArgParseConfigLoader):
    parser_class = _Parser

    def load_config(self, *args: Any, **kwargs: Any):
        try:
            return super().load_config(*args, **kwargs)
        except ArgumentError as err:  # a value that does not convert (e.g. a number)
            raise UsageError(str(err)) from None

    def _handle_unrecognized_alias(self, arg: str) -> None:
        raise UsageError(f"unknown option --{arg}")  # traitlets only warns, and goes on without it


class SecretsCommand(JupyterApp):
    """Base of ``jupyter secrets`` and of each of its commands."""

    name = "jupyter secrets"
    version = __version__
    synopsis = "[options]"  # the usage line, after the command's name
    arguments: tuple[
        str, ...
    ] = ()  # positional arguments: "NAME", "[SECRET]" (optional), "CMD ..." (the rest)
    too_many_hint = ""

    subcommands: dict[str, tuple[type[SecretsCommand], str]] = {}
    aliases = {**base_aliases, **STORE_ALIASES}
    flags = _jupyter_flags
    classes = [SecretsExtension]

    @default("config_file_name")
    def _server_config_file_name(self) -> str:
        return "jupyter_server_config"  # the server's config, exactly as `jupyter server` finds it

    @default("log_format")
    def _plain_log_format(self) -> str:
        return "jupyter secrets: %(message)s"

    _settings: SecretsExtension | None = None

    @property
    def settings(self) -> SecretsExtension:
        """The ``c.SecretsExtension`` settings: config files, then the command line."""
        if self._settings is None:
            self._settings = SecretsExtension(parent=self)
        return self._settings

    # ------------------------------------------------------------------ parsing

    def initialize(self, argv: list[str] | None = None) -> None:
        self.parse_command_line(sys.argv[1:] if argv is None else list(argv))
        if self.subapp is not None:
            return  # the subcommand loaded the config itself
        command_line = deepcopy(self.config)
        self.load_config_file()
        self.update_config(command_line)  # the command line overrides the files
        self.check_arguments()

    def parse_command_line(self, argv: list[str] | None = None) -> None:
        argv = list(sys.argv[1:] if argv is None else argv)
        try:
            if self.subcommands:
                options, rest = split_argv(argv, self.value_options(), stop_at_positional=True)
                if rest and (rest[0] in self.subcommands or rest[0] == "help"):
                    # `jupyter secrets --owner alice set NAME`: the options go to the command
                    argv = rest if rest[0] == "help" else [rest[0], *options, *rest[1:]]
                    super().parse_command_line(argv)
                    return
                if rest:
                    commands = ", ".join(self.subcommands)
                    raise UsageError(f"unknown command '{rest[0]}' (commands: {commands})", self)
            options, positionals = split_argv(
                argv, self.value_options(), stop_at_positional=self.takes_command
            )
            known = {*_names(self.aliases), *_names(self.flags), *_HELP_AND_VERSION}
            for option in options:
                name = option.split("=")[0]
                if name.startswith("-") and "." not in name and name.lstrip("-") not in known:
                    raise UsageError(f"unknown option {name}", self)
            super().parse_command_line(options)
            if self.extra_args:
                raise UsageError(f"unknown option {self.extra_args[0].split('=')[0]}", self)
            self.extra_args = positionals
            try:  # the settings given on the command line, checked before any config file is read
                SecretsExtension(config=deepcopy(self.config))
            except TraitError as err:
                raise UsageError(str(err), self) from None
        except UsageError as err:
            err.app = err.app or self
            for alias, target in self.flatten_flags()[1].items():
                err.args = (str(err).replace(f"--{target}", f"--{alias}"),)
            raise

    @property
    def takes_command(self) -> bool:
        return bool(self.arguments) and self.arguments[-1].endswith("...")

    @classmethod
    def value_options(cls) -> set[str]:
        """The options that take a value, here and in every subcommand (found before it)."""
        names = set(_names(cls.aliases))
        for command, _help in cls.subcommands.values():
            names |= command.value_options()
        return names

    def check_arguments(self) -> None:
        required = [a for a in self.arguments if not a.startswith("[") and not a.endswith("...")]
        if len(self.extra_args) < len(required):
            raise UsageError(f"missing {required[len(self.extra_args)]}", self)
        if not self.takes_command and len(self.extra_args) > len(self.arguments):
            raise UsageError("too many arguments" + self.too_many_hint, self)

    def _classes_with_config_traits(self, classes=None):
        # traitlets counts only a class's own traits, and SecretsExtension's come from the
        # SecretsSettings mixin: name it, so that --help-all lists them and values are typed.
        found = list(super()._classes_with_config_traits(classes))
        return iter(found if SecretsExtension in found else [*found, SecretsExtension])

    def _create_loader(self, argv, aliases, flags, classes):
        return _Loader(
            argv, aliases, flags, classes=classes, log=self.log, subcommands=self.subcommands
        )

    def initialize_subcommand(self, subc: str, argv: list[str] | None = None) -> None:
        command, _help = self.subcommands[subc]
        self.subapp = command(parent=self)  # not a singleton: main() may run more than once
        self.subapp.initialize(argv)

    # ------------------------------------------------------------------ help and running

    option_description = """Options override the server's config; every setting of
    c.SecretsExtension also works as --SecretsExtension.<name>=VALUE (see --help-all)."""

    def emit_alias_help(self):
        # Each alias's help says its default: traitlets' "Default: ''" of a computed default misleads.
        return (
            line for line in super().emit_alias_help() if not line.lstrip().startswith("Default: ")
        )

    @property
    def usage(self) -> str:
        return f"usage: {self.name} {self.synopsis}"

    def emit_help(self, classes: bool = False):
        yield self.usage
        yield ""
        yield from super().emit_help(classes=classes)

    def start(self) -> int:  # type: ignore[override]
        if self.subapp is not None:
            return self.subapp.start() or 0
        return self.execute()

    def execute(self) -> int:
        """What the command does; returns the exit code."""
        raise UsageError("missing command (see --help)", self)


def _names(aliases: dict[Any, Any]) -> Iterable[str]:
    for key in aliases:
        yield from key if isinstance(key, tuple) else (key,)

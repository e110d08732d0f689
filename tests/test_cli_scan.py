"""``jupyter secrets scan``: real processes over a real store and real files.

Every encoded form the leak guards know, base64 at each alignment, notebook attachments and
image outputs, multi-line values split over a notebook's lines, binary files, a file larger
than one read, the skipped directories — each at its exact ``file:line`` — and the value never
in what the command prints.  The exit codes: 0 clean, 1 found, 2 a wrong path or store.
"""

from __future__ import annotations

import base64
import html
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import nbformat
import pytest

from jupyter_secrets.guards import scan as scan_module
from jupyter_secrets.guards.scan import ValueScanner

from .server_process import new_key

# Built from pieces at run time: nothing here looks like a credential to a pattern scanner.
TOKEN = "tok" + "-Zq8" + "Vw3-" + "no-shape-at-all"
# Special characters, so that each encoder changes it: a space, quotes, <, &, %, /.
SPECIAL = "pa ss" + '"<w&rd>' + "%/é-" + "91x"
MULTI = "-----BEGIN TEST " + "BLOCK-----\nline-one-QW3\nline-two-ZX8\n-----END TEST BLOCK-----"


@pytest.fixture
def shell(tmp_path):
    """``jupyter secrets ...`` with its own data dir and key; the values saved in its store."""
    (tmp_path / "config").mkdir()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_SECRETS_KEY": new_key(),
    }
    env.pop("JUPYTER_SECRETS_DIR", None)
    work = tmp_path / "work"
    work.mkdir()

    def call(*args: str, stdin: str | None = None, extra_env=None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "jupyter_secrets.cli.main", *args],
            input=stdin,
            text=True,
            capture_output=True,
            env={**env, **(extra_env or {})},
            cwd=work,
            timeout=120,
        )

    call.work = work
    call.env = env
    return call


@pytest.fixture
def saved(shell):
    for name, value in (("api token", TOKEN), ("special", SPECIAL), ("pem block", MULTI)):
        result = shell("set", name, stdin=value)  # stdin without a trailing newline: exact
        assert result.returncode == 0, result.stderr
    return shell


def leaked_forms() -> list[str]:
    """What must never be printed: each value, its lines, its base64."""
    forms = []
    for value in (TOKEN, SPECIAL, MULTI):
        forms += [value, base64.b64encode(value.encode()).decode()[:12]]
        forms += [line for line in value.splitlines() if len(line) >= 6]
    return forms


def assert_no_value(result: subprocess.CompletedProcess) -> None:
    printed = result.stdout + result.stderr
    for form in leaked_forms():
        assert form not in printed


def findings(result: subprocess.CompletedProcess) -> set[str]:
    """``path:line: 'name'`` of each finding line (without its details)."""
    return {line.rsplit(" (", 1)[0] for line in result.stdout.splitlines() if line.strip()}


def write_lines(path: Path, lines: list[str], newline: str = "\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(newline.join(lines) + newline)


def png_holding(data: bytes) -> bytes:
    """A PNG-looking blob carrying ``data`` in its middle (as a tEXt chunk would)."""
    return b"\x89PNG\r\n\x1a\n" + os.urandom(37) + data + os.urandom(50)


def test_every_encoded_form_is_found_at_its_line_and_never_printed(saved):
    work = saved.work
    filler = "# nothing to see"
    write_lines(work / "plain.py", [filler, filler, f'TOKEN = "{TOKEN}"'])
    write_lines(work / "escaped.json", [json.dumps({"k": SPECIAL}), json.dumps({"pem": MULTI})])
    write_lines(
        work / "web.txt",
        [
            filler,
            "url: https://h.example/?p=" + quote(SPECIAL, safe=""),
            "form: a=1&p=" + quote_plus(SPECIAL),
            "html: <td>" + html.escape(SPECIAL) + "</td>",
            "repr: " + repr(SPECIAL.encode()),
        ],
    )
    # base64 of the value after 0, 1 and 2 other bytes, and the URL-safe alphabet.
    write_lines(
        work / "b64.txt",
        [
            base64.b64encode(prefix + TOKEN.encode() + b"!?").decode()
            for prefix in (b"", b"u", b"us")
        ]
        + [base64.urlsafe_b64encode(b"\xfb\xff" + SPECIAL.encode()).decode()],
    )
    write_lines(work / "crlf.txt", [filler, *MULTI.split("\n")], newline="\r\n")
    write_lines(work / "clean.md", [filler, "api token, special, pem block: names only"])
    result = saved("scan")
    assert result.returncode == 1, result.stdout + result.stderr
    assert findings(result) == {
        "plain.py:3: 'api token'",
        "escaped.json:1: 'special'",
        "escaped.json:2: 'pem block'",
        "web.txt:2: 'special'",
        "web.txt:3: 'special'",
        "web.txt:4: 'special'",
        "web.txt:5: 'special'",
        "b64.txt:1: 'api token'",
        "b64.txt:2: 'api token'",
        "b64.txt:3: 'api token'",
        "b64.txt:4: 'special'",
        "crlf.txt:2: 'pem block'",
    }
    assert "(base64)" in result.stdout and "(encoded)" in result.stdout
    assert "12 finding(s) in 5 file(s)" in result.stderr
    assert_no_value(result)


def test_notebooks_attachments_outputs_and_multi_line_sources(saved):
    nb = nbformat.v4.new_notebook()
    markdown = nbformat.v4.new_markdown_cell("![shot](attachment:shot.png)")
    markdown["attachments"] = {
        "shot.png": {"image/png": base64.b64encode(png_holding(TOKEN.encode())).decode()}
    }
    pasted = nbformat.v4.new_code_cell("key = '''" + MULTI + "'''\nprint(len(key))")
    plot = nbformat.v4.new_code_cell("plot()")
    wrapped = base64.encodebytes(png_holding(SPECIAL.encode())).decode()  # lines of 76
    plot["outputs"] = [
        nbformat.v4.new_output("display_data", data={"image/png": wrapped, "text/plain": "<Fig>"})
    ]
    clean = nbformat.v4.new_code_cell("1 + 1")
    clean["outputs"] = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"})]
    nb.cells = [markdown, pasted, plot, clean]
    path = saved.work / "analysis.ipynb"
    nbformat.write(nb, path)
    raw = path.read_text().splitlines()

    png_lines = [i for i, line in enumerate(raw, start=1) if '"image/png"' in line]
    begin_line = next(i for i, line in enumerate(raw, start=1) if "-----BEGIN TEST" in line)
    assert len(png_lines) == 2  # the attachment (cell 1) and the output (cell 3)

    result = saved("scan", "analysis.ipynb")
    assert result.returncode == 1, result.stdout + result.stderr
    assert findings(result) == {
        f"analysis.ipynb:{png_lines[0]}: 'api token'",
        f"analysis.ipynb:{begin_line}: 'pem block'",
        f"analysis.ipynb:{png_lines[1]}: 'special'",
    }
    out = result.stdout
    assert "cell 1 attachment 'shot.png' image/png" in out
    assert "cell 2 source" in out
    assert "cell 3 output image/png" in out
    assert_no_value(result)


def test_binary_large_and_skipped_files(saved):
    work = saved.work
    (work / "dump.bin").write_bytes(b"\0\1\2" * 100 + TOKEN.encode() + b"\0" * 10)
    # Across the boundary between two reads of a large file, on a known line.
    big = work / "big.log"
    head = ("x" * 99 + "\n") * (scan_module.CHUNK_BYTES // 100)
    cut = scan_module.CHUNK_BYTES - len(head) - 5
    head += "y" * cut
    big.write_text(head + TOKEN + "\nend\n")
    expected_big_line = head.count("\n") + 1
    for skipped in (".git", "node_modules", ".venv"):
        (work / skipped).mkdir()
        (work / skipped / "x.txt").write_text(TOKEN)
    (work / "outside.txt").write_text("")
    (work / "link.txt").symlink_to(saved.env["JUPYTER_DATA_DIR"] + "/nothing")
    target = work.parent / "elsewhere.txt"
    target.write_text(TOKEN)
    (work / "link2.txt").symlink_to(target)
    result = saved("scan", ".")
    assert result.returncode == 1, result.stdout + result.stderr
    assert findings(result) == {
        "dump.bin (binary, byte 300): 'api token'",
        f"big.log:{expected_big_line}: 'api token'",
    }
    # A skipped directory named explicitly is searched: pre-commit passes files by name.
    result = saved("scan", "node_modules/x.txt")
    assert findings(result) == {"node_modules/x.txt:1: 'api token'"}
    assert_no_value(result)


def test_exit_codes_and_messages(saved, tmp_path):
    (saved.work / "clean.txt").write_text("nothing\n")
    result = saved("scan", "clean.txt")
    assert (result.returncode, result.stdout) == (0, "")
    result = saved("scan", "clean.txt", "nope.txt")
    assert result.returncode == 2 and "nope.txt: no such file or directory" in result.stderr
    result = saved("scan", "--no-such-option")
    assert result.returncode == 2 and "unknown option --no-such-option" in result.stderr
    # A locked store (another key): 2, and the message says what the scan needs.
    result = saved("scan", "clean.txt", extra_env={"JUPYTER_SECRETS_KEY": new_key()})
    assert result.returncode == 2
    assert "locked" in result.stderr and "JUPYTER_SECRETS_KEY" in result.stderr
    # No store where the configuration says: 2, unless told that none is fine.
    elsewhere = str(tmp_path / "none" / "secrets.sqlite3")
    result = saved("scan", "--store", elsewhere, "clean.txt")
    assert result.returncode == 2 and f"no secret store at {elsewhere}" in result.stderr
    assert not Path(elsewhere).exists()  # the scan creates no store
    result = saved("scan", "--store", elsewhere, "--missing-store-ok", "clean.txt")
    assert result.returncode == 0, result.stderr
    # Short values are said not to be searched for; --min-length changes the bound.
    assert saved("set", "pin", stdin="12345").returncode == 0
    result = saved("scan", "clean.txt")
    assert result.returncode == 0 and "shorter than 6 characters): 'pin'" in result.stderr
    (saved.work / "pin.txt").write_text("code 12345\n")
    assert saved("scan", "pin.txt").returncode == 0
    result = saved("scan", "--min-length", "5", "pin.txt")
    assert result.returncode == 1 and findings(result) == {"pin.txt:1: 'pin'"}
    assert "12345" not in result.stdout + result.stderr


def test_the_store_and_its_companions_are_not_searched(shell, tmp_path):
    store = shell.work / "store" / "secrets.sqlite3"
    assert shell("--store", str(store), "set", "api token", stdin=TOKEN).returncode == 0
    (shell.work / "leak.txt").write_text(TOKEN)
    result = shell("--store", str(store), "scan", ".")
    assert findings(result) == {"leak.txt:1: 'api token'"}


# ---------------------------------------------------------------------- the engine itself


def test_bytes_values_are_found_raw_as_base64_and_hex(tmp_path):
    value = bytes(range(200, 256)) + b"\x00\x01binary"
    scanner = ValueScanner({"blob": value, "text": TOKEN})
    (tmp_path / "raw.bin").write_bytes(b"\0" * 7 + value)
    (tmp_path / "b64.txt").write_text("x\n" + base64.b64encode(b"ab" + value).decode() + "\n")
    (tmp_path / "hex.txt").write_text("\n\n" + value.hex() + "\n")
    found = {name: scanner.scan_file(tmp_path / name) for name in ("raw.bin", "b64.txt", "hex.txt")}
    assert [(f.line, f.offset, f.name) for f in found["raw.bin"]] == [(None, 7, "blob")]
    assert [(f.line, f.name, f.form) for f in found["b64.txt"]] == [(2, "blob", "base64")]
    assert [(f.line, f.name, f.form) for f in found["hex.txt"]] == [(3, "blob", "hex")]
    assert "binary" not in repr(scanner) and TOKEN not in repr(scanner)


def test_one_finding_per_place_and_secret():
    scanner = ValueScanner({"a": TOKEN, "b": TOKEN, "pem": MULTI})
    # The value and its stripped form, CRLF and LF variants at one place: one finding each.
    hits = scanner.find((" " + MULTI + "\n").encode())
    assert [(name, form) for _, name, form in hits] == [("pem", "as is")]
    hits = scanner.find(f"{TOKEN} and {TOKEN}".encode())
    assert sorted((offset, name) for offset, name, _ in hits) == [
        (0, "a"),
        (0, "b"),
        (len(TOKEN) + 5, "a"),
        (len(TOKEN) + 5, "b"),
    ]


def test_binary_values_and_references_from_the_store(shell, tmp_path):
    blob = bytes(range(256))[::-1] + b"\x00keystore"  # not UTF-8: a binary value
    (tmp_path / "key.bin").write_bytes(blob)
    result = shell("set", "keystore", "--from-file", str(tmp_path / "key.bin"))
    assert result.returncode == 0, result.stderr
    # A reference: only its command is stored; the scan does not run it.
    result = shell("set", "vaulted", "--command", f"{sys.executable} -c print('x'*20)")
    assert result.returncode == 0, result.stderr
    (shell.work / "copy.bin").write_bytes(b"\x7fELF" + blob)
    (shell.work / "encoded.txt").write_text("\n" + base64.b64encode(b"z" + blob).decode() + "\n")
    (shell.work / "fetched.txt").write_text("x" * 20 + "\n")
    result = shell("scan")
    assert result.returncode == 1, result.stdout + result.stderr
    assert findings(result) == {
        "copy.bin (binary, byte 4): 'keystore'",
        "encoded.txt:2: 'keystore'",
    }
    assert "references (their values stay in a vault" in result.stderr
    assert "'vaulted'" in result.stderr
    assert base64.b64encode(blob).decode()[4:20] not in result.stdout + result.stderr


def test_help_says_what_it_does(shell):
    result = shell("scan", "--help")
    assert result.returncode == 0
    assert "usage: jupyter secrets scan [PATH ...]" in result.stdout
    assert "--min-length" in result.stdout and "--missing-store-ok" in result.stdout
    assert "scan" in shell("--help").stdout

"""The forms check the server's rules as the user types, from one rule book (issue 13).

``labextension/src/rules.ts`` is generated from ``jupyter_secrets/rules.py``; this test fails
while it differs.  ``labextension/src/__tests__/ruleCases.json`` holds inputs with the verdict
of rules.py on each (valid, or the message it gives): it is generated here too, and
``ruleChecks.spec.ts`` (jest) checks that the frontend's checks give the same verdicts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jupyter_secrets import rules
from jupyter_secrets.errors import InvalidInput

REPO = Path(__file__).resolve().parents[1]
RULES_TS = REPO / "labextension" / "src" / "rules.ts"
CASES_JSON = REPO / "labextension" / "src" / "__tests__" / "ruleCases.json"
REGENERATE = (
    "run `.venv/bin/python -m jupyter_secrets.rules labextension/src/rules.ts` and "
    "`.venv/bin/python -m tests.test_ui_rules` to regenerate"
)

NAMES = [
    "Database password",
    "  padded  ",
    "",
    "   ",
    "x" * 99,
    "x" * 100,
    "café",
    "cafe\u0301",
    "日本語の秘密",
    "zero\u200bwidth",
    "bidi\u202eevil",
    "soft\u00adhyphen",
    "tab\tinside",
    "nel\u0085char",
    "line\u2028sep",
    "private\ue000use",
    "variation\ufe0fsel",
    "filler\u3164",
    "emoji 🔑 key",
]
DESCRIPTIONS = ["", "Read-only password\nof the demo DB\twith tabs", "x" * 500, "x" * 501]
DESCRIPTIONS += ["bell\u0007", "bidi\u2066x", "zero\u200bwidth is fine here"]
FILENAMES = ["db-password", "a.b_c-d", ".", "..", "...", "x" * 200, "x" * 201, ""]
FILENAMES += ["with space", "slash/name", "ünï", "fullwidth\uff46", ".hidden", "back\\slash"]
ENVS = ["", "DB_PASSWORD", "GITHUB_TOKEN", "OPENAI_API_KEY", "HF_TOKEN", "lower", "9START"]
ENVS += ["HTTPS_PROXY", "LD_PRELOAD", "PYTHONPATH", "JAVA_TOOL_OPTIONS", "GOFLAGS", "GO"]
ENVS += ["PAGER", "SSLKEYLOGFILE", "KUBECONFIG", "DOCKER_HOST", "LC_ALL", "TZ", "PATH"]
ENVS += ["GIT_SSH_COMMAND", "MAVEN_OPTS", "REQUESTS_CA_BUNDLE", "A" * 128, "A" * 129, "_X"]

VALIDATORS = {
    "name": rules.validate_slot_name,
    "description": rules.validate_description,
    "filename": rules.validate_filename,
    "env": rules.validate_env,
}


def verdict(field: str, value: str) -> str | None:
    """None when rules.py accepts ``value``, else its message (characters named by their code
    point only: the frontend has no table of Unicode character names)."""
    try:
        VALIDATORS[field](value)
    except InvalidInput as error:
        return re.sub(r"(U\+[0-9A-F]{4,6}) \([^)]*\)", r"\1", error.rule)
    return None


def cases() -> list[dict]:
    out = []
    for field, values in [
        ("name", NAMES),
        ("description", DESCRIPTIONS),
        ("filename", FILENAMES),
        ("env", ENVS),
    ]:
        out.extend({"field": field, "value": v, "error": verdict(field, v)} for v in values)
    return out


def cases_text() -> str:
    return json.dumps(cases(), indent=1, ensure_ascii=True) + "\n"


def test_rules_ts_is_generated_from_rules_py():
    assert RULES_TS.read_text(encoding="utf-8") == rules.frontend_rules_typescript(), REGENERATE


def test_the_cases_the_frontend_checks_are_rules_py_verdicts():
    assert CASES_JSON.read_text(encoding="utf-8") == cases_text(), REGENERATE


def test_the_cases_cover_both_verdicts_for_every_field():
    by_field: dict[str, set[bool]] = {}
    for case in cases():
        by_field.setdefault(case["field"], set()).add(case["error"] is None)
    assert by_field == {field: {True, False} for field in VALIDATORS}


@pytest.mark.parametrize("family", rules.ENV_FAMILIES, ids=lambda f: f.reason[:30])
def test_every_env_family_is_in_the_frontend_data(family):
    data = rules.frontend_rules()["envFamilies"]
    assert {"reason": family.reason, "prefixes": list(family.prefixes)}.items() <= next(
        d for d in data if d["reason"] == family.reason
    ).items()


if __name__ == "__main__":  # python -m tests.test_ui_rules: regenerate the cases
    CASES_JSON.write_text(cases_text(), encoding="utf-8")

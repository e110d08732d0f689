"""The JSON of ``openapi.yaml`` from the use cases' typed results (``core/models.py``).

The result types' field names are the document's, so the JSON is their fields, nested
(``tests/test_openapi.py`` checks real replies against the document).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jupyter_secrets.errors import InvalidInput

#: The body field of a binary value: bytes, base64-encoded (``value`` is text).
VALUE_BASE64 = "value_base64"


def to_json(result: Any) -> Any:
    """``json.dumps``'s ``default``: a result type as the object of its fields."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    raise TypeError(f"{type(result).__name__} is not a result the API returns")


def dumps(model: Any) -> str:
    return json.dumps(model, default=to_json)


def decode_value_base64(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``body`` with ``value_base64`` decoded into ``value`` (``bytes``), and the field the
    value came from (``"value"`` or ``"value_base64"``), for error messages.

    Standard or URL-safe base64; ASCII whitespace (line breaks of ``base64`` tools) and missing
    padding are tolerated; anything else is a 400 naming the field.  Both fields: a 400.
    """
    if VALUE_BASE64 not in body:
        return body, "value"
    if "value" in body:
        raise InvalidInput(
            VALUE_BASE64, "give either 'value' (text) or 'value_base64' (bytes), not both"
        )
    encoded = body[VALUE_BASE64]
    if not isinstance(encoded, str):
        raise InvalidInput(VALUE_BASE64, "must be a string of base64")
    compact = "".join(encoded.split()).replace("-", "+").replace("_", "/")
    if not compact.endswith("="):
        compact += "=" * (-len(compact) % 4)  # padding left out: tolerated
    try:
        # b64decode tolerates excess padding ("QUJD=="); a wrong length is refused here.
        if len(compact) % 4 or "=" in compact.rstrip("=") or compact.endswith("==="):
            raise ValueError("bad length or padding")
        data = base64.b64decode(compact.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        # Never quote the input: it is (a form of) the value.
        raise InvalidInput(
            VALUE_BASE64, "must be base64 (A-Z a-z 0-9 + / or - _, padded with =)"
        ) from None
    decoded = {key: value for key, value in body.items() if key != VALUE_BASE64}
    decoded["value"] = data
    return decoded, VALUE_BASE64


@contextmanager
def value_errors_name(field: str) -> Iterator[None]:
    """Errors about ``value`` name ``field`` instead (the value came as ``value_base64``)."""
    try:
        yield
    except InvalidInput as err:
        if field == "value" or err.field != "value":
            raise
        raise InvalidInput(field, err.rule) from None

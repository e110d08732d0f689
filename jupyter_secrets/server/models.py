"""The JSON of ``openapi.yaml`` from the use cases' typed results (``core/models.py``).

The result types' field names are the document's, so the JSON is their fields, nested
(``tests/test_openapi.py`` checks real replies against the document).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any


def to_json(result: Any) -> Any:
    """``json.dumps``'s ``default``: a result type as the object of its fields."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    raise TypeError(f"{type(result).__name__} is not a result the API returns")


def dumps(model: Any) -> str:
    return json.dumps(model, default=to_json)

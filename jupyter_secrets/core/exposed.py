"""Every value this server has exposed to kernels: what the leak guards must keep redacting.

A value written into a secrets file may be read by a kernel, which can hold it in memory
long after the file changed (``old = get_secret("db")``, then the value is replaced).  So a
value leaves the redaction set only when the server stops: the values of each project as
written now, plus every value that was replaced, unlinked, deleted or expired meanwhile
("retired").

Binary values (bytes) enter the set as the text they may appear as (:func:`redaction_forms`):
the leak guards search text, and a binary value reaches text decoded (``!cat``, ``print`` of
its ``.decode()``), base64-encoded (an attachment, an image output, a JSON field) or as the
``repr`` of the bytes (``print(data)``).

The retired values are bounded (:data:`MAX_RETIRED` values, :data:`MAX_RETIRED_BYTES` in
all), so that a long-lived server whose values change often cannot grow without end; past
that, the oldest retired values are dropped first, with a warning in the log.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from collections import OrderedDict

from jupyter_secrets.rules import redaction_label

log = logging.getLogger(__name__)

MAX_RETIRED = 1000
MAX_RETIRED_BYTES = 8 * 1024 * 1024


def redaction_forms(value: str | bytes) -> list[str]:
    """The texts under which the leak guards look for ``value``.

    A text value is itself (the guards add its escaped forms).  A binary value is: its UTF-8
    text when it decodes (a PEM loaded as bytes is still printed as text), the ``repr`` of the
    bytes without ``b'...'`` (``print(data)``), and its base64 forms (standard, URL-safe,
    without padding, and wrapped at 76 and 64 characters as MIME and PEM wrap them) and hex.
    Never raises on bytes that are not UTF-8.
    """
    if isinstance(value, str):
        return [value]
    data = bytes(value)
    forms: list[str] = []
    try:
        forms.append(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    forms.append(repr(data)[2:-1])
    standard = base64.b64encode(data).decode("ascii")
    forms.append(standard)
    forms.append(standard.rstrip("="))
    forms.append(base64.urlsafe_b64encode(data).decode("ascii").rstrip("="))
    for width in (76, 64):
        if len(standard) > width:
            forms.append("\n".join(standard[i : i + width] for i in range(0, len(standard), width)))
    forms.append(binascii.hexlify(data).decode("ascii"))
    return list(dict.fromkeys(form for form in forms if form))


class ExposedValues:
    """{value: slot name} of the values written for kernels, now and earlier in this run."""

    def __init__(self, max_retired: int = MAX_RETIRED, max_retired_bytes: int = MAX_RETIRED_BYTES):
        self._current: dict[str, dict[str, str]] = {}  # project id -> {value: slot name}
        self._retired: OrderedDict[str, str] = OrderedDict()  # oldest first
        self._retired_bytes = 0
        self._max_retired = max_retired
        self._max_retired_bytes = max_retired_bytes
        self._lock = threading.Lock()
        self.version = 0  # bumped whenever all() would answer differently

    def set_project(self, project_id: str, written: dict[str, str]) -> bool:
        """Record what the project's files hold now; returns whether anything changed."""
        with self._lock:
            previous = self._current.get(project_id, {})
            if previous == written:
                return False
            self._current[project_id] = dict(written)
            still_current = {value for values in self._current.values() for value in values}
            for value, name in previous.items():
                if value not in still_current:
                    self._retire(value, name)
            for value in written:
                self._forget_retired(value)
            self.version += 1
            return True

    def all(self) -> dict[str, str]:
        """Every value to redact, with its label: the slot name it was (or is) written for;
        for a value written for several slots, ``rules.redaction_label`` of their names."""
        with self._lock:
            names: dict[str, set[str]] = {}
            for values in self._current.values():
                for value, name in values.items():
                    names.setdefault(value, set()).add(name)
            merged = dict(self._retired)
            merged.update((value, redaction_label(slots)) for value, slots in names.items())
            return merged

    def _retire(self, value: str, name: str) -> None:
        self._forget_retired(value)
        self._retired[value] = name
        self._retired_bytes += len(value.encode("utf-8", "surrogatepass"))
        dropped = 0
        while self._retired and (
            len(self._retired) > self._max_retired or self._retired_bytes > self._max_retired_bytes
        ):
            oldest, _ = self._retired.popitem(last=False)
            self._retired_bytes -= len(oldest.encode("utf-8", "surrogatepass"))
            dropped += 1
        if dropped:
            log.warning(
                "jupyter_secrets: %d value(s) replaced earlier in this server's life are no longer "
                "redacted (more than %d values or %d bytes were replaced); restart the server to "
                "clear kernels that may still hold them",
                dropped,
                self._max_retired,
                self._max_retired_bytes,
            )

    def _forget_retired(self, value: str) -> None:
        if value in self._retired:
            del self._retired[value]
            self._retired_bytes -= len(value.encode("utf-8", "surrogatepass"))

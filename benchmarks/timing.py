"""What every benchmark shares: the ``Row`` it reports and the paired-timing helpers.

The machines are shared and noisy, so no absolute time is a result.  Each benchmark times the
thing under test and its baseline *in the same run*, interleaved (A B, B A, A B, ...) so that
drift of the machine hits both alike, and reports the median of the per-repeat ratios with the
min–max spread of those ratios.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the results table."""

    key: str  # stable id (the smoke test checks every key is present)
    what: str
    baseline: str
    value: float | None = None  # median of the measured quantity, in ``unit``
    base_value: float | None = None  # median of the baseline, in ``unit``
    unit: str = ""
    ratio: float | None = None  # median of the per-repeat ratios value / baseline
    ratio_min: float | None = None
    ratio_max: float | None = None
    target: str = ""
    met: bool | None = None  # None: informative row, or skipped
    note: str = ""
    repeats: int = 0
    skipped: bool = False
    error: str = ""  # the benchmark failed: why
    extra: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.error:
            return "ERROR"
        if self.skipped:
            return "skipped"
        if self.met is None:
            return "report"
        return "met" if self.met else "MISSED"


def skipped(key: str, what: str, baseline: str, target: str, note: str) -> Row:
    return Row(key=key, what=what, baseline=baseline, target=target, note=note, skipped=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100), nearest rank: p99 of 400 samples is the 396th."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ratio_row(
    key: str,
    what: str,
    baseline: str,
    values: Sequence[float],
    bases: Sequence[float],
    *,
    unit: str,
    target: str = "",
    limit: float | None = None,
    note: str = "",
) -> Row:
    """A row from paired samples: ``values[i]`` and ``bases[i]`` were measured side by side.

    ``limit``: the target on the median ratio (met when ratio <= limit).
    """
    ratios = [v / b for v, b in zip(values, bases)]
    r = median(ratios)
    return Row(
        key=key,
        what=what,
        baseline=baseline,
        unit=unit,
        value=median(values),
        base_value=median(bases),
        ratio=r,
        ratio_min=min(ratios),
        ratio_max=max(ratios),
        target=target,
        met=None if limit is None else r <= limit,
        note=note,
        repeats=len(ratios),
    )


def paired(
    candidate: Callable[[], float],
    baseline: Callable[[], float],
    repeats: int,
) -> tuple[list[float], list[float]]:
    """Run ``candidate`` and ``baseline`` ``repeats`` times each, alternating which goes first.

    Each callable returns its own measurement (a time, a size, a rate...).
    """
    values, bases = [], []
    for i in range(repeats):
        if i % 2 == 0:
            values.append(candidate())
            bases.append(baseline())
        else:
            bases.append(baseline())
            values.append(candidate())
    return values, bases


def per_call(fn: Callable[[], object], calls: int) -> float:
    """Mean seconds per call of ``fn`` over ``calls`` back-to-back calls."""
    clock = time.perf_counter
    start = clock()
    for _ in range(calls):
        fn()
    return (clock() - start) / calls


def fmt(value: float | None, unit: str) -> str:
    """A human figure: seconds become s/ms/µs, the rest keeps its unit."""
    if value is None:
        return "—"
    if unit == "s":
        if value >= 1:
            return f"{value:.2f} s"
        if value >= 1e-3:
            return f"{value * 1e3:.2f} ms"
        return f"{value * 1e6:.2f} µs"
    if unit == "B":
        return f"{value / 1024:.1f} KiB"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    return f"{value:.3g} {unit}".strip()

"""Point in time: cut a series down to what was known on a date, and judge its freshness.

Market prices are known on their own date. A macro observation is dated at the
start of its period but published later (July's CPI is dated 07-01 and public
around 08-12): when the source gives real-time dates (ALFRED, or the release
dates a run with a FRED key recorded in the store) they are used, otherwise,
and for observations without one, the publication lag declared per series in
the report definition.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from generator.model import SeriesData, Snapshot
from generator.spec import ReportSpec, SeriesSpec


def known_on(data: SeriesData, spec: SeriesSpec, as_of: date) -> SeriesData:
    """Return ``data`` keeping only observations that were public on ``as_of``."""
    cutoff = pd.Timestamp(as_of)
    published = data.values.index + pd.Timedelta(days=spec.publication_lag_days)
    if data.known_since is not None:  # real release dates where known (NaT elsewhere: the lag stands in)
        released = pd.DatetimeIndex(data.known_since.reindex(data.values.index))
        published = released.where(released.notna(), published)
    mask = pd.Series(published <= cutoff, index=data.values.index)
    values = data.values[mask.to_numpy()]
    known = data.known_since[mask.to_numpy()] if data.known_since is not None else None
    # A rejected observation counts from when it would have been published: one from after the date
    # must not make today's briefing say "no data".
    lag = pd.Timedelta(days=spec.publication_lag_days)
    rejected = tuple(r for r in data.rejected if pd.Timestamp(r.date) + lag <= cutoff)
    return replace(data, values=values, known_since=known, rejected=rejected)


def staleness_days(data: SeriesData, as_of: date) -> int | None:
    """Days between ``as_of`` and the series' last observation (``None`` when empty)."""
    last = data.last_date
    return None if last is None else (as_of - last).days


def is_stale(data: SeriesData, spec: SeriesSpec, as_of: date) -> bool:
    """True when the last known observation is older than the series' cadence allows."""
    age = staleness_days(data, as_of)
    return age is None or age > spec.max_age_days


def cut(spec: ReportSpec, snapshot: Snapshot, day: date) -> Snapshot:
    """The snapshot as it stood on ``day``: each series cut to what was public then, staleness judged then.

    Used for the comparison with an earlier period: the same plan evaluated on
    this snapshot says what the briefing would have said on ``day``.
    """
    series = {}
    for sid, data in snapshot.series.items():
        sspec = spec.series.get(sid)
        if sspec is None:  # a valuation input: dated observations, known on their own date
            series[sid] = replace(data, values=data.values[: str(day)])
            continue
        then = known_on(data, sspec, day)
        series[sid] = replace(then, stale=is_stale(then, sspec, day))
    return replace(snapshot, as_of=day, series=series)

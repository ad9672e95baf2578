"""FRED: through fredapi with an API key, through the key-less ``fredgraph.csv`` download without.

Why two paths: a new user should get real macro data with no sign-up (the
key-less CSV), while a key buys ALFRED's real-time dates, which make
backfilled briefings honest (what was published by that date, in the vintage
then current).

fredapi is used for what it is good at (building the observation queries and
parsing FRED's XML) but not for transport: its ``urlopen`` has no timeout,
installs a process-wide proxy opener, and puts the key into URLs that end up
in exception text. :class:`BoundedFred` keeps fredapi's parsing and replaces
its one private fetch method with ours: an injectable ``requests`` session, a
timeout, the configured proxy and API root, typed errors, a shared rate limit
(FRED allows 120 requests a minute) and redaction of the key everywhere.
"""

from __future__ import annotations

import logging
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import requests
from fredapi import Fred

from generator.errors import SourceError
from generator.model import SeriesData, SourceKind
from generator.sources.base import FetchResult, Ready
from generator.sources.csvdir import parse_csv
from generator.sources.endpoints import FRED_API_ROOT, FRED_CSV_URL
from generator.sources.http import (
    NetworkSettings,
    RateLimiter,
    http_get,
    install_log_redaction,
    redact,
    register_secret,
    requests_session,
    retrying,
)
from generator.sources.validate import between, check_series, rejections_between
from generator.spec import SeriesSpec

log = logging.getLogger(__name__)

__all__ = ["FRED_API_ROOT", "FRED_CSV_URL", "BoundedFred", "FredProvider", "latest_per_date"]
FRED_RATE_LIMIT = (120, 60.0)  # requests per seconds, per API key

_SERIES_IN_URL = re.compile(r"series_id=([^&]+)")
_PREFIX = re.compile(r"^FRED \S+( \(key-less CSV\))?: ")


class BoundedFred(Fred):
    """fredapi's ``Fred`` whose every request goes through our session, timeout, rate limit and redaction."""

    def __init__(
        self,
        api_key: str,
        session: requests.Session,
        settings: NetworkSettings,
        root_url: str = FRED_API_ROOT,
        limiter: RateLimiter | None = None,
    ) -> None:
        # Fred.__init__ is skipped on purpose: with proxies it installs a global
        # urllib opener for the whole process. Proxies live on our session instead.
        self.api_key = api_key
        self.root_url = root_url.rstrip("/")
        self.proxies = None
        self._session = session
        self._settings = settings
        self._limiter = limiter

    def _Fred__fetch_data(self, url: str) -> ET.Element:  # overrides fredapi's private fetch
        match = _SERIES_IN_URL.search(url)
        what = f"FRED {match.group(1) if match else 'request'}"
        if self._limiter is not None:
            self._limiter.acquire()
        response = http_get(self._session, url, {"api_key": self.api_key}, self._settings, what)
        if response.status_code >= 400:
            raise SourceError(f"{what}: HTTP {response.status_code}: {_error_message(response.content)}")
        failure: SourceError | None = None
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError as exc:
            failure = SourceError(f"{what}: malformed XML response ({exc})")
        if failure is not None:
            raise failure
        if root.tag == "error":
            raise SourceError(f"{what}: {redact(root.get('message') or 'FRED returned an error')}")
        return root

    def initial_releases(self, series_id: str, start: date, end: date) -> pd.DataFrame:
        """ALFRED's first release of each observation from ``start`` to ``end``: columns ``date``, ``realtime_start``.

        One request (``output_type=4``, "initial release only", over all real-time periods); fredapi has
        no call for it that keeps the real-time dates and the observation window both.
        """
        url = (f"{self.root_url}/series/observations?series_id={series_id}"
               f"&realtime_start={self.earliest_realtime_start}&realtime_end={self.latest_realtime_end}"
               f"&observation_start={start.isoformat()}&observation_end={end.isoformat()}&output_type=4")
        root = self._Fred__fetch_data(url)
        rows = [(child.get("date"), child.get("realtime_start")) for child in root]
        return pd.DataFrame(rows, columns=["date", "realtime_start"])


def _error_message(body: bytes) -> str:
    """FRED's error text (``<error code=".." message=".."/>`` or JSON), redacted and kept short."""
    text = body.decode("utf-8", "replace")
    message = ""
    try:
        message = ET.fromstring(body).get("message") or ""
    except ET.ParseError:
        found = re.search(r'"error_message"\s*:\s*"([^"]*)"', text)
        message = found.group(1) if found else text.strip().splitlines()[0] if text.strip() else ""
    return redact(message)[:200] or "no error message"


def latest_per_date(releases: pd.DataFrame, as_of: date, lag_days: int) -> tuple[pd.Series, pd.Series]:
    """From ALFRED's release rows, what was known on ``as_of``: values and each date's first publication.

    ``releases`` has one row per (observation date, vintage) with columns
    ``date``, ``realtime_start`` and ``value`` (fredapi's
    ``get_series_all_releases``; ``get_series_as_of_date`` is the same rows cut
    at ``as_of``, several per date). For each date the vintage current on
    ``as_of`` is kept (the latest ``realtime_start`` not after it), and the
    date's first ``realtime_start`` becomes its ``known_since``.

    Observations older than the series' first vintage in ALFRED carry that
    first vintage as their start, which is when ALFRED began recording, not
    when they were published; for those the declared publication lag is used
    instead (and the earliest vintage's value).
    """
    if releases.empty:
        empty = pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"))
        return empty, pd.Series(dtype="datetime64[ns]", index=empty.index)
    rows = releases.assign(
        date=pd.to_datetime(releases["date"]),
        realtime_start=pd.to_datetime(releases["realtime_start"]),
        value=pd.to_numeric(releases["value"], errors="coerce"),
    ).sort_values(["date", "realtime_start"], kind="stable")
    first_vintage = rows["realtime_start"].min()
    first = rows.groupby("date")["realtime_start"].min()
    lagged = pd.Series(first.index + pd.Timedelta(days=lag_days), index=first.index)
    known_since = first.where(first > first_vintage, pd.concat([first, lagged], axis=1).min(axis=1))
    cutoff = pd.Timestamp(as_of)
    visible = rows[rows["realtime_start"] <= cutoff]
    current = visible.groupby("date")["value"].last()
    initial = rows[rows["realtime_start"] == first_vintage].groupby("date")["value"].first()
    backfill = initial[(known_since.reindex(initial.index) <= cutoff) & ~initial.index.isin(current.index)]
    values = pd.concat([current, backfill]).sort_index().dropna()
    values.index.name = "date"
    return values, known_since.reindex(values.index)


# A first release this long after the declared lag is ALFRED's own start of recording (observations older
# than its first vintage carry that vintage's date), not a publication: the declared lag is used for those.
RELEASE_SLACK_DAYS = 366


def first_releases(rows: pd.DataFrame, lag_days: int) -> pd.Series:
    """Each observation date's first publication, from ALFRED rows (``date``, ``realtime_start``).

    Dates whose first vintage comes more than :data:`RELEASE_SLACK_DAYS` after
    the declared lag are left out (see there): what is returned is only what
    ALFRED really saw published.
    """
    if rows.empty:
        return pd.Series(dtype="datetime64[ns]", index=pd.DatetimeIndex([], name="date"), name="known_since")
    dates = pd.to_datetime(rows["date"], errors="coerce")
    released = pd.to_datetime(rows["realtime_start"], errors="coerce")
    first = pd.Series(released.to_numpy(), index=pd.DatetimeIndex(dates, name="date")).dropna()
    first = first[first.index.notna()].groupby(level=0).min()
    plausible = first - first.index <= pd.Timedelta(days=lag_days + RELEASE_SLACK_DAYS)
    return first[plausible.to_numpy()].rename("known_since")


def wants_release_dates(spec: SeriesSpec) -> bool:
    """Whether real release dates are worth a request: for a daily series published the next business
    day the declared lag is within a weekend of the truth; for monthly CPI it misses days that matter."""
    return spec.frequency != "daily" or spec.publication_lag_days > 1


class FredProvider:
    """FRED series, one request each, spread over threads within FRED's rate limit.

    With ``api_key``: fredapi against ``api_root``; for a past ``end`` date the
    ALFRED vintages (source ``alfred``, ``known_since`` filled), otherwise the
    latest release (source ``fred``) with ALFRED's release date of each
    observation (its ``known_since``, which the store keeps so that later
    key-less runs and backfills use real release dates instead of the declared
    lag; see :func:`wants_release_dates`). Without: the key-less CSV at
    ``csv_url`` (source ``fred-csv``). ``session`` may be injected (tests, corporate
    networks); ``today`` is injectable so "past" is testable.
    """

    name = "fred"
    streams = True  # see sources/base.py: each series is handed over as soon as it is checked

    def __init__(
        self,
        api_key: str | None = None,
        *,
        settings: NetworkSettings | None = None,
        session: requests.Session | None = None,
        api_root: str = FRED_API_ROOT,
        csv_url: str = FRED_CSV_URL,
        max_workers: int = 32,  # a whole report's series at once; the rate limiter paces the starts
        rate_limit: tuple[int, float] = FRED_RATE_LIMIT,
        today: Callable[[], date] | None = None,
    ) -> None:
        install_log_redaction()
        register_secret(api_key)
        self.api_key = api_key or None
        self.settings = settings or NetworkSettings()
        self.session = session or requests_session(self.settings)
        self.api_root = api_root
        self.csv_url = csv_url
        self.max_workers = max(1, max_workers)
        # At most max_workers requests in flight, across concurrent fetch calls too.
        self._slots = threading.BoundedSemaphore(self.max_workers)
        # Parsing and checking run one series at a time. The requests overlap on the network; CPU work on
        # thirty threads at once would only make every thread of the process, Yahoo's cookie and crumb
        # exchange included, wait longer for the interpreter lock (in a live run Yahoo's crumb request
        # waited 130 ms for it), and it would finish no sooner.
        self._parsing = threading.Lock()
        self.limiter = RateLimiter(*rate_limit)
        self.today = today or (lambda: datetime.now(UTC).date())
        self._unreachable: str | None = None
        self._client = (
            BoundedFred(self.api_key, self.session, self.settings, api_root, self.limiter) if self.api_key else None
        )

    @property
    def mode(self) -> str:
        """``api`` with a key, ``csv`` without (shown by ``doctor`` and in notes)."""
        return "api" if self._client is not None else "csv"

    def fetch(self, specs: Sequence[SeriesSpec], start: date, end: date, ready: Ready | None = None) -> FetchResult:
        """Every spec, one request each; ``ready`` (if given) gets each series as soon as it is checked."""
        series: dict[str, SeriesData] = {}
        failures: dict[str, str] = {}
        if not specs:
            return FetchResult()
        self._unreachable = None
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(specs)), thread_name_prefix="fred") as pool:
            futures = {spec.id: pool.submit(self._fetch_one, spec, start, end, ready) for spec in specs}
            for sid, future in futures.items():
                try:
                    series[sid] = future.result()
                except SourceError as exc:
                    failures[sid] = _PREFIX.sub("", redact(exc))  # the note is already keyed by the series
                except Exception as exc:  # a bug or an unforeseen payload: report it, never abort the run
                    log.warning("FRED %s: unexpected %s: %s", sid, type(exc).__name__, redact(exc))
                    failures[sid] = f"unexpected {type(exc).__name__}: {redact(exc)}"
        return FetchResult(series, failures)

    def _fetch_one(self, spec: SeriesSpec, start: date, end: date, ready: Ready | None = None) -> SeriesData:
        what = f"FRED {spec.provider_symbol}"
        if self._unreachable:  # the host did not resolve for an earlier series: offline, fail fast
            raise SourceError(f"{what}: {self._unreachable}")
        try:
            with self._slots:
                data = self._fetch_checked(spec, start, end, what)
            if ready is not None:
                ready(data)
            return data
        except SourceError as exc:
            if "cannot resolve the host" in str(exc):
                self._unreachable = str(exc).split(": ", 1)[-1]
            raise

    def _fetch_checked(self, spec: SeriesSpec, start: date, end: date, what: str) -> SeriesData:
        known: pd.Series | None = None
        source: SourceKind
        for attempt in retrying(self.settings, what):
            with attempt:
                if self._client is None:
                    raw, source = self._csv(spec, start, end), "fred-csv"
                elif end < self.today():
                    raw, known = latest_per_date(self._releases(spec), end, spec.publication_lag_days)
                    source = "alfred"
                else:
                    raw, source = self._latest(spec, start, end), "fred"
        note = None
        if source == "fred" and wants_release_dates(spec):
            known, note = self._release_dates(spec, start, end, what)
        with self._parsing:
            data = self._checked(spec, raw, known, source, start, end, what)
        return data if note is None else replace(data, notes=(*data.notes, note))

    def _release_dates(self, spec: SeriesSpec, start: date, end: date, what: str) -> tuple[pd.Series | None, str | None]:
        """ALFRED's release dates, or ``None`` and a note: the values stand without them (the lag is used)."""
        assert self._client is not None
        try:
            for attempt in retrying(self.settings, f"{what} release dates"):
                with attempt:
                    rows = self._client.initial_releases(spec.provider_symbol, start, end)
        except SourceError as exc:
            why = _PREFIX.sub("", redact(exc))
            return None, f"release dates not available ({why}): the declared publication lag is used"
        return first_releases(rows, spec.publication_lag_days), None

    def _checked(
        self, spec: SeriesSpec, raw: pd.Series, known: pd.Series | None, source: SourceKind, start: date, end: date,
        what: str,
    ) -> SeriesData:
        """The fetched values validated and cut to ``start``..``end``."""
        checked = check_series(spec, raw)
        if checked.values is None:
            detail = f" ({'; '.join(checked.notes)})" if checked.notes else ""
            raise SourceError(f"{what}: {checked.rejected}{detail}")
        values = between(checked.values, start, end)
        if values.empty:
            raise SourceError(f"{what}: no observations between {start} and {end}")
        known_since = known.reindex(values.index) if known is not None else None
        return SeriesData(
            id=spec.id,
            values=values,
            source=source,
            fetched_at=datetime.now(UTC),
            known_since=known_since,
            notes=checked.notes,
            rejected=rejections_between(checked.rejections, start, end),
        )

    def _latest(self, spec: SeriesSpec, start: date, end: date) -> pd.Series:
        assert self._client is not None
        try:
            return self._client.get_series(spec.provider_symbol, observation_start=start, observation_end=end)
        except ValueError as exc:  # fredapi's float() on a value FRED should not have sent
            raise SourceError(f"FRED {spec.provider_symbol}: malformed observation ({redact(exc)})") from None

    def _releases(self, spec: SeriesSpec) -> pd.DataFrame:
        assert self._client is not None
        try:
            frame = self._client.get_series_all_releases(spec.provider_symbol)
        except ValueError as exc:
            raise SourceError(f"FRED {spec.provider_symbol}: malformed observation ({redact(exc)})") from None
        return frame if not frame.empty else pd.DataFrame(columns=["date", "realtime_start", "value"])

    def _csv(self, spec: SeriesSpec, start: date, end: date) -> pd.Series:
        what = f"FRED {spec.provider_symbol} (key-less CSV)"
        params = {"id": spec.provider_symbol, "cosd": start.isoformat(), "coed": end.isoformat()}
        response = http_get(self.session, self.csv_url, params, self.settings, what)
        if response.status_code >= 400:
            raise SourceError(f"{what}: HTTP {response.status_code}: {_error_message(response.content)}")
        with self._parsing:
            table = parse_csv(response.content, spec.provider_symbol, "value", what)
        return table.raw

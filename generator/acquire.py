"""Obtain every series the definition names, with fallbacks, as a point-in-time :class:`Snapshot`.

``--source`` decides where data may come from:

* ``auto`` (default): live providers first (only what is new since the local
  store's last observation); a series whose live fetch fails falls back to its
  stored data, marked stale with its date; what is still missing falls back
  to the illustrative dataset. Each fallback is a note in the data-quality box
  and on the console. A failing series never aborts the briefing.
* ``live``: live providers only (successes are still stored).
* ``store``: the local store only, entirely offline.
* ``csv:DIR``: one file per series in DIR (see :mod:`generator.sources.csvdir`).
* ``illustrative``: the synthetic dataset.

``strict=True`` turns any missing or stale required series into a
:class:`DataQualityError` listing them (for scheduled runs).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from generator.errors import DataQualityError, UsageError
from generator.live_fetch import SeriesStore, fetch_live, read_stored
from generator.model import QualityNote, SeriesData, Snapshot
from generator.pointintime import is_stale, known_on
from generator.sources.base import Provider
from generator.sources.csvdir import CsvDirProvider
from generator.sources.endpoints import FRED_API_ROOT, FRED_CSV_URL
from generator.sources.http import NetworkSettings
from generator.sources.illustrative import IllustrativeProvider
from generator.sources.illustrative_profiles import NOTE as ILLUSTRATIVE_NOTE
from generator.sources.valuation import FundSource, QuoteSource, SnapshotStore, YahooQuotes, add_valuation_inputs
from generator.sources.yahoo_funds import YahooFunds
from generator.spec import LoadedSpec, ReportSpec, SeriesSpec
from generator.store import ParquetStore

log = logging.getLogger(__name__)

SOURCE_MODES = ("auto", "live", "store", "illustrative")
HISTORY_YEARS = 12  # ten-year windows plus a 200-day average need a little over ten years

Progress = Callable[[str], None]


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass
class DataSources:
    """The providers and store a run may use. Tests and the CLI build one; nothing is global."""

    live: dict[str, Provider] = field(default_factory=dict)
    store: SeriesStore | None = None
    illustrative: Provider = field(default_factory=IllustrativeProvider)
    unavailable_reason: str = "live providers are not configured"
    today: Callable[[], date] = _today
    quotes: QuoteSource | None = None  # valuation quote fields (trailing P/E), see sources/valuation.py
    funds: FundSource | None = None  # Yahoo fund data (holdings' P/E, top-holding weights), see sources/yahoo_funds.py
    csv: Provider | None = None  # the csv:DIR folder's reader, when prepared by the caller (backfill caches one)


@dataclass(frozen=True)
class SourceSettings:
    """Where live data comes from and where it is kept; read from the environment.

    ``FRED_API_KEY`` (optional: without it FRED's key-less CSV is used),
    ``BRIEFING_DATA_DIR`` (the store; default: the user's data folder),
    ``BRIEFING_FRED_API_ROOT``, ``BRIEFING_FRED_CSV_URL`` and
    ``BRIEFING_YAHOO_BASE_URL`` (mirrors, gateways), plus the network settings
    of :class:`NetworkSettings` (timeouts, retries, proxy).
    """

    data_dir: Path
    network: NetworkSettings = field(default_factory=NetworkSettings)
    fred_api_key: str | None = field(default=None, repr=False)
    fred_api_root: str = FRED_API_ROOT
    fred_csv_url: str = FRED_CSV_URL
    yahoo_base_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SourceSettings:
        env = os.environ if env is None else env
        data_dir = env.get("BRIEFING_DATA_DIR") or _default_data_dir()
        return cls(
            data_dir=Path(data_dir).expanduser(),
            network=NetworkSettings.from_env(env),
            fred_api_key=(env.get("FRED_API_KEY") or "").strip() or None,
            fred_api_root=env.get("BRIEFING_FRED_API_ROOT") or FRED_API_ROOT,
            fred_csv_url=env.get("BRIEFING_FRED_CSV_URL") or FRED_CSV_URL,
            yahoo_base_url=env.get("BRIEFING_YAHOO_BASE_URL") or None,
        )


def _default_data_dir() -> str:
    import platformdirs

    return platformdirs.user_data_dir("macro-briefing", appauthor=False)


def default_sources(settings: SourceSettings | None = None) -> DataSources:
    """The real providers and the store, configured from ``settings`` (default: the environment)."""
    # Imported here: their HTTP stacks are only needed when a run may go online.
    from generator.sources.fred import FredProvider
    from generator.sources.yahoo import YahooProvider

    settings = settings or SourceSettings.from_env()
    net = settings.network
    yahoo_cache = settings.data_dir / "yfinance"  # yfinance's cookie and time zones, our crumb
    quotes = YahooQuotes(net, base_url=settings.yahoo_base_url, cache_dir=yahoo_cache)
    return DataSources(
        live={
            "yahoo": YahooProvider(net, base_url=settings.yahoo_base_url, cache_dir=yahoo_cache),
            "fred": FredProvider(settings.fred_api_key, settings=net, api_root=settings.fred_api_root,
                                 csv_url=settings.fred_csv_url),
        },
        store=ParquetStore(settings.data_dir),
        quotes=quotes,
        funds=YahooFunds(net, session=quotes.session),  # one session: yfinance keeps one, process-wide
    )


def valuation_sources(
    source: str, sources: DataSources | None
) -> tuple[QuoteSource | None, FundSource | None, SnapshotStore | None]:
    """What ``add_valuation_inputs`` may use for ``source``: live Yahoo in auto and live modes, the store's
    snapshots in auto, live and store modes (``sources``, or what :func:`acquire` would build)."""
    mode, _ = parse_source(source)
    if mode not in ("auto", "live", "store"):
        return None, None, None
    if sources is None:
        if mode == "store":
            return None, None, ParquetStore(SourceSettings.from_env().data_dir)
        sources = default_sources()
    if mode == "store":
        return None, None, sources.store
    return sources.quotes, sources.funds, sources.store


def parse_source(source: str) -> tuple[str, Path | None]:
    """``auto``/``live``/``store``/``illustrative``, or ``csv`` with its folder."""
    if source.startswith("csv:"):
        folder = source[4:].strip()
        if not folder:
            raise UsageError("--source csv:DIR needs a folder, e.g. --source csv:data/exports")
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise UsageError(f"--source {source}: folder {path} does not exist")
        return "csv", path
    if source not in SOURCE_MODES:
        raise UsageError(f"unknown --source '{source}': expected one of {', '.join(SOURCE_MODES)} or csv:DIR")
    return source, None


# ---------------------------------------------------------------- the fallback chain


def acquire(
    spec: ReportSpec,
    as_of: date,
    source: str = "auto",
    sources: DataSources | None = None,
    progress: Progress | None = None,
    *,
    strict: bool = False,
) -> Snapshot:
    """Collect every series in ``spec`` as known on ``as_of``, following the ``source`` policy."""
    mode, folder = parse_source(source)
    if sources is None:  # the real providers and store, only when this mode can use them
        if mode == "store":
            sources = DataSources(store=ParquetStore(SourceSettings.from_env().data_dir))
        else:
            sources = default_sources() if mode in ("auto", "live") else DataSources()
    say = progress or (lambda _msg: None)
    specs = list(spec.series.values())
    start = as_of - timedelta(days=int(365.25 * HISTORY_YEARS))
    notes: list[QualityNote] = []
    got: dict[str, SeriesData] = {}
    failed: dict[str, str] = {}

    if mode == "csv" and folder is not None:
        say(f"reading {len(specs)} series from {folder}")
        result = (sources.csv or CsvDirProvider(folder)).fetch(specs, start, as_of)
        got.update(result.series)
        failed.update({sid: f"csv: {why}" for sid, why in result.failures.items()})

    if mode in ("auto", "live"):
        got.update(fetch_live(specs, sources, start, as_of, notes, failed, say))

    if mode in ("auto", "store"):
        if sources.store is None:
            notes.append(QualityNote("*", "error" if mode == "store" else "warning", "no local store is configured"))
        else:
            _from_store(specs, sources.store, mode, got, failed, notes)

    for sid, reason in failed.items():
        if sid not in got:
            notes.append(QualityNote(sid, "warning", reason))

    # A series with a declared fallback whose sources arrived is derived from them (by the plan), not invented.
    missing = [s for s in specs if s.id not in got and not _fallback_available(s, got)]
    if mode == "illustrative" or (mode == "auto" and missing):
        targets = specs if mode == "illustrative" else missing
        say(f"generating illustrative data for {len(targets)} series")
        got.update(sources.illustrative.fetch(targets, start, as_of).series)
        if mode == "auto":
            notes.append(QualityNote("*", "warning", f"all {len(targets)} series fell back to illustrative data "
                                     "(not market data)" if len(targets) == len(specs) else
                                     f"{len(targets)} series fell back to illustrative data "
                                     "(not market data): " + ", ".join(s.id for s in targets)))

    fell_back = mode == "auto" and bool(missing)
    for sid, data in got.items():
        # After a fallback the line above already names every illustrative series: one statement, not two.
        notes.extend(QualityNote(sid, "warning", note) for note in data.notes
                     if not (fell_back and note == ILLUSTRATIVE_NOTE))
    snapshot = _point_in_time(spec, as_of, source, got, notes)
    snapshot = replace(snapshot, quality=group_notes(snapshot.quality, families=_families(specs)))
    if strict:
        problems = strict_problems(spec, snapshot)
        if problems:
            raise DataQualityError(f"--strict: {len(problems)} required series missing or stale:\n"
                                   + "\n".join(problems))
    return snapshot


def _fallback_available(spec: SeriesSpec, got: Mapping[str, SeriesData]) -> bool:
    fb = spec.fallback
    return fb is not None and all(ref in got and not got[ref].values.empty for ref in fb.sources)


def acquire_inputs(
    loaded: LoadedSpec,
    as_of: date,
    source: str = "auto",
    sources: DataSources | None = None,
    progress: Progress | None = None,
    *,
    strict: bool = False,
) -> Snapshot:
    """Everything the plan needs on ``as_of``, in one call: every series (see :func:`acquire`) and the
    valuation inputs (analyst figures dated on or before ``as_of``; live quotes and fund data when ``as_of`` is
    today, kept in the store as that day's snapshot; the stored snapshots dated on or before ``as_of``)."""
    snapshot = acquire(loaded.spec, as_of, source, sources, progress, strict=strict)
    today = sources.today if sources is not None else _today
    quotes, funds, store = valuation_sources(source, sources)
    snapshot = add_valuation_inputs(loaded.spec, loaded.path, snapshot, quotes, today, funds=funds, store=store)
    return replace(snapshot, quality=group_notes(snapshot.quality))


def _from_store(
    specs: Sequence[SeriesSpec], store: SeriesStore, mode: str,
    got: dict[str, SeriesData], failed: dict[str, str], notes: list[QualityNote],
) -> None:
    for s in specs:
        if s.id in got:
            continue
        stored = read_stored(store, s, notes)
        if stored is None or stored.values.empty:
            continue
        if mode == "auto":
            reason = failed.pop(s.id, "no live data")
            got[s.id] = replace(stored, stale=True)
            notes.append(QualityNote(s.id, "warning",
                                     f"{reason}; using stored data up to {stored.last_date} (stale)"))
        else:
            got[s.id] = stored


def _policy(as_of: date, series: Mapping[str, SeriesData]) -> str:
    """Which point-in-time rule applied (printed in the briefing and the manifest).

    Market prices are always cut at their own date; macro series use ALFRED's
    real-time dates when a FRED key fetched them, the declared lag otherwise.
    """
    alfred = sorted(sid for sid, d in series.items() if d.source == "alfred" and d.known_since is not None)
    dated = sorted(sid for sid, d in series.items()
                   if d.source != "alfred" and d.known_since is not None and d.known_since.notna().any())
    parts = [f"ALFRED real-time vintages as published on {as_of} for {', '.join(alfred)}"] if alfred else []
    parts += [f"release dates recorded from ALFRED for {', '.join(dated)}"] if dated else []
    if parts:
        return "; ".join(parts) + "; publication lag declared per series for the others"
    return "publication lag declared per series"


def _point_in_time(
    spec: ReportSpec, as_of: date, source: str, got: dict[str, SeriesData], notes: list[QualityNote]
) -> Snapshot:
    series: dict[str, SeriesData] = {}
    for s in spec.series.values():
        data = got.get(s.id)
        if data is None:
            notes.append(QualityNote(s.id, "error" if s.required else "warning", "missing: no source had this series"))
            continue
        data = known_on(data, s, as_of)
        if is_stale(data, s, as_of):
            if not data.stale:
                notes.append(QualityNote(s.id, "warning", f"stale: last observation {data.last_date} is older "
                                         f"than {s.max_age_days} days"))
            data = replace(data, stale=True)
        series[s.id] = data
    shown = f"csv:{Path(source[4:]).name}" if source.startswith("csv:") else source  # the folder's name, not its path
    return Snapshot(as_of=as_of, series=series, requested_source=shown, quality=tuple(notes),
                    point_in_time_policy=_policy(as_of, series))


def _families(specs: Sequence[SeriesSpec]) -> dict[str, list[str]]:
    """Named sets of series a note can cover whole: "all 33 yahoo series", "all 56 series"."""
    families: dict[str, list[str]] = {}
    for s in specs:
        families.setdefault(f"{s.provider} series", []).append(s.id)
    families["series"] = [s.id for s in specs]
    return families


def group_notes(notes: Sequence[QualityNote], at_least: int = 3,
                families: Mapping[str, Sequence[str]] | None = None) -> tuple[QualityNote, ...]:
    """Merge a reason shared by many series into one line, so an outage reads as one problem, not fifty.

    Notes group on their level and their reason: the text after "what: " ("live yahoo failed: cannot
    resolve Yahoo's host"), so that "Yahoo IWM trailingPE: <reason>" and "Yahoo fund data SPY: <reason>"
    are one line. The line keeps what its members' openings share ("live yahoo failed", or "Yahoo") and
    lists the series, or names the family they make up whole (``families``: "all 33 yahoo series").
    Fewer than ``at_least`` members stay as they are.
    """
    whole = {frozenset(ids): name for name, ids in (families or {}).items()}

    def reason(message: str) -> tuple[str, str]:
        what, sep, why = message.partition(": ")
        return (what, why) if sep else ("", message)

    by_reason: dict[tuple[str, str], list[QualityNote]] = {}
    for n in notes:
        by_reason.setdefault((n.level, reason(n.message)[1]), []).append(n)
    # A reason alone ("no data") does not say what failed: notes whose openings share no word group only
    # with notes of the same whole message.
    vague = {key for key, group in by_reason.items()
             if len({reason(g.message)[0] for g in group}) > 1 and not _shared_opening([reason(g.message)[0] for g in group])}

    def key_of(n: QualityNote) -> tuple[str, str]:
        key = (n.level, reason(n.message)[1])
        return (n.level, n.message) if key in vague else key

    members: dict[tuple[str, str], list[QualityNote]] = {}
    for n in notes:
        members.setdefault(key_of(n), []).append(n)
    out: list[QualityNote] = []
    done: set[tuple[str, str]] = set()
    for n in notes:
        key = key_of(n)
        group = members[key]
        ids = list(dict.fromkeys(g.series_id for g in group))
        if len(ids) < at_least:
            out.append(n)
        elif key not in done:
            done.add(key)
            opening = _shared_opening([reason(g.message)[0] for g in group])
            why = reason(n.message)[1]
            text = f"{opening}: {why}" if opening else why
            family = whole.get(frozenset(ids))
            listed = f"all {len(ids)} {family}" if family else f"{len(ids)} series: {', '.join(ids)}"
            out.append(QualityNote("*", n.level, f"{text} ({listed})"))
    return tuple(out)


def _shared_opening(openings: Sequence[str]) -> str:
    """The words every opening starts with: ["Yahoo IWM trailingPE", "Yahoo fund data SPY"] -> "Yahoo"."""
    shared: list[str] = []
    for column in zip(*(o.split() for o in openings), strict=False):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    return " ".join(shared)


def strict_problems(spec: ReportSpec, snapshot: Snapshot) -> list[str]:
    """One line per required series that is missing or stale (what ``--strict`` refuses)."""
    problems: list[str] = []
    for s in spec.series.values():
        if not s.required:
            continue
        data = snapshot.series.get(s.id)
        if data is None or data.values.empty:
            problems.append(f"  {s.id}: missing")
        elif data.stale:
            problems.append(f"  {s.id}: stale (last observation {data.last_date}, source {data.source})")
    return problems


"""The data the benchmark runs on: a local store filled from the real histories, or illustrative data.

With ``../shared/data`` present (see its SOURCES.md) every series of the
report that has a recorded real history is imported into a temporary store,
exactly as ``briefing data import`` does; the series without one are filled
with the illustrative dataset, which the store keeps marked as such, so the
briefing is watermarked "Illustrative data" and the workload is the full
report. Without the folder every series is illustrative.

For the scaling measurements :func:`synthetic_store` writes random-walk
histories of a chosen length, and :func:`widened_report` a report definition
with every series repeated, to grow the number of series.
"""

from __future__ import annotations

import shutil
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
REPORT = REPO / "reports" / "small_cap_rotation.toml"

# Which real file stands for which series of the report (see ../shared/data/SOURCES.md).
REAL_FILES = {
    "market/yahoo_csv_silverlight": ["SPY", "IWM", "IWN", "VIX", "XLE", "XLI", "XLU"],
    "market/yfinance_adjusted_pairs_trading_system/daily_5y": ["RSP", "IJR", "AAPL", "MSFT"],
    "macro/fred_csv_codex_macro_monitor": ["DGS2", "DGS10", "T10Y2Y", "CPIAUCSL", "CPILFESL", "PCEPILFE",
                                           "UNRATE", "BAMLH0A0HYM2", "T5YIE", "INDPRO", "DCOILWTICO", "USREC"],
    "macro/fred_csv_corporate_bond_spread_prediction": ["NFCI", "BAA10Y"],
    "macro/fred_csv_misc": ["DFF", "SAHMREALTIME"],
}
REAL_DAY = date(2025, 9, 26)  # the last day of the long recorded Yahoo histories
ILLUSTRATIVE_DAY = date(2026, 11, 20)


@dataclass(frozen=True)
class Dataset:
    """A filled store and the briefing date that suits it."""

    store: Path
    day: date
    description: str
    real: int
    illustrative: int
    observations: int


def real_data_present() -> bool:
    return SHARED_DATA.is_dir() and all((SHARED_DATA / sub).is_dir() for sub in REAL_FILES)


def fill_store(root: Path, use_real: bool = True, report: Path = REPORT) -> Dataset:
    """Import the real histories (when present and ``use_real``) into the store at ``root``; fill the rest."""
    from generator.sources.csvdir import load_file, share_partial_bars
    from generator.sources.illustrative import IllustrativeProvider
    from generator.spec import load_spec
    from generator.store import ParquetStore

    spec = load_spec(report).spec
    store = ParquetStore(root)
    real = use_real and real_data_present()
    day = REAL_DAY if real else ILLUSTRATIVE_DAY
    imported: list[str] = []
    observations = 0
    if real:
        for sub, ids in REAL_FILES.items():
            # one folder is one import, as `briefing data import DIR/*.csv`: a partial last bar seen in some
            # files is left out of all (the long Yahoo histories end on one, 2025-09-26)
            loaded = [load_file(SHARED_DATA / sub / f"{sid}.csv", spec.series[sid], source="csv") for sid in ids]
            for item in share_partial_bars(loaded):
                store.write(item.data)
                imported.append(item.spec.id)
                observations += len(item.data.values)
    rest = [s for sid, s in spec.series.items() if sid not in imported]
    start = day - timedelta(days=int(365.25 * 12))
    for data in IllustrativeProvider().fetch(rest, start, day).series.values():
        store.write(data)
        observations += len(data.values)
    if real:
        text = (f"real histories for {len(imported)} of {len(spec.series)} series (../shared/data, "
                f"up to {day}), illustrative data for the other {len(rest)}")
    else:
        text = f"illustrative data for all {len(spec.series)} series (../shared/data absent)"
    return Dataset(root, day, text, len(imported), len(rest), observations)


# ---------------------------------------------------------------- scaling inputs

_STEP = {"daily": "B", "weekly": "W-FRI", "monthly": "MS", "quarterly": "QS"}


def synthetic_store(root: Path, years: int, day: date, report: Path = REPORT) -> int:
    """Random-walk histories of ``years`` years for every series of ``report``; returns the observation count.

    Values are positive and plausible for their kind (prices grow, rates and
    spreads wander around a level, recession flags are 0/1), written with source
    ``illustrative`` so a briefing made from them is labelled as such.
    """
    from generator.model import SeriesData
    from generator.spec import load_spec
    from generator.store import ParquetStore

    spec = load_spec(report).spec
    store = ParquetStore(root)
    first = pd.Timestamp(day) - pd.DateOffset(years=years)
    total = 0
    fetched = datetime(day.year, day.month, day.day, tzinfo=UTC)
    for sid, s in spec.series.items():
        index = pd.date_range(first, pd.Timestamp(day), freq=_STEP[s.frequency], name="date")
        rng = np.random.default_rng(zlib.crc32(sid.encode()))
        steps = rng.normal(0.0002, 0.01, len(index))
        if s.kind == "flag":
            values = (np.sin(np.arange(len(index)) / 40.0) > 0.95).astype("float64")
        elif s.kind == "price" or s.kind == "level":
            values = 100.0 * np.exp(np.cumsum(steps))
        else:
            values = 2.0 + np.abs(np.cumsum(steps * 5.0) % 6.0)
        series = pd.Series(values, index=pd.DatetimeIndex(index, freq=None, name="date"), name=sid)
        store.write(SeriesData(sid, series, "illustrative", fetched))
        total += len(series)
    return total


def widened_report(path: Path, copies: int, report: Path = REPORT) -> list[str]:
    """Write ``report`` with each series repeated ``copies`` times (ids ``SPY_2``, ...); return the new ids.

    Each copy feeds one indicator (its latest value, in no section), so that the
    plan loads it: the workload that grows with the number of series is the load,
    the snapshot, the manifest and the data-sources appendix. The files the
    definition names (its catalogue include, calendar, analyst inputs) are copied
    beside it; each copy is written whole from the resolved series (catalogue,
    defaults and the report's overrides), without its fallback.
    """
    from generator.spec import load_spec

    for sibling in report.parent.iterdir():
        if sibling.is_file() and sibling != report and sibling.suffix in (".toml", ".csv"):
            shutil.copy(sibling, path.parent / sibling.name)
    resolved = load_spec(report).spec.series
    extra: list[str] = []
    blocks: list[str] = []
    for n in range(2, copies + 1):
        for sid, spec in resolved.items():
            new = f"{sid}_{n}"
            extra.append(new)
            fields = spec.model_dump(exclude_none=True, exclude={"id", "fallback", "plausible"})
            fields["symbol"] = spec.symbol or sid
            fields["required"] = False
            lines = [f"[series.{new}]"] + [f"{k} = {_toml(v)}" for k, v in fields.items()]
            lines += ["", f"[indicators.copy_{new.lower()}]", f"label = {_toml(spec.label + f' (copy {n})')}",
                      'function = "latest"', f"inputs = {{ series = {_toml(new)} }}", f"unit = {_toml(spec.unit)}"]
            blocks.append("\n".join(lines))
    raw = report.read_text(encoding="utf-8")
    path.write_text(raw + "\n\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")
    return extra


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

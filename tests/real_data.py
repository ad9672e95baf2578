"""The real histories of ../shared/data (see its SOURCES.md) as input sets, imported into a store as
``briefing data import`` would: the tests that read a briefing as a strategist would share them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from generator.spec import ReportSpec
from generator.store import ParquetStore

MAG7 = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA"]
SECTORS = ["PSCE", "PSCI", "PSCU", "PSCF", "PSCH", "PSCT", "PSCD", "PSCM", "PSCC"]

_S1 = "macro/fred_csv_codex_macro_monitor"
_MACRO = {
    _S1: ["DGS2", "DGS10", "T10Y2Y", "CPIAUCSL", "CPILFESL", "PCEPILFE", "UNRATE", "BAMLH0A0HYM2", "T5YIE",
          "INDPRO", "DCOILWTICO", "USREC"],
    "macro/fred_csv_corporate_bond_spread_prediction": ["NFCI", "BAA10Y"],
}  # fmt: skip
_F15 = "market/yfinance_adjclose_factor_attribution"
INPUT_SETS: dict[str, dict[str, list[str]]] = {
    # The inputs issue 12 was written from: the Magnificent 7 from a six-month file ending 2025-06-13 (GOOG, the
    # class C share, standing for GOOGL), no fed target range (now derived from DFF), no small-cap sector ETFs
    # (three now stood in for by large-cap SPDRs).
    "issue": {
        "market/yahoo_csv_silverlight": ["SPY", "IWM", "IWN", "VIX", "XLE", "XLI", "XLU"],
        "market/yfinance_adjusted_pairs_trading_system/daily_5y": ["RSP", "IJR", "AAPL", "MSFT"],
        "market/yfinance_adjusted_pairs_trading_system/recent_6m": ["NVDA", "AMZN", "META", "TSLA", "GOOG:GOOGL"],
        **_MACRO,
        "macro/fred_csv_misc": ["DFF", "SAHMREALTIME"],
    },
    # The newest file of every series (SOURCES.md sections 11-15).
    "newest": {
        "market/yahoo_csv_silverlight": ["IWN", "VIX", "XLE", "XLI", "XLU"],
        _F15: ["SPY", "IWM", "IWO", "IJR", "RSP", *MAG7, *SECTORS],
        **_MACRO,
        "macro/fred_csv_misc": ["DFF"],
        "macro/fred_csv_risk_model": ["DFEDTARU", "DFEDTARL"],
        "macro/fred_csv_homeostatic_market": ["WRMFNS"],
        "macro/fred_csv_granite_tsfm": ["SAHMREALTIME"],
    },
}




def fill_store(shared_data: Path, root: Path, which: str, spec: ReportSpec, leave_out: tuple[str, ...] = ()) -> Path:
    """Import input set ``which`` into a store at ``root`` (``leave_out``: series ids to skip); return ``root``."""
    from generator.sources.csvdir import load_series

    store = ParquetStore(root)
    for folder, names in INPUT_SETS[which].items():
        for name in names:
            file, _, sid = name.partition(":")
            sid = sid or file
            if sid not in spec.series or sid in leave_out:  # a series the report does not use, or left out
                continue
            data = load_series(shared_data / folder / f"{file}.csv", spec.series[sid], source="csv")
            store.write(replace(data, id=sid, values=data.values.rename(sid)))
    return root

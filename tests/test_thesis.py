"""The thesis vs the data: each check on hand-built histories, the real prices, and the definition's claims."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from generator.model import SeriesData, Snapshot
from generator.pipeline import load_report
from generator.thesis import (
    CHECKS,
    ClaimContext,
    contribution_claim,
    evaluate_thesis,
    fed_move_claim,
    first_cut_claim,
    growth_claim,
    level_claim,
    ordinal,
    pe_discount_claim,
    ratio_low_claim,
    relative_return_claim,
)

REPORT = Path(__file__).resolve().parents[1] / "reports" / "small_cap_rotation.toml"
ARTICLE = date(2025, 8, 13)


def ctx(values: dict[str, pd.Series], as_of: date = date(2025, 12, 31)) -> ClaimContext:
    series = {sid: SeriesData(sid, s.astype(float), "csv") for sid, s in values.items()}
    return ClaimContext(Snapshot(as_of=as_of, series=series, requested_source="csv"), ARTICLE)


def target_range_upper() -> pd.Series:
    """DFEDTARU as published: daily, 5.50% from 2023-07-27, then the cuts of 2024 and 2025."""
    idx = pd.date_range("2023-07-27", "2025-12-31", freq="D")
    s = pd.Series(5.50, index=idx)
    for day, level in [
        ("2024-09-18", 5.00),
        ("2024-11-08", 4.75),
        ("2024-12-19", 4.50),
        ("2025-09-18", 4.25),
        ("2025-10-30", 4.00),
        ("2025-12-11", 3.75),
    ]:
        s[s.index >= day] = level
    return s


def test_no_cut_in_july_2024() -> None:
    found = fed_move_claim(ctx({"DFEDTARU": target_range_upper()}), series="DFEDTARU", month="2024-07", size_bp=-50)
    assert found.verdict == "not supported by the data"
    assert found.data_says == (
        "No change in July 2024: the upper bound was 5.50% all month. "
        "The easing cycle's first cut came on 2024-09-18: -50 bp (upper bound to 5.00%). "
        "Then -25 bp on 2024-11-08, -25 bp on 2024-12-19, -25 bp on 2025-09-18."
    )
    assert found.evidence == ("DFEDTARU",)


def test_a_real_move_is_consistent() -> None:
    found = fed_move_claim(ctx({"DFEDTARU": target_range_upper()}), series="DFEDTARU", month="2024-09", size_bp=-50)
    assert (found.verdict, found.data_says) == ("consistent", "DFEDTARU moved -50 bp on 2024-09-18.")
    wrong_size = fed_move_claim(
        ctx({"DFEDTARU": target_range_upper()}), series="DFEDTARU", month="2024-11", size_bp=-50
    )
    assert wrong_size.verdict == "not supported by the data"
    assert wrong_size.data_says.startswith("In November 2024: -25 bp on 2024-11-08.")


def test_fed_claims_without_data() -> None:
    assert fed_move_claim(ctx({}), series="DFEDTARU", month="2024-07", size_bp=-50).verdict == "no data"
    short = target_range_upper()["2024-08-01":]
    found = fed_move_claim(ctx({"DFEDTARU": short}), series="DFEDTARU", month="2024-07", size_bp=-50)
    assert (found.verdict, found.data_says) == ("no data", "No data: DFEDTARU does not cover 2024-07.")


def test_first_cut_of_2025() -> None:
    found = first_cut_claim(ctx({"DFEDTARU": target_range_upper()}), series="DFEDTARU", year=2025)
    assert found.verdict == "consistent"
    assert found.data_says == (
        "No cut in 2025 before the article (upper bound 4.50% on 2025-08-13). "
        "The first cut of 2025 came 36 days later, on 2025-09-18 (-25 bp)."
    )
    early = target_range_upper()
    early[early.index >= "2025-03-20"] = 4.25
    assert first_cut_claim(ctx({"DFEDTARU": early}), series="DFEDTARU", year=2025).data_says == (
        "The Fed had already cut in 2025 before the article: -25 bp on 2025-03-20."
    )
    before_article = target_range_upper()[:"2025-06-30"]
    assert first_cut_claim(ctx({"DFEDTARU": before_article}), series="DFEDTARU", year=2025).verdict == "no data"


def monthly(values: list[float], start: str) -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="ME"))


def test_pe_discount_claim() -> None:
    # R2000 and SPX forward P/Es at month ends; July 2025: 1 - 13.2 / 22 = 40%
    spx = monthly([15.0, 16.0, 22.0], "2009-01-31").set_axis(
        pd.DatetimeIndex(["2009-01-31", "2015-06-30", "2025-07-31"])
    )
    r2k = spx.copy()
    r2k[:] = [12.0, 12.0, 13.2]  # discounts 20%, 25%, 40%
    found = pe_discount_claim(ctx({"A": r2k, "B": spx}), a="A", b="B", claimed=40, tolerance=5, last_seen_year=2008)
    assert found.verdict == "consistent"
    assert found.data_says == (
        "Discount 40.0% on 2025-07-31 (A 13.2x, B 22.0x). No discount that wide between 2009-01-31 and 2025-07-31."
    )
    r2k["2015-06-30"] = 10.0  # a 37.5% discount in 2015: "last seen in 2008" is wrong
    again = pe_discount_claim(ctx({"A": r2k, "B": spx}), a="A", b="B", claimed=40, tolerance=5, last_seen_year=2008)
    assert again.verdict == "not supported by the data"
    assert again.data_says.endswith("A discount that wide was also seen on 2015-06-30 (37.5%).")
    recent = pe_discount_claim(
        ctx({"A": r2k[-1:], "B": spx[-1:]}), a="A", b="B", claimed=40, tolerance=5, last_seen_year=2008
    )
    assert recent.verdict == "consistent"
    assert "cannot be checked" in recent.data_says
    assert pe_discount_claim(ctx({}), a="A", b="B", claimed=40, tolerance=5, last_seen_year=2008).data_says == (
        "No data: A, B not available for this briefing."
    )


def test_level_claim() -> None:
    pe = monthly([12.5, 11.8], "2025-06-30")  # June 30 and July 31
    found = level_claim(ctx({"V": pe}), input="V", below=12)
    assert (found.verdict, found.data_says) == ("consistent", "V was 11.8x on 2025-07-31 (claim: below 12x).")
    stale = level_claim(ctx({"V": pe[:1]}), input="V", below=12)  # 2025-06-30 is 44 days before: still near
    assert stale.verdict == "not supported by the data"
    too_old = level_claim(ctx({"V": monthly([11.0], "2025-05-31")}), input="V", below=12)
    assert too_old.verdict == "no data"


def test_price_claims_by_hand() -> None:
    idx = pd.bdate_range(end="2025-08-13", periods=5)
    a = pd.Series([10.0, 8.0, 9.0, 12.0, 9.5], index=idx)
    b = pd.Series([10.0, 10.0, 10.0, 10.0, 10.0], index=idx)
    # ratios 1.0, 0.8, 0.9, 1.2, 0.95: 0.95 ranks 3rd of 5 -> 60th percentile
    low = ratio_low_claim(ctx({"A": a, "B": b}), a="A", b="B", max_percentile=10)
    assert low.verdict == "not supported by the data"
    assert low.data_says.startswith("On 2025-08-13 the A/B price ratio was at the 60th percentile of its history since")
    rel = relative_return_claim(ctx({"A": a, "B": b}), a="A", b="B", window=3)
    # from the 2nd to the 5th day: A 8 -> 9.5 (+18.75%), B flat
    assert rel.verdict == "consistent"
    assert rel.data_says == "From 2025-08-08 to 2025-08-13: A +18.8%, B +0.0% (+18.8 points)."
    assert relative_return_claim(ctx({"A": a, "B": b}), a="A", b="B", window=5).verdict == "no data"
    weekly = pd.Series([100.0, 95.0], index=pd.DatetimeIndex(["2024-08-12", "2025-08-11"]))
    shrink = growth_claim(ctx({"M": weekly}), series="M", weeks=52)
    assert shrink.verdict == "not supported by the data"
    assert shrink.data_says == "M -5.0% from 2024-08-12 to 2025-08-11 (100 to 95)."


def test_contribution_claim() -> None:
    idx = pd.DatetimeIndex(["2023-12-29", "2024-03-28"])
    found = contribution_claim(
        ctx(
            {
                "A": pd.Series([100.0, 130.0], index=idx),
                "B": pd.Series([10.0, 10.0], index=idx),
                "I": pd.Series([1000.0, 1100.0], index=idx),
                "WA": pd.Series([0.2], index=idx[:1]),
                "WB": pd.Series([0.1], index=idx[:1]),
            }
        ),
        members=["A", "B"],
        weights=["WA", "WB"],
        index="I",
        start="2023-12-29",
        end="2024-03-28",
        claimed=60,
        tolerance=10,
    )
    # 0.2 * 30% + 0.1 * 0% = 6% of a 10% gain -> 60%
    assert found.verdict == "consistent"
    assert found.data_says == (
        "The seven contributed 60% of I's +10.0% from 2023-12-29 to 2024-03-28 (weights as of 2023-12-29, carried by price)."
    )


def test_definition_claims_all_checked(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    loaded = load_report(REPORT)
    assert {c.check for c in loaded.spec.claims} <= set(CHECKS)
    rows = illustrative_briefing.analysis.thesis
    assert [r.id for r in rows] == [c.id for c in loaded.spec.claims]
    assert {r.verdict for r in rows} <= {"consistent", "not supported by the data", "no data"}
    by_id = {r.id: r for r in rows}
    # no analyst inputs ship with the project: the valuation claims say "no data", never a number
    assert by_id["pe_discount_40"].verdict == "no data"
    assert by_id["mag7_share_early_2024"].verdict == "no data"
    m = illustrative_briefing.manifest["thesis"]
    assert [t["id"] for t in m] == [r.id for r in rows]
    html = illustrative_briefing.files["briefing.html"].read_text()
    assert "The thesis vs the data" in html
    assert 'id="claim-fed_cut_july_2024"' in html


def test_iwn_spy_near_record_low_on_real_prices(shared_data: Path) -> None:
    market = shared_data / "market" / "yahoo_csv_silverlight"

    def adj(name: str) -> pd.Series:
        raw = pd.read_csv(market / name)
        return pd.Series(raw["Adj Close"].to_numpy(dtype=float), index=pd.to_datetime(raw["Date"]))

    iwn, spy = adj("IWN.csv"), adj("SPY.csv")
    loaded = load_report(REPORT)
    snap = Snapshot(
        as_of=date(2025, 9, 26),
        series={"IWN": SeriesData("IWN", iwn, "csv"), "SPY": SeriesData("SPY", spy, "csv")},
        requested_source="csv",
    )
    row = next(r for r in evaluate_thesis(loaded.spec, snap) if r.id == "r2000v_near_record_low")
    both = pd.concat([iwn, spy], axis=1, join="inner").dropna()
    ratio = (both.iloc[:, 0] / both.iloc[:, 1])[:"2025-08-13"]
    pct = (ratio <= ratio.iloc[-1]).mean() * 100
    n = round(pct)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    assert f"at the {n}{suffix} percentile of its history since {ratio.index[0].date()}" in row.data_says
    assert row.verdict == ("consistent" if pct <= 10 else "not supported by the data")


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (13, "13th"), (21, "21st"), (100, "100th")],
)
def test_ordinal(n: int, text: str) -> None:
    assert ordinal(n) == text


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_every_check_documented(check: str) -> None:
    assert CHECKS[check].__doc__, check

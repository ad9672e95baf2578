"""The thesis vs the data: each quantitative claim of the article checked against the series.

A claim is declared in ``[[claims]]`` of the report definition with the name of
a check registered here and its parameters. A check is a pure function of the
snapshot (what was known on the briefing date) and the article's date; it says
in words what the data show, with the numbers, and gives a verdict:

* ``consistent``: the data agree with the claim (within the declared tolerance);
* ``not supported by the data``: the data contradict it;
* ``no data``: the series needed are not available, or do not reach the dates
  the claim is about. Never a made-up number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from generator.errors import InsufficientHistory
from generator.indicators.fed import moves
from generator.indicators.leadership import contribution_between
from generator.model import SeriesRef, Snapshot, ThesisCheck, Verdict
from generator.spec import ReportSpec

CONSISTENT: Verdict = "consistent"
NOT_SUPPORTED: Verdict = "not supported by the data"
NO_DATA: Verdict = "no data"
NEAR_DAYS = 45  # a dated figure counts as "at" a date when at most this many days older


@dataclass(frozen=True)
class Finding:
    """What a check found: the sentence, the verdict and the series it read."""

    data_says: str
    verdict: Verdict
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimContext:
    snapshot: Snapshot
    article_date: date

    def series(self, sid: str) -> pd.Series | None:
        data = self.snapshot.series.get(sid)
        if data is None:
            return None
        values = data.values.dropna()
        return None if values.empty else values

    @property
    def article_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.article_date)


Check = Callable[..., Finding]
CHECKS: dict[str, Check] = {}


def check(func: Check) -> Check:
    """Register a thesis check under its own name (the ``check`` key of ``[[claims]]``)."""
    CHECKS[func.__name__] = func
    return func


def _missing(ids: list[str], ctx: ClaimContext) -> Finding | None:
    absent = [sid for sid in ids if ctx.series(sid) is None]
    if absent:
        return Finding(f"No data: {', '.join(absent)} not available for this briefing.", NO_DATA, tuple(ids))
    return None


def _at(series: pd.Series, when: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    """The latest observation dated on or before ``when`` and at most NEAR_DAYS older."""
    before = series[series.index <= when]
    if before.empty or (when - before.index[-1]).days > NEAR_DAYS:
        return None
    return before.index[-1], float(before.iloc[-1])


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _pp(x: float) -> str:
    return f"{x:.1f}"


def _easing_cycle(s: pd.Series, m: pd.Series, end: pd.Timestamp) -> str:
    """Where the easing cycle around ``end`` began: the first cut after the last hike before ``end``."""
    hikes = m[(m > 0) & (m.index <= end)]
    cuts = m[(m < 0) & (m.index > (hikes.index[-1] if not hikes.empty else m.index[0] - pd.Timedelta(days=1)))]
    if cuts.empty:
        return " No cut follows in the data."
    first = cuts.index[0]
    text = (
        f" The easing cycle's first cut came on {first.date()}: {cuts.iloc[0]:+.0f} bp "
        f"(upper bound to {float(s.loc[first]):.2f}%)."
    )
    later = cuts.iloc[1:4]
    if not later.empty:
        text += " Then " + ", ".join(f"{v:+.0f} bp on {d.date()}" for d, v in later.items()) + "."
    return text


@check
def fed_move_claim(ctx: ClaimContext, series: SeriesRef, month: str, size_bp: float) -> Finding:
    """Did the target range move by ``size_bp`` in ``month`` (YYYY-MM)? Also names the cycle's first cut."""
    if found := _missing([series], ctx):
        return found
    s = ctx.series(series)
    assert s is not None
    start = pd.Timestamp(f"{month}-01")
    end = start + pd.offsets.MonthEnd(0)
    if s.index[0] > start or s.index[-1] < end:
        return Finding(f"No data: {series} does not cover {month}.", NO_DATA, (series,))
    m = moves(s)
    in_month = m[(m.index >= start) & (m.index <= end)]
    label = start.strftime("%B %Y")
    if not in_month.empty and (in_month.round() == round(size_bp)).any():
        when = in_month[in_month.round() == round(size_bp)].index[0]
        return Finding(f"{series} moved {size_bp:+.0f} bp on {when.date()}.", CONSISTENT, (series,))
    level = float(s[s.index <= end].iloc[-1])
    if in_month.empty:
        said = f"No change in {label}: the upper bound was {level:.2f}% all month."
    else:
        said = "In " + label + ": " + "; ".join(f"{v:+.0f} bp on {d.date()}" for d, v in in_month.items()) + "."
    if size_bp < 0:
        said += _easing_cycle(s, m, end)
    return Finding(said, NOT_SUPPORTED, (series,))


@check
def first_cut_claim(ctx: ClaimContext, series: SeriesRef, year: int) -> Finding:
    """Was the first cut of ``year`` still ahead on the article's date? Says when it came, if it has."""
    if found := _missing([series], ctx):
        return found
    s = ctx.series(series)
    assert s is not None
    art = ctx.article_ts
    if s.index[-1] < art:
        return Finding(f"No data: {series} ends {s.index[-1].date()}, before the article.", NO_DATA, (series,))
    m = moves(s)
    cuts = m[(m.index.year == year) & (m < 0)]
    before = cuts[cuts.index <= art]
    level = float(s[s.index <= art].iloc[-1])
    if not before.empty:
        return Finding(
            f"The Fed had already cut in {year} before the article: {before.iloc[0]:+.0f} bp on {before.index[0].date()}.",
            NOT_SUPPORTED,
            (series,),
        )
    said = f"No cut in {year} before the article (upper bound {level:.2f}% on {art.date()})."
    after = cuts[cuts.index > art]
    if after.empty:
        said += f" No cut in {year} yet as of {s.index[-1].date()}."
    else:
        days = (after.index[0] - art).days
        said += (
            f" The first cut of {year} came {days} days later, on {after.index[0].date()} ({after.iloc[0]:+.0f} bp)."
        )
    return Finding(said, CONSISTENT, (series,))


@check
def pe_discount_claim(
    ctx: ClaimContext, a: SeriesRef, b: SeriesRef, claimed: float, tolerance: float, last_seen_year: int
) -> Finding:
    """Forward P/E discount 100 * (1 - a/b) near the article's date against ``claimed``; and when last that wide."""
    if found := _missing([a, b], ctx):
        return found
    sa, sb = ctx.series(a), ctx.series(b)
    assert sa is not None and sb is not None
    both = pd.concat({"a": sa, "b": sb}, axis=1, join="inner").dropna()
    discount = (1.0 - both["a"] / both["b"]) * 100.0
    now = _at(discount, ctx.article_ts)
    if now is None:
        return Finding(f"No data: no {a} and {b} dated together near {ctx.article_date}.", NO_DATA, (a, b))
    when, value = now
    said = f"Discount {_pp(value)}% on {when.date()} ({a} {both['a'][when]:.1f}x, {b} {both['b'][when]:.1f}x)."
    verdict = CONSISTENT if abs(value - claimed) <= tolerance else NOT_SUPPORTED
    since = discount[(discount.index.year > last_seen_year) & (discount.index < when)]
    if since.empty or since.index[0].year > last_seen_year + 1:
        said += f" Whether it was 'last seen in {last_seen_year}' cannot be checked: the inputs do not reach back."
    else:
        wide = since[since >= claimed - tolerance]
        if wide.empty:
            said += f" No discount that wide between {since.index[0].date()} and {when.date()}."
        else:
            said += f" A discount that wide was also seen on {wide.index[-1].date()} ({_pp(float(wide.iloc[-1]))}%)."
            verdict = NOT_SUPPORTED
    return Finding(said, verdict, (a, b))


@check
def level_claim(ctx: ClaimContext, input: SeriesRef, below: float) -> Finding:
    """Was the dated figure ``input`` below ``below`` near the article's date?"""
    if found := _missing([input], ctx):
        return found
    s = ctx.series(input)
    assert s is not None
    now = _at(s, ctx.article_ts)
    if now is None:
        return Finding(f"No data: no {input} dated near {ctx.article_date}.", NO_DATA, (input,))
    when, value = now
    verdict = CONSISTENT if value < below else NOT_SUPPORTED
    return Finding(f"{input} was {value:.1f}x on {when.date()} (claim: below {below:g}x).", verdict, (input,))


def _ratio_to_article(ctx: ClaimContext, a: SeriesRef, b: SeriesRef) -> pd.Series | None:
    sa, sb = ctx.series(a), ctx.series(b)
    assert sa is not None and sb is not None
    both = pd.concat({"a": sa, "b": sb}, axis=1, join="inner").dropna()
    both = both[both.index <= ctx.article_ts]
    if both.empty or (ctx.article_ts - both.index[-1]).days > 7:
        return None
    return both["a"] / both["b"]


@check
def ratio_low_claim(ctx: ClaimContext, a: SeriesRef, b: SeriesRef, max_percentile: float) -> Finding:
    """Percentile of the a/b price ratio on the article's date within its whole history to then."""
    if found := _missing([a, b], ctx):
        return found
    ratio = _ratio_to_article(ctx, a, b)
    if ratio is None:
        return Finding(f"No data: {a}/{b} prices do not reach {ctx.article_date}.", NO_DATA, (a, b))
    pct = float((ratio <= ratio.iloc[-1]).mean() * 100.0)
    low_date = ratio.idxmin()
    said = (
        f"On {ratio.index[-1].date()} the {a}/{b} price ratio was at the {ordinal(round(pct))} percentile of its history "
        f"since {ratio.index[0].date()} (its low: {low_date.date()}). A price ratio, not a P/E ratio."
    )
    return Finding(said, CONSISTENT if pct <= max_percentile else NOT_SUPPORTED, (a, b))


@check
def contribution_claim(
    ctx: ClaimContext,
    members: list[SeriesRef],
    weights: list[SeriesRef],
    index: SeriesRef,
    start: str,
    end: str,
    claimed: float,
    tolerance: float,
) -> Finding:
    """Members' share of the index's gain from ``start`` to ``end`` (weights carried by price) against ``claimed``."""
    ids = [*members, index, *weights]
    if found := _missing(ids, ctx):
        return found
    prices = pd.concat({m: ctx.series(m) for m in members}, axis=1)
    w = pd.concat({k: ctx.series(k) for k in weights}, axis=1)
    idx = ctx.series(index)
    assert idx is not None
    try:
        share, index_ret, wdate = contribution_between(prices, idx, w, pd.Timestamp(start), pd.Timestamp(end))
    except InsufficientHistory as exc:
        return Finding(f"No data: {exc}.", NO_DATA, tuple(ids))
    said = (
        f"The seven contributed {share:.0f}% of {index}'s {index_ret:+.1f}% from {start} to {end} "
        f"(weights as of {wdate.date()}, carried by price)."
    )
    return Finding(said, CONSISTENT if abs(share - claimed) <= tolerance else NOT_SUPPORTED, tuple(ids))


@check
def relative_return_claim(ctx: ClaimContext, a: SeriesRef, b: SeriesRef, window: int) -> Finding:
    """Did a beat b over the ``window`` trading days to the article's date?"""
    if found := _missing([a, b], ctx):
        return found
    ratio = _ratio_to_article(ctx, a, b)
    if ratio is None or len(ratio) < window + 1:
        return Finding(
            f"No data: {a}/{b} prices do not cover the {window} days to {ctx.article_date}.", NO_DATA, (a, b)
        )
    sa, sb = ctx.series(a), ctx.series(b)
    assert sa is not None and sb is not None
    d0, d1 = ratio.index[-1 - window], ratio.index[-1]
    ra = (sa[d1] / sa[d0] - 1.0) * 100.0
    rb = (sb[d1] / sb[d0] - 1.0) * 100.0
    said = f"From {d0.date()} to {d1.date()}: {a} {ra:+.1f}%, {b} {rb:+.1f}% ({ra - rb:+.1f} points)."
    return Finding(said, CONSISTENT if ra > rb else NOT_SUPPORTED, (a, b))


@check
def growth_claim(ctx: ClaimContext, series: SeriesRef, weeks: int) -> Finding:
    """Did ``series`` grow over the ``weeks`` weeks to the article's date?"""
    if found := _missing([series], ctx):
        return found
    s = ctx.series(series)
    assert s is not None
    now = _at(s, ctx.article_ts)
    then = _at(s, ctx.article_ts - pd.Timedelta(weeks=weeks))
    if now is None or then is None:
        return Finding(f"No data: {series} does not cover the {weeks} weeks to {ctx.article_date}.", NO_DATA, (series,))
    change = (now[1] / then[1] - 1.0) * 100.0
    said = f"{series} {change:+.1f}% from {then[0].date()} to {now[0].date()} ({then[1]:,.0f} to {now[1]:,.0f})."
    return Finding(said, CONSISTENT if change > 0 else NOT_SUPPORTED, (series,))


def evaluate_thesis(spec: ReportSpec, snapshot: Snapshot) -> list[ThesisCheck]:
    """One :class:`ThesisCheck` per declared claim, in the definition's order."""
    if spec.thesis is None:
        return []
    ctx = ClaimContext(snapshot, spec.thesis.article_date)
    rows: list[ThesisCheck] = []
    for claim in spec.claims:
        params: dict[str, Any] = dict(claim.params)
        found = CHECKS[claim.check](ctx, **params)
        rows.append(ThesisCheck(claim.id, claim.claim, found.data_says, found.verdict, claim.settle, found.evidence))
    return rows

"""The reference every speed target is a ratio to: QuantStats' HTML tearsheet on 10 years of daily returns.

``python -m bench.reference --output FILE`` runs ``quantstats.reports.html``
in a new process, as a user of that library would, on a seeded synthetic
series of 2,520 business days (no benchmark series, so nothing is downloaded:
it runs offline). Measured in the same run and interleaved with the
briefing's own measurements, it turns timings on a shared, busy machine into
ratios that mean something.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

YEARS = 10
DAYS = 252 * YEARS


def returns():  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(20260101)
    index = pd.bdate_range("2016-01-04", periods=DAYS, name="Date")
    return pd.Series(rng.normal(0.0004, 0.011, DAYS), index=index, name="Strategy")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reference")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "Arial not found": it falls back
    import quantstats as qs

    qs.reports.html(returns(), output=str(args.output), title="Reference tearsheet")


if __name__ == "__main__":
    main()

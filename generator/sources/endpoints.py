"""The live services' public addresses, in a module that imports nothing.

Settings name them as defaults without importing the providers, whose HTTP
libraries (fredapi, requests, yfinance, curl_cffi) cost a run that stays
offline, such as ``--source store``, half a second for nothing.
"""

from __future__ import annotations

FRED_API_ROOT = "https://api.stlouisfed.org/fred"
FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"

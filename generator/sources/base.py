"""The one interface every data provider implements, and the provider registry.

A provider turns a list of :class:`SeriesSpec` into :class:`SeriesData`. It
never raises for one bad series: failures are returned per series so the
caller can fall back (store, then illustrative) series by series.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from generator.model import SeriesData
from generator.spec import SeriesSpec


@dataclass(frozen=True)
class FetchResult:
    """What a provider returns: the series it got, and a reason for each it did not."""

    series: dict[str, SeriesData] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


class Provider(Protocol):
    """A data source. ``name`` appears in manifests and the data-quality box."""

    name: str

    def fetch(self, specs: Sequence[SeriesSpec], start: date, end: date) -> FetchResult:
        """Fetch observations dated in ``[start, end]`` for each spec."""
        ...


Ready = Callable[[SeriesData], None]


class StreamingProvider(Provider, Protocol):
    """A provider that can also hand over each series as soon as it has it, before ``fetch`` returns.

    ``streams = True`` says so; ``ready`` is called once per series fetched (from any thread), and the
    returned :class:`FetchResult` still holds every series. The live fetch uses it to store each series
    while the provider's other requests are still out.
    """

    streams: bool

    def fetch(self, specs: Sequence[SeriesSpec], start: date, end: date, ready: Ready | None = None) -> FetchResult:
        ...


ProviderFactory = Callable[..., Provider]

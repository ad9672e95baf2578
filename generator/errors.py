"""The project's exception tree.

Every error a user can cause (a bad option, a broken report definition, an
unwritable folder, data that cannot be had) is a ``BriefingError``; the CLI
prints its message on one line and exits non-zero. Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations


class BriefingError(Exception):
    """Base class: a failure the user can act on. ``exit_code`` is what the CLI returns."""

    exit_code = 1


class SpecError(BriefingError):
    """The report definition is missing or invalid. The message names file, key and expectation."""

    exit_code = 2


class UsageError(BriefingError):
    """An option value the user gave cannot be used (bad date, unknown source...)."""

    exit_code = 2


class SourceError(BriefingError):
    """A data source failed for a series (network, HTTP status, malformed payload)."""


class DataQualityError(BriefingError):
    """Strict mode: required series are missing or stale."""

    exit_code = 3


class InsufficientHistory(BriefingError):
    """An indicator's window is longer than the history available on the as-of date."""


class OutputError(BriefingError):
    """The briefing cannot be written (folder not writable, disk full, exists without --force)."""

    exit_code = 4


class TransientSourceError(SourceError):
    """A failure worth retrying: timeout, dropped connection, HTTP 5xx. Retried with backoff, then reported."""


class RateLimitError(TransientSourceError):
    """The service said slow down (HTTP 429, yfinance's ``YFRateLimitError``).

    ``retry_after`` is the server's ``Retry-After`` in seconds when it sent one.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreError(BriefingError):
    """The local data store cannot be read or written (permissions, corrupt file, lock timeout)."""


class ArchiveError(BriefingError):
    """An archived briefing cannot be read: unknown date, damaged manifest or missing snapshot.

    The message names the file and, for a manifest, the field that is wrong.
    """

    exit_code = 5


class ExecutorError(BriefingError):
    """The computing cluster named by ``--executor`` could not be used (unreachable scheduler, missing extra)."""

    exit_code = 6


class DeliveryConfigError(BriefingError):
    """The delivery configuration (recipients, sender, SMTP) is missing or invalid. The message names the key."""

    exit_code = 2


class UnsafeToSend(DataQualityError):
    """The briefing is built on illustrative data or on stale required series; sending it needs an override."""


class DeliveryError(BriefingError):
    """The mail server could not be used (unreachable, TLS, login, sender refused): nothing more was sent."""

    exit_code = 6


class PartialDelivery(DeliveryError):
    """Some recipients were not served (rejected, or still failing after retries); the others were."""

    exit_code = 7

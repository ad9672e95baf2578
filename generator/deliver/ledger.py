"""The send ledger: who was sent which briefing, kept in the briefing's own folder.

``output/YYYY-MM-DD/delivery/ledger.jsonl`` is append-only JSON lines, one event
per line, flushed and fsynced before the next recipient is tried:

* ``attempt``  written just before the message is handed to the server;
* ``sent``     the server accepted it (``250`` after DATA);
* ``rejected`` the server refused this address for good (5xx);
* ``failed``   a transient failure that outlasted the retries (try again later).

A recipient with a ``sent`` event is served and is never sent to again. One
whose last event is an ``attempt`` was interrupted mid-send (killed process,
lost connection after DATA): the server may or may not have delivered it, so it
is reported as *in doubt* and not retried automatically, because sending twice
is worse for a weekly report than asking a human. A lock file keeps two
senders (cron and a person) from serving the same folder at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock, Timeout

from generator.deliver.config import address_key
from generator.errors import DeliveryError, OutputError

LEDGER_DIR = "delivery"
LEDGER_FILE = "ledger.jsonl"
Event = Literal["attempt", "sent", "rejected", "failed"]


@dataclass(frozen=True)
class RecipientState:
    address: str
    last_event: Event
    at: str
    detail: str = ""

    @property
    def served(self) -> bool:
        return self.last_event == "sent"

    @property
    def in_doubt(self) -> bool:
        return self.last_event == "attempt"


class Ledger:
    """The ledger of one briefing folder."""

    def __init__(self, briefing_dir: Path) -> None:
        self.dir = Path(briefing_dir) / LEDGER_DIR
        self.path = self.dir / LEDGER_FILE

    def events(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        try:
            with self.path.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        # A line cut short by a crash mid-write is the last one; earlier lines are intact.
                        raise OutputError(
                            f"{self.path}:{n}: unreadable ledger line; fix or remove it by hand"
                        ) from None
        except OSError as exc:
            raise OutputError(f"cannot read the send ledger {self.path}: {exc.strerror or exc}") from None
        return out

    def states(self) -> dict[str, RecipientState]:
        """The latest state per address, keyed by :func:`address_key` (``PM@EXAMPLE.COM`` is ``pm@example.com``,
        as the configuration's duplicate check has it); ``sent`` is final whatever follows."""
        states: dict[str, RecipientState] = {}
        for e in self.events():
            key = address_key(e["recipient"])
            if key in states and states[key].served:
                continue
            states[key] = RecipientState(e["recipient"], e["event"], e["at"], e.get("detail", ""))
        return states

    def record(self, recipient: str, event: Event, detail: str = "", **extra: Any) -> None:
        entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "recipient": recipient, "event": event}
        if detail:
            entry["detail"] = detail
        entry.update(extra)
        try:
            self.dir.mkdir(exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write the send ledger {self.path}: {exc.strerror or exc}") from None

    @contextmanager
    def locked(self, timeout: float = 5.0) -> Iterator[Ledger]:
        """Hold the ledger's lock, having checked that the ledger can be written (``OutputError`` if not:
        a read-only archive, or another user's)."""
        lock = FileLock(str(self.dir / ".lock"))
        try:
            self.dir.mkdir(exist_ok=True)
            lock.acquire(timeout=timeout)
        except Timeout:
            raise DeliveryError(
                f"another `briefing send` is delivering {self.dir.parent.name} right now (lock {lock.lock_file})"
            ) from None
        except OSError as exc:
            raise OutputError(f"cannot write the send ledger in {self.dir}: {exc.strerror or exc}") from None
        try:
            try:
                with self.path.open("a", encoding="utf-8"):
                    pass
            except OSError as exc:
                raise OutputError(f"cannot write the send ledger {self.path}: {exc.strerror or exc}") from None
            yield self
        finally:
            lock.release()

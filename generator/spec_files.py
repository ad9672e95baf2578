"""Reading a report definition's files: includes, defaults, and where each key came from.

A definition may include shared files (``include = ["series.toml"]``, paths
relative to the including file), typically the series catalogue. Tables merge
key by key: the including file wins, so a report can take a catalogue series
and change one setting (``[series.CPILFESL] max_staleness_days = 90``).

``[defaults.PROVIDER]`` tables (``[defaults.yahoo]``) give every series of that
provider the keys it does not set itself, so a catalogue of forty Yahoo
tickers does not repeat the same six lines forty times.

Every key remembers the file it came from, so a validation error names the file
the author has to open, not the one that happened to include it.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from generator.errors import SpecError

MERGED_TABLES = ("series", "indicators", "flags", "charts", "valuation_inputs", "defaults")
MAX_INCLUDE_DEPTH = 8


@dataclass
class DefinitionSource:
    """The merged TOML of a definition and its includes, with the file behind each entry."""

    path: Path
    data: dict[str, Any]
    files: list[Path] = field(default_factory=list)  # the definition first, then its includes
    origins: dict[tuple[str, ...], Path] = field(default_factory=dict)  # (table, id[, key]) -> file
    raw: bytes = b""  # the definition's own bytes

    def origin(self, loc: tuple[int | str, ...]) -> Path:
        """The file that set the key at ``loc`` (the deepest known prefix), else the definition itself."""
        parts = tuple(str(p) for p in loc)
        for n in range(min(len(parts), 3), 0, -1):
            found = self.origins.get(parts[:n])
            if found is not None:
                return found
        return self.path

    @property
    def has_includes(self) -> bool:
        return len(self.files) > 1

    def canonical_bytes(self) -> bytes:
        """What is archived beside a briefing: the file itself, or, with includes, one self-contained TOML."""
        if not self.has_includes:
            return self.raw
        header = (
            f"# {self.path.name} with its includes ({', '.join(f.name for f in self.files[1:])}) resolved: "
            "the definition exactly as the briefing used it.\n"
        )
        return header.encode("utf-8") + tomli_w.dumps(self.data).encode("utf-8")

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_bytes()).hexdigest()


def _read_toml(path: Path, included_from: Path | None, key: str) -> tuple[dict[str, Any], bytes]:
    where = f"{included_from}: {key}: " if included_from is not None else f"{path}: "
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        what = f"include '{path}' does not exist" if included_from is not None else "report definition not found"
        raise SpecError(f"{where}{what}") from None
    except OSError as exc:
        raise SpecError(f"{where}cannot read {path} ({exc.strerror})") from None
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None


def _merge_into(target: dict[str, Any], extra: dict[str, Any], path: Path, origins: dict[tuple[str, ...], Path]) -> None:
    """Add ``extra`` (an included file) under ``target`` (what includes it): ``target``'s keys win."""
    for table, value in extra.items():
        if table in MERGED_TABLES and isinstance(value, dict):
            mine = target.setdefault(table, {})
            if not isinstance(mine, dict):
                continue  # the including file's own (wrong) value is reported by validation
            for entry_id, entry in value.items():
                origins.setdefault((table, entry_id), path)
                if entry_id not in mine:
                    mine[entry_id] = entry
                    if isinstance(entry, dict):
                        for key in entry:
                            origins.setdefault((table, entry_id, key), path)
                elif isinstance(mine[entry_id], dict) and isinstance(entry, dict):
                    for key, item in entry.items():
                        if key not in mine[entry_id]:
                            mine[entry_id][key] = item
                            origins[(table, entry_id, key)] = path
        elif table not in target:
            target[table] = value
            origins.setdefault((table,), path)


def _load(path: Path, included_from: Path | None, key: str, source: DefinitionSource, depth: int) -> dict[str, Any]:
    if depth > MAX_INCLUDE_DEPTH:
        raise SpecError(f"{included_from}: {key}: includes nest more than {MAX_INCLUDE_DEPTH} deep (a cycle?)")
    resolved = path.resolve()
    if resolved in [f.resolve() for f in source.files]:
        raise SpecError(f"{included_from}: {key}: '{path.name}' is already included (an include cycle)")
    data, raw = _read_toml(path, included_from, key)
    source.files.append(path)
    if included_from is None:
        source.raw = raw
    includes = data.pop("include", [])
    if isinstance(includes, str):
        includes = [includes]
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise SpecError(f"{path}: include: expected a list of file names, got {includes!r}")
    for table in MERGED_TABLES:
        entries = data.get(table)
        for entry_id, entry in entries.items() if isinstance(entries, dict) else ():
            source.origins.setdefault((table, entry_id), path)
            for key in entry if isinstance(entry, dict) else ():
                source.origins.setdefault((table, entry_id, key), path)
    for i, name in enumerate(includes):
        child = (path.parent / name) if not Path(name).is_absolute() else Path(name)
        child_data = _load(child, path, f"include[{i}]", source, depth + 1)
        _merge_into(data, child_data, child, source.origins)
    return data


def apply_defaults(data: dict[str, Any], origins: dict[tuple[str, ...], Path]) -> None:
    """Fill each series' missing keys from ``[defaults.PROVIDER]`` (then drop the defaults table)."""
    defaults = data.pop("defaults", None)
    if not isinstance(defaults, dict):
        return
    for sid, entry in (data.get("series") or {}).items():
        if not isinstance(entry, dict):
            continue
        by_provider = defaults.get(entry.get("provider"))
        if not isinstance(by_provider, dict):
            continue
        for key, value in by_provider.items():
            if key not in entry:
                entry[key] = value
                where = origins.get(("defaults", str(entry.get("provider")), key)) or origins.get(
                    ("defaults", str(entry.get("provider")))
                )
                if where is not None:
                    origins[("series", sid, key)] = where


def read_definition(path: str | Path) -> DefinitionSource:
    """The definition at ``path`` with its includes merged and its defaults applied (not yet validated)."""
    path = Path(path)
    source = DefinitionSource(path=path, data={})
    data = _load(path, None, "", source, 0)
    apply_defaults(data, source.origins)
    source.data = data
    return source

"""Which report definition a command uses, and where its briefings are archived.

The definition comes from ``--report`` (a path, or the name of a report that
ships with the package, e.g. ``rates_credit_cycle``), else the
``BRIEFING_REPORT`` environment variable, else the packaged default. So
``briefing generate`` works from any folder, installed from a wheel or not.

One archive root holds one report's briefings flat (``output/YYYY-MM-DD/``).
Once a second report is archived there, each report has its own folder
(``output/<report-id>/YYYY-MM-DD/``); the existing flat archive is moved there
by ``briefing archive split``, never silently.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from generator.errors import ArchiveError, OutputError, SpecError, UsageError
from generator.resources import reports_dir

DEFAULT_REPORT_NAME = "small_cap_rotation"
REPORT_ENV = "BRIEFING_REPORT"
_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOVED_WITH = ("index.html",)


NOT_REPORTS = frozenset({"series", "calendar", "delivery"})  # the catalogue, the events calendar, email settings


def packaged_reports() -> list[str]:
    """The names of the report definitions that ship with the package (``*.example.toml`` are not reports)."""
    return sorted(p.stem for p in reports_dir().glob("*.toml")
                  if p.stem not in NOT_REPORTS and not p.stem.endswith(".example"))


def find_report(report: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The definition to use: ``report``, else ``$BRIEFING_REPORT``, else the packaged default."""
    env = os.environ if env is None else env
    given = report if report not in (None, "") else env.get(REPORT_ENV) or None
    if given is None:
        return reports_dir() / f"{DEFAULT_REPORT_NAME}.toml"
    path = Path(given).expanduser()
    if path.exists():
        return path
    name = path.name.removesuffix(".toml")
    if path.parent == Path(".") and name in packaged_reports():
        return reports_dir() / f"{name}.toml"
    where = "--report" if report not in (None, "") else REPORT_ENV
    known = ", ".join(packaged_reports())
    raise SpecError(f"{path}: report definition not found ({where}; the packaged reports are: {known})")


def _flat_owner(root: Path) -> str | None:
    """The report id of the briefings kept directly under ``root`` (``None`` when there are none)."""
    from generator.manifest import MANIFEST_FILE, read_manifest

    for folder in sorted((p for p in root.iterdir() if p.is_dir() and _DATE_DIR.match(p.name)), reverse=True):
        try:
            definition = read_manifest(folder / MANIFEST_FILE).report_definition
        except ArchiveError:  # a damaged briefing says nothing about the layout; try the next
            continue
        return definition.id or Path(definition.path).stem
    return None


def archive_root(root: Path, report_id: str) -> Path:
    """Where ``report_id``'s briefings live under the archive ``root`` (see the module docstring)."""
    if not root.is_dir():
        return root
    own = root / report_id
    if own.is_dir():
        return own
    owner = _flat_owner(root)
    if owner is None:
        by_report = [p for p in root.iterdir() if p.is_dir() and any(_DATE_DIR.match(c.name) for c in p.iterdir()
                                                                     if c.is_dir())]
        return own if by_report else root
    if owner == report_id:
        return root
    raise UsageError(
        f"{root} holds the briefings of report '{owner}'; to archive '{report_id}' beside them, first run "
        f"`briefing archive split --output {root}` (it moves them to {root / owner}/)"
    )


def report_folders(root: Path) -> list[str]:
    """The reports archived under ``root`` in folders of their own (``root/<report-id>/YYYY-MM-DD/``)."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and not _DATE_DIR.match(p.name) and not p.name.startswith(".")
                  and any(c.is_dir() and _DATE_DIR.match(c.name) for c in p.iterdir()))


def _report_id(report: str | Path) -> str:
    """A report's archive name from ``--report``: a definition file's ``[report] id`` (else its file name), a
    packaged report's name, or the name itself."""
    import tomllib

    from generator.spec import report_id_from_name

    try:
        path = find_report(report)
    except SpecError:
        return Path(report).name.removesuffix(".toml")  # not a definition: the archive folder's name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}
    declared = data.get("report", {}).get("id") if isinstance(data.get("report"), dict) else None
    return str(declared) if declared else report_id_from_name(path.stem)  # as load_spec names it


def reading_root(root: Path, report: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The folder of the briefings the reading commands (list, history, compare, rerender, send) read.

    A flat archive is read as it is. Under a root of several reports, ``report`` (``--report``, else
    ``$BRIEFING_REPORT``) names the one; with only one report folder, that one is read.
    """
    env = os.environ if env is None else env
    given = report if report not in (None, "") else env.get(REPORT_ENV) or None
    if not root.is_dir():
        return root
    folders = report_folders(root)
    flat = _flat_owner(root)
    if given is not None:
        wanted = _report_id(given)
        if wanted in folders:
            return root / wanted
        if flat == wanted or (flat is not None and not folders and report in (None, "")):
            return root  # a flat archive; the environment's default report does not hide it
        held = ", ".join(folders + ([flat] if flat else [])) or "none"
        raise UsageError(f"{root} holds no briefings of report '{wanted}' (its reports: {held})")
    if flat is not None or not folders:
        return root
    if len(folders) == 1:
        return root / folders[0]
    raise UsageError(f"{root} holds the briefings of {len(folders)} reports ({', '.join(folders)}): "
                     f"choose one with --report NAME (or --output {root / folders[0]})")


def split_archive(root: Path) -> dict[str, int]:
    """Move the briefings kept flat under ``root`` into ``root/<report-id>/``; return how many per report."""
    from generator.manifest import MANIFEST_FILE, read_manifest

    if not root.is_dir():
        raise UsageError(f"{root}: no archive here")
    moved: dict[str, int] = {}
    owners: dict[Path, str] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and _DATE_DIR.match(p.name)):
        try:
            definition = read_manifest(folder / MANIFEST_FILE).report_definition
        except ArchiveError as exc:
            raise OutputError(f"{folder}: cannot tell which report it belongs to ({exc}); repair or remove it first") from None
        owners[folder] = definition.id or Path(definition.path).stem
    for folder, owner in owners.items():
        target = root / owner / folder.name
        if target.exists():
            raise OutputError(f"{target} exists already; nothing was moved")
    for folder, owner in owners.items():
        (root / owner).mkdir(exist_ok=True)
        os.replace(folder, root / owner / folder.name)
        moved[owner] = moved.get(owner, 0) + 1
    for name in _MOVED_WITH:
        page = root / name
        if page.is_file():
            if len(moved) == 1:
                shutil.move(str(page), str(root / next(iter(moved)) / name))
            else:
                page.unlink()  # each report's own index is rebuilt by its next command
    return moved

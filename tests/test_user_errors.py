"""Errors a user can cause end in one `error:` line and the documented exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_errors import one_error
from report_copies import replaced, report_copy

from generator.cli import main

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "args,option",
    [
        (["generate", "--date", "0001-01-01"], "--date"),
        (["backfill", "--from", "0001-01-01", "--to", "0001-03-01"], "--from"),
        (["send", "--date", "1899-12-31"], "--date"),
    ],
)
def test_dates_before_1900_are_refused(capsys, tmp_path: Path, args: list[str], option: str) -> None:  # type: ignore[no-untyped-def]
    code, line = one_error(capsys, *args, "--output", str(tmp_path / "out"))
    assert code == 2
    given = args[args.index(option) + 1]
    assert line == f"error: {option} {given} is before 1900-01-01: no briefing can be built that early"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "template",
    ["{{ stance.label.__class__.__mro__ }}", "{{ v.iwm_spy_rel_1m._values }}", "{{ stance.label['__class__'] }}"],
)
def test_a_template_the_sandbox_blocks_is_a_definition_error(capsys, tmp_path: Path, template: str) -> None:  # type: ignore[no-untyped-def]
    old = 'text = "The signals read {{ stance.label }}:'
    new = 'text = "' + template.replace('"', '\\"') + " The signals read {{ stance.label }}:"
    bad = report_copy(tmp_path / "def", replaced(old, new), "bad.toml")
    args = ["generate", "--date", "2026-11-20", "--source", "illustrative", "--format", "html"]
    code, line = one_error(capsys, *args, "--report", str(bad), "--output", str(tmp_path / "out"))
    assert code == 2
    assert line.startswith(f"error: {bad}: narrative.takeaways[0].text: ")
    assert "cannot be read in a template" in line
    assert not (tmp_path / "out").exists()


def test_a_blocked_template_that_passes_the_load_check_is_still_one_line(tmp_path: Path) -> None:
    # The sandbox also blocks attributes without a leading underscore (a function's globals by another
    # name, a generator's frame...): whatever it refuses at render time is a SpecError, not a traceback.
    from generator.errors import SpecError
    from generator.phrasing import render_template

    def gen():  # type: ignore[no-untyped-def]
        yield 1

    with pytest.raises(SpecError, match=r"^template '\{\{ g\.gi_frame \}\}': the sandbox refuses it: access to "):
        render_template("{{ g.gi_frame }}", g=gen())


def iwm_csv(folder: Path) -> Path:
    path = folder / "IWM.csv"
    rows = [f"2026-{m:02d}-{d:02d},{200 + m + d / 100:.2f}" for m in range(1, 11) for d in range(1, 29)]
    path.write_text("date,value\n" + "\n".join(rows) + "\n")
    return path


def test_import_of_a_missing_file_is_one_line_exit_2(capsys, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "store"))
    code = main(["data", "import", "/nonexistent.csv"])
    out, err = capsys.readouterr()
    assert (code, err.splitlines(), out) == (2, ["error: /nonexistent.csv: no such file"], "")


def test_import_into_a_read_only_store(capsys, tmp_path: Path, monkeypatch, freeze_disk) -> None:  # type: ignore[no-untyped-def]
    store = freeze_disk() / "store"
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(store))
    code = main(["data", "import", str(iwm_csv(tmp_path))])
    out, err = capsys.readouterr()
    assert (code, err.splitlines(), out) == (4, [f"error: cannot write the store {store}: Read-only file system"], "")


def test_import_into_a_full_store(capsys, tmp_path: Path, monkeypatch, small_disk: Path) -> None:  # type: ignore[no-untyped-def]
    store = small_disk / "store"
    store.mkdir()
    with open(small_disk / "filler", "wb") as handle:  # fill the disk to its last byte
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(store))
    code = main(["data", "import", str(iwm_csv(tmp_path))])
    out, err = capsys.readouterr()
    assert (code, out) == (4, "")
    assert err.splitlines() == [f"error: cannot write the store {store}: no space left on device"]
    assert [p.name for p in store.rglob("*") if p.is_file() and not p.name.endswith(".lock")] == []  # no half file

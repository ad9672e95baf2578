"""A damaged archived file is never emailed: every file is checked against the manifest's SHA-256 first."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main

ONE_CHART = 'charts = ["core_cpi"]'


def cut(path: Path, size: int) -> None:
    path.write_bytes(path.read_bytes()[:size])


@pytest.mark.parametrize(
    "name,size", [("briefing.pdf", 100_000), ("briefing.html", 5_000), ("snapshot.parquet", 300), ("report.toml", 50)]
)
def test_damaged_file_is_exit_5_nothing_sent_nothing_recorded(archive, smtp_server, config_for, capsys, name, size) -> None:  # type: ignore[no-untyped-def]
    folder = archive / "2026-11-20"
    cut(folder / name, size)
    config = config_for(smtp_server.port, email=ONE_CHART)
    for extra in ([], ["--dry-run"]):
        code = main(["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(config.path), *extra])
        out, err = capsys.readouterr()
        assert code == 5, (extra, err)
        assert err.splitlines() == [
            f"error: {folder / name}: damaged: its SHA-256 differs from the one manifest.json recorded for it "
            "(changed or cut short since it was archived)"
        ]
        assert out == ""
    assert smtp_server.received == []
    assert smtp_server.handler.rcpt_calls == {}
    assert not (folder / "delivery").exists()  # no ledger, no dry-run message


def test_file_missing_from_the_manifest_record_is_refused(archive, smtp_server, config_for, capsys) -> None:  # type: ignore[no-untyped-def]
    # A PDF dropped into a folder whose manifest never listed one is not the archived briefing either.
    import json

    folder = archive / "2026-11-20"
    m = json.loads((folder / "manifest.json").read_text())
    del m["files"]["briefing.pdf"]
    (folder / "manifest.json").write_text(json.dumps(m))
    config = config_for(smtp_server.port, email=ONE_CHART)
    assert main(["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(config.path)]) == 5
    assert capsys.readouterr().err.splitlines() == [
        f"error: {folder / 'briefing.pdf'}: not recorded in manifest.json's files, so it cannot be checked"
    ]
    assert smtp_server.received == []

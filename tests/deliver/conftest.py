"""Fixtures for delivery: a private copy of the session briefing, a real SMTP server on 127.0.0.1, configs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from deliver_helpers import Cert, SmtpServer, copy_briefing, make_self_signed, write_config

from generator.deliver.config import DeliveryConfig, load_config


@pytest.fixture
def archive(tmp_path: Path, illustrative_briefing) -> Path:  # type: ignore[no-untyped-def]
    """An archive root holding one briefing whose manifest says real, fresh data."""
    root = tmp_path / "output"
    root.mkdir()
    copy_briefing(illustrative_briefing.directory, root, real=True)
    return root


@pytest.fixture
def illustrative_archive(tmp_path: Path, illustrative_briefing) -> Path:  # type: ignore[no-untyped-def]
    """An archive root holding the illustrative briefing as built."""
    root = tmp_path / "output"
    root.mkdir()
    copy_briefing(illustrative_briefing.directory, root, real=False)
    return root


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    return make_self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def config_for(tmp_path: Path) -> Callable[..., DeliveryConfig]:
    """``config_for(port, env=None, tls=..., extra_smtp=..., email=...)``: a validated configuration."""

    def make(port: int, env: dict[str, str] | None = None, **kwargs: Any) -> DeliveryConfig:
        return load_config(write_config(tmp_path, port, **kwargs), env=env or {})

    return make

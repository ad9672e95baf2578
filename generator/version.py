"""Single place for the generator's version (recorded in every manifest)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("macro-briefing")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

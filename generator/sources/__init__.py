"""Data providers, one module each, behind the interface in :mod:`generator.sources.base`."""

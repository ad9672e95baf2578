"""Loopback services shared by the tests and the benchmark (real HTTP on 127.0.0.1, no mocks)."""

"""The benchmark: ``python -m bench`` (or ``make bench``). See the README's "Benchmark" section."""

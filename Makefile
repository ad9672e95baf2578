# The README's two commands: `make briefing` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: briefing test test-fast lint bench docs-images setup system-deps test-system-deps clean

# WeasyPrint needs Pango and HarfBuzz from the system. Install them where we can (Debian/Ubuntu as root);
# otherwise say exactly what is missing.
system-deps:
	@if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' && ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' && ldconfig -p 2>/dev/null | grep -q 'libcairo.so.2'; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	  echo "installing system libraries: pango, harfbuzz (WeasyPrint), cairo (email charts)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libcairo2 fonts-dejavu-core >/dev/null; \
	else echo "WeasyPrint needs Pango >= 1.44 and HarfBuzz: install them with your package manager (e.g. apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; the email charts need libcairo2)"; fi

# The tests also read the HTML as a browser shows it (Debian's headless Chromium).
test-system-deps:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	  echo "installing chromium (headless browser checks of the HTML)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else echo "the browser tests need Chromium: install it with your package manager (e.g. apt-get install chromium)"; fi

# Create or refresh the virtualenv when pyproject.toml changes.
$(STAMP): pyproject.toml | system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

# The benchmark's extra: QuantStats (the reference it is measured against, run offline) and Dask.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(BENCH_STAMP)

briefing: $(STAMP)
	$(BIN)/briefing generate --force

# Two workers (pytest-xdist; one on a single core): the suite takes about 4 minutes on 2 cores instead of 6.
test: $(STAMP) test-system-deps
	$(BIN)/ruff check generator tests bench
	$(BIN)/python -m pytest -q -n auto --maxprocesses 2

# The fast lane while working: everything but the tests that build whole briefings (marked slow).
test-fast: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/python -m pytest -q -n auto --maxprocesses 2 -m "not slow"

# Speed and memory (README "Benchmark"): writes bench/results/latest.json and regenerates the README table.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench --readme

# The README's pictures of a briefing (docs/images/*.png, committed): PDF pages 1-2 and the HTML at phone width.
# Needs pdftoppm (poppler-utils) and Chromium.
docs-images: $(STAMP)
	$(BIN)/python docs/make_images.py

lint: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info

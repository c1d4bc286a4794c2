# AI Risk Graph — the README's two commands are `make run` and `make test`.
# Both create the virtual environment (.venv) and install what they need.

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
LINTED := graph tests benchmarks app.py app_pages

.PHONY: run test lint typecheck unit browser chromium virtuoso serve bench bench-engines bench-commands bench-load bench-coverage bench-endpoint bench-app bench-hardening bench-practice clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[app,test]"
	touch $(STAMP)

## run: set up and run the app on the embedded graph (http://127.0.0.1:$(PORT))
run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

## chromium: Debian's chromium for the browser tests (installed once, without recommended packages)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lint: $(STAMP)
	$(VENV)/bin/ruff check $(wildcard $(LINTED))
	$(VENV)/bin/ruff format --check $(wildcard $(LINTED))

typecheck: $(STAMP)
	$(VENV)/bin/mypy

## virtuoso: Debian's Virtuoso Open Source, the second SPARQL engine the remote-store tests run against
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null; }

## test: set up and run every test: lint, type check, unit, integration and browser tests
test: $(STAMP) chromium virtuoso lint typecheck
	$(PY) -m pytest -n 2 --durations=15

unit: $(STAMP)
	$(PY) -m pytest -n 2 -m "not browser"

serve: $(STAMP)
	$(VENV)/bin/airisk serve

## bench: every figure beside its comparator, as ratios (commands, load, gaps at 1e6, endpoint, app)
bench: bench-commands bench-load bench-coverage bench-endpoint bench-app

## bench-engines: store engines (rdflib, oxrdflib, pyoxigraph) on the real data and generated graphs
bench-engines: $(STAMP)
	$(PY) benchmarks/bench_engines.py

bench-commands: $(STAMP)
	$(PY) benchmarks/bench_commands.py

bench-load: $(STAMP)
	$(PY) benchmarks/bench_load.py

bench-coverage: $(STAMP)
	$(PY) benchmarks/bench_coverage.py

bench-practice: $(STAMP)
	$(PY) benchmarks/bench_practice.py

bench-endpoint: $(STAMP)
	$(PY) benchmarks/bench_endpoint.py --sizes 1e6

bench-app: $(STAMP) chromium
	$(PY) benchmarks/bench_app.py

## bench-hardening: cheap-query throughput beside runaways, memory bomb, deep nesting, outbound probes
bench-hardening: $(STAMP)
	$(PY) benchmarks/bench_hardening.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts

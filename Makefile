# Two commands on a fresh machine: `make run` and `make test`.
VENV        ?= .venv
PYTHON      ?= python3
PY          := $(VENV)/bin/python
CHROMIUM    ?= /usr/bin/chromium
PORT        ?= 8501
# Only this machine by default; `make run ADDRESS=0.0.0.0` shares it (see README).
ADDRESS     ?= 127.0.0.1
PYTEST_ARGS ?=

.PHONY: run test test-fast bench chromium java mutate mutate-recheck clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt requirements-spark.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: start the app on http://localhost:$(PORT) (demo data built in)
run: $(VENV)/.runtime
	@# The demo tables are built once per machine (and after a code change), before the server
	@# starts, so its first visitor does not wait for them; a failure here only costs that wait.
	-$(PY) -m core.demos
	@# `streamlit run streamlit_app.py`, with what the first page needs imported before the server
	@# starts (pages/_server.py), so a fresh server's first visitor does not wait for the imports.
	$(PY) -m pages._server --server.address $(ADDRESS) --server.port $(PORT)

## chromium: Debian's Chromium for the browser tests (never a downloaded browser build)
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

## java: Debian's Java runtime for `core.summarise --engine spark` (PySpark 4 needs Java 17+; never a downloaded JDK)
java:
	@if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then \
	  echo "Installing Debian's default-jre-headless for the Spark tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; \
	fi

## test: the whole suite (core, AppTest pages, real-browser end-to-end, Spark)
test: $(VENV)/.dev chromium java
	$(PY) -m pytest $(PYTEST_ARGS)

## test-fast: everything except the browser tests
test-fast: $(VENV)/.dev
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

## bench: the benchmarks (ratios against scikit-learn / pandas measured in the same run)
bench: $(VENV)/.dev java
	$(PY) benchmarks/bench_fit.py
	$(PY) benchmarks/bench_sweep.py
	$(PY) benchmarks/bench_read.py
	$(PY) benchmarks/bench_summarise.py --rows 10000000

## bench-big: the summariser at 10^7 and 10^8 rows (writes ~1.2 GB of Parquet to a temporary folder)
bench-big: $(VENV)/.dev java
	$(PY) benchmarks/bench_summarise.py

## mutate: mutation testing of core/ with the core tests (mutmut, in a scratch copy; not part of `make test`).
##         One module: `make mutate MODULE=core/thresholds.py`. Prints the surviving mutants (tests/MUTATION.md).
MODULE ?=
mutate: $(VENV)/.dev
	$(PY) tests/mutate.py $(MODULE)

## mutate-recheck: after `make mutate MODULE=...`, run the tests as they are now against each mutant it
##         left alive (or MUTANTS="<names or globs>"), one at a time with that mutant active; prints
##         killed / SURVIVED / TIMEOUT for each. MUTATE_TESTS narrows the tests (default tests/core/).
MUTANTS ?=
mutate-recheck: $(VENV)/.dev
	nice -n 19 $(PY) tests/mutate.py --recheck $(MODULE) $(MUTANTS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts

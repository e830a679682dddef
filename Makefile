PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test test-tf lint install install-test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(STAMP)

install: $(STAMP)
install-test: $(TEST_STAMP)

DEMO_STAMP := $(VENV)/.installed-demo

$(DEMO_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[demo]"
	touch $@

# The seed's four steps on its regression and on load_digits (installs scikit-learn).
demo: $(DEMO_STAMP)
	$(BIN)/modelglass demo

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks

test: $(TEST_STAMP) lint
	$(BIN)/python -m pytest -q

# TensorFlow/Keras tests need their own venv (tensorflow-cpu is ~1.7 GB); .ci/run runs them.
TF_VENV := .venv-tf
TF_STAMP := $(TF_VENV)/.installed-tf

$(TF_STAMP): pyproject.toml
	$(PY) -m venv $(TF_VENV)
	$(TF_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TF_VENV)/bin/python -m pip install --quiet -e ".[test-tf]"
	touch $@

test-tf: $(TF_STAMP)
	$(TF_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/tf

bench: $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(TF_VENV) mglogs modelglass-report.html

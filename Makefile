# The two commands a newcomer needs: `make run` and `make test`. Both build .venv
# from the hash-pinned lock files first when it is missing or older than them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/dev.txt

.PHONY: run test test-browser chromium check format lock bench clean image image-test lint-workflows

$(VENV): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Team Notes needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	@touch $(VENV)

run: $(VENV)
	$(BIN)/teamnotes serve --host 127.0.0.1 --port 8000

# The whole suite, the web app's browser tests included (they drive Debian's chromium,
# installed first when missing).
test: $(VENV) chromium
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

# Only the web app in the browser; TEAMNOTES_SCREENSHOTS=1 also rewrites docs/screenshots.
test-browser: $(VENV) chromium
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

chromium:
	@scripts/ensure-chromium

# Load test on SQLite then PostgreSQL against a minimal FastAPI ceiling, at most ten
# minutes, loopback only; installs wrk and hey when missing. Results in bench/results/.
bench: $(VENV)
	$(BIN)/python -m bench

check: $(VENV)
	$(BIN)/ruff format --check src tests examples bench
	$(BIN)/ruff check src tests examples bench
	$(BIN)/mypy
	$(BIN)/mypy examples
	$(BIN)/mypy bench

format: $(VENV)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# Regenerates the locks from pyproject.toml for every supported Python (needs uv).
lock:
	uv pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 -o requirements/runtime.txt
	uv pip compile pyproject.toml --group dev --universal --generate-hashes --python-version 3.11 -o requirements/dev.txt

# The container image, built with podman (no Docker engine needed). Where no registry
# is reachable, the base is a local Debian bookworm + python3 made with debootstrap
# (cached); BASE_IMAGE=python:3.11-slim builds on the official image instead.
image:
	scripts/image-test build

# Builds the image, then checks its size (under 200 MB), that it serves, and that a
# note outlives the container (see scripts/image-test). Needs root.
image-test:
	scripts/image-test

# actionlint on .github/workflows and a schema check of compose.yaml, with linters
# from a throwaway venv outside the repo (not in the dev lock).
lint-workflows:
	scripts/lint-workflows

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* htmlcov

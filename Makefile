# The two commands a newcomer needs: `make run` and `make test`. Both build .venv
# from the hash-pinned lock files first when it is missing or older than them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/dev.txt

.PHONY: run test check format lock bench clean

$(VENV): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Team Notes needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	@touch $(VENV)

run: $(VENV)
	$(BIN)/teamnotes serve --host 127.0.0.1 --port 8000

test: $(VENV)
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

check: $(VENV)
	$(BIN)/ruff format --check src tests
	$(BIN)/ruff check src tests
	$(BIN)/mypy

format: $(VENV)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# Regenerates the locks from pyproject.toml for every supported Python (needs uv).
lock:
	uv pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 -o requirements/runtime.txt
	uv pip compile pyproject.toml --group dev --universal --generate-hashes --python-version 3.11 -o requirements/dev.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* htmlcov

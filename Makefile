# Two commands do all set-up on a fresh machine holding only python3 and make:
#   make up     runs the embedded call center (simulated PBX, callers, agents)
#   make test   installs what the tests need and runs lint, types and the whole suite
# Everything lives in ./.tools (the pinned uv) and ./.venv (the locked environment).

UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
ARGS ?=

.PHONY: up test check lint types tests services bench clean help

help:
	@echo "make up      run the embedded call center (make up ARGS='--for 30')"
	@echo "make test    install test services and run ruff, mypy, import-linter and pytest"
	@echo "make bench   run the benchmarks and print their figures"

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

up: $(VENV)/.synced
	$(VENV)/bin/callcenter up $(ARGS)

services:
	@bash scripts/ensure-services

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: $(VENV)/.synced
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

tests: $(VENV)/.synced
	$(VENV)/bin/pytest $(ARGS)

check: lint types tests

test: services check

bench: $(VENV)/.synced
	$(VENV)/bin/python -m benchmarks $(ARGS)

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache

# The two commands of the README: `make run` starts the dev IdP, `make test` runs every test.
# Both do all set-up on a fresh machine (venv, packages, and for tests Chromium and a JDK).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= ./.mock-platform

.PHONY: run test lint format system-deps bench stress clean

$(BIN)/python:
	PYTHON=$(PYTHON) scripts/install-system-deps.sh venv
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/mock-platform serve --data-dir $(DATA_DIR)

system-deps:
	scripts/install-system-deps.sh

test: $(VENV)/.installed-test system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

stress: $(VENV)/.installed-test
	RELIABILITY_STRESS=1 $(BIN)/pytest tests/reliability -m stress -q -p no:cacheprovider

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .ruff_cache

# Docker: the dev IdP as `docker compose up` runs it, and the conformance suite against it.
COMPOSE ?= $(if $(shell docker compose version 2>/dev/null),docker compose,docker-compose)
REPORTS ?= reports

.PHONY: docker-up docker-conformance docker-down docker-test

docker-up:
	$(COMPOSE) up --build --detach platform
	@deadline=$$(( $$(date +%s) + 30 )); while [ "$$(date +%s)" -lt "$$deadline" ]; do \
	  [ "$$(docker inspect -f '{{.State.Health.Status}}' $$($(COMPOSE) ps -q platform))" = healthy ] && exit 0; \
	  sleep 0.5; \
	done; $(COMPOSE) logs platform; echo "platform: not healthy after 30 s" >&2; exit 1

docker-conformance: docker-up
	mkdir -p $(REPORTS)
	$(COMPOSE) --profile test build conformance
	$(COMPOSE) run --rm -T --user "$$(id -u):$$(id -g)" -v "$(CURDIR)/$(REPORTS):/reports" conformance

docker-down:
	$(COMPOSE) --profile test down

docker-test: $(VENV)/.installed-test
	$(BIN)/pytest -m docker tests/test_docker.py

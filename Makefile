# Trường Số — the two commands: `make demo` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test serve messages clean lint

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e .
	$(BIN)/truongso compile-messages
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/truongso demo

serve: $(VENV)/.installed
	$(BIN)/truongso serve

messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 --no-location --sort-output \
		--project=truongso -o lms_core/locale/messages.pot lms_core content ai_tutor >/dev/null
	$(BIN)/pybabel update -i lms_core/locale/messages.pot -d lms_core/locale -D messages --no-fuzzy-matching
	$(BIN)/truongso compile-messages

test: $(VENV)/.installed-test
	bash scripts/test-services.sh
	$(BIN)/truongso compile-messages
	$(BIN)/pytest
	@if bash scripts/test-services.sh --pg-ready; then \
		echo "== database tests again on PostgreSQL ($(PG_TEST_URL)) =="; \
		TRUONGSO_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m db -p no:cacheprovider; \
	else \
		echo "== PostgreSQL is not reachable: the PostgreSQL pass is skipped =="; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache

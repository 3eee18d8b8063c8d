# ADA: the two commands a newcomer needs are `make demo` and `make test`.
# Both install what they need: a private uv in .tools/, then the locked environment in .venv/.

PYTHON ?= python3
UV_VERSION ?= 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test lint bench ui stack clean chromium

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Bytecode is compiled once here, as the production image does: where PYTHONDONTWRITEBYTECODE is
# set, every process (each `ada run`, each test's server) would otherwise recompile its imports.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

demo: install  ## generate the sample data, run the pipeline, open the Dagster UI
	$(VENV)/bin/ada demo

ui: install
	$(VENV)/bin/ada ui

# The portal's browser test drives Debian's Chromium (never a browser Playwright downloads).
chromium:
	@command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

stack: install  ## the native production-like stack in ADA_HOME/stack (.ada/stack); `ada stack down` stops it
	$(VENV)/bin/ada stack up

test: install chromium  ## every test, on the embedded default, a real S3 server and Postgres
	$(VENV)/bin/python -m pytest -n 2 -m "not exclusive"
	$(VENV)/bin/python -m pytest -m exclusive

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy ada lake ingestion catalog orchestration privacy expectations transformations

bench: install  ## every benchmark against its named baseline (~30 min)
	$(VENV)/bin/python bench/ingestion.py
	$(VENV)/bin/python bench/quality.py
	$(VENV)/bin/python bench/transformations.py
	$(VENV)/bin/python bench/privacy_text.py
	$(VENV)/bin/python bench/privacy_structured.py
	$(VENV)/bin/python bench/search_index.py
	$(VENV)/bin/python bench/catalog_api.py
	$(VENV)/bin/python bench/portal_pages.py
	$(VENV)/bin/python bench/portal_load.py
	$(VENV)/bin/python bench/pipeline.py

clean:
	rm -rf .tools $(VENV) .ada .pytest_cache

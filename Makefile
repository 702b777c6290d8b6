# Chỉ số 766 workbench. `make` lists the targets; every target bootstraps .venv when needed.
# System packages (Debian): pango for the PDF (libpango-1.0-0, libpangoft2-1.0-0) and the report's
# Times-metric font with Vietnamese glyphs, fonts-liberation2 (.ci/run installs it when missing).
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-done
KERNEL := chiso766
WEEK ?=
DISTRICTS ?=
JOBS ?=
PROVINCES ?=

LOCK := requirements.lock

.PHONY: help setup lock report lab test lint bench clean venv-foreign

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv with pip from pyproject.toml, versions pinned by requirements.lock; register the Jupyter kernel

# A .venv copied or moved with the folder still runs the folder it was made in (its scripts, the
# editable install, the kernel): scripts/check_venv.py says so, and the .venv is made again.
VENV_FOREIGN := $(if $(wildcard $(STAMP)),$(shell $(PYTHON) scripts/check_venv.py $(VENV)))

$(STAMP): pyproject.toml $(LOCK) $(if $(VENV_FOREIGN),venv-foreign)
	@if [ -n "$(VENV_FOREIGN)" ]; then echo "$(VENV_FOREIGN): tạo lại .venv"; rm -rf $(VENV); fi
	@echo "[1/4] Tạo môi trường Python $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "[2/4] Cập nhật pip"
	$(BIN)/python -m pip install --upgrade pip
	@echo "[3/4] Cài các gói của dự án, phiên bản theo $(LOCK) (lần đầu 1–3 phút; mỗi gói một dòng)"
	$(BIN)/python -m pip install -c $(LOCK) -e '.[dev]'
	@echo "[4/4] Đăng ký kernel Jupyter $(KERNEL)"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Chỉ số 766 (.venv)" > /dev/null
	@touch $(STAMP)
	@echo "Đã cài xong $(VENV)"

venv-foreign:

lock: ## re-resolve pyproject.toml's dependencies to their newest versions and pin them in requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
	{ echo "# Exact versions 'make setup' installs (pip constraints); regenerate with 'make lock'."; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > $(LOCK)
	@touch $(STAMP)

report: $(STAMP) ## run ingest → score → rank → narrative and render HTML/PDF (WEEK=2023-W49 DISTRICTS="cho-moi phu-tan" JOBS=2; PROVINCES="an-giang" or all: from data/raw/portal/)
	$(BIN)/chiso report $(if $(WEEK),--week $(WEEK)) $(foreach d,$(DISTRICTS),--district $(d)) $(foreach p,$(PROVINCES),--province $(p)) $(if $(JOBS),--jobs $(JOBS))

lab: $(STAMP) ## open JupyterLab on notebooks/ (in Vietnamese, saves without outputs: jupyter/)
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	  $(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(STAMP) ## run the whole test suite (unit and end-to-end)
	$(BIN)/python -m pytest

lint: $(STAMP) ## check the code with ruff (rules in pyproject.toml)
	$(BIN)/python -m ruff check src tests

bench: $(STAMP) ## run the benchmark; prints a table and writes it to outputs/bench/
	$(BIN)/python -m chiso_bench

clean: ## remove generated outputs (never data/)
	find outputs -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

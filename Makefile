# The front door. `make run` and `make test` do all the set-up themselves.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench serve site

install: $(STAMP)

$(STAMP): pyproject.toml requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -e '.[argos,flow,dev]'
	touch $(STAMP)

run: install
	$(VENV)/bin/translator run

test: install lint
	scripts/install-test-deps.sh
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

serve: install
	scripts/serve.sh

bench: install
	$(PY) bench/argos_throughput.py

site: install
	command -v hugo >/dev/null || (apt-get update -qq && apt-get install -y -qq hugo)
	hugo --source . --destination public --buildDrafts

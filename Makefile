# The front door. `make run` and `make test` do all the set-up themselves.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench serve site fuzz review soak

install: $(STAMP)

$(STAMP): pyproject.toml requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -e '.[argos,flow,serve,interchange,dev]'
	touch $(STAMP)

run: install
	$(VENV)/bin/translator run

# The suite, then a representative part of it again in the first time zone of the day
# and with no UTF-8 locale: a copy must not depend on the machine (-rs lists skips,
# such as the compute types this CPU cannot run).
test: install lint
	scripts/install-test-deps.sh
	$(PY) -m pytest -q -rs
	TZ=Pacific/Kiritimati LANG=C LC_ALL=C $(PY) -m pytest -q $(MACHINE_SUBSET)

MACHINE_SUBSET := tests/test_machine_independence.py tests/test_run_e2e.py tests/test_memory.py \
	tests/test_front_matter.py tests/test_segments.py

fuzz: install
	TRANSLATOR_FUZZ_EXTRA_SITES=40 $(PY) -m pytest -q tests/test_fuzz_hostile.py

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

# make serve SITE=/path/to/site: the flow on prefect.yaml's schedule; prints what to run next.
serve: install
	scripts/serve.sh "$(SITE)"

# The editors' workbench on 127.0.0.1:8770; open the URL it prints.
review: install
	$(VENV)/bin/translator review --serve

bench: install
	$(PY) bench/argos_throughput.py
	$(PY) bench/flow_scale.py --engine synthetic --posts 200 --paragraphs 1 --rounds 1
	$(PY) bench/prose_cost.py --rounds 1
	$(PY) bench/startup.py --rounds 5
	$(PY) bench/rerun_speed.py
	$(PY) bench/workbench_index.py --posts 1000

site: install
	command -v hugo >/dev/null || (apt-get update -qq && apt-get install -y -qq hugo)
	hugo --source . --destination public --buildDrafts

# 2,000 random lives of a copy (tests/test_lifecycle_property.py); ~11 minutes.
soak: install
	TRANSLATOR_SOAK=1 $(PY) -m pytest -q -s tests/test_lifecycle_property.py -k "soak or were_run"

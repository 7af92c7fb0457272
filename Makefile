# Two commands set up everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
HTTPS ?=
SCHEME := $(if $(HTTPS),https,http)
# The address links (tablet enrolment, set-up links) point at; PUBLIC_URL in
# instance/config.py overrides it.
LINK_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),$(shell hostname -f),$(HOST))
run init: export CONSENT_PUBLIC_URL ?= $(SCHEME)://$(LINK_HOST):$(PORT)
TLS_ARGS := $(if $(HTTPS),--certfile instance/tls/server.pem --keyfile instance/tls/server-key.pem)
FLASK := $(BIN)/flask --app consent
HARFBUZZ := /usr/lib/*/libharfbuzz-subset.so.0
# DejaVu Sans covers Latin, Polish and Arabic: the PDFs embed it; HarfBuzz shapes Arabic.
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
# The patients' languages: each catalogue (.po) is compiled for gettext (.mo, not committed).
CATALOGUES := $(wildcard consent/translations/*/LC_MESSAGES/messages.po)
TEMPLATE := consent/translations/messages.pot
# Tests run in two processes (pytest-xdist), one per core: the browser and server tests spend
# much of their time waiting, so the other process fills it. PYTEST_WORKERS=0 runs them in one
# process (for a debugger).
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal

.PHONY: run test check bench init sysdeps sysdeps-test clean translations messages

# PYTHONWARNINGS: setuptools' editable-install notice is a page of text on every first run.
QUIET_PIP := PYTHONWARNINGS=ignore $(BIN)/pip install -q --disable-pip-version-check

$(VENV)/.app: setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing consent and its libraries into $(VENV) ..."
	@$(QUIET_PIP) --upgrade pip
	@$(QUIET_PIP) -e .
	@touch $@

$(VENV)/.test: $(VENV)/.app
	@$(QUIET_PIP) -e '.[test]'
	@touch $@

# SoftHSM2 holds the seal key: `init` makes the clinic's token (docs/operations.md).
sysdeps:
	tools/need-apt '$(HARFBUZZ)' libharfbuzz-subset0 $(DEJAVU) fonts-dejavu-core \
		/usr/lib/softhsm/libsofthsm2.so softhsm2

%.mo: %.po | $(VENV)/.app
	@$(BIN)/pybabel -q compile -i $< -o $@

translations: $(CATALOGUES:.po=.mo)

# After changing words a patient reads: extract them all (gettext calls, the questionnaire,
# the catalogue's and rule set's texts; see babel.cfg) and merge them into every language.
# A new language: `make messages`, then `$(BIN)/pybabel init -i $(TEMPLATE) -d
# consent/translations -l ro` (docs/architecture.md, "Adding a language").
messages: $(VENV)/.app
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ --no-wrap --sort-by-file \
		-c TRANSLATORS: --project consent -o $(TEMPLATE) .
	$(BIN)/pybabel -q update -i $(TEMPLATE) -d consent/translations --no-wrap \
		--no-fuzzy-matching --ignore-pot-creation-date --ignore-obsolete

sysdeps-test: sysdeps
	tools/need-apt /usr/bin/chromium chromium /usr/sbin/nginx nginx-light /usr/bin/npm npm

# HL7's FHIR definitions and LHC-Forms, pinned by integrity (tests/node/packages.txt).
NODE_TOOLS := tests/node/.unpacked
$(NODE_TOOLS): tests/node/packages.txt tools/npm-unpack
	tools/npm-unpack $< tests/node
	@touch $@

# The first `make run` needs the clinic's name (CLINIC_NAME="..."): init refuses to make
# keys and certificates under a placeholder, and writes the name to instance/config.py.
init: sysdeps $(VENV)/.app translations
	$(FLASK) init $(if $(CLINIC_NAME),--clinic-name "$(CLINIC_NAME)")

# The outbox sender runs beside gunicorn and stops with it (a systemd timer may run
# `flask --app consent outbox send` instead; see docs/operations.md).
run: init
	$(FLASK) outbox send --every 30 & sender=$$!; \
	$(FLASK) witness send --every 10 --if-configured & witness=$$!; \
	$(FLASK) replica run --if-configured & replica=$$!; \
	trap 'kill $$sender $$witness $$replica' EXIT INT TERM; \
	$(BIN)/gunicorn -c python:consent.serving --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - $(TLS_ARGS) wsgi:app

test: sysdeps-test $(VENV)/.test translations $(NODE_TOOLS)
	$(PYTEST) $(PYTEST_ARGS)

# The inner loop: one package's fast tests (`make check PACKAGE=intake`), or all of them.
check: sysdeps $(VENV)/.test translations
	$(PYTEST) -m "not slow" $(if $(PACKAGE),tests/$(PACKAGE)) $(PYTEST_ARGS)

bench: sysdeps $(VENV)/.test translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info

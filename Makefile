# The two commands of the README: `make run` and `make test`. Everything they need is
# installed here, into .venv, so a fresh machine needs nothing done by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench system-deps clean

# pip's own chatter (and setuptools' editable-install warning box) goes to a log, shown
# only if the setup fails; a first-time user sees one line saying what is happening.
$(STAMP): pyproject.toml
	@echo "maca: setting up (first run only, about 30 s)…"
	@$(PYTHON) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --quiet --upgrade pip \
	  && $(BIN)/python -m pip install --quiet -e '.[test]'; } >$(VENV)/setup.log 2>&1 \
	  || { cat $(VENV)/setup.log; echo "maca: setting up failed (the log above is in $(VENV)/setup.log)."; exit 1; }
	@touch $(STAMP)
	@echo "maca: ready."

# tmux drives the terminal tests and OpenSSH (sshd, ssh) the deployment test; each is
# installed from the distribution if it is missing.
system-deps:
	@missing=""; \
	command -v tmux >/dev/null 2>&1 || missing="$$missing tmux"; \
	{ command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ]; } || missing="$$missing openssh-server"; \
	{ command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; } || missing="$$missing openssh-client"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing:$$missing: install it to run the terminal and SSH tests"; fi; \
	fi

run: $(STAMP)
	$(BIN)/maca demo

# pytest-xdist runs the in-process tests on every core (-n auto: 2 on the reference
# machine, halving the wall time); the tmux and SSH tests then run one at a time, as their
# key timings were tuned for, with no Pilot tests competing for the cores.
PYTEST_PARALLEL := -n auto --dist worksteal

test: $(STAMP) system-deps
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL) -m "not terminal and not ssh"
	$(BIN)/python -m pytest -q -p no:xdist -m "terminal or ssh"

# The edit loop: everything but the tmux, SSH and slow tests (markers in pyproject.toml).
test-fast: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL) -m "not terminal and not ssh and not slow"

# The performance suite (DESIGN §11): each figure beside its baseline, non-zero on a miss.
bench: $(STAMP) system-deps
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) *.egg-info

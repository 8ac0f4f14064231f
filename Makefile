# «Alembic на практике» on macOS and Linux: `make lab`, `make test`. Every target is a command of
# course.py (the same on Windows: `py course.py lab`), so there is one implementation.
PYTHON ?= python3
COURSE := $(PYTHON) course.py

.DEFAULT_GOAL := help
TARGETS := help lab instructor lab-instructor test test-fast test-slow test-all test-browser \
	test-site \
	test-hub lint notebooks stats schedule site bench lock wheels db-start db-stop db-reset \
	check-setup rise reset-class clean progress class-progress bench-hub hub-link binder-link
.PHONY: $(TARGETS)

# ARGS: extra arguments for the command, e.g. make lab ARGS="--no-browser --port=8890".
$(TARGETS):
	@$(COURSE) $@ $(ARGS)

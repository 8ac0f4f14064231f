# «Alembic на практике»: две команды для учащегося — make lab и make test.
# Всё ставится в .venv/ строго из requirements.lock; ничего системного не нужно.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed

.DEFAULT_GOAL := help
.PHONY: help lab instructor lab-instructor test test-fast test-browser lint notebooks stats schedule \
	test-site site bench lock db-start db-stop check-setup rise reset-class clean

help:
	@echo "make lab        — открыть курс в JupyterLab (русский интерфейс)"
	@echo "make lab-instructor — то же с заметками инструктора (ноутбуки из instructor/)"
	@echo "make test       — все тесты, включая выполнение каждого ноутбука"
	@echo "make test-browser, make test-site — курс в Chromium; сайт без интернета"
	@echo "make notebooks  — пересобрать notebooks/ из lessons_src/"
	@echo "make stats      — размер уроков: ячейки, слова, задания"
	@echo "make site       — статический сайт курса в site/ (работает без интернета)"
	@echo "make bench      — замеры скорости (цифры для README)"
	@echo "make lint       — ruff"
	@echo "make check-setup — проверить всё перед занятием (базы, JupyterLab)"
	@echo "make db-start   — запустить встроенный PostgreSQL заранее (до занятия)"
	@echo "make db-stop    — остановить встроенный PostgreSQL курса"
	@echo "make instructor — ноутбуки инструктора в instructor/; make schedule — расписание"
	@echo "make rise       — поставить слайды (jupyterlab-rise), необязательно"
	@echo "make reset-class — между группами: остановить PostgreSQL, очистить work/ и notebooks/"
	@echo "make clean      — удалить песочницы work/ (и данные PostgreSQL курса)"

# The venv is rebuilt whenever the lock or the package metadata changes. uv (pinned, also in
# the lock) installs the lock in a few seconds; plain pip is the fallback where uv has no wheel.
UV_VERSION := 0.13.9
$(STAMP): requirements.lock pyproject.toml jupyter/overrides.json jupyter/ipython_kernel_config.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Нужен Python 3.11 или новее")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; then \
		$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock; \
	else \
		echo "uv недоступен — ставлю зависимости через pip (это дольше)"; \
		$(BIN)/python -m pip install --quiet --upgrade "pip>=24" && \
		$(BIN)/python -m pip install --quiet -r requirements.lock; \
	fi
	$(BIN)/python tools/install_jupyter_config.py
	touch $(STAMP)

# Root (a container, a CI box) needs --allow-root; nobody else gets it.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# LAB_OPTIONS: extra options for JupyterLab, e.g. LAB_OPTIONS="--no-browser --port=8890".
LAB_OPTIONS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks \
		$(ALLOW_ROOT) $(LAB_OPTIONS)

# The instructor's notebooks: the learners' ones plus the notes tagged `instructor`, framed,
# and the lesson's timings; built from the same sources into instructor/ (git-ignored).
instructor: $(STAMP)
	$(BIN)/python tools/build_notebooks.py --instructor

lab-instructor: instructor
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/instructor \
		$(ALLOW_ROOT) $(LAB_OPTIONS)

# ruff runs inside the suite (tests/test_repository.py), so `pytest` alone checks everything.
# Notebooks run in parallel (pytest-xdist): one worker per core, plus one, because a worker
# spends part of its time waiting for a kernel to start. TEST_WORKERS=0 runs everything in order.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) + 1)')
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# The course in a real browser: Debian's chromium driven by Playwright (no download).
test-browser: $(STAMP)
	$(BIN)/python -m pytest -m browser -p no:cacheprovider

# The static site, built twice (reproducible) and opened offline in Chromium.
test-site: $(STAMP)
	$(BIN)/python -m pytest -m site -p no:cacheprovider

# Everything but the notebook runs: a quick loop while editing the toolkit.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not notebooks and not browser and not site"

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check lessonkit app alembic tests tools bench

notebooks: $(STAMP)
	$(BIN)/python tools/build_notebooks.py

stats: $(STAMP)
	$(BIN)/python tools/lesson_stats.py

# The course as a static site in site/: every notebook executed, readable offline.
site: $(STAMP)
	$(BIN)/python tools/build_site.py

bench: $(STAMP)
	$(BIN)/python bench/bench.py

# Re-resolve the pins (needs network). uv lives in a throwaway venv, not in the course one.
lock:
	$(PYTHON) -m venv work/.lock-tools
	work/.lock-tools/bin/python -m pip install --quiet "uv==0.13.8"
	work/.lock-tools/bin/uv pip compile pyproject.toml --extra dev --universal \
		--python-version 3.11 -o requirements.lock

db-start: $(STAMP)
	$(BIN)/python -m lessonkit.databases.pgctl start

db-stop: $(STAMP)
	$(BIN)/python -m lessonkit.databases.pgctl stop

# Slides (opt-in, not in the lock): jupyterlab-rise pulls jupyterlab-mathjax3, which this
# JupyterLab does not load (it has MathJax built in); the learners' environment stays as locked.
RISE_PINS := jupyterlab-rise==0.43.1 jupyterlab-mathjax3==4.3.0
rise: $(STAMP)
	$(BIN)/uv pip install --quiet --no-deps --python $(BIN)/python $(RISE_PINS)

# Between two groups: the course's PostgreSQL stopped, work/ gone, notebooks/ as in git.
reset-class:
	-test -x $(BIN)/python && $(BIN)/python -m lessonkit.databases.pgctl stop
	rm -rf work instructor
	git checkout -- notebooks

# The day before class: Python, the environment, the three databases, JupyterLab.
check-setup: $(STAMP)
	$(BIN)/python tools/check_setup.py

schedule: $(STAMP)
	$(BIN)/python tools/schedule.py --write

clean:
	-test -x $(BIN)/python && $(BIN)/python -m lessonkit.databases.pgctl stop
	rm -rf work

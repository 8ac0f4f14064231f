"""Lesson 16.2's pytest run and lesson 17's lock sampler, moved out of the lesson cells: what
they show and what they count."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from lessonkit.demos import ci, locks


@pytest.mark.heavy
def test_pytest_ci_shows_results_and_assertions_only(make_lesson, capsys):
    lesson = make_lesson()
    (lesson.sandbox / "test_demo.py").write_text(
        "def test_ok():\n    assert 1\n\n\ndef test_broken():\n    assert 1 == 2\n",
        encoding="utf-8",
    )
    ci.pytest_ci("-v --tb=short -p no:cacheprovider")
    shown = capsys.readouterr().out.splitlines()
    assert any("test_ok PASSED" in line for line in shown)
    assert any("test_broken FAILED" in line for line in shown)
    assert any(line.startswith("E ") and "assert 1 == 2" in line for line in shown)
    assert any("1 failed, 1 passed" in line for line in shown)
    assert not any(line.startswith("    def test_broken") for line in shown), "no traceback"


def test_a_row_scan_is_told_from_a_quick_statement():
    assert locks.reads_rows("CREATE INDEX ix ON orders (created_at)")
    assert locks.reads_rows("ALTER TABLE orders VALIDATE CONSTRAINT fk")
    assert not locks.reads_rows("CREATE INDEX CONCURRENTLY ix ON orders (created_at)")
    assert not locks.reads_rows("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (a) "
                                "REFERENCES b (id) NOT VALID")  # fmt: skip
    assert not locks.reads_rows("ALTER TABLE orders ADD CONSTRAINT uq UNIQUE USING INDEX uq")


@pytest.mark.heavy
@pytest.mark.postgres
def test_watch_counts_waits_seen_in_pg_locks_not_slow_queries(make_lesson):
    lesson = make_lesson(db="postgres")
    with lesson.backend.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " customer_id int, amount numeric)"
        )
        conn.exec_driver_sql("INSERT INTO orders (customer_id, amount) VALUES (1, 1)")
    lesson.backend.dispose()
    locks.vacuum_analyze("orders")
    with locks.watch(quiet=True) as quiet_run:
        time.sleep(0.3)  # nobody holds anything: nobody waits
    assert quiet_run.waited("app-write") == 0 and quiet_run.waited("app-read") == 0
    assert "Никто никого не ждал" in locks.report_text(quiet_run)

    def hold_share_lock():  # an unnamed client session, as Alembic's is
        with psycopg.connect(locks.dsn(lesson)) as conn:
            conn.execute("LOCK TABLE orders IN SHARE MODE")
            time.sleep(0.6)

    with locks.watch(quiet=True) as blocked:
        holder = threading.Thread(target=hold_share_lock)
        holder.start()
        holder.join()
    assert blocked.waited("app-write") >= 0.3  # INSERT waits for SHARE
    assert blocked.waited("app-read") == 0  # SELECT does not
    assert ("app-write", "") in blocked.waits()
    text = locks.report_text(blocked)
    assert "запись просила RowExclusiveLock и ждала миграцию, у которой на orders ShareLock" in text

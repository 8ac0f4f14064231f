"""check.row_exists: the exercise check of the lessons about data."""

from __future__ import annotations

from lessonkit import check


def test_row_exists(make_lesson):
    lesson = make_lesson("90_rows")
    assert not check.row_exists("users", username="bob")
    assert "таблицы users в базе нет" in check.row_exists("users", username="bob").text()
    with lesson.backend.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE users (username TEXT, email TEXT)")
        conn.exec_driver_sql("INSERT INTO users VALUES ('O''Brien', 'ob@example.com')")
    assert check.row_exists("users", username="O'Brien", email="ob@example.com")
    assert check.row_exists("users")
    missing = check.row_exists("users", username="O'Brien", email="other@example.com")
    assert not missing and "нет строки" in missing.text()

"""show_graph(): the revision graph read through Alembic, the database's position on it."""

from __future__ import annotations

import pytest

from lessonkit import check
from lessonkit.cli.command import run_alembic
from lessonkit.view.graph import Node, RevisionGraph, revision_graph


def alembic(lesson, *argv: str) -> str:
    result = run_alembic(list(argv), lesson.sandbox)
    assert result.ok, result.output
    return result.output


@pytest.fixture
def branched(make_lesson):
    """001 with two children, 002_posts and 002_roles: two heads, as after a git merge."""
    lesson = make_lesson("90_graph")
    alembic(lesson, "revision", "-m", "Add users table", "--rev-id", "001_users")
    alembic(lesson, "revision", "-m", "Add roles table", "--rev-id", "002_roles")
    alembic(
        lesson, "revision", "-m", "Add posts table", "--head", "001_users", "--splice",
        "--rev-id", "002_posts",
    )  # fmt: skip
    return lesson


def test_a_chain_with_the_database_in_the_middle(make_lesson):
    lesson = make_lesson("90_graph")
    for rev, message in [("001_users", "Add users"), ("002_posts", "Add posts"), ("003", "Bio")]:
        alembic(lesson, "revision", "-m", message, "--rev-id", rev)
    alembic(lesson, "upgrade", "002_posts")
    assert revision_graph().text() == (
        "Граф ревизий (новые сверху):\n"
        "*  003        Bio  (голова)\n"
        "*  002_posts  Add posts  ◀ база здесь\n"
        "*  001_users  Add users\n"
        "○  base"
    )


def test_two_heads_on_a_fresh_database(branched):
    assert revision_graph().text() == (
        "Граф ревизий (новые сверху):\n"
        "*    002_posts  Add posts table  (голова)\n"
        "| *  002_roles  Add roles table  (голова)\n"
        "|/\n"
        "*    001_users  Add users table  (ветвление)\n"
        "○    base  ◀ база здесь"
    )


def test_upgrade_heads_puts_the_database_on_both_heads(branched):
    alembic(branched, "upgrade", "heads")
    graph = revision_graph()
    assert graph.current == ("002_posts", "002_roles")
    assert graph.text().count("◀ база здесь") == 2
    assert graph.applied() == {"001_users", "002_posts", "002_roles"}


def test_a_merge_revision_joins_the_lanes_and_is_a_hexagon(branched):
    alembic(branched, "merge", "-m", "merge branches", "heads", "--rev-id", "003_merge")
    alembic(branched, "upgrade", "head")
    graph = revision_graph()
    assert graph.text() == (
        "Граф ревизий (новые сверху):\n"
        "*    003_merge  merge branches  (голова, слияние)  ◀ база здесь\n"
        "|\\\n"
        "* |  002_posts  Add posts table\n"
        "| *  002_roles  Add roles table\n"
        "|/\n"
        "*    001_users  Add users table  (ветвление)\n"
        "○    base"
    )
    mermaid = graph.mermaid()
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart BT"
    # Nodes numbered oldest first; the merge is a hexagon ({{...}}) carrying the DB marker.
    assert '  r1["<b>002_roles</b><br/>Add roles table"]:::done' in lines
    assert '  r2["<b>002_posts</b><br/>Add posts table"]:::done' in lines
    merge = '  r3{{"<b>003_merge</b><br/>merge branches<br/><i>голова · слияние</i><br/>'
    assert merge + '<b>◀ база здесь</b>"}}:::current' in lines
    assert {"  r0 --> r1", "  r0 --> r2", "  r2 --> r3", "  r1 --> r3"} <= set(lines)
    assert "  style r3 stroke-width:3px" in lines  # the head's thick border
    assert mermaid.count(":::done") == 4  # base and the three revisions below the merge


def test_the_bundle_has_mermaid_for_jupyterlab_and_text_for_the_rest(branched):
    bundle = revision_graph()._repr_mimebundle_()
    assert set(bundle) == {"text/vnd.mermaid", "text/plain"}
    assert bundle["text/plain"].startswith("Граф ревизий")


def test_a_database_on_a_revision_missing_from_the_folder(branched):
    alembic(branched, "upgrade", "002_roles")
    (branched.sandbox / "alembic" / "versions" / "002_roles_add_roles_table.py").unlink()
    graph = revision_graph()
    assert graph.missing == ["002_roles"]
    assert graph.text().endswith(
        "◀ база здесь: на ревизии 002_roles, а её файла в alembic/versions нет."
    )
    assert "002_roles: файла нет" in graph.mermaid()


def test_lanes_of_a_second_root_and_of_an_octopus_merge():
    roots = RevisionGraph(
        [Node("x1", "Audit", (), branch_labels=("audit",), head=True), Node("a1", "Users", ())],
        (),
    )
    assert roots.text().splitlines()[1:] == [
        "*    x1  Audit  (голова, метка audit)",
        "| *  a1  Users",
        "|/",
        "○    base  ◀ база здесь",
    ]
    octopus = RevisionGraph(
        [Node("m", "All", ("a", "b", "c"), head=True)]
        + [Node(rev, rev, ("r",)) for rev in "abc"]
        + [Node("r", "Root", ())],
        ("m",),
    )
    graph_column = [line.split("  ")[0] for line in octopus.text().splitlines()[1:]]
    assert graph_column == ["*", "|\\", "| |\\", "* | |", "| * |", "| | *", "|/ /", "|/", "*", "○"]


def test_depends_on_is_a_dashed_edge_and_counts_as_applied():
    graph = RevisionGraph(
        [
            Node("d", "Uses audit", ("a1",), depends_on=("x1",), head=True),
            Node("x1", "Audit", (), head=True),
            Node("a1", "Users", ()),
        ],
        ("d",),
    )
    assert graph.applied() == {"a1", "d", "x1"}
    assert " -. depends_on .-> " in graph.mermaid()
    assert "(голова, зависит от x1)  ◀ база здесь" in graph.text()


def test_single_head_check(branched):
    two = check.single_head()
    assert not two and "голов 2: 002_posts, 002_roles" in two.text()
    alembic(branched, "merge", "-m", "merge", "heads", "--rev-id", "003_merge")
    assert check.single_head()
    assert "одна голова: 003_merge" in check.single_head().text()

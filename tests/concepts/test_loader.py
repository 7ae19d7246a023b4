"""The content loader: the files and the database as one truth, through a three-way merge.

Per entry, F is the file's entry, D the database's, B what the last load loaded
(``LoadedEntry``). The loader applies F only where the file changed and the
database did not; where both changed it reports the conflict and keeps D.
Idempotent, all or nothing for errors in the files, and clear about what is wrong.
"""

import difflib
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from concepts.models import Category, Concept, Example, Tag
from concepts.services import (
    concept_update,
    example_delete,
    example_update,
    tag_delete,
)
from content.loader import digest, normalise
from content.models import LoadedEntry
from kbapi.edge.version import get_version
from relations.models import Comparison, Relation
from relations.services import relation_delete, relation_update
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_concept

MODELS_WITH_HISTORY = (Concept, Example, Relation, Comparison)


@pytest.fixture
def content(tmp_path):
    """A copy of the fixture content, to edit, loaded once (the baseline recorded)."""
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    return folder


@pytest.fixture
def loaded(db, content):
    load(content)
    return content


def load(folder, *args) -> tuple[str, str]:
    """``manage.py loadkb folder *args``: (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("loadkb", str(folder), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def export(folder, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("exportkb", "--files", str(folder), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def edit(folder, old: str, new: str, name: str = "10-databases.yaml") -> None:
    path = folder / name
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def state() -> dict:
    """Everything a load could write: objects with their versions, history rows, baselines."""
    return {
        "objects": [
            sorted(model.objects.values_list("pk", "version", "updated_at"))
            for model in (Category, Tag, *MODELS_WITH_HISTORY)
        ],
        "history": [model.history.count() for model in MODELS_WITH_HISTORY],
        "baselines": sorted(LoadedEntry.objects.values_list("kind", "key", "digest", "loaded_at")),
        "kb_version": get_version().file.read(),
    }


def api_edit_summary(slug: str = "database", summary: str = "Edited through the API.") -> None:
    concept_update(
        concept=Concept.objects.get(slug=slug), data={"summary": summary}, change_message="api"
    )


def test_loading_twice_changes_nothing_and_says_so(db, capsys):
    call_command("loadkb", str(FIXTURE_CONTENT))
    first = capsys.readouterr().out
    assert "concepts: 3 created" in first
    before = state()
    call_command("loadkb", str(FIXTURE_CONTENT))
    assert "up to date (15 entries unchanged)" in capsys.readouterr().out
    assert state() == before  # no object, version, history row, baseline or kb version written
    assert Concept.history.count() == 3  # one row per created concept; nothing from the rerun


def test_a_load_records_what_it_loaded_of_every_entry(loaded):
    assert LoadedEntry.objects.count() == 15
    base = LoadedEntry.objects.get(kind="relations", key="key-value-store--is-a--database")
    assert base.file == "10-databases.yaml"
    concept = LoadedEntry.objects.get(kind="concepts", key="database")
    assert concept.digest == digest(normalise("concepts", concept.data))
    assert concept.data["definition"].endswith("retrieved and modified.")  # normalised text


def test_the_loaders_writes_name_their_file_in_the_history(loaded):
    record = Concept.objects.get(slug="database").history.get()
    assert record.history_change_reason == "loadkb: 10-databases.yaml"
    edit(loaded, "aliases: [DB]", "aliases: [DB, data store]")
    load(loaded)
    latest = Concept.objects.get(slug="database").history.first()
    assert latest.history_change_reason == "loadkb: 10-databases.yaml"
    assert latest.history_type == "~"


# --- the file changed, the database did not: the file's change is applied ---


def test_loading_updates_a_changed_entry(db, tmp_path, capsys):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    call_command("loadkb", str(folder))
    path = folder / "10-databases.yaml"
    path.write_text(path.read_text().replace("KV store", "KV database"))
    call_command("loadkb", str(folder))
    assert "concepts: 0 created, 1 updated" in capsys.readouterr().out
    assert Concept.objects.get(slug="key-value-store").aliases == ["KV database"]
    base = LoadedEntry.objects.get(kind="concepts", key="key-value-store")
    assert base.data["aliases"] == ["KV database"]  # the new baseline


def test_a_file_change_writes_only_the_fields_it_changed(loaded):
    api_edit_summary("relational-database")  # another entry: untouched by the load
    edit(loaded, "aliases: [DB]", "aliases: [DB, data store]")
    load(loaded)
    database = Concept.objects.get(slug="database")
    assert database.aliases == ["DB", "data store"] and database.version == 2
    changes = database.history.first().diff_against(database.history.last()).changed_fields
    assert changes == ["aliases"]
    assert Concept.objects.get(slug="relational-database").summary == "Edited through the API."


def test_a_new_entry_in_a_file_is_created(loaded):
    edit(
        loaded,
        "{slug: sql, name: SQL}",
        "{slug: sql, name: SQL}\n  - {slug: graphs, name: Graphs}",
        "00-taxonomy.yaml",
    )
    out, _ = load(loaded)
    assert "tags: 1 created" in out
    assert Tag.objects.filter(slug="graphs").exists()


def test_an_entry_removed_from_the_files_is_deleted_through_the_services(loaded):
    edit(loaded, "  - slug: redis\n    name: Redis\n", "  - slug: redis-gone\n    name: Redis\n")
    out, err = load(loaded)
    assert "examples: 1 created, 0 updated, 1 deleted" in out and not err
    assert not Example.objects.filter(slug="redis").exists()
    record = Example.history.filter(slug="redis").first()
    assert record.history_type == "-"
    assert record.history_change_reason == "loadkb: removed from 10-databases.yaml"
    assert not LoadedEntry.objects.filter(kind="examples", key="redis").exists()


def test_a_delete_the_services_refuse_is_reported_not_fatal(loaded):
    # the concept leaves its file, but relations in the files still need it
    path = loaded / "10-databases.yaml"
    text = path.read_text()
    start = text.index("  - slug: key-value-store")
    path.write_text(text[:start] + text[text.index("examples:") :])
    edit(loaded, "concepts: [key-value-store]", "concepts: [database]")  # redis
    out, err = load(loaded)
    assert (
        "10-databases.yaml: concept 'key-value-store': removed from the file, but not deleted"
        in err
    )
    assert "relations: " in err  # what still needs it
    assert Concept.objects.filter(slug="key-value-store").exists()
    assert "examples: 0 created, 1 updated" in out  # the rest of the load went through
    assert LoadedEntry.objects.filter(kind="concepts", key="key-value-store").exists()


# --- the database changed, the file did not: the database's state stands ---


def test_an_api_edit_survives_a_reload(loaded):
    api_edit_summary()
    before = state()
    out, err = load(loaded)
    assert Concept.objects.get(slug="database").summary == "Edited through the API."
    assert "1 edited in the database, kept" in out and not err
    assert state() == before


def test_an_entry_deleted_in_the_database_stays_deleted(loaded):
    example_delete(example=Example.objects.get(slug="redis"))
    relation = Relation.objects.get(source__slug="database", type="prerequisite-of")
    relation_delete(relation=relation)
    out, err = load(loaded)
    assert not Example.objects.filter(slug="redis").exists()
    assert not Relation.objects.filter(source__slug="database", type="prerequisite-of").exists()
    assert "2 edited in the database, kept" in out and not err


def test_an_entry_deleted_in_the_database_and_the_file_is_forgotten(loaded):
    example_delete(example=Example.objects.get(slug="redis"))
    edit(loaded, "  - slug: redis\n    name: Redis\n", "  - slug: memcached\n    name: Memcached\n")
    out, err = load(loaded)
    assert not err and not Example.objects.filter(slug="redis").exists()
    assert not LoadedEntry.objects.filter(kind="examples", key="redis").exists()


# --- both changed ---


def test_the_same_change_on_both_sides_is_no_conflict(loaded):
    api_edit_summary(summary="The same new summary.")
    edit(
        loaded,
        "summary: An organised collection of data built for storing, finding and changing it.",
        "summary: The same new summary.",
    )
    history = Concept.history.count()
    out, err = load(loaded)
    assert not err and "up to date" in out
    assert Concept.history.count() == history
    assert LoadedEntry.objects.get(kind="concepts", key="database").data["summary"] == (
        "The same new summary."
    )


def test_a_conflict_is_reported_and_the_database_edit_kept(loaded):
    api_edit_summary()
    edit(loaded, "aliases: [DB]", "aliases: [DB, data store]")
    base = LoadedEntry.objects.get(kind="concepts", key="database").digest
    out, err = load(loaded)
    assert (
        "CONFLICT 10-databases.yaml: concept 'database': changed in the file (aliases) "
        "and in the database (summary); the database's is kept" in err
    )
    assert "1 conflict(s)" in out
    database = Concept.objects.get(slug="database")
    assert database.summary == "Edited through the API." and database.aliases == ["DB"]
    # the base stays, so the conflict is reported again until it is settled
    assert LoadedEntry.objects.get(kind="concepts", key="database").digest == base
    assert "CONFLICT 10-databases.yaml: concept 'database'" in load(loaded)[1]


def test_prefer_files_settles_conflicts_in_the_files_favour_through_the_services(loaded):
    api_edit_summary()
    edit(loaded, "aliases: [DB]", "aliases: [DB, data store]")
    out, err = load(loaded, "--prefer-files")
    assert not err and "concepts: 0 created, 1 updated" in out
    database = Concept.objects.get(slug="database")
    assert database.aliases == ["DB", "data store"]
    assert database.summary.startswith("An organised collection")
    assert database.history.first().history_change_reason == (
        "loadkb --prefer-files: 10-databases.yaml"
    )
    assert load(loaded) == ("The knowledge base is up to date (15 entries unchanged).\n", "")


def test_prefer_files_for_one_entry_settles_only_that_one(loaded):
    api_edit_summary("database")
    api_edit_summary("key-value-store")
    edit(loaded, "aliases: [DB]", "aliases: [DB, data store]")
    edit(loaded, "aliases: [KV store]", "aliases: [KV]")
    out, err = load(loaded, "--prefer-files-for", "concept:key-value-store")
    assert Concept.objects.get(slug="key-value-store").aliases == ["KV"]
    assert Concept.objects.get(slug="database").aliases == ["DB"]
    assert "concept 'database'" in err and "key-value-store" not in err


def test_deleted_in_the_database_and_changed_in_the_file_is_a_conflict(loaded):
    example_delete(example=Example.objects.get(slug="redis"))
    edit(loaded, "description: An in-memory key-value store.", "description: In memory.")
    _, err = load(loaded)
    assert (
        "10-databases.yaml: example 'redis': deleted in the database, changed in the file "
        "(description)" in err
    )
    assert not Example.objects.filter(slug="redis").exists()
    load(loaded, "--prefer-files")
    assert Example.objects.get(slug="redis").description == "In memory."


def test_removed_from_the_file_and_edited_in_the_database_is_a_conflict(loaded):
    example_update(example=Example.objects.get(slug="redis"), data={"name": "Redis (edited)"})
    edit(loaded, "  - slug: redis\n    name: Redis\n", "  - slug: memcached\n    name: Memcached\n")
    _, err = load(loaded)
    assert (
        "10-databases.yaml: example 'redis': removed from the file, edited in the database (name)"
        in err
    )
    assert Example.objects.get(slug="redis").name == "Redis (edited)"
    load(loaded, "--prefer-files")
    assert not Example.objects.filter(slug="redis").exists()


def test_in_the_database_but_never_loaded_and_different_is_a_conflict(loaded):
    LoadedEntry.objects.all().delete()  # as a database loaded before baselines existed
    api_edit_summary()
    out, err = load(loaded)
    assert (
        "10-databases.yaml: concept 'database': in the database but never loaded from the files, "
        "and different (summary)" in err
    )
    assert Concept.objects.get(slug="database").summary == "Edited through the API."
    # the entries that agree get their baseline, with no write
    assert LoadedEntry.objects.count() == 14
    assert not LoadedEntry.objects.filter(kind="concepts", key="database").exists()


def test_in_the_database_never_loaded_and_equal_just_records_the_baseline(loaded):
    LoadedEntry.objects.all().delete()
    before = state()
    out, err = load(loaded)
    assert not err and "up to date (15 entries unchanged)" in out
    after = state()
    assert after["objects"] == before["objects"] and after["history"] == before["history"]
    assert LoadedEntry.objects.count() == 15


def test_a_reference_to_an_entry_deleted_in_the_database_is_a_conflict_not_an_error(loaded):
    tag_delete(tag=Tag.objects.get(slug="nosql"))  # taken off key-value-store too
    edit(loaded, "tags: [week-1, sql]", "tags: [week-1, sql, nosql]")  # relational-database
    out, err = load(loaded)
    assert (
        "10-databases.yaml: concept 'relational-database': refers to tag 'nosql', which the "
        "files have and the database does not" in err
    )
    assert sorted(
        Concept.objects.get(slug="relational-database").tags.values_list("slug", flat=True)
    ) == ["sql", "week-1"]


def test_a_name_taken_in_the_database_is_a_conflict_not_an_error(loaded):
    make_concept(
        "graph-db",
        name="Graph database",
        summary="s",
        definition="d",
        category="database-type",
        source="Week 1",
        tags=[],
    )
    edit(
        loaded,
        "examples:\n",
        "  - slug: graph-database\n    name: Graph database\n    summary: Nodes and edges.\n"
        "    definition: Nodes and edges.\n    category: database-type\n    source: Week 1\n"
        "examples:\n",
    )
    _, err = load(loaded)
    assert (
        "10-databases.yaml: concept 'graph-database': its name 'Graph database' is taken in the "
        "database by concept 'graph-db'; not loaded" in err
    )
    assert not Concept.objects.filter(slug="graph-database").exists()


# --- options ---


def test_strict_makes_a_conflict_an_error_and_loads_nothing(loaded):
    api_edit_summary()
    edit(loaded, "aliases: [DB]", "aliases: [DB, data store]")
    edit(loaded, "aliases: [KV store]", "aliases: [KV]")  # no conflict, but not loaded either
    with pytest.raises(CommandError, match="Nothing loaded. 1 conflict"):
        load(loaded, "--strict")
    assert Concept.objects.get(slug="key-value-store").aliases == ["KV store"]


def test_dry_run_reports_and_writes_nothing(loaded):
    api_edit_summary()
    edit(loaded, "aliases: [DB]", "aliases: [DB, data store]")
    edit(loaded, "aliases: [KV store]", "aliases: [KV]")
    before = state()
    out, err = load(loaded, "--dry-run")
    assert out.startswith("Dry run, nothing written. Would load concepts: 0 created, 1 updated")
    assert "CONFLICT 10-databases.yaml: concept 'database'" in err
    assert state() == before


def test_a_bad_entry_loads_none_of_the_other_changes(loaded):
    edit(loaded, "aliases: [KV store]", "aliases: [KV]")
    edit(loaded, "tags: [week-1, sql]", "tags: [week-1, no-such-tag]")
    with pytest.raises(CommandError, match="relational-database': unknown tag 'no-such-tag'"):
        load(loaded)
    assert Concept.objects.get(slug="key-value-store").aliases == ["KV store"]


def test_an_entry_defined_twice_is_an_error(loaded):
    edit(
        loaded,
        "{slug: sql, name: SQL}",
        "{slug: sql, name: SQL}\n  - {slug: sql, name: S}",
        "00-taxonomy.yaml",
    )
    with pytest.raises(CommandError, match="tag 'sql': defined twice"):
        load(loaded)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("target: database}", "10-databases.yaml: relation 'key-value-store--is-a--nowhere'"),
        ("category: database-type\n    tags: [week-1, nosql]", "unknown tag"),
    ],
)
def test_a_bad_entry_names_file_and_entry_and_loads_nothing(db, tmp_path, broken, message):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    path = folder / "10-databases.yaml"
    text = path.read_text()
    if broken.startswith("target"):
        text = text.replace(
            "{source: key-value-store, type: is-a, target: database}",
            "{source: key-value-store, type: is-a, target: nowhere}",
        )
    else:
        text = text.replace(broken, broken.replace("nosql", "no-such-tag"))
    path.write_text(text)
    with pytest.raises(CommandError) as error:
        call_command("loadkb", str(folder))
    assert "Nothing loaded" in str(error.value)
    assert message in str(error.value)
    assert not Concept.objects.exists()
    assert not Example.objects.exists() and not Relation.objects.exists()
    assert not Comparison.objects.exists()


def test_invalid_yaml_names_the_file(db, tmp_path):
    (tmp_path / "bad.yaml").write_text("concepts: [\n")
    with pytest.raises(CommandError, match="bad.yaml: not valid YAML"):
        call_command("loadkb", str(tmp_path))


def test_unknown_top_level_key_names_the_file(db, tmp_path):
    (tmp_path / "odd.yaml").write_text("widgets: []\n")
    with pytest.raises(CommandError, match="odd.yaml: top level"):
        call_command("loadkb", str(tmp_path))


# --- exportkb --files: the database's changes back into the files, for review ---


def files_of(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_export_with_nothing_changed_leaves_the_files_as_they_are(loaded):
    before = files_of(loaded)
    out, err = export(loaded)
    assert out == "The content files already hold the database's changes.\n" and not err
    assert files_of(loaded) == before


def test_export_writes_the_database_edits_into_their_files_and_touches_nothing_else(loaded):
    api_edit_summary()
    relation = Relation.objects.get(source__slug="relational-database", type="contrasts-with")
    relation_update(relation=relation, data={"note": "rows vs keys"})
    example_delete(example=Example.objects.get(slug="redis"))
    make_concept(
        "graph-database",
        name="Graph database",
        summary="Nodes and edges.",
        definition="Data as nodes\nand the edges between them.",
        category="database-type",
        tags=["nosql"],
        source="Week 1 › Non-relational Databases",
    )
    before = (loaded / "10-databases.yaml").read_text()
    out, err = export(loaded)
    assert out == (
        "Wrote the database's changes into 10-databases.yaml, 99-added.yaml: "
        "2 entries changed, 1 removed, 1 added.\n"
    )
    assert not err
    assert changed_lines(before, (loaded / "10-databases.yaml").read_text()) == [
        "-    summary: An organised collection of data built for storing, finding and changing it.",
        "+    summary: Edited through the API.",
        "-  - slug: redis",
        "-    name: Redis",
        "-    kind: system",
        "-    description: An in-memory key-value store.",
        "-    concepts: [key-value-store]",
        "-  - {source: relational-database, type: contrasts-with, target: key-value-store, "
        "note: tables vs keys}",
        "+  - {source: relational-database, type: contrasts-with, target: key-value-store, "
        "note: rows vs keys}",
    ]
    assert (loaded / "99-added.yaml").read_text() == (
        "concepts:\n"
        "  - slug: graph-database\n"
        "    name: Graph database\n"
        "    summary: Nodes and edges.\n"
        "    definition: |\n"
        "      Data as nodes\n"
        "      and the edges between them.\n"
        "    category: database-type\n"
        "    tags: [nosql]\n"
        "    source: Week 1 › Non-relational Databases\n"
    )
    # and the next load finds files and database equal: no conflict, no write
    written = state()
    out, err = load(loaded)
    assert not err and out.startswith("The knowledge base is up to date")
    after = state()
    assert (after["objects"], after["history"]) == (written["objects"], written["history"])
    assert LoadedEntry.objects.get(kind="concepts", key="graph-database").file == "99-added.yaml"
    assert not LoadedEntry.objects.filter(kind="examples", key="redis").exists()
    assert load(loaded)[0] == "The knowledge base is up to date (15 entries unchanged).\n"


def test_export_leaves_file_changes_not_yet_loaded_and_reports_conflicts(loaded):
    edit(loaded, "aliases: [KV store]", "aliases: [KV]")  # in the file only: not loaded yet
    api_edit_summary()  # and database: changed on both sides
    edit(loaded, "aliases: [DB]", "aliases: [DB, data store]")
    before = files_of(loaded)
    out, err = export(loaded)
    assert "10-databases.yaml: concept 'key-value-store': changed in the file" in out
    assert (
        "CONFLICT 10-databases.yaml: concept 'database': changed in the file and in the "
        "database; the file is left as it is" in err
    )
    assert files_of(loaded) == before
    export(loaded, "--prefer-database")
    text = (loaded / "10-databases.yaml").read_text()
    assert "summary: Edited through the API." in text and "aliases: [DB]\n" in text
    assert "aliases: [KV]\n" in text  # still the file's, and loaded next
    out, err = load(loaded)
    assert not err and "concepts: 0 created, 1 updated" in out
    assert Concept.objects.get(slug="key-value-store").aliases == ["KV"]


def test_export_to_standard_output_and_to_a_folder_still_work(small_kb, tmp_path, capsys):
    call_command("exportkb")
    assert "slug: key-value-store" in capsys.readouterr().out
    call_command("exportkb", output=tmp_path)
    assert "slug: key-value-store" in (tmp_path / "kb.yaml").read_text()

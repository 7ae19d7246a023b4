"""The content loader: idempotent, all or nothing, and clear about what is wrong."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from concepts.models import Concept, Example
from relations.models import Comparison, Relation
from tests.conftest import FIXTURE_CONTENT


def test_loading_twice_changes_nothing_and_says_so(db, capsys):
    call_command("loadkb", str(FIXTURE_CONTENT))
    first = capsys.readouterr().out
    assert "concepts: 3 created" in first
    versions = list(Concept.objects.values_list("version", flat=True))
    call_command("loadkb", str(FIXTURE_CONTENT))
    assert "up to date (15 entries unchanged)" in capsys.readouterr().out
    assert list(Concept.objects.values_list("version", flat=True)) == versions
    assert Concept.history.count() == 3  # one row per created concept; nothing from the rerun


def test_loading_updates_a_changed_entry(db, tmp_path, capsys):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    call_command("loadkb", str(folder))
    path = folder / "10-databases.yaml"
    path.write_text(path.read_text().replace("KV store", "KV database"))
    call_command("loadkb", str(folder))
    assert "concepts: 0 created, 1 updated" in capsys.readouterr().out
    assert Concept.objects.get(slug="key-value-store").aliases == ["KV database"]


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

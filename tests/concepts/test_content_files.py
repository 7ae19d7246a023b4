"""Entries written back into a content file: only the changed lines change, and the result
always reads back as meant (the file is written whole when its layout cannot be kept)."""

import yaml

from content.export import rewrite
from content.loader import compact, entry_key, normalise

TEXT = """\
# Storage engines
concepts:
  - slug: heap
    name: Heap
    aliases: [heap file]   # as the notes call it
    summary: Rows in no order.
    definition: |
      Rows are appended
      wherever there is room.
    category: storage
    limitations:
      - Slow lookups without an index.
    source: "Week 3 › Storage"

  # the next one is the index
  - slug: b-tree
    name: B-tree
    summary: A balanced search tree.
    definition: |
      Keeps keys sorted.
    category: storage
    source: "Week 3 › Indexes"
relations:
  - {source: b-tree, type: related-to, target: heap}
"""


def apply(text: str, replace=None, add=()):
    return rewrite(
        text,
        key_of=entry_key,
        replace=replace or {},
        add=list(add),
        compact=compact,
        normalise=normalise,
        flow=lambda kind, entry: kind == "relations",
    )


def entry(kind: str, text: str, key: str) -> dict:
    items = yaml.safe_load(text)[kind]
    return normalise(kind, next(i for i in items if entry_key(kind, i) == key))


def test_a_changed_field_is_the_only_line_that_changes():
    heap = {**entry("concepts", TEXT, "heap"), "summary": "Rows in insertion order."}
    result = apply(TEXT, {("concepts", "heap"): heap})
    assert not result.whole
    assert result.text == TEXT.replace("Rows in no order.", "Rows in insertion order.")


def test_a_field_back_to_its_default_goes_and_a_new_one_comes():
    heap = {**entry("concepts", TEXT, "heap"), "limitations": [], "use_cases": ["Logs"]}
    result = apply(TEXT, {("concepts", "heap"): heap})
    assert result.text == TEXT.replace(
        "    limitations:\n      - Slow lookups without an index.\n", ""
    ).replace(
        '    source: "Week 3 › Storage"\n',
        '    source: "Week 3 › Storage"\n    use_cases: [Logs]\n',
    )


def test_a_removed_entry_takes_its_lines_and_leaves_the_comment_before_the_next():
    result = apply(TEXT, {("concepts", "heap"): None})
    text = result.text
    assert "slug: heap" not in text and "# the next one is the index" in text
    assert "# Storage engines" in text
    assert [c["slug"] for c in yaml.safe_load(text)["concepts"]] == ["b-tree"]


def test_removing_every_entry_of_a_kind_leaves_an_empty_list():
    result = apply(TEXT, {("relations", "b-tree--related-to--heap"): None})
    assert result.text.endswith("relations: []\n")


def test_new_entries_follow_the_style_of_their_list():
    hash_index = normalise(
        "concepts",
        {
            "slug": "hash-index",
            "name": "Hash index",
            "summary": "Buckets by hash.",
            "definition": "One bucket per hash value.",
            "category": "storage",
            "source": "Week 3 › Indexes",
        },
    )
    edge = normalise("relations", {"source": "hash-index", "type": "related-to", "target": "heap"})
    result = apply(TEXT, add=[("concepts", hash_index), ("relations", edge)])
    assert result.text == TEXT.replace(
        '    source: "Week 3 › Indexes"\n',
        '    source: "Week 3 › Indexes"\n\n'  # the list has blank lines between entries
        "  - slug: hash-index\n"
        "    name: Hash index\n"
        "    summary: Buckets by hash.\n"
        "    definition: One bucket per hash value.\n"
        "    category: storage\n"
        "    source: Week 3 › Indexes\n",
    ) + ("  - {source: hash-index, type: related-to, target: heap}\n")


def test_a_kind_the_file_lacks_is_appended():
    tag = normalise("tags", {"slug": "storage", "name": "Storage"})
    result = apply(TEXT, add=[("tags", tag)])
    assert result.text == TEXT + "tags:\n  - slug: storage\n    name: Storage\n"


def test_a_layout_the_surgery_does_not_handle_is_written_whole_and_still_right():
    text = "tags: [{slug: a, name: A}, {slug: b, name: B}]\n"
    result = apply(text, {("tags", "a"): {"slug": "a", "name": "Aa"}})
    assert result.whole
    assert yaml.safe_load(result.text) == {
        "tags": [{"slug": "a", "name": "Aa"}, {"slug": "b", "name": "B"}]
    }

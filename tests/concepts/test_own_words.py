"""The content is written in its own words: no run of 8 words is copied from the course notes.

The notes are not in the repository; ``tests/fixtures/notes_shingles.txt`` holds a short hash
of each of their 8-word runs (``tests/fixtures/make_notes_shingles.py`` rebuilds it from a
copy of the notes). Every text of every entry of every content file is hashed the same way:
names, aliases, summaries, definitions, advantages, limitations, use cases, notes,
descriptions, verdicts, aspect cells and trait reasons. Exempt are code (an identifier or a
command is not prose) and ``source``, which cites a section heading of the notes on purpose.
"""

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import yaml

from content.loader import CONTENT_DIR

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# the fixture's own script, so the test hashes exactly as the fixture was built
_spec = importlib.util.spec_from_file_location(
    "make_notes_shingles", FIXTURES / "make_notes_shingles.py"
)
shingling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shingling)
RUN, runs, shingle_hash = shingling.RUN, shingling.runs, shingling.shingle_hash

SHINGLES = FIXTURES / "notes_shingles.txt"
EXEMPT = {"code", "source"}


def notes_shingles() -> set[str]:
    lines = SHINGLES.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def texts(value, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside ``value`` with where it sits (``entry › field[2]``), code left out."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in EXEMPT:
                yield from texts(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, f"{where}[{index}]")


def content_texts(folder: Path) -> Iterator[tuple[str, str]]:
    """Every text of every entry of every content file in ``folder``."""
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for kind, entries in data.items():
            for index, entry in enumerate(entries or ()):
                name = entry.get("slug") or "--".join(
                    str(entry.get(k)) for k in ("source", "type", "target")
                )
                yield from texts(entry, f"{path.name} › {kind}[{index}] {name}")


def copied_runs(items, known: set[str]) -> list[str]:
    """Each run of 8 words of ``items`` (``(where, text)`` pairs) whose hash is in ``known``."""
    found = []
    for where, text in items:
        for run in runs(text):
            if shingle_hash(run) in known:
                found.append(f"{where}: {' '.join(run)}")
    return found


def test_the_fixture_holds_the_notes_runs():
    known = notes_shingles()
    assert len(known) > 1000
    assert all(len(h) == 12 and int(h, 16) >= 0 for h in known)


def test_no_run_of_eight_words_is_copied_from_the_notes():
    copied = copied_runs(content_texts(CONTENT_DIR), notes_shingles())
    assert not copied, f"{len(copied)} runs of {RUN} words copied from the notes:\n" + "\n".join(
        copied
    )


# Exactly one run of 8 words of the notes (Week 1, key-value stores), copied on purpose.
COPIED = "stored as a collection of key value pairs"


def test_the_check_catches_a_run_copied_on_purpose(tmp_path):
    (tmp_path / "10-copy.yaml").write_text(
        yaml.safe_dump(
            {
                "concepts": [
                    {
                        "slug": "copied",
                        "summary": "Written in our own words.",
                        "definition": f"Some words first: {COPIED.upper()}!",
                        "traits": [{"reason": "Own words again.", "keywords": ["kv"]}],
                    }
                ],
                "examples": [{"slug": "exempt", "code": COPIED}],
            }
        ),
        encoding="utf-8",
    )
    copied = copied_runs(content_texts(tmp_path), notes_shingles())
    assert copied == [f"10-copy.yaml › concepts[0] copied.definition: {COPIED}"]

"""Content files as text: entries written back into a YAML file, touching only what changed.

``exportkb --files`` puts the database's changes into the files editors keep
in git, so the diff must show those changes and nothing else: an entry that
did not change keeps its lines byte for byte (comments, quoting, blank lines),
a changed entry has only its changed fields rewritten, a removed entry loses
its lines, and a new one is appended to its kind's list in the style of the
entries around it. The result is parsed again and compared with what was
meant; should the surgery ever get it wrong, the file is written whole
instead (``Rewrite.whole``), never wrong.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

WIDTH = 100
STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"


class _Dumper(yaml.SafeDumper):
    """Block sequences indented under their key (``key:\\n  - item``), as the files have them."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


_scalars = yaml.representer.SafeRepresenter()


def _flat(values: list) -> bool:
    return all(
        isinstance(v, int | float | bool) or (isinstance(v, str) and "\n" not in v) for v in values
    )


def _node(value, budget: int):
    """The YAML node of ``value``: multi-line text as a ``|`` block, a list of short scalars on
    one line when it fits in ``budget`` characters, mappings as blocks."""
    if isinstance(value, str):
        if "\n" in value:  # a block ending in a newline, as written by hand ("|", not "|-")
            return ScalarNode(STR, value if value.endswith("\n") else value + "\n", style="|")
        return ScalarNode(STR, value)
    if isinstance(value, list):
        items = [_node(v, budget - 2) for v in value]
        flow = not value or (_flat(value) and len(_emit(SequenceNode(SEQ, items, True))) <= budget)
        return SequenceNode(SEQ, items, flow_style=flow)
    if isinstance(value, dict):
        pairs = [
            (_node(str(k), budget), _node(v, budget - len(str(k)) - 4)) for k, v in value.items()
        ]
        return MappingNode(MAP, pairs, flow_style=not value)
    return _scalars.represent_data(value)


def _emit(node, width: int = 10**6) -> str:
    text = yaml.serialize(node, Dumper=_Dumper, width=width, allow_unicode=True)
    return text.removesuffix("...\n").rstrip("\n")


def render_mapping(data: Mapping, *, column: int, flow: bool = False) -> list[str]:
    """``data`` as the lines of a mapping whose keys start at ``column`` (the first line without
    its indentation: the caller puts ``- `` or spaces before it). ``flow``: one ``{...}`` line."""
    if flow:
        pairs = [(_node(str(k), WIDTH), _node(v, 10**6)) for k, v in data.items()]
        return [_emit(MappingNode(MAP, pairs, flow_style=True), width=10**6)]
    pairs = [
        (_node(str(k), WIDTH), _node(v, WIDTH - column - len(str(k)) - 2)) for k, v in data.items()
    ]
    lines = _emit(MappingNode(MAP, pairs, flow_style=False)).split("\n")
    return [lines[0], *(" " * column + line if line else line for line in lines[1:])]


def fits_one_line(data: Mapping, column: int) -> bool:
    return (
        _flat(list(data.values()))
        and column + len(render_mapping(data, column=column, flow=True)[0]) <= WIDTH
    )


def render_document(kinds: Mapping[str, list[dict]], *, flow: Callable[[str, dict], bool]) -> str:
    """A whole content file: each kind's entries as a ``- `` list (``flow(kind, entry)``: on one
    line), block entries separated by a blank line."""
    out = []
    for kind, entries in kinds.items():
        if not entries:
            out.append(f"{kind}: []\n")
            continue
        out.append(f"{kind}:\n")
        for i, entry in enumerate(entries):
            one_line = flow(kind, entry)
            if i and not one_line:
                out.append("\n")
            lines = render_mapping(entry, column=4, flow=one_line)
            out.append("  - " + "\n".join(lines) + "\n")
    return "".join(out)


@dataclass
class Rewrite:
    text: str
    whole: bool = False  # the file had to be written whole (its layout could not be kept)


def _blank_or_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _trim(lines: list[str], start: int, end: int) -> int:
    """``end`` moved back over blank and comment lines (they belong to what follows)."""
    while end - 1 > start and _blank_or_comment(lines[end - 1]):
        end -= 1
    return end


class _Unsupported(Exception):
    """A layout the surgery does not handle (a flow list of entries, ...): write the file whole."""


def rewrite(
    text: str,
    *,
    key_of: Callable[[str, dict], str],
    replace: Mapping[tuple[str, str], dict | None],
    add: list[tuple[str, dict]],
    compact: Callable[[str, dict], dict],
    normalise: Callable[[str, dict], dict],
    flow: Callable[[str, dict], bool],
) -> Rewrite:
    """``text`` with the entries of ``replace`` rewritten (``None``: removed) and those of
    ``add`` appended to their kind's list.

    ``key_of(kind, entry)`` identifies an entry, ``compact(kind, entry)`` is an entry as a
    file shows it (default values left out), ``normalise`` makes two entries comparable and
    ``flow(kind, entry)`` says whether a new entry goes on one line where nothing else tells.
    """
    document = yaml.safe_load(text) or {}
    expected = _expected(document, key_of, replace, add, normalise)
    try:
        new = _Surgery(text, document, key_of, replace, add, compact, normalise, flow).apply()
        if _entries(yaml.safe_load(new) or {}, key_of, normalise) == expected:
            return Rewrite(new)
    except (_Unsupported, yaml.YAMLError):
        pass
    kinds: dict[str, list[dict]] = {}
    for kind, items in document.items():
        for item in items or ():
            if (kind, key_of(kind, item)) in replace:
                item = replace[(kind, key_of(kind, item))]
            if item is not None:
                kinds.setdefault(kind, []).append(compact(kind, item))
    for kind, item in add:
        kinds.setdefault(kind, []).append(compact(kind, item))
    new = render_document(kinds, flow=flow)
    assert _entries(yaml.safe_load(new) or {}, key_of, normalise) == expected, "export garbled"
    return Rewrite(new, whole=True)


def _entries(document: dict, key_of, normalise) -> dict:
    return {
        (kind, key_of(kind, item)): normalise(kind, item)
        for kind, items in document.items()
        for item in items or ()
    }


def _expected(document, key_of, replace, add, normalise) -> dict:
    entries = _entries(document, key_of, normalise)
    for where, item in replace.items():
        if item is None:
            entries.pop(where, None)
        else:
            entries[where] = normalise(where[0], item)
    for kind, item in add:
        entries[(kind, key_of(kind, item))] = normalise(kind, item)
    return entries


class _Surgery:
    """Line edits on the text, placed by the YAML parser's marks of each entry and field."""

    def __init__(self, text, document, key_of, replace, add, compact, normalise, flow):
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"
        self.root = yaml.compose(text)
        self.document = document
        self.key_of = key_of
        self.replace = replace
        self.add = add
        self.compact = compact
        self.normalise = normalise
        self.flow = flow
        self.edits: list[tuple[int, int, list[str]]] = []  # (start, end, new lines)

    def apply(self) -> str:
        added: dict[str, list[dict]] = {}
        for kind, item in self.add:
            added.setdefault(kind, []).append(item)
        if self.root is not None:
            if not isinstance(self.root, MappingNode):
                raise _Unsupported
            for key_node, sequence in self.root.value:
                kind = key_node.value
                self._sequence(kind, key_node, sequence, added.pop(kind, []))
        lines = self.lines
        # from the bottom up, so marks above stay true; at one line a replacement before the
        # insertions, and of two insertions the later first (so they end up in order)
        order = sorted(
            range(len(self.edits)),
            key=lambda i: (self.edits[i][0], self.edits[i][1] > self.edits[i][0], i),
            reverse=True,
        )
        for i in order:
            start, end, new = self.edits[i]
            lines[start:end] = new
        for kind, items in added.items():  # kinds the file did not have yet
            lines.append(f"{kind}:\n")
            for item in items:
                lines.extend(self._item_lines(kind, item, "  - ", flow=self.flow(kind, item)))
        return "".join(lines)

    def _sequence(self, kind, key_node, sequence, additions: list[dict]) -> None:
        items = self.document.get(kind) or []
        touched = additions or any((kind, self.key_of(kind, i)) in self.replace for i in items)
        if not touched:
            return
        if not isinstance(sequence, SequenceNode) or sequence.flow_style or not sequence.value:
            raise _Unsupported
        if len(sequence.value) != len(items):
            raise _Unsupported  # duplicate keys in the file, say
        nodes = sequence.value
        end_line = sequence.end_mark.line + (1 if sequence.end_mark.column else 0)
        starts = [node.start_mark.line for node in nodes] + [end_line]
        prefix = self.lines[starts[0]][: nodes[0].start_mark.column]
        if prefix.strip() != "-":
            raise _Unsupported
        between = self.lines[_trim(self.lines, starts[0], starts[1]) : starts[1]]
        spaced = any(not line.strip() for line in between)  # blank lines between entries
        removed = 0
        for i, (node, item) in enumerate(zip(nodes, items, strict=True)):
            where = (kind, self.key_of(kind, item))
            if where not in self.replace:
                continue
            start, end = starts[i], _trim(self.lines, starts[i], starts[i + 1])
            new = self.replace[where]
            if new is None:
                removed += 1
                while end < starts[i + 1] and not self.lines[end].strip():
                    end += 1  # the blank lines after it go with it
                self.edits.append((start, end, []))
            elif node.flow_style or not isinstance(node, MappingNode):
                lines = self._item_lines(kind, new, prefix, flow=True)
                self.edits.append((start, end, lines))
            else:
                self._fields(kind, node, item, new, end)
        last_end = _trim(self.lines, starts[-2], starts[-1])
        new_lines = []
        for item in additions:
            flow = bool(nodes[-1].flow_style)
            if spaced and not flow:
                new_lines.append("\n")
            new_lines.extend(self._item_lines(kind, item, prefix, flow=flow))
        if new_lines:
            self.edits.append((last_end, last_end, new_lines))
        if removed == len(nodes) and not additions:
            line = key_node.start_mark.line
            self.edits.append((line, line + 1, [f"{' ' * key_node.start_mark.column}{kind}: []\n"]))

    def _item_lines(self, kind: str, item: dict, prefix: str, *, flow: bool) -> list[str]:
        data = self.compact(kind, item)
        one_line = flow and fits_one_line(data, len(prefix))
        lines = render_mapping(data, column=len(prefix), flow=one_line)
        return [prefix + lines[0] + "\n", *(line + "\n" for line in lines[1:])]

    def _fields(self, kind: str, node: MappingNode, item: dict, new: dict, end: int) -> None:
        """Rewrite only the fields of one block entry whose value changed."""
        old = self.normalise(kind, item)
        shown = self.compact(kind, new)
        pairs = node.value
        starts = [key.start_mark.line for key, _ in pairs] + [end]
        column = pairs[0][0].start_mark.column
        for j, (key, _value) in enumerate(pairs):
            name = key.value
            if old.get(name) == new.get(name):
                continue
            start, stop = starts[j], _trim(self.lines, starts[j], starts[j + 1])
            if key.start_mark.column != column or (j and self.lines[start][:column].strip()):
                raise _Unsupported
            lead = self.lines[start][:column]
            if name not in shown:
                if j == 0:
                    raise _Unsupported  # the "- " line itself
                self.edits.append((start, stop, []))
                continue
            lines = render_mapping({name: shown[name]}, column=column)
            self.edits.append(
                (start, stop, [lead + lines[0] + "\n", *(line + "\n" for line in lines[1:])])
            )
        present = {key.value for key, _ in pairs}
        extra = {name: value for name, value in shown.items() if name not in present}
        if extra:
            lines = render_mapping(extra, column=column)
            self.edits.append(
                (end, end, [" " * column + lines[0] + "\n", *(line + "\n" for line in lines[1:])])
            )

"""The concept graph as text a person can look at: Mermaid and Graphviz DOT.

Both take the graph endpoint's JSON shape (``nodes`` with slug, name, category
and url; ``edges`` with source, type and target) and write text that renders
as-is. Every node links to its API resource (Mermaid ``click``, DOT ``URL``);
the ``around`` concept is marked. Error responses stay JSON in the shared
error shape.

A neighbourhood (``around`` with ``depth`` 2 or 3) is drawn readable, by one
rule (``readable``): only the focus and the concepts with fewer than
``HUB_DEGREE`` relations in the selection are expanded; a hub is shown (with
how many of its relations are left out) but its own neighbours are not pulled
in through it; a concept is expanded only if all its new neighbours fit within
``MAX_NODES`` concepts (the focus's always are, cut at ``MAX_NODES``); an edge
is drawn only if one of its ends was expanded. A node drawn dashed, with
"(+N)", has N related concepts not drawn. The JSON answer stays complete;
only the pictures leave things out, and they say how many.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rest_framework import renderers

from kbapi.http.renderers import is_error, render_error


def edge_label(relation_type: str) -> str:
    return relation_type.replace("-", " ")


# --- what a picture shows --------------------------------------------------------------

HUB_DEGREE = 5  # a concept with this many relations in the selection is not expanded
MAX_NODES = 30


@dataclass
class Picture:
    """The nodes and edges to draw, the focus, and what each node leaves undrawn."""

    nodes: list[dict]
    edges: list[dict]
    focus: str | None = None
    hidden: dict[str, int] = field(default_factory=dict)  # slug -> relations not drawn
    left_out: int = 0  # concepts of the answer not drawn

    @property
    def partial(self) -> set[str]:
        return {slug for slug, count in self.hidden.items() if count}


def readable(graph: dict, focus: str | None = None, depth: int = 1) -> Picture:
    """What to draw of ``graph`` (the module docstring's rule); all of it if not a
    neighbourhood of ``depth`` 2 or more."""
    nodes, edges = graph["nodes"], graph["edges"]
    slugs = {n["slug"] for n in nodes}
    if focus not in slugs or depth < 2:
        return Picture(nodes, edges, focus if focus in slugs else None)
    around: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        around[e["source"]].add(e["target"])
        around[e["target"]].add(e["source"])
    expanded, level, frontier = set(), {focus: 0}, [focus]
    for distance in range(1, depth + 1):
        following = []
        for slug in frontier:
            new = [other for other in sorted(around[slug]) if other not in level]
            hub = slug != focus and len(around[slug]) >= HUB_DEGREE
            if hub or (slug != focus and len(level) + len(new) > MAX_NODES):
                continue  # shown, not expanded: a hub, or its neighbours would not fit
            expanded.add(slug)
            level.update(dict.fromkeys(new, distance))
            following += new
        frontier = following
    kept = sorted(level, key=lambda slug: (level[slug], slug))[:MAX_NODES]
    shown = set(kept)
    drawn = [
        e
        for e in edges
        if e["source"] in shown
        and e["target"] in shown
        and (e["source"] in expanded or e["target"] in expanded)
    ]
    linked: dict[str, set[str]] = defaultdict(set)
    for e in drawn:
        linked[e["source"]].add(e["target"])
        linked[e["target"]].add(e["source"])
    return Picture(
        nodes=[n for n in nodes if n["slug"] in shown],
        edges=drawn,
        focus=focus,
        hidden={slug: len(around[slug] - linked[slug]) for slug in kept if slug not in expanded},
        left_out=len(nodes) - len(kept),
    )


def caption(picture: Picture) -> str:
    if not picture.partial and not picture.left_out:
        return ""
    parts = ["dashed: N more related concepts (+N), not drawn"]
    if picture.left_out:
        parts.append(f"{picture.left_out} more concepts in the JSON answer")
    return "; ".join(parts)


def node_name(node: dict, picture: Picture) -> str:
    more = picture.hidden.get(node["slug"])
    return f"{node['name']} (+{more})" if more else node["name"]


# --- Mermaid ----------------------------------------------------------------------

MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "&": "#amp;",
}
MERMAID_UNSAFE = re.compile("|".join(re.escape(c) for c in MERMAID_ESCAPES))


def mermaid_id(slug: str) -> str:
    """A node id Mermaid never misreads: letters, digits and underscores only.

    Slugs are lowercase words joined by single hyphens, so ``c_`` plus the
    slug with ``_`` for ``-`` is unique and can never be a keyword like ``end``.
    """
    return "c_" + slug.replace("-", "_")


def mermaid_text(text: str) -> str:
    """``text`` for inside a double-quoted Mermaid label (entity codes, one line)."""
    one_line = " ".join(text.split())
    return MERMAID_UNSAFE.sub(lambda m: MERMAID_ESCAPES[m.group(0)], one_line)


def mermaid_url(url: str) -> str:
    return url.replace('"', "%22").replace("\n", "")


def to_mermaid(picture: Picture) -> str:
    lines = ["graph LR"]
    if caption(picture):
        lines.append(f"  %% {caption(picture)}")
    lines += [
        f'  {mermaid_id(n["slug"])}["{mermaid_text(node_name(n, picture))}"]' for n in picture.nodes
    ]
    lines += [
        f'  {mermaid_id(e["source"])} -->|"{mermaid_text(edge_label(e["type"]))}"| '
        f"{mermaid_id(e['target'])}"
        for e in picture.edges
    ]
    lines += [
        f'  click {mermaid_id(n["slug"])} href "{mermaid_url(n["url"])}" '
        f'"{mermaid_text(n["category"])}"'
        for n in picture.nodes
    ]
    if picture.focus:
        lines.append("  classDef focus fill:#ffe08a,stroke:#b8860b,stroke-width:3px")
        lines.append(f"  class {mermaid_id(picture.focus)} focus")
    if picture.partial:
        lines.append("  classDef partial stroke-dasharray:5 5")
        lines.append(f"  class {','.join(mermaid_id(s) for s in sorted(picture.partial))} partial")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT -------------------------------------------------------------------


def dot_string(text: str) -> str:
    """``text`` as a DOT double-quoted string (one line, backslashes and quotes escaped)."""
    one_line = " ".join(text.split())
    return '"' + one_line.replace("\\", "\\\\").replace('"', '\\"') + '"'


DOT_FOCUS = 'style="rounded,filled,bold", fillcolor="#ffe08a", penwidth=2'
DOT_PARTIAL = 'style="rounded,dashed"'


def to_dot(picture: Picture) -> str:
    lines = [
        "digraph concepts {",
        "  graph [rankdir=LR];",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    if caption(picture):
        lines.append(f'  label={dot_string(caption(picture))}; labelloc=t; fontname="Helvetica";')
    for n in picture.nodes:
        extra = ""
        if n["slug"] == picture.focus:
            extra = f", {DOT_FOCUS}"
        elif n["slug"] in picture.partial:
            extra = f", {DOT_PARTIAL}"
        lines.append(
            f"  {dot_string(n['slug'])} [label={dot_string(node_name(n, picture))}, "
            f"URL={dot_string(n['url'])}, tooltip={dot_string(n['category'])}{extra}];"
        )
    lines += [
        f"  {dot_string(e['source'])} -> {dot_string(e['target'])} "
        f"[label={dot_string(edge_label(e['type']))}];"
        for e in picture.edges
    ]
    return "\n".join(lines + ["}"]) + "\n"


# --- renderers ------------------------------------------------------------------------


class GraphTextRenderer(renderers.BaseRenderer):
    """Renders the graph JSON shape through ``convert``; errors as JSON."""

    charset = "utf-8"

    @staticmethod
    def convert(picture: Picture) -> str:
        raise NotImplementedError

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if is_error(renderer_context):
            return render_error(data, renderer_context)
        request = (renderer_context or {}).get("request")
        params = request.query_params if request is not None else {}
        depth = params.get("depth", "1")
        picture = readable(
            data, params.get("around", "").strip(), int(depth) if depth.isdigit() else 1
        )
        return self.convert(picture).encode(self.charset)


class MermaidRenderer(GraphTextRenderer):
    media_type = "text/plain"
    format = "mermaid"
    convert = staticmethod(to_mermaid)


class DotRenderer(GraphTextRenderer):
    media_type = "text/vnd.graphviz"
    format = "dot"
    convert = staticmethod(to_dot)

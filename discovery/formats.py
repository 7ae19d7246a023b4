"""The concept graph as text a person can look at: Mermaid and Graphviz DOT.

Both take the graph endpoint's JSON shape (``nodes`` with slug, name, category
and url; ``edges`` with source, type and target) and write text that renders
as-is. Error responses stay JSON in the shared error shape.
"""

import re

from rest_framework import renderers

from kbapi.http.renderers import is_error, render_error


def edge_label(relation_type: str) -> str:
    return relation_type.replace("-", " ")


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


def to_mermaid(graph: dict) -> str:
    lines = ["graph LR"]
    lines += [f'  {mermaid_id(n["slug"])}["{mermaid_text(n["name"])}"]' for n in graph["nodes"]]
    lines += [
        f'  {mermaid_id(e["source"])} -->|"{mermaid_text(edge_label(e["type"]))}"| '
        f"{mermaid_id(e['target'])}"
        for e in graph["edges"]
    ]
    return "\n".join(lines) + "\n"


# --- Graphviz DOT -------------------------------------------------------------------


def dot_string(text: str) -> str:
    """``text`` as a DOT double-quoted string (one line, backslashes and quotes escaped)."""
    one_line = " ".join(text.split())
    return '"' + one_line.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: dict) -> str:
    lines = [
        "digraph concepts {",
        "  graph [rankdir=LR];",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    lines += [
        f"  {dot_string(n['slug'])} [label={dot_string(n['name'])}, "
        f"URL={dot_string(n['url'])}, tooltip={dot_string(n['category'])}];"
        for n in graph["nodes"]
    ]
    lines += [
        f"  {dot_string(e['source'])} -> {dot_string(e['target'])} "
        f"[label={dot_string(edge_label(e['type']))}];"
        for e in graph["edges"]
    ]
    return "\n".join(lines + ["}"]) + "\n"


# --- renderers ------------------------------------------------------------------------


class GraphTextRenderer(renderers.BaseRenderer):
    """Renders the graph JSON shape through ``convert``; errors as JSON."""

    charset = "utf-8"

    @staticmethod
    def convert(graph: dict) -> str:
        raise NotImplementedError

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if is_error(renderer_context):
            return render_error(data, renderer_context)
        return self.convert(data).encode(self.charset)


class MermaidRenderer(GraphTextRenderer):
    media_type = "text/plain"
    format = "mermaid"
    convert = staticmethod(to_mermaid)


class DotRenderer(GraphTextRenderer):
    media_type = "text/vnd.graphviz"
    format = "dot"
    convert = staticmethod(to_dot)

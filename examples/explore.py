#!/usr/bin/env python3
"""Explore the knowledge base from a terminal: search, read a concept, follow its
relations and print a comparison. Standard library only.

    make run                                   # in another terminal
    python3 examples/explore.py "key value"    # or: explore.py --url http://host:8000 QUERY

The base URL comes from --url, else $KBAPI_URL, else http://127.0.0.1:8000.
"""

import argparse
import json
import os
import sys
import textwrap
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000"
MAX_RELATIONS = 6
TABLE_WIDTH = 100


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


def get(base: str, path: str, **params) -> dict:
    """GET a path of the API as JSON; errors carry the API's own message."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    url = f"{base}/api/v1/{path}" + (f"?{query}" if query else "")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        try:
            message = json.load(error).get("message", error.reason)
        except ValueError:
            message = error.reason
        raise ApiError(error.code, message) from None


def search(base: str, text: str) -> list[dict]:
    """Concept slugs and names for ``text``: the ranked search, else the concept list's search."""
    try:
        body = get(base, "search/", q=text)
        hits = body["results"] if isinstance(body, dict) else body
        return [
            {"slug": hit["slug"], "name": hit.get("title", hit["slug"])}
            for hit in hits
            if hit.get("type", "concept") == "concept"
        ]
    except ApiError as error:
        if error.status != 404:
            raise
    hits = get(base, "concepts/", search=text, fields="slug,name", page_size=50)["results"]
    phrase = "-".join(text.lower().split())
    return sorted(hits, key=lambda hit: phrase not in hit["slug"])  # whole phrase first


def show_concept(concept: dict) -> None:
    print(f"\n{concept['name']}  ({concept['category']})")
    if concept.get("aliases"):
        print("  also: " + ", ".join(concept["aliases"]))
    print(textwrap.indent(textwrap.fill(concept["summary"], 76), "  "))
    for title, key in (("Advantages", "advantages"), ("Limitations", "limitations")):
        if concept.get(key):
            print(f"  {title}: " + "; ".join(concept[key][:3]))
    if concept.get("examples"):
        print("  Examples: " + ", ".join(e["name"] for e in concept["examples"][:6]))


def follow_relations(base: str, concept: dict) -> list[str]:
    """Print each related concept; return the comparisons those concepts appear in."""
    edges = concept["relations"]["outgoing"][:MAX_RELATIONS]
    print(f"\nRelations of {concept['name']}:")
    if not edges:
        print("  (none)")
    comparisons = []
    for edge in edges:
        slug = edge["concept"]["slug"]
        other = get(base, f"concepts/{slug}/", fields="name,summary,comparisons")
        print(f"  --{edge['type']}--> {other['name']}: {other['summary']}")
        comparisons += [c["slug"] for c in other["comparisons"]]
    return comparisons


def show_comparison(comparison: dict) -> None:
    columns = comparison["concepts"]
    width = max(12, TABLE_WIDTH // (len(columns) + 1) - 3)
    print(f"\n{comparison['title']}\n")

    def row(cells: list[str]) -> None:
        wrapped = [textwrap.wrap(cell, width) or [""] for cell in cells]
        for i in range(max(len(lines) for lines in wrapped)):
            parts = [lines[i] if i < len(lines) else "" for lines in wrapped]
            print(" | ".join(part.ljust(width) for part in parts).rstrip())

    row(["aspect", *columns])
    print("-+-".join("-" * width for _ in range(len(columns) + 1)))
    for aspect in comparison["aspects"]:
        row([aspect["name"], *(" / ".join(aspect["values"].get(slug, [])) for slug in columns)])
    if comparison.get("verdict"):
        print("\nVerdict: " + textwrap.fill(comparison["verdict"], 76, subsequent_indent="  "))


def explore(base: str, text: str) -> int:
    hits = search(base, text)
    if not hits:
        print(f"Nothing found for {text!r}.")
        return 1
    print(f"Search {text!r}: " + ", ".join(hit["name"] for hit in hits[:8]))
    concept = get(base, f"concepts/{hits[0]['slug']}/")
    show_concept(concept)
    nearby = follow_relations(base, concept)
    candidates = [c["slug"] for c in concept["comparisons"]] + nearby
    if not candidates:
        candidates = [c["slug"] for c in get(base, "comparisons/", fields="slug")["results"]]
    show_comparison(get(base, f"comparisons/{candidates[0]}/"))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("query", nargs="?", default="key value", help="what to look for")
    parser.add_argument("--url", default=os.environ.get("KBAPI_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    try:
        return explore(args.url.rstrip("/"), args.query)
    except ApiError as error:
        print(f"kbapi answered {error}", file=sys.stderr)
    except urllib.error.URLError as error:
        print(f"Cannot reach {args.url} ({error.reason}); is `make run` going?", file=sys.stderr)
    except BrokenPipeError:  # piped into `head`: stop quietly
        sys.stderr.close()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

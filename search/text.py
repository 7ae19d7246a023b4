"""Text rules shared by both search backends, so both read a query the same way."""

import re

from markdown_it import MarkdownIt

MAX_TERMS = 12
# Private-use marks around matches in snippets (never in content): the backends put them
# in, ``engine.choose_snippet`` turns them into <mark>s.
OPEN, CLOSE = "\ue000", "\ue001"

# PostgreSQL's English stop words (tsearch_data/english.stop): PostgreSQL drops them from
# vectors and queries, so SQLite's query leaves them out too and both match alike.
_STOP_WORDS_TEXT = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves what which
who whom this that these those am is are was were be been being have has had having do
does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on
off over under again further then once here there when where why how all any both each
few more most other some such no nor not only own same so than too very s t can will
just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Letters and digits only: both full-text parsers split words at "_", "-" and punctuation.
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, in order."""
    return _WORD.findall(text.casefold())


def phrase(text: str) -> str:
    """``text`` reduced to its words: "Key-value store" -> "key value store"."""
    return " ".join(words(text))


def search_terms(query: str) -> list[str]:
    """The words a full-text query must all match (stop words left out, at most MAX_TERMS)."""
    return [w for w in words(query) if w not in STOP_WORDS][:MAX_TERMS]


def keys_of(names: list[str]) -> str:
    """Names and aliases as one string in which "| a b |" is a whole name and " a" a word start."""
    phrases = [p for p in (phrase(name) for name in names) if p]
    return "| " + " | ".join(phrases) + " |" if phrases else ""


def trigrams(text: str) -> set[str]:
    """The trigrams of ``text`` as pg_trgm counts them: each word padded "  word "."""
    grams = set()
    for word in words(text):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(query: str, name: str) -> tuple[float, float]:
    """(Jaccard similarity, share of the query's trigrams found in ``name``)."""
    q, n = trigrams(query), trigrams(name)
    if not q or not n:
        return 0.0, 0.0
    shared = len(q & n)
    return shared / len(q | n), shared / len(q)


def raw_trigrams(text: str) -> list[str]:
    """Every three-character window of ``text`` (what SQLite's trigram tokenizer indexes)."""
    return sorted({text[i : i + 3] for i in range(len(text) - 2)})


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for each word of ``text``; the word lower-cased."""
    return [(m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]


def best_window(query: str, name: str) -> tuple[float, float, int, int]:
    """The run of words in ``name`` most like ``query``: (score, shared, start, end).

    The run has as many words as the query (or the whole name when shorter);
    the score is its trigram similarity less a little for each word of the name
    left outside it, so a name that is exactly the query wins a tie.
    """
    spans = word_spans(name)
    size = min(len(words(query)), len(spans))
    best = (0.0, 0.0, 0, 0)
    for i in range(len(spans) - size + 1):
        run = spans[i : i + size]
        jaccard, shared = similarity(query, " ".join(word for word, _, _ in run))
        score = jaccard - 0.05 * (len(spans) - size)
        if score > best[0]:
            best = (score, shared, run[0][1], run[-1][2])
    return best


_MARKDOWN = MarkdownIt("commonmark")
_TEXT_TOKENS = {"text", "code_inline", "html_inline", "image"}  # an image: its alt text
_BREAKS = {"softbreak", "hardbreak"}


def plain_text(markdown: str) -> str:
    """What a reader sees of ``markdown``, as plain text: no emphasis marks, backticks,
    link targets or list bullets; one block (paragraph, list item, heading, code) a line.

    The searchable prose is stored as Markdown; the index holds this, so a snippet is
    plain text whatever part of the document it comes from.
    """
    if not markdown:
        return ""
    blocks = []
    for token in _MARKDOWN.parse(markdown):
        if token.type == "inline":
            blocks.append(
                "".join(
                    "\n" if child.type in _BREAKS else child.content
                    for child in token.children or ()
                    if child.type in _TEXT_TOKENS or child.type in _BREAKS
                )
            )
        elif token.type in ("fence", "code_block", "html_block"):
            blocks.append(token.content.rstrip("\n"))
    return "\n".join(block for block in blocks if block)


def without_marks(marked: str) -> tuple[str, list[list[int]]]:
    """``marked`` (matches between ``OPEN`` and ``CLOSE``) as its plain text and the
    ``[start, end)`` offsets of the matches in it, in code points."""
    text, spans, at, start = [], [], 0, None
    for piece in re.split(f"([{OPEN}{CLOSE}])", marked):
        if piece == OPEN:
            start = at if start is None else start
        elif piece == CLOSE:
            if start is not None and at > start:
                spans.append([start, at])
            start = None
        else:
            text.append(piece)
            at += len(piece)
    return "".join(text), spans

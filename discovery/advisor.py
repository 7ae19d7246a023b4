"""The database advisor: read requirements, then add up what the traits say.

Requirements are ``(factor, value)`` pairs from the vocabulary in
``concepts.traits``. They come from structured parameters or from plain
words matched against the ``keywords`` of the stored traits. Every score and
every reason comes from the traits in the content; nothing here knows which
database suits what.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from concepts.traits import FACTORS

WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Requirement:
    """A need the advisor recognised, with the words of ``q`` that named it (if any)."""

    factor: str
    value: str
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    """A stored trait that speaks for (fit > 0) or against (fit < 0) a database type."""

    factor: str
    value: str
    fit: int
    reason: str


@dataclass(frozen=True)
class Candidate:
    """A database type as the advisor sees it: its traits and what identifies it."""

    slug: str
    name: str
    category: str  # the slug of its category
    traits: Sequence[Mapping]
    examples: Sequence = ()


@dataclass
class Advice:
    """A candidate's score for the requirements and the reasons behind it."""

    candidate: Candidate
    score: int = 0
    reasons_for: list[Reason] = field(default_factory=list)
    reasons_against: list[Reason] = field(default_factory=list)


def singular(word: str) -> str:
    """A rough singular, enough to let ``sessions`` match ``session`` and back."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower-cased words in their rough singular, space-separated and space-padded."""
    return " " + " ".join(singular(w) for w in WORD.findall(text.lower())) + " "


def allowed_values(candidates: Iterable[Candidate]) -> dict[str, tuple[str, ...]]:
    """The values each factor accepts; ``intended_use`` takes those the content names."""
    uses = {t["value"] for c in candidates for t in c.traits if t["factor"] == "intended_use"}
    return {factor: values or tuple(sorted(uses)) for factor, values in FACTORS.items()}


def requirements_from_text(q: str, candidates: Iterable[Candidate]) -> list[Requirement]:
    """The needs whose trait keywords appear in ``q`` as whole words or phrases."""
    text = normalise(q)
    matched: dict[tuple[str, str], set[str]] = {}
    for candidate in candidates:
        for trait in candidate.traits:
            for keyword in trait.get("keywords", ()):
                phrase = normalise(keyword)
                if phrase.strip() and phrase in text:
                    key = (trait["factor"], trait["value"])
                    matched.setdefault(key, set()).add(phrase.strip())
    return [
        Requirement(factor, value, tuple(sorted(words)))
        for (factor, value), words in sorted(matched.items())
    ]


def merge(*groups: Iterable[Requirement]) -> list[Requirement]:
    """One requirement per ``(factor, value)``, keeping every phrase that named it."""
    merged: dict[tuple[str, str], set[str]] = {}
    for requirement in (r for group in groups for r in group):
        merged.setdefault((requirement.factor, requirement.value), set()).update(
            requirement.matched
        )
    return [Requirement(f, v, tuple(sorted(words))) for (f, v), words in sorted(merged.items())]


def rank(candidates: Iterable[Candidate], requirements: Sequence[Requirement]) -> list[Advice]:
    """Every candidate scored by the fits of its traits that answer a requirement, best first."""
    wanted = {(r.factor, r.value) for r in requirements}
    advice = [_advise(candidate, wanted) for candidate in candidates]
    return sorted(advice, key=lambda a: (-a.score, a.candidate.slug))


def _advise(candidate: Candidate, wanted: set[tuple[str, str]]) -> Advice:
    advice = Advice(candidate)
    for trait in candidate.traits:
        if (trait["factor"], trait["value"]) not in wanted or trait["fit"] == 0:
            continue
        reason = Reason(trait["factor"], trait["value"], trait["fit"], trait["reason"])
        advice.score += reason.fit
        (advice.reasons_for if reason.fit > 0 else advice.reasons_against).append(reason)
    advice.reasons_for.sort(key=lambda r: (-r.fit, r.factor, r.value))
    advice.reasons_against.sort(key=lambda r: (r.fit, r.factor, r.value))
    return advice

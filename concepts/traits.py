"""The advisor's vocabulary: requirement factors and the values each can take.

Database-type concepts carry ``traits`` (in the content files) saying how well
they fit each value; the advisor only adds them up, so the knowledge stays in
the content, not in code.
"""

from django.core.exceptions import ValidationError

FACTORS: dict[str, tuple[str, ...] | None] = {
    "data_structure": ("structured", "semi-structured", "unstructured"),
    "relationships": ("few", "many"),
    "query_flexibility": ("key-lookup", "ad-hoc", "complex"),
    "transactions": ("single-operation", "multi-operation"),
    "transaction_speed": ("normal", "high-rate"),
    "write_volume": ("low", "high"),
    "latency": ("normal", "low"),
    "scale_out": ("no", "yes"),
    "schema_changes": ("stable", "evolving"),
    "intended_use": None,  # free slugs, named by the content
}
FIT_RANGE = range(-2, 3)
TRAIT_KEYS = {"factor", "value", "fit", "reason", "keywords"}


def validate_traits(traits) -> None:
    """Raise ValidationError unless ``traits`` is a list of well-formed traits."""
    if not isinstance(traits, list):
        raise ValidationError({"traits": "Must be a list."})
    for index, trait in enumerate(traits):
        problem = _trait_problem(trait)
        if problem:
            raise ValidationError({"traits": f"Trait {index}: {problem}"})


def _trait_problem(trait) -> str | None:
    if not isinstance(trait, dict):
        return "must be an object."
    if set(trait) - TRAIT_KEYS or not {"factor", "value", "fit", "reason"} <= set(trait):
        return f"needs factor, value, fit, reason (and optional keywords), got {sorted(trait)}."
    factor, value = trait["factor"], trait["value"]
    if factor not in FACTORS:
        return f"unknown factor {factor!r}; one of {', '.join(FACTORS)}."
    allowed = FACTORS[factor]
    if not isinstance(value, str) or (allowed is not None and value not in allowed):
        return f"value of {factor} must be one of {allowed or 'a slug'}."
    if not isinstance(trait["fit"], int) or isinstance(trait["fit"], bool):
        return "fit must be an integer from -2 to 2."
    if trait["fit"] not in FIT_RANGE:
        return "fit must be an integer from -2 to 2."
    if not isinstance(trait["reason"], str) or not trait["reason"].strip():
        return "reason must be a non-empty string."
    keywords = trait.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        return "keywords must be a list of strings."
    return None

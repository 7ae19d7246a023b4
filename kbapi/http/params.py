"""Query parameters that take a list: the one parser of ``?a=x,y`` and ``?a=x&a=y``."""

from collections.abc import Iterable


def split_list(values: Iterable[str], *, keep_blanks: bool = False) -> list[str]:
    """The items of list parameters, each value comma-separated: trimmed, in order, blanks
    dropped (kept with ``keep_blanks``, for a caller that refuses them)."""
    items = (item.strip() for raw in values for item in raw.split(","))
    return [item for item in items if keep_blanks or item]

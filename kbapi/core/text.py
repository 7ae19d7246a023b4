"""The one text policy of the write path, so no interface creates a phantom change.

Browsers submit a textarea with CRLF line endings, YAML block scalars end with
a newline, and editors leave spaces at the ends of lines. Stored text has LF
line endings, no whitespace at the end of a line, no blank lines before or
after, and a one-line value has no whitespace around it (the first line of a
code example keeps its indentation); the services apply this to every string they are given (lists of
strings included), and the content loader compares files through it too.
"""

import re

_LINE_END = re.compile(r"[ \t]+(?=\n)")


def normalise_text(value: str) -> str:
    """``value`` with LF line endings, no trailing blanks on a line, no blank lines around."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in value:
        return value.strip()
    return _LINE_END.sub("", value).rstrip().lstrip("\n")


def normalise_value(value):
    """Strings, and the strings of a list, normalised; anything else as it is."""
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, list):
        return [normalise_text(item) if isinstance(item, str) else item for item in value]
    return value

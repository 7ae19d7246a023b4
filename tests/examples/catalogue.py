"""The code examples of the content files, as the runner sees them.

An example of kind ``code`` is run by its ``language``, together with every
example it ``requires`` (transitively, those first). A Python example is cut
into sections by comment lines that name a file (``# library/models.py``,
``# library/views.py, below Book``); each section goes where its file says in
the throwaway Django project, and code before any such line is a script.
"""

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from content.loader import CONTENT_DIR, read_entries

# a comment line naming a Python file: the start of a section of the project
SECTION = re.compile(r"^#\s+((?:[\w.-]+/)*[\w-]+\.py)\b")
# the first line of a template example: the path of the template in the project
TEMPLATE_PATH = re.compile(r"^\{#\s*(\S+\.html)\s*#\}")

# what each file of a section is, by its name
ROLES = {
    "models.py": "models",
    "views.py": "views",
    "urls.py": "urls",
    "admin.py": "admin",
    "settings.py": "settings",
    "wsgi.py": "module",
    "asgi.py": "module",
}
DJANGO_IMPORTS = re.compile(r"^\s*(from|import)\s+(django|library|mysite)\b", re.MULTILINE)
BASE_SETTINGS = "library-settings"  # the settings every Django example runs with


@dataclass(frozen=True)
class Section:
    role: str  # models, views, urls, admin, settings, module, script, template
    path: str  # the file it names in the project ("" for a script)
    code: str


@dataclass(frozen=True)
class Example:
    slug: str
    language: str
    code: str
    requires: tuple[str, ...]

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        if self.language == "html":
            match = TEMPLATE_PATH.match(self.code)
            return (Section("template", match.group(1) if match else "", self.code),)
        if self.language != "python":
            return ()
        sections, role, path, lines = [], "script", "", []
        for line in self.code.splitlines():
            match = SECTION.match(line)
            if match:
                if any(text.strip() for text in lines):
                    sections.append(Section(role, path, "\n".join(lines) + "\n"))
                path = match.group(1)
                role, lines = ROLES.get(Path(path).name, "module"), []
            lines.append(line)
        if any(text.strip() for text in lines):
            sections.append(Section(role, path, "\n".join(lines) + "\n"))
        return tuple(sections)

    @property
    def roles(self) -> set[str]:
        return {section.role for section in self.sections}


class Catalogue:
    """Every code example of a content folder (or given ones), by slug."""

    def __init__(self, examples: dict[str, Example]):
        self.examples = examples

    @classmethod
    def from_folder(cls, folder: Path = CONTENT_DIR) -> "Catalogue":
        examples = {}
        for entry in read_entries(folder):
            data = entry.data
            if entry.kind == "examples" and data["kind"] == "code":
                examples[data["slug"]] = Example(
                    data["slug"], data["language"], data["code"], tuple(data["requires"])
                )
        return cls(examples)

    def replaced(self, example: Example) -> "Catalogue":
        """The same catalogue with ``example`` in place of the one of its slug."""
        return Catalogue({**self.examples, example.slug: example})

    def __getitem__(self, slug: str) -> Example:
        return self.examples[slug]

    def closure(self, slug: str) -> list[Example]:
        """``slug``'s example after everything it requires, each once, required first."""
        ordered: list[Example] = []
        seen: set[str] = set()

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in path:
                raise AssertionError(f"requires makes a cycle: {' → '.join((*path, name))}")
            if name in seen:
                return
            if name not in self.examples:
                raise AssertionError(f"{path[-1]} requires {name!r}, which is no code example")
            for required in self.examples[name].requires:
                visit(required, (*path, name))
            seen.add(name)
            ordered.append(self.examples[name])

        visit(slug, ())
        return ordered

    def runs_in_django(self, slug: str) -> bool:
        """A Python example that needs the library project: it has a section of a project
        file, requires an example that has one, or imports Django (or the project's apps)."""
        for example in self.closure(slug):
            if example.language == "html":
                return True
            if example.language != "python":
                continue
            if example.roles - {"script"} or DJANGO_IMPORTS.search(example.code):
                return True
        return False

    def django_examples(self) -> list[str]:
        return [slug for slug, e in self.examples.items() if e.language in ("python", "html")
                and self.runs_in_django(slug)]  # fmt: skip

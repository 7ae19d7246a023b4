"""The throwaway Django project the Python and template examples run in.

``build`` writes, in a temporary folder, a project ``mysite`` with the app
``library`` out of the examples: the settings are the base settings example's
(``library-settings``); every ``models`` section goes into ``library/models.py``
and every ``admin`` section into ``library/admin.py``, required ones first; a
template goes to the path its first line names; ``mysite/wsgi.py`` and the like
to theirs. Each example with views gets a package of its own (``ex_<n>``, with
``models`` standing for ``library.models``, so ``from .models import Book`` reads
as in the app) holding the views of everything it requires and its own, and its
``urls.py`` (or one routing each of its views by name); ``mysite/urls.py`` puts
each package under ``/ex_<n>/``. Each settings example gets a settings module of
its own (``mysite/settings_<n>.py``): the settings sections it requires, then its
own. ``driver.py`` then runs the checks in a subprocess (``run``).
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from .catalogue import BASE_SETTINGS, Catalogue

DRIVER = Path(__file__).with_name("driver.py")
MANAGE = """import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""
# what the settings examples read from the environment (a production deployment's values)
SETTINGS_ENV = {
    "DJANGO_SECRET_KEY": "examples-" + "k3y-Of-50-mixed-characters-for-check-deploy-" * 2,
    "DJANGO_ALLOWED_HOSTS": "library.example.org,www.library.example.org",
    "DB_NAME": "library",
    "DB_USER": "library",
    "DB_PASSWORD": "not-used-by-check",
}


def _write(root: Path, path: str, text: str, *, append: bool = False) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if append and target.exists():
        text = target.read_text() + "\n\n" + text
    target.write_text(text)


def _generated_urls(views_code: str) -> str:
    """urlpatterns routing each view the code defines by its name (a function's parameters
    after ``request`` become ``<int:name>`` path parts)."""
    lines = ["from django.urls import path", "", "from . import views", "", "urlpatterns = ["]
    for node in ast.parse(views_code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.args.args:
            if node.args.args[0].arg != "request":
                continue
            parts = "".join(f"<int:{arg.arg}>/" for arg in node.args.args[1:])
            lines.append(f"    path({node.name + '/' + parts!r}, views.{node.name}),")
        elif isinstance(node, ast.ClassDef) and any(
            "View" in ast.unparse(base) for base in node.bases
        ):
            lines.append(f"    path({node.name + '/'!r}, views.{node.name}.as_view()),")
    return "\n".join([*lines, "]", ""])


def build(root: Path, catalogue: Catalogue, slugs: list[str]) -> dict:
    """Write the project for ``slugs`` (with all they require) into ``root``; the plan the
    driver follows."""
    included: list = []
    for slug in [BASE_SETTINGS, *slugs]:
        for example in catalogue.closure(slug):
            if example not in included:
                included.append(example)
    _write(root, "manage.py", MANAGE)
    _write(root, "mysite/__init__.py", "")
    _write(root, "library/__init__.py", "")
    _write(root, "library/migrations/__init__.py", "")
    _write(root, "library/models.py", "from django.db import models  # noqa: F401\n")
    _write(root, "library/admin.py", "")
    migrations: list[list[str]] = []
    base = [s.code for e in catalogue.closure(BASE_SETTINGS) for s in e.sections]
    _write(root, "mysite/settings.py", "\n\n".join(base))
    for example in included:
        for section in example.sections:
            if section.role == "models":
                _write(root, "library/models.py", section.code, append=True)
            elif section.role == "admin":
                _write(root, "library/admin.py", section.code, append=True)
            elif section.role in ("template", "module"):
                if not section.path:
                    raise AssertionError(f"{example.slug}: the first line names no file")
                if section.path.startswith("library/migrations/"):
                    # a hand-written migration builds on the ones makemigrations writes
                    # first (0001_initial): the driver adds it after that step
                    migrations.append([section.path, section.code])
                else:
                    _write(root, section.path, section.code)
    plan, packages = {"targets": {}, "migrations": migrations}, []
    for number, slug in enumerate(slugs):
        example, closure = catalogue[slug], catalogue.closure(slug)
        target = {
            "roles": sorted(example.roles),
            "scripts": [
                [e.slug, s.code] for e in closure for s in e.sections if s.role == "script"
            ],
            "models": [],
            "templates": [s.path for s in example.sections if s.role == "template"],
            "modules": [s.path for s in example.sections if s.role == "module"],
            "package": None,
            "settings": None,
        }
        for section in example.sections:
            if section.role == "models":
                target["models"] += [
                    node.name
                    for node in ast.parse(section.code).body
                    if isinstance(node, ast.ClassDef)
                ]
        if example.roles & {"views", "urls"}:
            package = f"ex_{number}"
            views = "\n\n".join(s.code for e in closure for s in e.sections if s.role == "views")
            urls = [s.code for e in closure for s in e.sections if s.role == "urls"]
            own = [s.code for s in example.sections if s.role == "urls"]
            _write(root, f"{package}/__init__.py", "")
            _write(root, f"{package}/models.py", "from library.models import *  # noqa: F403\n")
            _write(root, f"{package}/views.py", views or "\n")
            _write(root, f"{package}/urls.py", (own or urls or [_generated_urls(views)])[-1])
            target["package"] = package
            packages.append(package)
        if "settings" in example.roles:
            module = f"settings_{number}"
            code = [s.code for e in closure for s in e.sections if s.role == "settings"]
            _write(root, f"mysite/{module}.py", "\n\n".join(code))
            target["settings"] = f"mysite.{module}"
        plan["targets"][slug] = target
    # a template is shown by the views that require it, with the rows their scripts make
    for slug, target in plan["targets"].items():
        if "template" in target["roles"]:
            target["renderers"] = [
                other
                for other, info in plan["targets"].items()
                if info["package"] and slug in {e.slug for e in catalogue.closure(other)}
            ]
            for other in target["renderers"]:
                for script in plan["targets"][other]["scripts"]:
                    if script not in target["scripts"]:
                        target["scripts"].append(script)
    includes = "".join(f'    path("{p}/", include("{p}.urls")),\n' for p in packages)
    _write(
        root,
        "mysite/urls.py",
        "from django.contrib import admin\nfrom django.urls import include, path\n\n"
        f'urlpatterns = [\n    path("admin/", admin.site.urls),\n{includes}]\n',
    )
    (root / "plan.json").write_text(json.dumps(plan, indent=1))
    return plan


def child_env(**extra: str) -> dict:
    """The environment of the project's processes: the suite's less what configures kbapi."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL", "KB_", "REDIS_"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    } | extra


def run(root: Path, *args: str, timeout: int = 300, **env: str) -> dict:
    """Run the driver in the project (``args``: what it does); its results by slug, or
    ``{"setup": message}`` when the project itself could not be set up."""
    out = root / f"results-{os.getpid()}-{len(list(root.glob('results-*')))}.json"
    completed = subprocess.run(
        [sys.executable, str(DRIVER), str(out), *args],
        cwd=root,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if not out.exists():
        return {"setup": f"driver exited {completed.returncode}:\n{completed.stderr[-4000:]}"}
    return json.loads(out.read_text())

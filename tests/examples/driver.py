"""Runs the examples' checks inside the throwaway project (``project.py`` wrote it).

``python driver.py RESULTS examples``: set the project up (``makemigrations
library``, ``migrate``, ``check``), then check each example of ``plan.json``
in a transaction rolled back afterwards, and write ``{slug: {"ok", "detail"}}``
to RESULTS (``{"setup": ...}`` when the set-up failed).
``python driver.py RESULTS settings SLUG MODULE``: ``check`` the settings module
(``check --deploy`` too when it turns ``DEBUG`` off), then that example's own checks.

Every example is checked the same way by what it holds, and some also by
what they say they do (``CHECKS``):

- scripts run in order, those it requires first, each with its own globals;
- views: every URL of its package answers ``GET`` with 200 to a superuser (a number
  in a path is the id of the first book);
- models: each class is a model of ``library`` (abstract ones excepted);
- admin: each ``library`` model registered answers its list and add pages;
- a template is used by a view example that requires it;
- ``mysite/wsgi.py`` / ``asgi.py``: ``application`` answers a request.
"""

import asyncio
import contextlib
import importlib
import io
import json
import os
import re
import sys
import traceback
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, os.getcwd())

import django  # noqa: E402

RESULTS = Path(sys.argv[1])
CHECKS = {}  # slug: what an example claims, checked after it ran
SETTINGS_CHECKS = {}  # the same for settings examples, in a process with those settings


def check(slug, registry=CHECKS):
    def register(function):
        registry[slug] = function
        return function

    return register


def settings_check(slug):
    return check(slug, SETTINGS_CHECKS)


def main() -> None:
    mode = sys.argv[2]
    try:
        django.setup()
        if mode == "settings":
            results = {sys.argv[3]: outcome(lambda: check_settings(sys.argv[3]))}
        else:
            setup_test_environment()
            setup_project()
            plan = json.loads(Path("plan.json").read_text())
            results = {
                slug: outcome(lambda s=slug, t=target: check_example(s, t, plan))
                for slug, target in plan["targets"].items()
            }
    except BaseException:
        results = {"setup": traceback.format_exc(limit=-6)}
    RESULTS.write_text(json.dumps(results))


def setup_test_environment() -> None:
    from django.test.utils import setup_test_environment as setup

    setup()


def outcome(run) -> dict:
    try:
        run()
    except BaseException:
        return {"ok": False, "detail": traceback.format_exc(limit=-8)}
    return {"ok": True, "detail": ""}


def setup_project() -> None:
    from django.core.management import call_command

    call_command("makemigrations", "library", verbosity=0, interactive=False)
    plan = json.loads(Path("plan.json").read_text())
    for path, code in plan.get("migrations", []):
        Path(path).write_text(code)  # after 0001_initial, which it depends on
    call_command("migrate", verbosity=0, interactive=False)
    if plan.get("migrations"):  # a data migration must also run backwards
        call_command("migrate", "library", "0001", verbosity=0, interactive=False)
        call_command("migrate", verbosity=0, interactive=False)
    call_command("check", verbosity=0)


class Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def run_scripts(scripts) -> SimpleNamespace:
    """Each script in order with globals of its own; the last one's globals and output."""
    ns, out = {}, ""
    for slug, code in scripts:
        ns, buffer = {"__name__": f"example_{slug.replace('-', '_')}"}, io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, f"<example {slug}>", "exec"), ns)  # noqa: S102
        out = buffer.getvalue()
    return SimpleNamespace(ns=ns, out=out)


def superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("runner", "runner@example.com", "runner-pw-1")


def client(user=None):
    from django.test import Client

    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def package_urls(package: str) -> list[str]:
    """The paths of the package's urlpatterns (a number in a path: the first book's id)."""
    from django.apps import apps

    urls = importlib.import_module(f"{package}.urls")
    book = apps.get_model("library", "Book").objects.order_by("pk").first()
    number = str(book.pk if book else 1)
    return [
        f"/{package}/" + re.sub(r"<(?:\w+:)?\w+>", number, str(pattern.pattern))
        for pattern in urls.urlpatterns
    ]


def check_example(slug: str, target: dict, plan: dict) -> None:
    with rolled_back():
        run = run_scripts(target["scripts"])
        ctx = SimpleNamespace(ns=run.ns, out=run.out, urls=[], admin=None)
        if target["package"] or "admin" in target["roles"] or target["templates"]:
            ctx.admin = client(superuser())
        if target["package"]:
            ctx.urls = package_urls(target["package"])
            for url in ctx.urls:
                response = ctx.admin.get(url)
                assert response.status_code == 200, f"GET {url}: {response.status_code}"
        for name in target["models"]:
            assert _is_model(name) or _abstract(name) or _queries(name), (
                f"{name} is no model, manager or QuerySet of library"
            )
        if "admin" in target["roles"]:
            from django.contrib import admin

            registered = [m for m in admin.site._registry if m._meta.app_label == "library"]
            assert registered, "no library model is registered in the admin"
            for model in registered:
                for page in ("changelist", "add"):
                    url = f"/admin/library/{model._meta.model_name}/" + (
                        "add/" if page == "add" else ""
                    )
                    response = ctx.admin.get(url)
                    assert response.status_code == 200, f"GET {url}: {response.status_code}"
        for template in target["templates"]:
            name = template.split("/templates/", 1)[-1]
            used = False
            for other in target.get("renderers", []):
                for url in package_urls(plan["targets"][other]["package"]):
                    response = ctx.admin.get(url)
                    assert response.status_code == 200, f"GET {url}: {response.status_code}"
                    used = used or name in {t.name for t in response.templates}
            assert used, f"no view example that requires it renders {name}"
        if slug in CHECKS:
            CHECKS[slug](ctx)
    for module in target["modules"]:  # outside the transaction: a handler closes connections
        check_module(module)


def _is_model(name: str) -> bool:
    from django.apps import apps

    return any(m.__name__ == name for m in apps.get_app_config("library").get_models())


def _abstract(name: str) -> bool:
    module = importlib.import_module("library.models")
    cls = getattr(module, name, None)
    return cls is not None and getattr(getattr(cls, "_meta", None), "abstract", False)


def _queries(name: str) -> bool:
    """A QuerySet or manager class the models module defines (a custom manager's)."""
    from django.db import models

    cls = getattr(importlib.import_module("library.models"), name, None)
    return isinstance(cls, type) and issubclass(cls, models.QuerySet | models.Manager)


def check_module(path: str) -> None:
    """``application`` of a WSGI or ASGI module answers GET /admin/login/ with 200. A
    migration module has run already (setup_project, forwards and backwards); any other
    module must import and each class it defines must build with no arguments (a router)."""
    if path.startswith("library/migrations/"):
        return
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    if not hasattr(module, "application"):
        classes = [v for v in vars(module).values() if isinstance(v, type)]
        assert classes or vars(module), f"{path} defines nothing"
        for cls in classes:
            if cls.__module__ == module.__name__:
                cls()
        return
    app = module.application
    if path.endswith("wsgi.py"):
        statuses = []
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": "/admin/login/", "SERVER_NAME": "localhost",
            "SERVER_PORT": "80", "HTTP_HOST": "localhost", "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        }  # fmt: skip
        body = b"".join(app(environ, lambda status, headers, *_: statuses.append(status)))
        assert statuses and statuses[0].startswith("200"), (statuses, body[:200])
        return
    sent = []

    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/admin/login/", "raw_path": b"/admin/login/",
        "query_string": b"", "headers": [(b"host", b"localhost")], "server": ("localhost", 80),
        "client": ("127.0.0.1", 5000),
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    assert sent and sent[0]["status"] == 200, sent[:1]


def check_settings(slug: str) -> None:
    from django.conf import settings
    from django.core.management import call_command

    deploy = not settings.DEBUG
    # before the test environment, which adds "testserver" to ALLOWED_HOSTS
    call_command("check", deploy=deploy, fail_level="WARNING", verbosity=0)
    setup_test_environment()
    if slug in SETTINGS_CHECKS:
        SETTINGS_CHECKS[slug](SimpleNamespace(settings=settings, deploy=deploy))


# --- what some examples say they do ---


def queries(run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = run()
    return result, len(captured)


def book(isbn):
    from django.apps import apps

    return apps.get_model("library", "Book").objects.get(isbn=isbn)


@check("library-models")
def _(ctx):
    from django.db import connection

    tables = set(connection.introspection.table_names())
    for name in ("author", "genre", "book", "book_genres", "member", "loan"):
        assert f"library_{name}" in tables, name


@check("library-sample-data")
def _(ctx):
    assert ctx.ns["Book"].objects.count() == 4


@check("django-atomic-transaction")
def _(ctx):
    assert book("9780141439587").stock == 2 and book("9780141439471").stock == 1
    try:  # Persuasion has no copy left: Emma's copy is given back
        ctx.ns["sell"](["9780141439587", "9780141439686"])
    except ValueError:
        pass
    else:
        raise AssertionError("selling a book out of stock did not fail")
    assert book("9780141439587").stock == 2


@check("cursor-example")
def _(ctx):
    assert len(ctx.out.splitlines()) == 3, ctx.out  # published from 1815: three of the four


@check("django-model-class")
def _(ctx):
    from django.apps import apps
    from django.core.exceptions import ValidationError

    review = apps.get_model("library", "Review")(stars=6)
    try:
        review.full_clean(exclude=["book"])
    except ValidationError as exc:
        assert "stars" in exc.message_dict
    else:
        raise AssertionError("6 stars passed validation")


@check("foreign-key-on-delete-example")
def _(ctx):
    assert ctx.out.splitlines() == ["3", "Delete or reassign her books first."], ctx.out
    assert ctx.ns["Author"].objects.filter(name="Jane Austen").exists()


@check("on-delete-options-example")
def _(ctx):
    assert ctx.out.splitlines() == ["None", "False"], ctx.out
    assert ctx.ns["Book"].objects.filter(isbn="9780141439587").exists()


@check("one-to-one-field-example")
def _(ctx):
    from django.db import IntegrityError, transaction

    assert ctx.out.splitlines()[0] == "False", ctx.out
    try:
        with transaction.atomic():
            ctx.ns["Member"].objects.create(user=ctx.ns["user"])
    except IntegrityError:
        pass
    else:
        raise AssertionError("a second Member of one user was stored")


@check("many-to-many-field-example")
def _(ctx):
    assert "Classic" in {g.name for g in book("9780141439587").genres.all()}
    assert ctx.ns["classic"].books.filter(isbn="9780141439587").exists()


@check("abstract-base-class-example")
def _(ctx):
    from django.apps import apps
    from django.db import connection

    tables = set(connection.introspection.table_names())
    assert "library_timestamped" not in tables and "library_reservation" in tables
    fields = {f.name for f in apps.get_model("library", "Reservation")._meta.fields}
    assert {"created_at", "updated_at", "book", "member"} <= fields


@check("multi-table-inheritance-example")
def _(ctx):
    from django.apps import apps

    magazine = apps.get_model("library", "Magazine")
    assert magazine._meta.pk.name == "publication_ptr"


@check("proxy-model-example")
def _(ctx):
    from django.apps import apps

    recent = apps.get_model("library", "RecentBook")
    assert recent._meta.db_table == "library_book" and recent._meta.ordering == ["-published"]
    assert recent(title="Undated", published=None).is_new() is False


@check("forward-access-example")
def _(ctx):
    found, count = queries(lambda: ctx.ns["Book"].objects.get(isbn="9780141439587").author.name)
    assert (found, count) == ("Jane Austen", 2)
    joined = ctx.ns["Book"].objects.select_related("author")
    found, count = queries(lambda: joined.get(isbn="9780141439587").author.name)
    assert (found, count) == ("Jane Austen", 1)


@check("backward-access-example")
def _(ctx):
    assert book("9780141439792").author.name == "Jane Austen"
    assert not hasattr(ctx.ns["Author"], "book_set")


@check("orm-crud-example")
def _(ctx):
    assert not ctx.ns["Book"].objects.filter(isbn="9780141439662").exists()
    assert ctx.ns["books"].count() == 0  # read again now: the book is deleted


def _list_costs_one_query(url):
    anonymous = client()
    response, count = queries(lambda: anonymous.get(url))
    assert response.status_code == 200, response.status_code
    assert b"Emma by Jane Austen" in response.content
    return count


@check("function-based-view-example")
def _(ctx):
    assert _list_costs_one_query(ctx.urls[0]) == 1  # four books, their authors joined
    response = client().post(ctx.urls[0])
    assert response.status_code == 405 and response["Allow"] == "GET"


@check("class-based-view-example")
def _(ctx):
    assert _list_costs_one_query(ctx.urls[0]) == 1
    response = client().post(ctx.urls[0])
    assert response.status_code == 405 and "GET" in response["Allow"]


@check("generic-listview-example")
def _(ctx):
    assert _list_costs_one_query(ctx.urls[0]) == 2  # the page's count, then its rows
    assert b"<h1>Emma</h1>" in client().get(ctx.urls[1]).content  # the first book by id


@check("urlconf-example")
def _(ctx):
    assert [client().get(url).status_code for url in ctx.urls] == [200, 200]


@check("admin-register-example")
def _(ctx):
    assert b"Frankenstein" in ctx.admin.get("/admin/library/book/").content


def _user(name, *perms):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(name, password="a-long-passphrase-1")
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return user


@check("has-perm-example")
def _(ctx):
    url = ctx.urls[0]
    assert client(_user("plain")).get(url).status_code == 403
    assert client(_user("clerk", "change_book")).get(url).status_code == 200


@check("permission-required-example")
def _(ctx):
    url = ctx.urls[0]
    response = client().get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client(_user("plain")).get(url).status_code == 403
    assert client(_user("clerk", "add_book")).get(url).status_code == 200


@check("create-user-example")
def _(ctx):
    maria = ctx.ns["maria"]
    assert maria.password.startswith("pbkdf2_sha256$")
    assert ctx.ns["check_credentials"](None, "maria", "a-long-passphrase-42") == maria
    assert ctx.ns["check_credentials"](None, "maria", "wrong") is None


@check("group-permissions-example")
def _(ctx):
    assert ctx.out.strip() == "True", ctx.out


@check("async-view-example")
def _(ctx):
    assert client().get(ctx.urls[0]).json() == {"ok": True}
    assert asyncio.iscoroutinefunction(
        importlib.import_module(f"{ctx.urls[0].split('/')[1]}.views").status
    )


@settings_check("https-settings-example")
def _(ctx):
    plain = client().get("/admin/login/", HTTP_HOST="localhost")
    assert plain.status_code == 301 and plain["Location"].startswith("https://"), plain
    # what nginx says for a request that came over HTTPS: served, no redirect loop
    https = client().get("/admin/login/", HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    assert https.status_code == 200, https.status_code
    assert https["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"


@settings_check("env-credentials-example")
def _(ctx):
    assert ctx.deploy, "DEBUG is not off"
    headers = {"HTTP_X_FORWARDED_PROTO": "https"}
    ok = client().get("/admin/login/", HTTP_HOST="library.example.org", **headers)
    assert ok.status_code == 200, ok.status_code
    other = client().get("/admin/login/", HTTP_HOST="evil.example", **headers)
    assert other.status_code == 400, other.status_code


@settings_check("logging-settings-example")
def _(ctx):
    import logging

    assert logging.getLogger("django").level == logging.ERROR


if __name__ == "__main__":
    main()

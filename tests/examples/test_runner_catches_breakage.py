"""The runner's own test: a broken copy of an example fails it, in each language."""

from dataclasses import replace

import pytest

from .runner import ExampleFailed, run_example


def broken(catalogue, slug: str, old: str, new: str):
    example = catalogue[slug]
    assert old in example.code, f"{slug} no longer holds {old!r}: pick another breakage"
    return catalogue.replaced(replace(example, code=example.code.replace(old, new, 1)))


def test_a_typo_in_a_column_name_fails(db, catalogue, examples_tmp):
    from django.db import connection

    bad = broken(catalogue, "sql-join-example", "SELECT b.title", "SELECT b.titel")
    with pytest.raises(ExampleFailed, match="titel"):
        run_example(bad, "sql-join-example", tmp=examples_tmp, connection=connection)


def test_a_broken_required_example_fails_the_one_that_requires_it(db, catalogue, examples_tmp):
    from django.db import connection

    bad = broken(catalogue, "sql-library-schema", "isbn      VARCHAR(13)", "isbn_no   VARCHAR(13)")
    with pytest.raises(ExampleFailed, match="sql-library-schema"):
        run_example(bad, "sql-acid-transaction", tmp=examples_tmp, connection=connection)


def test_an_nginx_directive_without_its_semicolon_fails(nginx, catalogue, examples_tmp):
    bad = broken(
        catalogue,
        "nginx-load-balancer-example",
        "proxy_pass http://django_app;",
        "proxy_pass http://django_app",
    )
    with pytest.raises(ExampleFailed, match="nginx"):
        run_example(bad, "nginx-load-balancer-example", tmp=examples_tmp)


def test_a_name_error_in_a_view_fails(catalogue, examples_tmp):
    bad = broken(
        catalogue, "function-based-view-example", "books = Book.objects", "books = Bok.objects"
    )
    with pytest.raises(ExampleFailed, match="NameError: name 'Bok'"):
        run_example(bad, "function-based-view-example", tmp=examples_tmp, batch=None)


def test_production_settings_without_allowed_hosts_fail_check_deploy(catalogue, examples_tmp):
    line = 'ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")'
    bad = broken(catalogue, "env-credentials-example", line, "ALLOWED_HOSTS = []")
    with pytest.raises(ExampleFailed, match="W020"):
        run_example(bad, "env-credentials-example", tmp=examples_tmp, batch=None)


def test_shell_json_and_cypher_slips_fail(catalogue, examples_tmp):
    cases = [
        ("makemigrations-example", "migrate  ", "migrate ( "),
        ("document-example", '"stock": 3,', '"stock": 3,,'),
        ("graph-cypher-example", "(rec:Book)", "(rec:Book"),
    ]
    for slug, old, new in cases:
        with pytest.raises(ExampleFailed):
            run_example(broken(catalogue, slug, old, new), slug, tmp=examples_tmp)


def test_a_cycle_in_requires_is_refused(catalogue):
    example = catalogue["library-models"]
    bad = catalogue.replaced(replace(example, requires=("library-sample-data",)))
    with pytest.raises(AssertionError, match="cycle"):
        bad.closure("library-sample-data")


def test_a_models_example_that_breaks_the_project_fails_alone(catalogue, tmp_path):
    """When the project of all examples cannot be set up, each runs in its own: the broken
    one fails, the others still pass."""
    from .catalogue import Catalogue
    from .runner import DjangoBatch

    keep = ("library-settings", "library-models", "proxy-model-example")
    small = Catalogue({slug: catalogue[slug] for slug in keep})
    bad = broken(catalogue, "multi-table-inheritance-example", "models.Model", "models.Modle")
    small = small.replaced(bad["multi-table-inheritance-example"])
    (tmp_path / "all").mkdir()
    batch = DjangoBatch(small, tmp_path / "all")
    assert not batch.set_up
    run_example(small, "proxy-model-example", tmp=tmp_path, batch=batch)
    with pytest.raises(ExampleFailed, match="Modle"):
        run_example(small, "multi-table-inheritance-example", tmp=tmp_path, batch=batch)

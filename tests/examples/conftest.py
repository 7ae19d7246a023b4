"""Fixtures of the examples runner: the catalogue, the Django batch, nginx and Redis."""

import pytest

from tests.conftest import require_tool

from .catalogue import Catalogue
from .runner import DjangoBatch, nginx_binary


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.from_folder()


@pytest.fixture(scope="session")
def django_batch(catalogue, tmp_path_factory) -> DjangoBatch:
    """All Django examples checked in one throwaway project, once per session."""
    return DjangoBatch(catalogue, tmp_path_factory.mktemp("library-project"))


@pytest.fixture(scope="session")
def examples_tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("examples")


@pytest.fixture
def nginx():
    """Debian's nginx (in /usr/sbin); skipped without it, a failure in CI."""
    return nginx_binary() or require_tool("nginx")


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory):
    from tests.liveserver import redis_server

    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server.port

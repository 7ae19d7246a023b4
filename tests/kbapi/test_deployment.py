"""The deployment files: docker-compose accepts the compose file, the image holds every
package, and nginx's configuration says what the app needs (tests/kbapi/test_nginx_live.py
runs it)."""

import fnmatch
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    """``docker-compose config`` of the compose file: the services as compose reads them."""
    tool = require_tool("docker-compose")
    env_file = ROOT / ".env"
    created = not env_file.exists()
    if created:
        env_file.write_text((ROOT / ".env.example").read_text())
    try:
        result = subprocess.run(
            [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "x", "SECRET_KEY": "y" * 50},
        )
    finally:
        if created:
            env_file.unlink()
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_docker_compose_config_accepts_the_compose_file(compose):
    config = compose
    assert {"db", "migrate", "app", "nginx"} <= set(config["services"])
    assert "healthcheck" in config["services"]["db"]
    assert "pgdata" in config["volumes"]
    services = config["services"]
    assert "migrate" in " ".join(services["migrate"]["command"])
    assert "loadkb" in " ".join(services["migrate"]["command"])
    assert "healthcheck" in services["app"]
    assert services["app"]["environment"]["SERVE_STATIC"] == "false"
    assert "127.0.0.1" in services["app"]["environment"]["ALLOWED_HOSTS"].split(",")
    assert services["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"
    assert any("/static" in str(volume) for volume in services["nginx"]["volumes"])


def test_compose_builds_the_app_image_once_and_reuses_it(compose):
    services = compose["services"]
    assert [name for name, service in services.items() if "build" in service] == ["migrate"]
    image = services["migrate"]["image"]
    assert services["app"]["image"] == services["static"]["image"] == image
    # docker-compose 1 makes images in dependency order: the builder comes first
    assert "migrate" in services["static"]["depends_on"]
    assert "migrate" in services["app"]["depends_on"]


def test_compose_trusts_the_forwarded_headers_of_nginx_only(compose):
    """TRUSTED_PROXIES is the network only nginx and the app containers are on."""
    services, networks = compose["services"], compose["networks"]
    subnet = networks["proxy"]["ipam"]["config"][0]["subnet"]
    assert set(services["nginx"]["networks"]) == {"proxy"}
    on_proxy = {
        name for name, service in services.items() if "proxy" in service.get("networks", {})
    }
    assert on_proxy == {"nginx", "app"}
    environment = services["app"]["environment"]
    assert environment["TRUSTED_PROXIES"].split(",") == [subnet]
    assert "NUM_PROXIES" not in environment


def test_compose_counts_the_throttles_in_redis(compose):
    """Every app container and worker counts a client's requests in the same place."""
    redis_url = compose["services"]["app"]["environment"]["REDIS_URL"]
    assert redis_url.startswith("redis://redis:")
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "from kbapi.http.throttling import counters; "
        "print(type(counters()).__name__, settings.CACHES['default']['LOCATION'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ENV", "PYTEST"))}
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kbapi.settings", "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCache", redis_url]


# --- the image ------------------------------------------------------------------------


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves ``path`` (relative, with /) out of the build context:
    the last pattern matching it or a folder above it decides ("!" keeps it). fnmatch's
    ``*`` also matches "/", so this leaves out at least what Docker does."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        candidates = [pattern, pattern.removeprefix("**/")]
        if any(fnmatch.fnmatchcase(p, c) for p in prefixes for c in candidates):
            ignored = not keep
    return ignored


def image_files() -> set[str]:
    """The repository's files the Dockerfile copies into the image (relative paths)."""
    ignore = ROOT / ".dockerignore"
    patterns = [
        line.strip()
        for line in (ignore.read_text().splitlines() if ignore.exists() else [])
        if line.strip() and not line.startswith("#")
    ]
    files = {
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.is_file() and ".git" not in path.parts and ".venv" not in path.parts
    }
    copied = set()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if not words or words[0] != "COPY" or any(w.startswith("--from") for w in words):
            continue
        for source in words[1:-1]:
            source = source.strip("/").removeprefix("./")
            for path in files:
                if dockerignored(path, patterns):
                    continue
                if source in ("", ".") or path == source or path.startswith(source + "/"):
                    copied.add(path)
    return copied


def test_every_package_pyproject_includes_is_copied_into_the_image():
    """pip installs what pyproject lists; a package the Dockerfile leaves out breaks the image."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if any(fnmatch.fnmatchcase(path.parent.name, pattern) for pattern in include)
    )
    assert {"kbapi", "concepts", "history", "content"} <= set(packages)
    copied = image_files()
    missing = [
        str(path.relative_to(ROOT))
        for package in packages
        for path in (ROOT / package).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and str(path.relative_to(ROOT)) not in copied
    ]
    assert missing == []
    assert {"pyproject.toml", "manage.py"} <= copied


def test_the_image_leaves_secrets_and_local_state_out():
    copied = image_files()
    assert not {".env", "db.sqlite3"} & copied
    assert not [path for path in copied if path.startswith((".venv/", "tests/", ".git/"))]


# --- nginx ----------------------------------------------------------------------------


def test_nginx_proxies_to_the_app_and_serves_static_files():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server app:8000;" in conf
    assert "location /static/" in conf and "alias /static/;" in conf
    assert "proxy_pass http://kbapi;" in conf


def test_nginx_keeps_the_port_the_scheme_and_tells_caches_about_gzip():
    """What tests/kbapi/test_nginx_live.py shows live, said by the file itself."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"proxy_set_header\s+Host\s+\$http_host;", conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$forwarded_proto;", conf)
    assert "$http_x_forwarded_proto" in conf  # an upstream load balancer's https is kept
    assert re.search(r"gzip\s+on;", conf) and re.search(r"gzip_vary\s+on;", conf)

"""The deployment files are valid: docker-compose accepts the compose file."""

import subprocess
from pathlib import Path

import yaml

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_config_accepts_the_compose_file(tmp_path):
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
    config = yaml.safe_load(result.stdout)
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


def test_nginx_proxies_to_the_app_and_serves_static_files():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server app:8000;" in conf
    assert "location /static/" in conf and "alias /static/;" in conf
    assert "proxy_pass http://kbapi;" in conf
    assert "X-Forwarded-Proto" in conf

"""The shipped deploy/nginx.conf, run by Debian's nginx in front of a live uvicorn.

The same file docker-compose mounts, inside an ``http {}`` block as the nginx image's
own nginx.conf wraps it; only the upstream (``server app:8000;``), the listen port and
the static folder are pointed at this test's uvicorn and temporary folder. The app runs
with production settings (SSL redirect, Secure cookies) and ``TRUSTED_PROXIES`` naming
nginx. The test's client plays the TLS load balancer in front of nginx: it sends
``X-Forwarded-Proto: https``, and carries the Secure cookies by hand. nginx listens on a
port other than 80, as docker-compose's ``HTTP_PORT=8080`` does.
"""

import gzip
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import require_tool
from tests.liveserver import free_port, manage, throwaway_database, uvicorn

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS load balancer adds
ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "n" * 20 + "-nginx-live-test-secret-" + "x" * 20,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "true",
    "TRUSTED_PROXIES": "127.0.0.1",  # nginx, here on loopback
    "SERVE_STATIC": "false",
}
ADMIN = "from django.contrib.auth.models import User; User.objects.create_superuser('boss', '', 'boss-pass-123')"


def nginx_binary() -> str:
    """Debian's nginx is in /usr/sbin, which a user's PATH may not list."""
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin"
    return shutil.which("nginx", path=path) or require_tool("nginx")


def substituted(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert text.count(old) == 1, f"deploy/nginx.conf should hold {old!r} once"
        text = text.replace(old, new)
    return text


def write_config(tmp: Path, upstream_port: int, listen_port: int) -> Path:
    shipped = (ROOT / "deploy" / "nginx.conf").read_text()
    (tmp / "static").mkdir()
    (tmp / "static" / "probe.txt").write_text("static from disk\n")
    (tmp / "kbapi.conf").write_text(
        substituted(
            shipped,
            {
                "server app:8000;": f"server 127.0.0.1:{upstream_port};",
                "listen 80;": f"listen 127.0.0.1:{listen_port};",
                "alias /static/;": f"alias {tmp}/static/;",
            },
        )
    )
    # as root, nginx's workers would switch to "nobody", who cannot read the test's folder
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{name}_temp_path {tmp}/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    {temp}
    include {tmp}/kbapi.conf;
}}
"""
    )
    return conf


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"nginx exited with {process.returncode}: {log.read_text(errors='replace')}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nginx did not listen on {port} within {timeout} s")


class Stack:
    def __init__(self, port: int, token: str):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.token = token

    def request(self, method, path, headers=None, body=None):
        """(status, headers with lists of values, body decoded from gzip when it was)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            got: dict[str, list[str]] = {}
            for name, value in response.getheaders():
                got.setdefault(name.lower(), []).append(value)
            if got.get("content-encoding") == ["gzip"]:
                data = gzip.decompress(data)
            return response.status, got, data
        finally:
            conn.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx = nginx_binary()
    tmp = tmp_path_factory.mktemp("nginx-live")
    with (
        throwaway_database(tmp, sqlite=True, **ENV) as (database_url, token),
        uvicorn(database_url, log=tmp / "uvicorn.log", **ENV) as (base, _),
    ):
        manage(database_url, "shell", "-c", ADMIN, **ENV)
        port = free_port()
        conf = write_config(tmp, int(base.rsplit(":", 1)[1]), port)
        process = subprocess.Popen(
            [
                nginx,
                "-p",
                str(tmp),
                "-c",
                str(conf),
                "-e",
                str(tmp / "error.log"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(port, process, tmp / "error.log")
            yield Stack(port, token)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def test_urls_next_and_link_keep_the_host_and_its_port(stack):
    status, headers, body = stack.request("GET", "/api/v1/concepts/?page_size=1", HTTPS)
    assert status == 200, body
    page = json.loads(body)
    assert page["next"].startswith(f"{stack.origin}/api/v1/concepts/?")
    assert page["results"][0]["url"].startswith(f"{stack.origin}/api/v1/concepts/")
    assert f"<{stack.origin}/api/v1/concepts/?" in headers["link"][0]


def test_behind_the_load_balancers_https_there_is_no_redirect_and_plain_http_redirects_once(
    stack,
):
    assert stack.request("GET", "/api/v1/concepts/", HTTPS)[0] == 200
    status, headers, _ = stack.request("GET", "/api/v1/concepts/")
    assert status == 301
    assert headers["location"] == [f"{stack.origin}/api/v1/concepts/"]


def cookies(headers) -> dict[str, str]:
    """name -> value of each Set-Cookie (Secure cookies: a client on http carries them)."""
    return dict(c.split(";", 1)[0].split("=", 1) for c in headers.get("set-cookie", []))


def test_the_admin_login_works_through_nginx(stack):
    status, headers, page = stack.request("GET", "/admin/login/?next=/admin/", HTTPS)
    assert status == 200, page
    csrf_cookie = cookies(headers)["csrftoken"]
    assert all("Secure" in cookie for cookie in headers["set-cookie"])
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = {"csrfmiddlewaretoken": token, "username": "boss", "password": "boss-pass-123"}
    status, headers, body = stack.request(
        "POST",
        "/admin/login/?next=/admin/",
        {
            **HTTPS,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Origin": stack.origin,  # what a browser sends with the form
            "Referer": f"{stack.origin}/admin/login/?next=/admin/",
        },
        urlencode(form),
    )
    assert status == 302, body[:500]
    assert headers["location"] == ["/admin/"]
    session = cookies(headers)["sessionid"]
    status, _, index = stack.request("GET", "/admin/", {**HTTPS, "Cookie": f"sessionid={session}"})
    assert status == 200
    assert b"Site administration" in index


def test_gzip_responses_vary_on_accept_encoding(stack):
    status, headers, body = stack.request(
        "GET", "/api/v1/concepts/", {**HTTPS, "Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["content-encoding"] == ["gzip"]
    vary = {v.strip().lower() for value in headers["vary"] for v in value.split(",")}
    assert "accept-encoding" in vary
    assert json.loads(body)["results"]


def test_if_match_with_the_etag_received_through_nginx_writes_and_a_stale_one_is_412(stack):
    path = "/api/v1/tags/nosql/"
    _, headers, _ = stack.request("GET", path, {**HTTPS, "Accept-Encoding": "gzip"})
    etag = headers["etag"][0]
    assert etag.startswith('W/"v')  # what nginx's gzip makes of the app's strong tag
    write = {
        **HTTPS,
        "Authorization": f"Token {stack.token}",
        "Content-Type": "application/json",
        "Accept-Encoding": "gzip",
        "If-Match": etag,
    }
    status, _, body = stack.request("PATCH", path, write, json.dumps({"name": "NoSQL stores"}))
    assert status == 200, body
    status, _, body = stack.request("PATCH", path, write, json.dumps({"name": "Lost update"}))
    assert status == 412, body
    assert json.loads(body)["code"] == "precondition_failed"
    _, _, body = stack.request("GET", path, HTTPS)
    assert json.loads(body)["name"] == "NoSQL stores"


def test_static_files_come_from_disk(stack):
    status, _, body = stack.request("GET", "/static/probe.txt")
    assert (status, body) == (200, b"static from disk\n")

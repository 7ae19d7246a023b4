"""In-process helpers the benchmark runs against its database.

``python -m bench.tasks token``: create the bench editor and print its API token.
``python -m bench.tasks queries URL...``: print, as JSON, how many SQL queries each
request runs (Django's test client and ``CaptureQueriesContext``; a URL may be
prefixed ``PATCH `` to send the bench write with the token from ``BENCH_TOKEN``).
"""

import json
import os
import sys
import time


def token() -> str:
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    user, _ = User.objects.get_or_create(username="bench-editor")
    user.groups.add(Group.objects.get(name="editors"))
    return Token.objects.get_or_create(user=user)[0].key


def queries(urls: list[str]) -> dict[str, int | None]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Token {os.environ.get('BENCH_TOKEN', '')}"}
    counts = {}
    for url in urls:
        method, _, path = url.partition(" ") if url.startswith("PATCH ") else ("GET", "", url)
        with CaptureQueriesContext(connection) as captured:
            if method == "PATCH":
                body = {"summary": f"Benchmarked, query count {time.time_ns()}."}  # a change
                response = client.patch(path, json.dumps(body), "application/json", **auth)
            else:
                response = client.get(path)
        counts[url] = len(captured) if response.status_code < 400 else None
    return counts


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    command, *args = sys.argv[1:]
    if command == "token":
        print(token())
    elif command == "queries":
        print(json.dumps(queries(args)))

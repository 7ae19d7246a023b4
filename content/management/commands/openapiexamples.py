"""Record the OpenAPI response examples from real answers: ``manage.py openapiexamples``.

Asks the app in process (Django's test client) on the current database, which
should hold the content (``manage.py loadkb``), and writes
kbapi/http/openapi/examples.json. Then ``make schema``.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from kbapi.http.openapi.examples import BASE_URL, EXAMPLES_FILE, REQUESTS, shortened


def record() -> dict:
    """operation id -> {summary, request, value}, asked of the app now."""
    client = Client(HTTP_HOST=BASE_URL.split("//")[1])
    comparisons = client.get("/api/v1/comparisons/").json()["results"]
    if not comparisons:
        raise CommandError("No comparison in the database: load the content first (loadkb).")
    found = {}
    for operation, (summary, request) in REQUESTS.items():
        request = request.format(comparison=comparisons[0]["slug"])
        response = client.get(request)
        if response.status_code != 200:
            raise CommandError(f"GET {request} answered {response.status_code}.")
        found[operation] = {
            "summary": summary,
            "request": request,
            "value": shortened(response.json()),
        }
    return found


class Command(BaseCommand):
    help = "Record the OpenAPI response examples from the API's answers on this database."

    def handle(self, *args, **options):
        found = record()
        EXAMPLES_FILE.write_text(
            json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        self.stdout.write(f"{len(found)} examples written to {EXAMPLES_FILE}.")

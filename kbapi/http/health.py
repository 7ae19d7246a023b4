"""Liveness and readiness probes for load balancers and orchestrators."""

from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from kbapi.http.errors import json_error


@require_GET
def healthz(request):
    """200 while the process lives; touches nothing else."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        connection.close_if_unusable_or_obsolete()
        return json_error(request, 503, "database_unavailable", str(exc).strip()[:200])
    return JsonResponse({"status": "ok", "database": connection.vendor})

"""What runs before Django: ASGI layers that answer or shape a request before it enters Django.

``build`` stacks them around Django's application. Outermost first:

1. ``proxy``: the client's address and scheme, from the forwarded headers of a
   proxy in ``TRUSTED_PROXIES`` only (dropped from anyone else);
2. ``request_log``: a request id for every request and one log line when it ends
   (cache hits included), and the last-resort 500 when anything below raised;
3. ``body_limit``: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is cut off with 413;
4. ``response_cache``: unchanged anonymous API reads answered from memory, checked
   against the knowledge-base version (``version``), which every write moves on;
5. ``static``: static files (admin, Swagger UI), when no web server serves them,
   with every path that leaves their folders a 404;
6. ``outage.DatabaseGate``: while the database is known to be down, 503 with
   ``Retry-After`` at once instead of a wait in Django (the probes pass);
7. Django, through ``handler.OneHopASGIHandler``.

The edge imports nothing of the rest of kbapi: it depends on the settings, and on
the knowledge-base version, which ``kbapi.core`` moves on after every write.
"""


def build(django_app, *, serve_static: bool = True):
    """The ASGI application: Django's, wrapped in the layers above (settings configured)."""
    from django.conf import settings

    from kbapi.edge.body_limit import BodyLimitMiddleware
    from kbapi.edge.outage import DatabaseGate
    from kbapi.edge.proxy import ProxyHeadersMiddleware
    from kbapi.edge.request_log import RequestLogMiddleware
    from kbapi.edge.response_cache import ResponseCacheMiddleware
    from kbapi.edge.static import StaticFilesHandler
    from kbapi.edge.version import get_version

    app = DatabaseGate(django_app)
    if serve_static and settings.STATIC_URL:
        app = StaticFilesHandler(app)
    if getattr(settings, "RESPONSE_CACHE", False):
        app = ResponseCacheMiddleware(
            app,
            version=get_version(),
            max_entries=settings.RESPONSE_CACHE_MAX_ENTRIES,
            max_bytes=settings.RESPONSE_CACHE_MAX_BYTES,
            session_cookie=settings.SESSION_COOKIE_NAME,
        )
    app = RequestLogMiddleware(BodyLimitMiddleware(app))
    return ProxyHeadersMiddleware(app, settings.TRUSTED_PROXIES)

"""Django's ASGI handler, with a request's whole sync part run in one thread hop."""

import gc

import django
from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix


class OneHopASGIHandler(ASGIHandler):
    """Django's ASGI handler, with a request's whole sync part run in one thread hop.

    Three costs of Django's own handler that kbapi does not need (measured with
    py-spy under uvicorn, docs/PERFORMANCE.md):

    * It builds the middleware chain in async mode: every hook of a
      sync-capable middleware (``MiddlewareMixin``) and then the sync view each
      hop to a thread on their own, a dozen hops per request with the stack
      kbapi keeps (sessions, CSRF, auth, messages, ...). All of kbapi's views
      are sync (DRF), so this handler builds the sync chain and crosses to the
      thread once, as a WSGI server's thread would run it. Same middleware,
      same order, same responses.
    * It runs each request in a ``ThreadSensitiveContext``: a new thread per
      request, started and joined, and with it a new database connection
      (connections are per thread). Here every request's sync part runs on the
      worker's one sync thread instead, so connections persist (SQLite keeps
      its connection, ``CONN_MAX_AGE``; PostgreSQL returns it to the pool) and
      cannot leak one per thread (Django ticket 33497). Requests of one worker
      then take turns in Python, as they do anyway under the GIL; uvicorn runs
      one worker per core.
    * Around the view it hops to a thread twice more: to send
      ``request_started`` and, after the body is sent, to close the response
      (``request_finished``: Django's connection bookkeeping). Here the
      signal, the middleware, the view and, for a response whose body is
      already in memory, the close run in the one hop; the body is then sent
      from the event loop. A streaming response is closed after it is sent,
      as Django does. Django also races the view against the client's
      disconnect to cancel the view; a sync view cannot be cancelled (its
      thread runs on), and uvicorn drops what is sent after a disconnect, so
      the race only cost two tasks per request.
    """

    # After this many requests a worker's lazily built state (URL resolvers, serializer
    # fields, memoised graphs, ...) has settled: it is moved out of the collector's way.
    FREEZE_AFTER = (200, 2000)

    def __init__(self):
        super().__init__()
        self.served = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)
        self.served += 1
        if self.served in self.FREEZE_AFTER:
            freeze_long_lived()

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            set_script_prefix(get_script_prefix(scope))
            request, refusal = self.create_request(scope, body_file)  # refusal: 400 or 413
            serve = sync_to_async(self.serve, thread_sensitive=True)
            response = await serve(scope, request, refusal)
            await self.send_response(response, send)
            if response.streaming:
                await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def serve(self, scope, request, response=None) -> HttpResponseBase:
        """The request's sync part, on the worker's sync thread: its response (or
        ``response``, made already), closed when its body is in memory."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        if response is None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):  # as Django's: uvicorn chunks the body
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response


def get_asgi_application() -> OneHopASGIHandler:
    django.setup(set_prefix=False)
    return OneHopASGIHandler()


def freeze_long_lived() -> None:
    """Keep what exists now out of the collector's full passes (it lives as long as the
    worker); those passes otherwise scan it all, ~25-55 ms every ~750 requests."""
    gc.collect()
    gc.freeze()

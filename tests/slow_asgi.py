"""Test-only ASGI wrapper: kbapi's app, with requests that ask for it held back for a while.

Used by tests/kbapi/test_faults.py to have a request in flight when uvicorn is
told to stop. A request with ``X-Test-Delay: <seconds>`` first touches
``$KBAPI_TEST_MARK`` (so the test knows it has arrived), then waits, then is
served by the real application. Never used outside the tests.
"""

import asyncio
import os
from pathlib import Path

from kbapi.asgi import application as kbapi_application

MAX_DELAY = 10.0


async def application(scope, receive, send):
    if scope["type"] == "http":
        headers = dict(scope.get("headers") or [])
        delay = headers.get(b"x-test-delay")
        if delay:
            Path(os.environ["KBAPI_TEST_MARK"]).touch()
            await asyncio.sleep(min(float(delay), MAX_DELAY))
    await kbapi_application(scope, receive, send)

"""ASGI entry point: ``uvicorn kbapi.asgi:application``.

Django's one-hop handler inside the layers that run before Django; ``kbapi.edge``
lists them in order.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kbapi.settings")

from kbapi.edge import build  # noqa: E402 - after the settings module is named
from kbapi.edge.handler import freeze_long_lived, get_asgi_application  # noqa: E402
from kbapi.settings.env import env_bool  # noqa: E402

django_application = get_asgi_application()
application = build(django_application, serve_static=env_bool("SERVE_STATIC", True))

freeze_long_lived()

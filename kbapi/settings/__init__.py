"""Settings for kbapi, read from environment variables.

Development is the default and needs nothing set. ``DJANGO_ENV=production``
turns on the production rules: no debug, a real ``SECRET_KEY`` is required,
and the HTTPS and cookie settings that ``manage.py check --deploy`` expects.

One module per concern; each imports what it needs from the ones before it,
and this one gathers them, in that order, as ``kbapi.settings``.
"""

# isort: off
from kbapi.settings.env import *  # noqa: F403
from kbapi.settings.base import *  # noqa: F403
from kbapi.settings.database import *  # noqa: F403
from kbapi.settings.api import *  # noqa: F403
from kbapi.settings.cache import *  # noqa: F403
from kbapi.settings.logging import *  # noqa: F403
from kbapi.settings.security import *  # noqa: F403
# isort: on

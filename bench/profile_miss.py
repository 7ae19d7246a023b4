"""Profile cache misses in-process: ``python -m bench.profile_miss PATH [N]`` (pyinstrument).

Sends N anonymous GETs for PATH through Django's full request cycle (the
middleware stack, DRF, the serializer, the queries) against the database in
DATABASE_URL, on one thread so the profiler sees every frame, and prints
where the time goes. Under uvicorn the same work runs, plus a hop to a worker
thread for each sync middleware hook and for the view.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main(path: str, n: int) -> None:
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(path).status_code == 200
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(n):
        client.get(path)
    profiler.stop()
    from pyinstrument.renderers import ConsoleRenderer

    session = profiler.last_session
    print(ConsoleRenderer(unicode=False, color=False, flat=True, show_all=True).render(session))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300)

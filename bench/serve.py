"""One uvicorn worker on a port its siblings share through ``SO_REUSEPORT``.

``uvicorn --workers N`` hands one listening socket to every worker. A load
generator opens all its connections at once, and the first worker to wake
accepts every one of them: the run then measures one core instead of N, at
random (seen here: the same endpoint at 1,000 and at 2,000 requests/s in
consecutive runs). With a socket of its own per worker, bound with
``SO_REUSEPORT``, the kernel spreads the connections over the workers by their
address hash, as nginx's ``reuseport`` does.

``python -m bench.serve PORT``: run as many as there are cores.
"""

import socket
import sys

import uvicorn


def reuseport_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def main(port: int) -> None:
    config = uvicorn.Config(
        "bench.asgi:application",
        access_log=False,
        log_level="warning",
        proxy_headers=False,  # as everywhere: TRUSTED_PROXIES decides (kbapi/edge/proxy.py)
    )
    uvicorn.Server(config).run(sockets=[reuseport_socket(port)])


if __name__ == "__main__":
    main(int(sys.argv[1]))

"""``python -m pipeline bureau``: the bureau served by uvicorn on this machine only (127.0.0.1
unless told otherwise), its address with the session's token printed and opened in the
browser; Ctrl-C stops it (a build still running stops as an interrupted one)."""

from __future__ import annotations

import socket
import threading
import webbrowser
from pathlib import Path
from typing import Callable

import uvicorn

from pipeline.bureau.site import create_app

LOCAL = ("127.0.0.1", "localhost", "::1")


def listening(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port``, or to a free port when that one is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.bind((host, 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def run(
    conventions_dir: Path,
    templates: Path,
    outputs: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    browser: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    sock = listening(host, port)
    port = sock.getsockname()[1]
    hosts = {"127.0.0.1", "localhost", "::1"} | ({host, socket.gethostname()} if host not in LOCAL else set())
    if host in ("0.0.0.0", "::"):
        hosts |= {socket.getfqdn()}
        say("attention : le bureau écoute sur toutes les adresses de cette machine ; seul le jeton le protège")
    app = create_app(conventions_dir, templates, outputs, hosts=tuple(sorted(hosts)))
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "::1") else host
    url = f"http://{shown}:{port}/?jeton={app.state.token}"
    say(f"Le bureau est ouvert à l'adresse : {url}")
    say("(cette adresse contient le jeton de la session : ne la communiquez pas) — Ctrl-C pour l'arrêter")
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=3, lifespan="on")
    server = uvicorn.Server(config)
    if browser:

        def open_when_ready():
            while not server.started and not server.should_exit:
                threading.Event().wait(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=open_when_ready, daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C: uvicorn stopped gracefully, then passed the signal on
        pass
    finally:
        sock.close()
    say("bureau arrêté")

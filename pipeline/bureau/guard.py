"""Who may use the bureau: whoever opened the address printed in the terminal, with its random
token (as notebook servers do); a cookie keeps the session after that. Every change (POST)
must also carry the token itself and come from the bureau's own pages (its Origin), so that
another site open in the same browser can change nothing. The Host is checked too: a page of
another site that renames itself 127.0.0.1 (DNS rebinding) is not served.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

COOKIE = "bureau-jeton"
PARAM = "jeton"
HEADER = "x-jeton"
SAFE = ("GET", "HEAD")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


class Guard:
    """Pure ASGI middleware (server-sent events stream through it untouched)."""

    def __init__(self, app, token: str, hosts: set[str]):
        self.app, self.token, self.hosts = app, token, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        refusal = self.refusal(request)
        if refusal is not None and "application/json" in request.headers.get("accept", ""):
            refusal = JSONResponse({"ok": False, "erreur": refusal.why}, status_code=refusal.status_code)
        if refusal is not None:
            return await refusal(scope, receive, send)
        if request.query_params.get(PARAM) is not None:  # the address with the token: the cookie, then the page
            rest = {k: v for k, v in request.query_params.items() if k != PARAM}
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)

    def refusal(self, request: Request) -> Response | None:
        host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]")
        if host not in self.hosts:
            return _refused(400, "adresse inconnue", f"le bureau ne répond qu'à son adresse ({', '.join(sorted(self.hosts))})")
        if request.url.path.startswith("/static/"):
            return None
        asked = request.query_params.get(PARAM)
        if asked is not None:
            return (
                None
                if same(asked, self.token) and request.method in SAFE
                else _refused(
                    403,
                    "jeton refusé",
                    "ce jeton n'est pas celui de ce bureau : ouvrez l'adresse que le terminal a "
                    "affichée au lancement de « make bureau »",
                )
            )
        if not same(request.cookies.get(COOKIE), self.token):
            return _refused(
                403,
                "accès refusé",
                "ouvrez l'adresse que le terminal a affichée au lancement de "
                "« make bureau » (elle contient le jeton de la session)",
            )
        if request.method not in SAFE:
            origin = request.headers.get("origin")
            own = f"{request.url.scheme}://{request.headers.get('host')}"
            if origin is not None and origin != own:
                return _refused(
                    403, "requête d'un autre site refusée", f"cette modification vient de {origin}, pas des pages du bureau"
                )
            if origin is None and not (request.headers.get("referer") or "").startswith(own + "/"):
                return _refused(
                    403,
                    "requête d'un autre site refusée",
                    "cette modification ne dit pas venir des pages du bureau (ni Origin ni Referer)",
                )
        return None


def posted_token_ok(request: Request, form=None) -> bool:
    """A change carries the token itself: in the header X-Jeton (the page's scripts) or in the
    form's field « jeton » (the page's forms)."""
    said = request.headers.get(HEADER)
    if said is None and form is not None:
        value = form.get(PARAM)
        said = value if isinstance(value, str) else None
    return same(said, request.app.state.token)


def _refused(code: int, title: str, why: str) -> HTMLResponse:
    page = HTMLResponse(
        f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Bureau – {escape(title)}</title>
<link rel="stylesheet" href="/static/bureau.css"></head><body><main id="contenu"><h1>{escape(title.capitalize())}</h1>
<p class="refus" role="alert">{escape(why)}</p></main></body></html>""",
        status_code=code,
    )
    page.why = why  # type: ignore[attr-defined]  # said as JSON to the page's scripts
    return page

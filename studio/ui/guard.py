"""studio.ui: the web studio's front door for files and monitoring, as one ASGI middleware.

- Media are served by id, never by path: `GET /media/export/<id>`, `/media/clip/<id>` and
  `/media/thumb/<shot id>` (a storyboard card's thumbnail) answer only the signed-in owner
  of the record (or a user it was shared with through a project); anyone else, and any id
  that does not exist, gets the same 404.
- Every form of Gradio's own file routes (`/file=`, `/file/`, under `/gradio_api` or not,
  percent-encoded once or many times, with `..`, `//` or `.` segments) serves only Gradio's
  cache (where pages' files are copied under an unguessable content hash) and the shipped
  assets; any other target, above all anything inside SHOTLINE_HOME, gets 404.
- With users configured, file routes, `/media/…`, `/metrics` and `/gradio_api/heartbeat/…`
  need a sign-in, and an anonymous request gets the same 401 whatever path it names, so
  answers reveal nothing about where the data folder is.
- `POST /login` passes through the login limits (studio.accounts.auth.LoginLimits) per user name
  and per client address: too many failures lock both out for a while."""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

MEDIA_ROUTE = re.compile(r"^/media/(export|clip|thumb)/([^/]+)$")
FILE_FORM = re.compile(r"/file(=|/)", re.I)
LOGIN_PATHS = ("/login", "/login/")
MAX_LOGIN_BODY = 16 * 1024


def decoded(path: str, rounds: int = 4) -> str:
    """`path` percent-decoded until it stops changing (at most `rounds` times)."""
    for _ in range(rounds):
        nxt = unquote(path)
        if nxt == path:
            break
        path = nxt
    return path


def file_target(path: str) -> str | None:
    """What a file-route request names (after the first `/file=` or `/file/`), or None when
    `path` is not a file route."""
    plain = decoded(path)
    m = FILE_FORM.search(plain)
    return plain[m.end():] if m else None


async def _answer(send: Any, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


class MediaGuard:
    """ASGI middleware in front of the Gradio app (see the module docstring).

    `service` is the studio service (for `/media/…` ownership); `home` the data folder;
    `allowed` the folders besides Gradio's cache that file routes may serve (assets)."""

    def __init__(self, app: Any, home: str, service: Any = None, allowed: list[str] | None = None,
                 limits: Any = None):
        self.app = app
        self.home = Path(home).resolve()
        self.service = service
        self.allowed = [Path(p).resolve() for p in (allowed or [])]
        self.limits = limits

    # ---- who is asking --------------------------------------------------------------------
    @staticmethod
    def _gradio(scope: dict) -> Any:
        return scope.get("app")

    def _auth_on(self, scope: dict) -> bool:
        app = self._gradio(scope)
        return getattr(app, "auth", None) is not None or getattr(app, "auth_dependency", None) is not None

    def _user(self, scope: dict) -> str | None:
        """The signed-in user's name; "local" when the studio runs without logins; None when
        logins are on and this request has none."""
        app = self._gradio(scope)
        if not self._auth_on(scope):
            return "local"
        cookie_id = getattr(app, "cookie_id", None)
        tokens = getattr(app, "tokens", {}) or {}
        cookies = _cookies(scope)
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            user = tokens.get(cookies.get(name, ""))
            if user:
                return user
        return None

    # ---- the middleware -------------------------------------------------------------------
    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        raw = scope.get("raw_path", b"").decode("latin-1")
        target = file_target(raw) if file_target(raw) is not None else file_target(path)
        media = MEDIA_ROUTE.match(decoded(path))
        guarded = (target is not None or media is not None or decoded(path).rstrip("/") == "/metrics"
                   or decoded(path).startswith("/gradio_api/heartbeat"))
        if guarded:
            user = self._user(scope)
            if user is None:
                await _answer(send, 401, '{"detail": "Sign in first."}', "application/json")
                return
            if media is not None:
                await self._media(scope, receive, send, user, media.group(1), media.group(2))
                return
            if target is not None and not self._servable(target):
                await _answer(send, 404, "Not found.")
                return
        if path in LOGIN_PATHS and scope.get("method") == "POST" and self.limits is not None:
            await self._login(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _servable(self, target: str) -> bool:
        """A file-route target may be served only from Gradio's cache or the shipped assets,
        and never from inside the data folder."""
        from gradio.utils import get_upload_folder

        if not target or "\x00" in target or "://" in target or target.startswith("//"):
            return False  # nothing, a NUL, or a URL for Gradio to fetch: the studio proxies nothing
        try:
            resolved = Path(os.path.abspath(posixpath.normpath(target))).resolve()
        except (OSError, ValueError, RuntimeError):
            return False
        if resolved == self.home or resolved.is_relative_to(self.home):
            return False
        roots = [Path(get_upload_folder()).resolve(), *self.allowed]
        return any(resolved.is_relative_to(root) for root in roots)

    async def _media(self, scope: dict, receive: Any, send: Any, user: str, kind: str, ident: str) -> None:
        from starlette.responses import FileResponse

        path = None
        if self.service is not None and re.fullmatch(r"[0-9a-f]{32}", ident):
            try:
                if kind == "thumb":
                    path = self.service.cards.thumbnail(user, ident)
                else:
                    row = (self.service.renders.export(user, ident) if kind == "export"
                           else self.service.library.own_clip(user, ident))
                    path = row.get("path")
            except (ValueError, KeyError):
                path = None
        if not path or not Path(path).is_file() or not Path(path).resolve().is_relative_to(self.home):
            await _answer(send, 404, "Not found.")
            return
        await FileResponse(path, filename=Path(path).name, headers={"Cache-Control": "private, no-store"})(
            scope, receive, send)

    async def _login(self, scope: dict, receive: Any, send: Any) -> None:
        """Count the sign-in against the limits: refuse at once while locked out; record the
        outcome Gradio gives (200 success, anything else a failure)."""
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_LOGIN_BODY:
                await _answer(send, 413, '{"detail": "The sign-in form is too large."}', "application/json")
                return
        form = parse_qs(body.decode("utf-8", "replace"))
        name = (form.get("username") or [""])[0].strip()
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = self.limits.locked_for(name, address)
        if wait:
            await _answer(send, 429, '{"detail": "' + self.limits.sentence(wait) + '"}', "application/json")
            return
        status: dict[str, int] = {}
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, replay, watch)
        if status.get("code") == 200:
            self.limits.succeeded(name, address)
        else:
            self.limits.failed(name, address)


def _cookies(scope: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        if key.lower() == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, sep, val = part.strip().partition("=")
                if sep:
                    out[name] = val
    return out

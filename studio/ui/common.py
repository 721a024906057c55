"""studio.ui: what every page shares — the page context (the rooms' services, the
translator, the project selector), the current user from the
request, and `guarded`, which turns a service's one-sentence error into a gr.Error and any
unexpected failure into a calm sentence (the traceback goes to the log, never the page)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from engine.errors import UserError
from studio import paths

log = logging.getLogger("shotline.ui")
LOCAL_USER = "local"


@dataclass
class PageContext:
    """Handed to every page's `build()`: services and the shared components."""

    studio: Any  # studio.services.StudioServices: each room's service
    t: Callable[[str], Any]  # gr.I18n: key -> translatable text
    project: gr.Dropdown | None = None
    shared: dict[str, Any] = field(default_factory=dict)


def user_of(request: gr.Request | None) -> str:
    """The logged-in user's name, or the single local user when the studio runs without logins."""
    name = getattr(request, "username", None) if request is not None else None
    return name or LOCAL_USER


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a handler; a UserError or ValueError (a sentence for the user) becomes a
    gr.Error with that sentence; anything else is logged and shown as one calm sentence."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except (UserError, ValueError, FileNotFoundError, PermissionError) as err:
            raise gr.Error(unechoed(str(err)), print_exception=False) from None
        except Exception:  # noqa: BLE001 - last line of defence: a sentence, never a traceback
            log.exception("handler failed")
            raise gr.Error("Something went wrong in the studio; the details are in the studio's log.",
                           print_exception=False) from None

    return wrapper


_LONG_QUOTED = re.compile("'[^']{65,}'|\"[^\"]{65,}\"")


def unechoed(text: str) -> str:
    """A sentence with any quoted value over 64 characters replaced by its length, so a
    long or hostile input is never sent back to the page."""
    return _LONG_QUOTED.sub(lambda m: f"(a value of {len(m.group(0)) - 2} characters)", text)


def project_choices(studio: Any, user: str) -> list[tuple[str, str]]:
    import time

    return [(f"{p['name']} · {time.strftime('%m-%d %H:%M', time.localtime(p['created_at']))}", p["project_id"])
            for p in studio.projects.projects(user)]


def served(path: str | None) -> str | None:
    """A media path the page may hand to Gradio (which copies it into its own cache):
    only existing files inside SHOTLINE_HOME or the shipped assets."""
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        return None
    from shotline.data import asset_path

    assets = asset_path().resolve()
    if paths.is_inside_home(p) or p.resolve().is_relative_to(assets):
        return str(p)
    return None


def fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"

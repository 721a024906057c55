"""Attack: file routes. Every file route the pinned Gradio has (`/gradio_api/file=`,
`/gradio_api/file/` and the unprefixed forms), asked for alice's media and the studio's
own files in every encoding and with `.`/`..`/`//` tricks, answers bob 404; media are
served by id to their owner only; an anonymous request gets the same 401 whatever it
names; /metrics and the heartbeat need a login."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.attack.conftest import raw_get

TARGETS = ["export", "clip", "preview", "database", "users", "queue"]


def target_path(studio, work, name: str) -> str:
    return {"export": work["export_path"], "clip": work["clip_path"], "preview": work["preview_path"],
            "database": str(studio.home / "shotline.db"), "users": str(studio.home / "users.json"),
            "queue": str(studio.home / "queue.db")}[name]


def forms(path: str, cache: str) -> dict[str, tuple[str, str]]:
    """name -> (method, raw request path) for one file on disk."""
    up = "../" * 12
    return {
        "file=": ("GET", f"/gradio_api/file={path}"),
        "file/": ("GET", f"/gradio_api/file/{path}"),
        "file/ single slash": ("GET", f"/gradio_api/file{path}"),
        "root file=": ("GET", f"/file={path}"),
        "encoded": ("GET", "/gradio_api/file=" + quote(path, safe="")),
        "double encoded": ("GET", "/gradio_api/file=" + quote(quote(path, safe=""), safe="")),
        "dot segments": ("GET", f"/gradio_api/file={path.replace('/media/', '/media/./')}"),
        "double slashes": ("GET", f"/gradio_api/file=/{path.replace('/', '//')}"),
        "from the cache with ../": ("GET", f"/gradio_api/file={cache}/{up}{path.lstrip('/')}"),
        "encoded ../ after file/": ("GET", f"/gradio_api/file/{cache}/" + "%2e%2e%2f" * 12 + quote(path.lstrip("/"))),
        "HEAD": ("HEAD", f"/gradio_api/file={path}"),
    }


FORM_NAMES = list(forms("/x", "/c"))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("form", FORM_NAMES)
def test_bob_gets_404_for_every_form_of_every_path(studio, alice_work, cookies, attack_dirs, target, form):
    path = target_path(studio, alice_work, target)
    method, raw = forms(path, str(attack_dirs["gradio"]))[form]
    status, body = raw_get(studio.url, raw, cookies["bob"], method)
    assert status == 404, (raw, status, body[:200])
    assert path not in body


@pytest.mark.parametrize("target", ["export", "clip", "database"])
def test_alice_too_gets_404_for_a_path_into_the_data_folder(studio, alice_work, cookies, target):
    path = target_path(studio, alice_work, target)
    for method, raw in (("GET", f"/gradio_api/file={path}"), ("GET", f"/gradio_api/file/{path}")):
        assert raw_get(studio.url, raw, cookies["alice"], method)[0] == 404


def test_media_by_id_serves_the_owner_only(studio, alice_work, cookies):
    mine = raw_get(studio.url, f"/media/export/{alice_work['export_id']}", cookies["alice"])
    assert mine[0] == 200
    clip = raw_get(studio.url, f"/media/clip/{alice_work['clip_id']}", cookies["alice"])
    assert clip[0] == 200
    for raw in (f"/media/export/{alice_work['export_id']}", f"/media/clip/{alice_work['clip_id']}"):
        assert raw_get(studio.url, raw, cookies["bob"])[0] == 404
        assert raw_get(studio.url, raw, cookies["bob"], "HEAD")[0] == 404


@pytest.mark.parametrize("ident", ["0" * 32, "../../shotline.db", "%2e%2e%2fshotline.db", "_" * 32, "%" * 8,
                                   "a" * 5000])
def test_media_by_id_refuses_unknown_and_odd_ids_without_echo(studio, cookies, ident):
    status, body = raw_get(studio.url, f"/media/export/{ident}", cookies["bob"])
    assert status == 404 and ident not in body


def test_an_anonymous_request_gets_the_same_answer_inside_and_outside_the_data_folder(studio, alice_work):
    inside = [f"/gradio_api/file={alice_work['export_path']}", f"/gradio_api/file={studio.home}/nothing-here",
              f"/gradio_api/file/{studio.home / 'shotline.db'}", f"/media/export/{alice_work['export_id']}"]
    outside = ["/gradio_api/file=/etc/hostname", "/gradio_api/file=/nothing/at/all", "/gradio_api/file//etc/passwd",
               "/media/export/" + "0" * 32]
    answers = {raw: raw_get(studio.url, raw) for raw in inside + outside}
    assert {a for a in answers.values()} == {(401, '{"detail": "Sign in first."}')}, answers


@pytest.mark.parametrize("raw", ["/metrics", "/metrics/", "/gradio_api/heartbeat/abc", "/gradio_api/heartbeat/x%2Fy"])
def test_metrics_and_heartbeat_need_a_login(studio, raw):
    assert raw_get(studio.url, raw)[0] == 401


def test_metrics_answer_a_signed_in_user(studio, cookies):
    status, body = raw_get(studio.url, "/metrics", cookies["bob"])
    assert status == 200 and "shotline_" in body


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/x", "https://example.com/a.mp4", "//example.com/a"])
def test_file_routes_fetch_no_urls(studio, cookies, url):
    assert raw_get(studio.url, f"/gradio_api/file={url}", cookies["bob"])[0] == 404


def test_the_shipped_font_is_still_served(studio, cookies):
    from studio.ui.app import CJK_FONT

    if not CJK_FONT.is_file():
        pytest.skip("no shipped CJK font")
    assert raw_get(studio.url, f"/gradio_api/file={CJK_FONT}", cookies["bob"])[0] == 200


def test_a_cards_thumbnail_is_served_by_shot_id_to_the_owner_only(studio, alice_work, cookies):
    """The Storyboard's card pictures (studio.projects.cards) go through the same guarded route."""
    sid = studio.service.projects.project("alice", alice_work["project_id"])["shots"][0]["id"]
    status, body = raw_get(studio.url, f"/media/thumb/{sid}", cookies["alice"])
    assert status == 200, body[:200]
    for who, ident in (("bob", sid), ("alice", "0" * 32), ("alice", "../../shotline.db")):
        assert raw_get(studio.url, f"/media/thumb/{ident}", cookies[who])[0] == 404

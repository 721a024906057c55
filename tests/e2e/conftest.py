"""tests/e2e: a studio without logins (the README's default) for the browser test, and
Debian's Chromium through Playwright's sync API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.studio_app import running_studio

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"


@pytest.fixture(scope="session")
def e2e_home(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e-studio-home")


@pytest.fixture(autouse=True)
def shotline_home(e2e_home, monkeypatch):  # overrides tests/conftest.py's per-test home
    monkeypatch.setenv("SHOTLINE_HOME", str(e2e_home))
    return e2e_home


# package scope: the studio's workers and Playwright's event loop end with tests/e2e,
# so no later test runs beside them (a live sync_playwright loop breaks asyncio.run)
@pytest.fixture(scope="package")
def e2e_studio(e2e_home, _model_caches):
    with running_studio(e2e_home, users=False) as running:
        yield running


@pytest.fixture(scope="package")
def chromium_browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

"""tests/ui: one studio for the whole directory (starting a worker process costs seconds
on this machine); every test in it sees that studio's SHOTLINE_HOME."""

from __future__ import annotations

import pytest

from tests.studio_app import USERS, running_studio


@pytest.fixture(scope="session")
def ui_home(tmp_path_factory):
    return tmp_path_factory.mktemp("ui-studio-home")


@pytest.fixture(autouse=True)
def shotline_home(ui_home, monkeypatch):  # overrides tests/conftest.py's per-test home
    monkeypatch.setenv("SHOTLINE_HOME", str(ui_home))
    return ui_home


@pytest.fixture(scope="package")  # its workers end with tests/ui
def studio(ui_home, _model_caches):
    with running_studio(ui_home) as running:
        yield running


@pytest.fixture(scope="package")
def client_for(studio):
    from gradio_client import Client

    clients = {}

    def get(user: str):
        if user not in clients:
            clients[user] = Client(studio.url, auth=(user, USERS[user]), verbose=False)
        return clients[user]

    return get

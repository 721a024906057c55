"""studio.accounts: the studio's optional users. Passwords are stored only as salted scrypt
hashes (`scrypt$n$r$p$salt$hash`), in a users file (JSON or TOML, `SHOTLINE_USERS_FILE`,
default `SHOTLINE_HOME/users.json`, written by `shotline users add NAME`) and/or in the
environment (`SHOTLINE_USERS="alice:HASH,bob:HASH"`). Nothing is hard-coded; with no users
configured the studio runs for one local user without a login."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from studio import paths

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
NAME = re.compile(r"^[\w.@-]{1,64}$")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"The password has {len(password)} characters; at least {MIN_PASSWORD} are needed.")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def users_file() -> Path:
    explicit = os.environ.get("SHOTLINE_USERS_FILE")
    return Path(explicit).expanduser() if explicit else paths.home() / "users.json"


def _read_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"Users file {path.name!r} is not valid TOML ({err}).") from None
    else:
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError as err:
            raise ValueError(f"Users file {path.name!r} is not valid JSON ({err.msg} at line {err.lineno}).") from None
    users = data.get("users", data) if isinstance(data, dict) else None
    if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
        raise ValueError(f"Users file {path.name!r} must map user names to password hashes under 'users'.")
    return dict(users)


def _read_env() -> dict[str, str]:
    out = {}
    for item in (os.environ.get("SHOTLINE_USERS") or "").split(","):
        if not item.strip():
            continue
        name, sep, digest = item.strip().partition(":")
        if not sep or not NAME.match(name) or not digest.startswith("scrypt$"):
            raise ValueError(f"SHOTLINE_USERS entry {name!r} is not accepted: NAME:HASH, with a hash from "
                             "`shotline users add NAME`.")
        out[name] = digest
    return out


def load_users() -> dict[str, str]:
    """Every configured user and their password hash (the environment wins over the file)."""
    return {**_read_file(users_file()), **_read_env()}


def add_user(name: str, password: str) -> Path:
    """Store (or replace) a user's hashed password in the users file; returns the file."""
    if not NAME.match(name or ""):
        raise ValueError(f"User name {name!r} is not accepted: 1 to 64 letters, digits, '.', '@', '_' or '-'.")
    path = users_file()
    if path.suffix.lower() == ".toml":
        raise ValueError(f"Users file {path.name!r} is TOML; `shotline users add` writes JSON, so point "
                         "SHOTLINE_USERS_FILE at a .json file or edit the TOML by hand.")
    users = _read_file(path)
    users[name] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps({"users": users}, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def authenticator(users: dict[str, str] | None = None):  # noqa: ANN201 - a Gradio auth callable or None
    """Gradio's `auth=` callable over the configured users, or None when there are none."""
    users = load_users() if users is None else users
    if not users:
        return None

    def check(username: str, password: str) -> bool:
        stored = users.get(username)
        return bool(stored) and check_password(password, stored)

    return check

"""studio.accounts: the studio's optional users. Passwords are stored only as salted scrypt
hashes (`scrypt$n$r$p$salt$hash`), in a users file (JSON or TOML, `SHOTLINE_USERS_FILE`,
default `SHOTLINE_HOME/users.json`, written by `shotline users add NAME`) and/or in the
environment (`SHOTLINE_USERS="alice:HASH,bob:HASH"`). Nothing is hard-coded; with no users
configured the studio runs for one local user without a login.

Sign-ins are limited (`LoginLimits`, kept in the studio database so a restart does not
reset them): after repeated failures a user name, and separately a client address, is
locked out for a while. An unknown name costs the same scrypt work as a known one, and a
password longer than MAX_PASSWORD characters is refused before any hashing."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from studio import paths

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
NAME = re.compile(r"^[\w.@-]{1,64}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"The password has {len(password)} characters; at least {MIN_PASSWORD} are needed.")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"The password has {len(password)} characters; at most {MAX_PASSWORD} are accepted.")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return False
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

    dummy = _dummy_hash()  # made now, so the first unknown name costs no more than later ones

    def check(username: str, password: str) -> bool:
        stored = users.get(username)
        # an unknown name is checked against a dummy hash, so it takes as long as a known one
        ok = check_password(password, stored or dummy)
        return bool(stored) and ok

    return check


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_hex(16)))
    return _DUMMY[0]


class LoginLimits:
    """Failed sign-ins per user name and per client address, in the studio database.

    `per_user` failures within `window_s` lock that name out for `lock_s`; `per_address`
    failures lock the address out the same way. A success clears the name's and the
    address's count. The table is created on first use (it is the accounts room's own)."""

    def __init__(self, db: Any, *, per_user: int = 5, per_address: int = 20, window_s: float = 900.0,
                 lock_s: float = 900.0):
        self.db, self.per_user, self.per_address = db, per_user, per_address
        self.window_s, self.lock_s = window_s, lock_s
        self._lock = threading.Lock()
        db.execute("CREATE TABLE IF NOT EXISTS login_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
                   " window_start REAL NOT NULL, locked_until REAL NOT NULL DEFAULT 0)")

    @staticmethod
    def _keys(name: str, address: str) -> list[str]:
        return [f"user:{name[:200].lower()}", f"addr:{address[:100]}"]

    def locked_for(self, name: str, address: str) -> float:
        """Seconds until this name or address may try again (0 when it may now)."""
        now = time.time()
        with self._lock:
            rows = self.db.execute("SELECT MAX(locked_until) FROM login_failures WHERE key IN (?, ?)",
                                   self._keys(name, address)).fetchone()
        return max(0.0, (rows[0] or 0) - now)

    def failed(self, name: str, address: str) -> None:
        now = time.time()
        with self._lock:
            for key, limit in zip(self._keys(name, address), (self.per_user, self.per_address), strict=True):
                row = self.db.execute("SELECT failures, window_start FROM login_failures WHERE key = ?", [key]).fetchone()
                failures, start = (row[0] + 1, row[1]) if row and now - row[1] < self.window_s else (1, now)
                locked = now + self.lock_s if failures >= limit else 0
                self.db.execute("INSERT INTO login_failures (key, failures, window_start, locked_until) VALUES (?,?,?,?)"
                                " ON CONFLICT(key) DO UPDATE SET failures=excluded.failures,"
                                " window_start=excluded.window_start, locked_until=MAX(locked_until, excluded.locked_until)",
                                [key, failures, start, locked])

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self.db.execute("DELETE FROM login_failures WHERE key IN (?, ?)", self._keys(name, address))

    @staticmethod
    def sentence(wait_s: float) -> str:
        minutes = max(1, int(wait_s // 60 + (wait_s % 60 > 0)))
        return (f"Too many failed sign-ins for this user or from this address; sign-in is locked for "
                f"{minutes} more minute{'s' if minutes != 1 else ''}.")

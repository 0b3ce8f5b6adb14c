"""Users, password hashes (Argon2id), failed-login lockout and API tokens in one SQLite file."""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import BadName, BadRole, LockedOut, LoginFailed, UnknownUser, UserExists, WeakPassword
from .paths import ensure_private_dir, state_dir
from .roles import ROLES

MIN_PASSWORD_LENGTH = 8
MAX_FAILURES = 5
LOCKOUT_SECONDS = 300
TOKEN_PREFIX = "vnds_"
_NAME = re.compile(r"[\w.@-]{1,64}")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS failures (name TEXT PRIMARY KEY, count INTEGER NOT NULL, locked_until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (digest TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL);
"""


@dataclass(frozen=True)
class User:
    """A person who may log in, with one role: reader, editor or admin."""

    name: str
    role: str


def normalize_name(name: str) -> str:
    """The stored form of a user name: NFC, trimmed, case-folded; BadName when it is not a plain name."""
    key = unicodedata.normalize("NFC", name.strip()).casefold()
    if not _NAME.fullmatch(key):
        raise BadName(name)
    return key


def check_password(password: str) -> None:
    """WeakPassword when the password is empty or shorter than MIN_PASSWORD_LENGTH characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(str(MIN_PASSWORD_LENGTH))


def _now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserStore:
    """The user database (default: `users.sqlite3` in the state folder, see access.paths.state_dir)."""

    def __init__(self, path: Path | None = None, *, max_failures: int = MAX_FAILURES,
                 lockout_seconds: float = LOCKOUT_SECONDS, clock: Callable[[], float] = time.time) -> None:
        if max_failures < 1:
            raise ValueError("max_failures must be >= 1")
        if lockout_seconds < 0:
            raise ValueError("lockout_seconds must be >= 0")
        self.path = Path(path) if path is not None else state_dir() / "users.sqlite3"
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self._clock = clock
        self._hasher = PasswordHasher()
        self._dummy_hash: str | None = None

    def _connect(self) -> sqlite3.Connection:
        new = not self.path.exists()
        if new:
            ensure_private_dir(self.path.parent)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        if new:
            self.path.chmod(0o600)
        conn.executescript(_SCHEMA)
        return conn

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Rows of a query; an empty list when the database does not exist yet (reads create nothing)."""
        if not self.path.exists():
            return []
        conn = self._connect()
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def add(self, name: str, password: str, role: str) -> User:
        """Create a user; UserExists, BadName, BadRole or WeakPassword when it cannot be."""
        key = normalize_name(name)
        if role not in ROLES:
            raise BadRole(role)
        check_password(password)
        digest = self._hasher.hash(password)
        conn = self._connect()
        try:
            conn.execute("INSERT INTO users VALUES (?, ?, ?, ?)", (key, role, digest, _now_iso()))
        except sqlite3.IntegrityError:
            raise UserExists(key) from None
        finally:
            conn.close()
        return User(key, role)

    def remove(self, name: str) -> None:
        """Delete a user with their tokens and failure count; UnknownUser when there is none."""
        key = normalize_name(name)
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            gone = conn.execute("DELETE FROM users WHERE name = ?", (key,)).rowcount
            conn.execute("DELETE FROM tokens WHERE name = ?", (key,))
            conn.execute("DELETE FROM failures WHERE name = ?", (key,))
            conn.execute("COMMIT")
        finally:
            conn.close()
        if not gone:
            raise UnknownUser(key)

    def list(self) -> list[User]:
        """Every user, by name."""
        return [User(n, r) for n, r in self._read("SELECT name, role FROM users ORDER BY name")]

    def get(self, name: str) -> User | None:
        """The user of that name as stored now, or None."""
        try:
            key = normalize_name(name)
        except BadName:
            return None
        rows = self._read("SELECT name, role FROM users WHERE name = ?", (key,))
        return User(*rows[0]) if rows else None

    def has_users(self) -> bool:
        """True when at least one user exists."""
        return bool(self._read("SELECT 1 FROM users LIMIT 1"))

    def authenticate(self, name: str, password: str) -> User:
        """The user when name and password match; LoginFailed otherwise, LockedOut after too many failures.

        Failures are counted per name (known or not) in the database, so the limit holds across
        processes and restarts; MAX_FAILURES consecutive failures lock the name for LOCKOUT_SECONDS.
        """
        try:
            key = normalize_name(name)
        except BadName:
            raise LoginFailed(name) from None
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")  # one attempt at a time: parallel guesses cannot pass the limit
            now = self._clock()
            row = conn.execute("SELECT count, locked_until FROM failures WHERE name = ?", (key,)).fetchone()
            count, locked_until = row if row else (0, 0.0)
            if locked_until > now:
                conn.execute("COMMIT")
                raise LockedOut(key, locked_until)
            user = conn.execute("SELECT role, hash FROM users WHERE name = ?", (key,)).fetchone()
            if user is not None and self._verify(user[1], password):
                conn.execute("DELETE FROM failures WHERE name = ?", (key,))
                if self._hasher.check_needs_rehash(user[1]):
                    conn.execute("UPDATE users SET hash = ? WHERE name = ?", (self._hasher.hash(password), key))
                conn.execute("COMMIT")
                return User(key, user[0])
            if user is None:
                self._verify(self._dummy(), password)  # same work whether or not the name exists
            count += 1
            if count >= self.max_failures:
                count, locked_until = 0, now + self.lockout_seconds
            conn.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?)", (key, count, locked_until))
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
        if locked_until > now:
            raise LockedOut(key, locked_until)
        raise LoginFailed(key)

    def _verify(self, digest: str, password: str) -> bool:
        try:
            return self._hasher.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_hex(16))
        return self._dummy_hash

    def issue_token(self, name: str) -> str:
        """A new API token for the user (shown once; only its SHA-256 is stored); UnknownUser if none."""
        key = normalize_name(name)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT 1 FROM users WHERE name = ?", (key,)).fetchone() is None:
                raise UnknownUser(key)
            conn.execute("INSERT INTO tokens VALUES (?, ?, ?)", (_token_digest(token), key, _now_iso()))
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
        return token

    def revoke_tokens(self, name: str) -> int:
        """Delete every API token of the user; returns how many there were."""
        key = normalize_name(name)
        if not self.path.exists():
            return 0
        conn = self._connect()
        try:
            return conn.execute("DELETE FROM tokens WHERE name = ?", (key,)).rowcount
        finally:
            conn.close()

    def verify_token(self, token: str) -> User | None:
        """The token's user (with the role stored now), or None for an unknown or revoked token."""
        if not token or not token.startswith(TOKEN_PREFIX):
            return None
        rows = self._read(
            "SELECT users.name, users.role FROM tokens JOIN users ON users.name = tokens.name WHERE digest = ?",
            (_token_digest(token),),
        )
        return User(*rows[0]) if rows else None

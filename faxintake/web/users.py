"""Staff accounts for the review app: argon2id password hashes, roles, sign-in with a limit on failed attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from faxintake.errors import ConfigError
from faxintake.store import Store
from faxintake.store.models import Audit, User

ROLES = ("reviewer", "director", "admin")
MIN_PASSWORD = 10
MAX_FAILED = 5  # consecutive wrong passwords before the account waits
LOCKOUT = timedelta(minutes=15)
_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
# Compared against when the name is unknown, so that a wrong name costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    active: bool
    created_at: datetime
    last_login: datetime | None

    @property
    def can_decide(self) -> bool:
        """Only the Medical Director decides reassignments."""
        return self.role == "director"

    @property
    def can_manage_users(self) -> bool:
        return self.role == "admin"


class SignInRefused(Exception):
    """Wrong name or password, a disabled account, or too many attempts: the message says which only as far as is
    safe (never whether a name exists)."""


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _account(u: User) -> Account:
    return Account(u.id, u.name, u.role, u.active, u.created_at, u.last_login)


def add_user(store: Store, name: str, role: str, password: str, *, actor: str = "cli") -> Account:
    name = name.strip()
    if role not in ROLES:
        raise ConfigError(f"--role is one of {', '.join(ROLES)}")
    if not name or len(name) > 80 or any(c.isspace() for c in name):
        raise ConfigError("a user name is 1-80 characters without spaces")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password needs at least {MIN_PASSWORD} characters")
    with store.session("add the user", write=True) as s:
        if s.scalar(select(User).where(User.name == name)) is not None:
            raise ConfigError(f"user {name} exists already", hint="choose another name, or disable the old account")
        user = User(name=name, role=role, password_hash=_hasher.hash(password), active=True, created_at=_now())
        s.add(user)
        s.flush()
        s.add(Audit(at=_now(), entity="user", entity_id=user.id, action="user added", to_state=role, actor=actor))
        return _account(user)


def list_users(store: Store) -> list[Account]:
    with store.session("list the users") as s:
        return [_account(u) for u in s.scalars(select(User).order_by(User.name))]


def disable_user(store: Store, name: str, *, actor: str = "cli") -> Account:
    with store.session("disable the user", write=True) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise ConfigError(f"no user {name}", hint="`faxintake users list` shows them")
        if user.active:
            user.active = False
            s.add(
                Audit(
                    at=_now(),
                    entity="user",
                    entity_id=user.id,
                    action="user disabled",
                    from_state="active",
                    to_state="disabled",
                    actor=actor,
                )
            )
        return _account(user)


def get_user(store: Store, user_id: int) -> Account | None:
    with store.session("look the user up") as s:
        user = s.get(User, user_id)
        return _account(user) if user is not None and user.active else None


def authenticate(store: Store, name: str, password: str) -> Account:
    """The active account with this name and password; raises SignInRefused. Failed attempts are counted in the
    store (a restart or a second server process does not reset them); the count commits even when refused."""
    refused: str | None = None
    with store.session("sign in", write=True) as s:
        user = s.scalar(select(User).where(User.name == name.strip()))
        now = _now()
        if user is None:
            _verify(_DUMMY_HASH, password)
            refused = "wrong name or password"
        elif user.locked_until is not None and user.locked_until > now:
            minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
            refused = f"too many failed attempts: try again in {minutes} minute{'s' * (minutes != 1)}"
        elif not _verify(user.password_hash, password):
            refused = "wrong name or password"
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED:
                user.failed_logins, user.locked_until = 0, now + LOCKOUT
                s.add(Audit(at=now, entity="user", entity_id=user.id, action="locked out", actor="web"))
        elif not user.active:
            refused = "this account is disabled"
        else:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            user.failed_logins, user.locked_until, user.last_login = 0, None, now
            s.add(Audit(at=now, entity="user", entity_id=user.id, action="signed in", actor=user.name))
            account = _account(user)
    if refused is not None:
        raise SignInRefused(refused)
    return account


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False

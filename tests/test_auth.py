"""Logging in: Argon2 hashes, clear refusals and the lock after repeated failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.db import Database
from models.tables import User
from models.types import utcnow
from services.accounts.auth import (
    MAX_FAILED_LOGINS,
    AuthError,
    check_password_strength,
    create_user,
    hash_password,
    login,
    verify_password,
)
from services.errors import ValidationError
from tests.builders import PASSWORD, load_demo_reference


def test_hash_is_argon2_and_never_the_clear_password() -> None:
    digest = hash_password("s3cret-pass")
    assert digest.startswith("$argon2id$")
    assert "s3cret-pass" not in digest
    assert verify_password(digest, "s3cret-pass")
    assert not verify_password(digest, "s3cret-pasS")
    assert not verify_password(None, "s3cret-pass")
    assert not verify_password("garbage", "s3cret-pass")


def test_login_success_and_failure(db: Database) -> None:
    load_demo_reference(db, with_passwords=("coordinator",))
    user = login(db, "coordinator", PASSWORD)
    assert user.username == "coordinator" and user.role == "coordinator"
    with pytest.raises(AuthError) as wrong:
        login(db, "coordinator", "not-the-password")
    with pytest.raises(AuthError) as unknown:
        login(db, "nobody", PASSWORD)
    assert wrong.value.code == unknown.value.code == "invalid_credentials"
    assert str(wrong.value) == str(unknown.value) == "Wrong username or password."


def test_repeated_failures_lock_the_account_for_a_while(db: Database) -> None:
    load_demo_reference(db, with_passwords=("reception",))
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            login(db, "reception", "wrong")
    with pytest.raises(AuthError) as locked:
        login(db, "reception", PASSWORD)
    assert locked.value.code == "too_many_attempts"
    later = utcnow() + timedelta(minutes=6)
    assert login(db, "reception", PASSWORD, now=later).username == "reception"


def test_a_county_user_without_a_local_password_cannot_log_in_offline(db: Database) -> None:
    load_demo_reference(db)
    with pytest.raises(AuthError):
        login(db, "official", "")


def test_inactive_user_is_refused(db: Database) -> None:
    load_demo_reference(db, with_passwords=("official",))
    with db.session() as session:
        user = session.query(User).filter_by(username="official").one()
        user.active = False
    with pytest.raises(AuthError):
        login(db, "official", PASSWORD)


@pytest.mark.parametrize("password", ["short1", "onlyletters", "1234567890"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError) as error:
        check_password_strength(password)
    assert error.value.field == "password"


def test_create_user_checks_the_name(db: Database) -> None:
    load_demo_reference(db)
    with db.session() as session, pytest.raises(ValidationError) as taken:
        create_user(
            session,
            username="coordinator",
            password="abc12345",
            display_name="重名",
            role="reception",
            org_unit_id="990101001",
        )
    assert taken.value.field == "username"

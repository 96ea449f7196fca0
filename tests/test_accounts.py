"""Passwords and tokens: Argon2id hashes, remembered verifications that a password change forgets."""

from __future__ import annotations

from liaison.accounts import check_password, check_token, create_token, hash_password
from liaison.domain import AccountRole
from liaison.store import Store


def test_passwords_tokens_and_a_changed_password(store: Store) -> None:
    store.add_organization("Home", home=True)
    store.add_user("ann", "Home", AccountRole.ANALYST, hash_password("first password!"))
    assert check_password(store, "ann", "first password!") is not None
    assert check_password(store, "ann", "first password!") is not None  # remembered: same answer
    assert check_password(store, "ann", "wrong password!") is None
    assert check_password(store, "nobody", "first password!") is None
    store.set_password_hash("ann", hash_password("second password"))
    assert check_password(store, "ann", "first password!") is None  # the old one is not remembered
    assert check_password(store, "ann", "second password") is not None
    token, record = create_token(store, "ann")
    assert check_token(store, token) is not None and token.startswith(record.prefix)
    assert check_token(store, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    store.revoke_token(record.prefix)
    assert check_token(store, token) is None
    assert not any(token in str(entry.detail) for entry in store.audit_entries())

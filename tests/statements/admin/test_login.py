"""Admin sign-in: repeated failures lock a username out from an address (django-axes),
and weak passwords are refused."""

import logging

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from tests.mofa_site.test_security import assert_secure_headers, blocked_inline_content

LOGIN = "/admin/login/?next=/admin/"
LIMIT = 5  # settings.AXES_FAILURE_LIMIT's default


@pytest.fixture
def staff(db):
    user = UserFactory(username="ayako", is_staff=True, is_superuser=True)
    user.set_password("a-long-and-unguessable-passphrase")
    user.save()
    return user


def sign_in(client, password: str, username: str = "ayako", address: str = "203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def is_signed_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_the_right_password_signs_in(client, staff):
    assert is_signed_in(sign_in(client, "a-long-and-unguessable-passphrase"))


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, staff, caplog):
    for _ in range(LIMIT - 1):
        response = sign_in(client, "wrong")
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter the correct username and password" in response.content.decode()
    with caplog.at_level(logging.WARNING, logger="axes"):
        locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "Try again in 60 minutes" in locked.content.decode()
    assert any("Locking out" in record.getMessage() for record in caplog.records)

    # The lockout page is a normal page of the site: same headers, nothing inline.
    assert_secure_headers(locked)
    assert blocked_inline_content(locked) == ([], 0)

    refused = sign_in(client, "a-long-and-unguessable-passphrase")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_address_and_username(client, staff):
    UserFactory(username="kenji", is_staff=True).set_password("another-long-passphrase-here")
    for _ in range(LIMIT):
        sign_in(client, "wrong")
    assert sign_in(client, "wrong").status_code == 429
    # The same account from another address, and another account from this one, still work.
    assert is_signed_in(
        sign_in(client, "a-long-and-unguessable-passphrase", address="198.51.100.2")
    )
    client.logout()
    assert sign_in(client, "wrong", username="kenji").status_code == 200


def test_a_success_forgives_earlier_typos_and_only_those(client, staff):
    other = UserFactory(username="kenji", is_staff=True)
    other.set_password("another-long-passphrase-here")
    other.save()
    for _ in range(LIMIT - 1):
        sign_in(client, "wrong", username="kenji")
    for _ in range(LIMIT - 1):
        sign_in(client, "wrong")
    assert is_signed_in(sign_in(client, "a-long-and-unguessable-passphrase"))
    client.logout()
    # Ayako's typos are forgiven: she has the whole allowance again.
    for _ in range(LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200
    # Kenji's are not: his success would be needed for that; one more failure locks him.
    assert sign_in(client, "wrong", username="kenji").status_code == 429


def test_the_lockout_page_is_the_same_for_an_unknown_username(client, db):
    for _ in range(LIMIT):
        response = sign_in(client, "guess", username="nobody")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_api_token_and_session_authentication_still_work(client, staff):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=staff)
    response = client.get(
        "/api/v1/statements/?status=draft", headers={"Authorization": f"Token {token.key}"}
    )
    assert response.status_code == 200
    assert is_signed_in(sign_in(client, "a-long-and-unguessable-passphrase"))
    assert client.get("/api/v1/statements/?status=draft").status_code == 200


@pytest.mark.parametrize("weak", ["password", "12345678", "short", "ayako2024", "qwertyuiop"])
def test_a_weak_password_is_refused(staff, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=staff)


def test_the_admin_refuses_to_set_a_weak_password(admin_client, staff):
    response = admin_client.post(
        f"/admin/auth/user/{staff.pk}/password/",
        {"password1": "password", "password2": "password", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("a-long-and-unguessable-passphrase")

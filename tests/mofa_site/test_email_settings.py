"""EMAIL_URL: one variable for how alerts are sent."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from mofa_site.env import email_settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mailer:p%40ss@mail.example.org:2525",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 2525,
                "EMAIL_HOST_USER": "mailer",
                "EMAIL_HOST_PASSWORD": "p@ss",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
            },
        ),
        ("submission://u:p@mail.example.org", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True}),
        ("smtps://u:p@mail.example.org", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True}),
        ("smtp://mail.example.org?tls=1", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True}),
        ("smtp://mail.example.org", {"EMAIL_PORT": 25, "EMAIL_HOST_USER": ""}),
    ],
)
def test_an_smtp_address_gives_host_port_credentials_and_encryption(url, expected):
    found = email_settings(url)
    assert found["EMAIL_BACKEND"] == SMTP
    assert {key: found[key] for key in expected} == expected


def test_console_prints_messages():
    assert email_settings("console:") == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "smtp://", "smtp://host:99999", "smtps://h?tls=1"]
)
def test_a_wrong_address_stops_the_site_with_a_clear_message(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url)

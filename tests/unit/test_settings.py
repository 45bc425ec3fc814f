"""Settings: every variable typed and documented; a wrong one stops the start with one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.settings import Settings, SettingsError, describe
from tests.unit.conftest import base_env

ROOT = Path(__file__).resolve().parents[2]


def test_reads_typed_values_and_defaults() -> None:
    settings = Settings.from_env(base_env(PORTAL_STORE_READ_TIMEOUT="2.5", PORTAL_OIDC_SCOPES="openid profile email"))
    assert settings.store_read_timeout == 2.5
    assert settings.oidc_scopes == ("openid", "profile", "email")
    assert settings.session_idle_minutes == 15
    assert settings.session_max_hours == 12
    assert settings.oidc_acr_values == "eidas2"
    assert settings.store_url == "https://store.test/fhir"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORTAL_STORE_URL", None, "PORTAL_STORE_URL is missing: expected an absolute http(s) URL."),
        (
            "PORTAL_STORE_URL",
            "store.example",
            "PORTAL_STORE_URL is invalid: expected an absolute http(s) URL",
        ),
        (
            "PORTAL_SECRET_KEY",
            "short",
            "PORTAL_SECRET_KEY is invalid: expected a random secret of at least 32",
        ),
        (
            "PORTAL_SESSION_IDLE_MINUTES",
            "ten",
            "PORTAL_SESSION_IDLE_MINUTES is invalid: expected a whole number",
        ),
        (
            "PORTAL_STORE_AUTH",
            "kerberos",
            "PORTAL_STORE_AUTH is invalid: expected one of none, client_credentials",
        ),
        ("PORTAL_DEV_INSECURE_HTTP", "maybe", "PORTAL_DEV_INSECURE_HTTP is invalid: expected true or false."),
        ("PORTAL_PUBLIC_URL", "http://portal.example", "PORTAL_PUBLIC_URL is invalid: expected an https URL"),
        ("PORTAL_STORE_URL", "https://user:pw@store.example", "expected a URL without user or password"),
    ],
)
def test_a_wrong_setting_names_itself(name: str, value: str | None, expected: str) -> None:
    env = base_env()
    if value is None:
        del env[name]
    else:
        env[name] = value
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_settings_that_go_together_are_checked_together() -> None:
    with pytest.raises(SettingsError, match="PORTAL_STORE_TOKEN_URL is missing"):
        Settings.from_env(base_env(PORTAL_STORE_AUTH="client_credentials"))
    with pytest.raises(SettingsError, match="PORTAL_PRO_OIDC_CLIENT_ID is missing"):
        Settings.from_env(base_env(PORTAL_PRO_OIDC_ISSUER="https://pro.example"))
    with pytest.raises(SettingsError, match="PORTAL_DEV_INSECURE_HTTP is invalid"):
        Settings.from_env(base_env(PORTAL_DEV_INSECURE_HTTP="true"))


def test_insecure_http_is_allowed_on_loopback_only() -> None:
    settings = Settings.from_env(base_env(PORTAL_DEV_INSECURE_HTTP="true", PORTAL_PUBLIC_URL="http://127.0.0.1:8000"))
    assert settings.dev_insecure_http is True


def test_every_setting_is_described() -> None:
    rows = describe()
    names = [row[0] for row in rows]
    for required in (
        "PORTAL_SECRET_KEY",
        "PORTAL_PUBLIC_URL",
        "PORTAL_STORE_URL",
        "PORTAL_OIDC_ISSUER",
        "PORTAL_OIDC_CLIENT_ID",
        "PORTAL_OIDC_CLIENT_SECRET",
        "PORTAL_OIDC_SCOPES",
        "PORTAL_OIDC_ACR_VALUES",
        "PORTAL_PRO_OIDC_ISSUER",
        "PORTAL_PRO_OIDC_CLIENT_ID",
        "PORTAL_PRO_OIDC_CLIENT_SECRET",
        "PORTAL_PRO_OIDC_ACR_VALUES",
    ):
        assert required in names
    for name, type_name, _default, doc in rows:
        assert doc.endswith(".") and len(doc) > 20, f"{name} needs a one-line description"
        assert type_name


def test_starting_without_store_url_exits_with_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(base_env())
    del env["PORTAL_STORE_URL"]
    run = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert run.stderr.strip() == "portal: cannot start: PORTAL_STORE_URL is missing: expected an absolute http(s) URL."
    assert "Traceback" not in run.stderr + run.stdout


@pytest.mark.parametrize(
    ("typo", "message"),
    [
        ("PORTAL_STOR_URL", "PORTAL_STOR_URL is not a setting of the portal: did you mean PORTAL_STORE_URL?"),
        (
            "PORTAL_OIDC_ACR_VALUE",
            "PORTAL_OIDC_ACR_VALUE is not a setting of the portal: did you mean PORTAL_OIDC_ACR_VALUES?",
        ),
        ("PORTAL_COLOUR", "PORTAL_COLOUR is not a setting of the portal: see docs/configuration.md for every setting."),
    ],
)
def test_an_unknown_portal_variable_stops_the_start_naming_the_closest_setting(typo: str, message: str) -> None:
    """A typo would otherwise leave the default silently in force (a store URL, an assurance level…)."""
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**base_env(), typo: "value"})
    assert str(refused.value) == message


def test_secrets_stay_out_of_the_repr() -> None:
    """Settings printed in a log line or a traceback must not carry a key, a password or a token."""
    env = base_env(
        PORTAL_METRICS_TOKEN="metrics-token-0123456789-0123456789-abc",
        PORTAL_REDIS_URL="redis://:redis-password-never-logged@redis.test:6379/0",
        PORTAL_STORE_AUTH="client_credentials",
        PORTAL_STORE_TOKEN_URL="https://auth.store.test/token",
        PORTAL_STORE_CLIENT_ID="portal",
        PORTAL_STORE_CLIENT_SECRET="store-client-secret-never-logged",
    )
    shown = repr(Settings.from_env(env))
    assert "store_token_url='https://auth.store.test/token'" in shown
    for name in (
        "PORTAL_SECRET_KEY",
        "PORTAL_OIDC_CLIENT_SECRET",
        "PORTAL_METRICS_TOKEN",
        "PORTAL_REDIS_URL",
        "PORTAL_STORE_CLIENT_SECRET",
    ):
        assert env[name] not in shown, name

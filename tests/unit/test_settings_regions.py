"""Settings of the other regional stores: PORTAL_REGIONS lists their keys, PORTAL_REGION_<KEY>_* configures each
like the home store's PORTAL_STORE_*; a wrong one stops the start with one line naming the variable and the store."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from portal.settings import RegionSettings, Settings, SettingsError
from portal.store.auth import StoreAuth
from tests.unit.conftest import STORE, base_env

NORD = {
    "PORTAL_REGION_NORD_URL": "https://nord.test/fhir",
    "PORTAL_REGION_NORD_LABEL_FR": "DCC de la région Exemple-Nord",
    "PORTAL_REGION_NORD_LABEL_EN": "Exemple-Nord region cancer record",
}
SUD_EST = {
    "PORTAL_REGION_SUD_EST_URL": "https://sud-est.test/r4/",
    "PORTAL_REGION_SUD_EST_LABEL_FR": "DCC Sud-Est",
    "PORTAL_REGION_SUD_EST_LABEL_EN": "South-East cancer record",
}
CLIENT_SECRET = "nord-client-secret-that-must-never-be-logged"


def regions_env(**overrides: str) -> dict[str, str]:
    """Two regional stores, `nord` then `sud-est`, with their required variables only; an empty value unsets."""
    env = base_env(PORTAL_REGIONS="nord,sud-est", **NORD, **SUD_EST)
    env.update(overrides)
    return {name: value for name, value in env.items() if value != ""}


def refused(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_without_regions_the_one_store_is_read_as_before() -> None:
    settings = Settings.from_env(base_env())
    assert settings.regions == ()
    assert settings.store_url == STORE
    assert (settings.store_label_fr, settings.store_label_en) == (None, None)
    assert settings.label("fr") is None
    assert Settings.from_env(base_env(PORTAL_REGIONS=" ")) == settings  # an empty value counts as unset


def test_the_home_store_has_public_names() -> None:
    settings = Settings.from_env(
        base_env(PORTAL_STORE_LABEL_FR="DCC de la région Exemple-Sud", PORTAL_STORE_LABEL_EN="Exemple-Sud record")
    )
    assert settings.store_label_fr == "DCC de la région Exemple-Sud"
    assert settings.store_label_en == "Exemple-Sud record"
    assert (settings.label("fr"), settings.label("en")) == ("DCC de la région Exemple-Sud", "Exemple-Sud record")
    only_french = Settings.from_env(base_env(PORTAL_STORE_LABEL_FR="DCC Exemple-Sud"))
    assert only_french.label("en") == "DCC Exemple-Sud"  # a proper name in French rather than none


def test_regions_are_read_in_their_order_with_the_home_store_defaults() -> None:
    settings = Settings.from_env(regions_env())
    assert [region.key for region in settings.regions] == ["nord", "sud-est"]
    assert settings.regions[0] == RegionSettings(
        key="nord",
        store_url="https://nord.test/fhir",
        label_fr="DCC de la région Exemple-Nord",
        label_en="Exemple-Nord region cancer record",
        store_auth="none",
        store_token_url=None,
        store_client_id=None,
        store_client_secret=None,
        store_scope=None,
        store_cert_file=None,
        store_key_file=None,
        store_ca_file=None,
        store_connect_timeout=3.05,
        store_read_timeout=5.0,
    )
    sud_est = settings.regions[1]
    assert sud_est.store_url == "https://sud-est.test/r4"  # parsed like PORTAL_STORE_URL: no trailing slash
    assert (sud_est.label("fr"), sud_est.label("en")) == ("DCC Sud-Est", "South-East cancer record")
    assert settings.store_url == STORE


def test_a_region_reads_every_store_field() -> None:
    settings = Settings.from_env(
        regions_env(
            PORTAL_REGION_NORD_AUTH="client_credentials",
            PORTAL_REGION_NORD_TOKEN_URL="https://auth.nord.test/token",
            PORTAL_REGION_NORD_CLIENT_ID="portal",
            PORTAL_REGION_NORD_CLIENT_SECRET=CLIENT_SECRET,
            PORTAL_REGION_NORD_SCOPE="system/*.read",
            PORTAL_REGION_NORD_CONNECT_TIMEOUT="1.5",
            PORTAL_REGION_NORD_READ_TIMEOUT="12",
        )
    )
    nord = settings.regions[0]
    assert nord.store_auth == "client_credentials"
    assert nord.store_token_url == "https://auth.nord.test/token"
    assert nord.store_client_id == "portal"
    assert nord.store_client_secret == CLIENT_SECRET
    assert nord.store_scope == "system/*.read"
    assert (nord.store_connect_timeout, nord.store_read_timeout) == (1.5, 12.0)
    assert settings.store_auth == "none"  # the home store's own settings are untouched
    assert settings.regions[1].store_auth == "none"


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        (
            "PORTAL_REGION_NORD_URL",
            "PORTAL_REGION_NORD_URL is missing: store 'nord' (PORTAL_REGIONS) needs an absolute http(s) URL.",
        ),
        (
            "PORTAL_REGION_NORD_LABEL_FR",
            "PORTAL_REGION_NORD_LABEL_FR is missing: store 'nord' (PORTAL_REGIONS) needs the public name of its "
            "platform and region, in French.",
        ),
        (
            "PORTAL_REGION_SUD_EST_LABEL_EN",
            "PORTAL_REGION_SUD_EST_LABEL_EN is missing: store 'sud-est' (PORTAL_REGIONS) needs the public name of "
            "its platform and region, in English.",
        ),
    ],
)
def test_a_missing_required_variable_names_itself_and_its_store(unset: str, message: str) -> None:
    assert refused(regions_env(**{unset: ""})) == message
    assert refused(regions_env(**{unset: "   "})) == message


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "PORTAL_REGION_NORD_URL",
            "nord.test/fhir",
            "PORTAL_REGION_NORD_URL is invalid: store 'nord' (PORTAL_REGIONS) needs an absolute http(s) URL such "
            "as https://example.org/path.",
        ),
        (
            "PORTAL_REGION_NORD_AUTH",
            "kerberos",
            "PORTAL_REGION_NORD_AUTH is invalid: store 'nord' (PORTAL_REGIONS) needs one of none, "
            "client_credentials, mtls.",
        ),
        (
            "PORTAL_REGION_SUD_EST_READ_TIMEOUT",
            "61",
            "PORTAL_REGION_SUD_EST_READ_TIMEOUT is invalid: store 'sud-est' (PORTAL_REGIONS) needs a number between "
            "0.1 and 60.",
        ),
        (
            "PORTAL_REGION_NORD_CA_FILE",
            "/nowhere/ca.pem",
            "PORTAL_REGION_NORD_CA_FILE is invalid: store 'nord' (PORTAL_REGIONS) needs the path of an existing file "
            "(/nowhere/ca.pem is not one).",
        ),
    ],
)
def test_an_invalid_value_is_refused_as_the_home_store_would(name: str, value: str, message: str) -> None:
    assert refused(regions_env(**{name: value})) == message


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        (
            "nord,Sud",
            "PORTAL_REGIONS is invalid: expected store keys separated by commas, each of 1 to 20 lowercase letters, "
            "digits and hyphens, starting with a letter ('Sud' is not one).",
        ),
        (
            "nord,2sud",
            "PORTAL_REGIONS is invalid: expected store keys separated by commas, each of 1 to 20 lowercase letters, "
            "digits and hyphens, starting with a letter ('2sud' is not one).",
        ),
        (
            "nord_sud",
            "PORTAL_REGIONS is invalid: expected store keys separated by commas, each of 1 to 20 lowercase letters, "
            "digits and hyphens, starting with a letter ('nord_sud' is not one).",
        ),
        (
            "nord sud",
            "PORTAL_REGIONS is invalid: expected store keys separated by commas, each of 1 to 20 lowercase letters, "
            "digits and hyphens, starting with a letter ('nord sud' is not one).",
        ),
        (
            "a" * 21,
            "PORTAL_REGIONS is invalid: expected store keys separated by commas, each of 1 to 20 lowercase letters, "
            f"digits and hyphens, starting with a letter ('{'a' * 21}' is not one).",
        ),
        (
            "nord,",
            "PORTAL_REGIONS is invalid: expected store keys separated by commas, each of 1 to 20 lowercase letters, "
            "digits and hyphens, starting with a letter ('' is not one).",
        ),
    ],
)
def test_a_malformed_key_is_refused(regions: str, message: str) -> None:
    assert refused(base_env(PORTAL_REGIONS=regions, **NORD)) == message


def test_a_key_of_twenty_characters_is_accepted() -> None:
    key = "sud-est-2-nord-ouest"
    settings = Settings.from_env(
        base_env(
            PORTAL_REGIONS=key,
            PORTAL_REGION_SUD_EST_2_NORD_OUEST_URL="https://long.test",
            PORTAL_REGION_SUD_EST_2_NORD_OUEST_LABEL_FR="Long",
            PORTAL_REGION_SUD_EST_2_NORD_OUEST_LABEL_EN="Long",
        )
    )
    assert len(key) == 20
    assert settings.regions[0].key == key


def test_a_key_given_twice_is_refused() -> None:
    assert (
        refused(base_env(PORTAL_REGIONS="nord, sud-est, nord", **NORD, **SUD_EST))
        == "PORTAL_REGIONS is invalid: expected each store key once ('nord' is there twice)."
    )


def test_the_home_key_is_reserved() -> None:
    assert (
        refused(base_env(PORTAL_REGIONS="nord,home", **NORD))
        == "PORTAL_REGIONS is invalid: expected store keys other than 'home', the name of the store of "
        "PORTAL_STORE_URL."
    )


def test_keys_whose_variables_would_clash_are_refused() -> None:
    """`nord`'s TOKEN_URL and `nord-token`'s URL would be one variable: neither store could be told which."""
    assert (
        refused(base_env(PORTAL_REGIONS="nord,nord-token", **NORD))
        == "PORTAL_REGIONS is invalid: expected store keys whose variables do not clash (PORTAL_REGION_NORD_TOKEN_URL "
        "would belong to 'nord' and 'nord-token')."
    )


@pytest.mark.parametrize("url", [STORE, STORE + "/", STORE.replace("store.test", "STORE.test")])
def test_a_region_on_the_home_store_url_is_refused(url: str) -> None:
    assert (
        refused(regions_env(PORTAL_REGION_SUD_EST_URL=url))
        == "PORTAL_REGION_SUD_EST_URL is invalid: store 'sud-est' (PORTAL_REGIONS) needs a URL of its own, not that "
        "of the home store (PORTAL_STORE_URL)."
    )


def test_two_regions_on_one_url_are_refused() -> None:
    assert (
        refused(regions_env(PORTAL_REGION_SUD_EST_URL="https://nord.test/fhir/"))
        == "PORTAL_REGION_SUD_EST_URL is invalid: store 'sud-est' (PORTAL_REGIONS) needs a URL of its own, not that "
        "of store 'nord' (PORTAL_REGION_NORD_URL)."
    )


def test_client_credentials_needs_a_token_url() -> None:
    env = regions_env(
        PORTAL_REGION_NORD_AUTH="client_credentials",
        PORTAL_REGION_NORD_CLIENT_ID="portal",
        PORTAL_REGION_NORD_CLIENT_SECRET=CLIENT_SECRET,
    )
    assert (
        refused(env) == "PORTAL_REGION_NORD_TOKEN_URL is missing: store 'nord' (PORTAL_REGIONS) needs a value when "
        "PORTAL_REGION_NORD_AUTH=client_credentials."
    )
    del env["PORTAL_REGION_NORD_CLIENT_SECRET"]
    env["PORTAL_REGION_NORD_TOKEN_URL"] = "https://auth.nord.test/token"
    assert (
        refused(env) == "PORTAL_REGION_NORD_CLIENT_SECRET is missing: store 'nord' (PORTAL_REGIONS) needs a value "
        "when PORTAL_REGION_NORD_AUTH=client_credentials."
    )


def test_mtls_needs_a_certificate(tmp_path: Path) -> None:
    key = tmp_path / "nord.key"
    key.write_text("key")
    env = regions_env(PORTAL_REGION_SUD_EST_AUTH="mtls", PORTAL_REGION_SUD_EST_KEY_FILE=str(key))
    assert (
        refused(env) == "PORTAL_REGION_SUD_EST_CERT_FILE is missing: store 'sud-est' (PORTAL_REGIONS) needs a value "
        "when PORTAL_REGION_SUD_EST_AUTH=mtls."
    )


@pytest.mark.parametrize(
    ("typo", "message"),
    [
        (
            "PORTAL_REGION_NORD_URLL",
            "PORTAL_REGION_NORD_URLL is not a setting of the portal: did you mean PORTAL_REGION_NORD_URL?",
        ),
        (
            "PORTAL_REGION_SUD_EST_TOKENURL",
            "PORTAL_REGION_SUD_EST_TOKENURL is not a setting of the portal: did you "
            "mean PORTAL_REGION_SUD_EST_TOKEN_URL?",
        ),
    ],
)
def test_a_mistyped_field_is_refused_naming_the_right_one(typo: str, message: str) -> None:
    assert refused(regions_env(**{typo: "https://nord.test/fhir"})) == message


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            base_env(**NORD),
            "PORTAL_REGION_NORD_LABEL_EN is not a setting of the portal: store 'nord' is not in PORTAL_REGIONS "
            "(declared: none).",
        ),
        (
            regions_env(PORTAL_REGION_NROD_URL="https://nord.test/fhir"),
            "PORTAL_REGION_NROD_URL is not a setting of the portal: store 'nrod' is not in PORTAL_REGIONS "
            "(declared: nord, sud-est).",
        ),
        (
            regions_env(PORTAL_REGION_SUD_TOKEN_URL="https://auth.sud.test/token"),
            "PORTAL_REGION_SUD_TOKEN_URL is not a setting of the portal: store 'sud' is not in PORTAL_REGIONS "
            "(declared: nord, sud-est).",
        ),
    ],
)
def test_a_variable_of_an_undeclared_store_is_refused(env: dict[str, str], message: str) -> None:
    """Without this, a store left out of PORTAL_REGIONS (or a misspelt key) would silently not be read."""
    assert refused(env) == message


def test_a_store_field_that_regions_do_not_have_is_refused() -> None:
    """A regional store has the connection fields of the home store only, not its retries, caches or breaker."""
    assert refused(regions_env(PORTAL_REGION_NORD_RETRIES="3")) == (
        "PORTAL_REGION_NORD_RETRIES is not a setting of the portal: the variables of store 'nord' end in URL, "
        "LABEL_FR, LABEL_EN, AUTH, TOKEN_URL, CLIENT_ID, CLIENT_SECRET, SCOPE, CERT_FILE, KEY_FILE, CA_FILE, "
        "CONNECT_TIMEOUT or READ_TIMEOUT."
    )


def test_secrets_stay_out_of_the_repr() -> None:
    settings = Settings.from_env(
        regions_env(
            PORTAL_REGION_NORD_AUTH="client_credentials",
            PORTAL_REGION_NORD_TOKEN_URL="https://auth.nord.test/token",
            PORTAL_REGION_NORD_CLIENT_ID="portal",
            PORTAL_REGION_NORD_CLIENT_SECRET=CLIENT_SECRET,
            PORTAL_STORE_AUTH="client_credentials",
            PORTAL_STORE_TOKEN_URL="https://auth.store.test/token",
            PORTAL_STORE_CLIENT_ID="portal",
            PORTAL_STORE_CLIENT_SECRET="home-store-client-secret-never-logged",
            PORTAL_METRICS_TOKEN="metrics-token-0123456789-0123456789-abc",
        )
    )
    shown = repr(settings) + repr(settings.regions[0]) + str(settings.regions)
    assert "token_url='https://auth.nord.test/token'" in shown
    for secret in (
        CLIENT_SECRET,
        "home-store-client-secret-never-logged",
        base_env()["PORTAL_SECRET_KEY"],
        base_env()["PORTAL_OIDC_CLIENT_SECRET"],
        "metrics-token-0123456789-0123456789-abc",
    ):
        assert secret not in shown
    assert [f.name for f in fields(RegionSettings) if not f.repr] == ["store_client_secret"]


def test_the_store_auth_of_a_region_is_its_own(tmp_path: Path) -> None:
    cert, key = tmp_path / "sud-est.crt", tmp_path / "sud-est.key"
    cert.write_text("cert")
    key.write_text("key")
    settings = Settings.from_env(
        regions_env(
            PORTAL_REGION_NORD_AUTH="client_credentials",
            PORTAL_REGION_NORD_TOKEN_URL="https://auth.nord.test/token",
            PORTAL_REGION_NORD_CLIENT_ID="portal-nord",
            PORTAL_REGION_NORD_CLIENT_SECRET=CLIENT_SECRET,
            PORTAL_REGION_NORD_SCOPE="system/*.read",
            PORTAL_REGION_SUD_EST_AUTH="MTLS",
            PORTAL_REGION_SUD_EST_CERT_FILE=str(cert),
            PORTAL_REGION_SUD_EST_KEY_FILE=str(key),
        )
    )
    nord, sud_est = settings.regions
    assert StoreAuth.from_settings(nord) == StoreAuth.client_credentials(
        "https://auth.nord.test/token", "portal-nord", CLIENT_SECRET, scope="system/*.read"
    )
    assert StoreAuth.from_settings(sud_est) == StoreAuth.mtls(str(cert), str(key))
    assert StoreAuth.from_settings(settings) == StoreAuth.none()

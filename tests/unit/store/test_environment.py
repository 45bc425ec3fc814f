"""The store's HTTP session reads the process environment once, when it is made (portal.store.transport
StoreSession): proxies and CA bundle as requests would apply them, and no request reads `os.environ` again, so a
thread sending to the store while another changes the environment (pytest does, between phases) cannot fail."""

from __future__ import annotations

import os

import pytest
import responses

from portal.store.auth import StoreAuth
from portal.store.client import FhirClient

STORE = "https://store.test/fhir"


class UnreadableEnvironment(dict[str, str]):
    """An environment whose every read fails: what a request that reads it meets."""

    def _fail(self, *_args: object) -> None:
        raise AssertionError("a request read os.environ")

    __getitem__ = __iter__ = __contains__ = get = items = keys = _fail  # type: ignore[assignment]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_proxies_and_bundle_are_those_of_the_environment_when_the_client_was_made(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    environment.setenv("NO_PROXY", "localhost,.internal.test")
    environment.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/region-ca.pem")
    session = FhirClient(STORE).session
    environment.setenv("HTTPS_PROXY", "http://elsewhere.test:8080")
    environment.delenv("REQUESTS_CA_BUNDLE")

    settings = session.merge_environment_settings(f"{STORE}/Patient", {}, None, None, None)
    assert settings["proxies"]["https"] == "http://proxy.test:3128"
    assert settings["verify"] == "/etc/ssl/region-ca.pem"
    for bypassed in ("https://localhost:8443/fhir/Patient", "https://store.internal.test/fhir/Patient"):
        assert "https" not in session.merge_environment_settings(bypassed, {}, None, None, None)["proxies"]
    explicit = session.merge_environment_settings(STORE, {"https": "http://mine.test:1"}, None, "/ca.pem", None)
    assert explicit["proxies"]["https"] == "http://mine.test:1"
    assert explicit["verify"] == "/ca.pem"


def test_the_stores_own_ca_file_wins_over_the_environments_bundle(environment: pytest.MonkeyPatch) -> None:
    """PORTAL_STORE_CA_FILE is the integrator's word for this store; requests alone would let REQUESTS_CA_BUNDLE, set
    in many base images, override it."""
    environment.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = FhirClient(STORE, auth=StoreAuth.none(ca_bundle="/etc/portal/store-tls/ca.pem")).session
    assert session.merge_environment_settings(STORE, {}, None, None, None)["verify"] == "/etc/portal/store-tls/ca.pem"


def test_no_proxy_names_hosts_domains_ports_networks_or_everything(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("https_proxy", "http://proxy.test:3128")
    environment.setenv("no_proxy", " store.test:8443 , .region.test")
    session = FhirClient(STORE).session

    def proxied(url: str) -> bool:
        return "https" in session.merge_environment_settings(url, {}, None, None, None)["proxies"]

    assert proxied("https://store.test/fhir")
    assert not proxied("https://store.test:8443/fhir")
    assert not proxied("https://a.region.test/fhir")
    assert not proxied("https://region.test/fhir")
    assert proxied("https://notregion.test/fhir")
    environment.setenv("no_proxy", "10.20.0.0/16, not/a-network")
    session = FhirClient(STORE).session
    assert not proxied("https://10.20.3.4/fhir")
    assert proxied("https://10.21.3.4/fhir")
    assert proxied("https://store.test/fhir")
    environment.setenv("no_proxy", "*")
    assert "https" not in FhirClient(STORE).session.merge_environment_settings(STORE, {}, None, None, None)["proxies"]


def test_an_ipv6_network_in_no_proxy_is_bypassed_too(environment: pytest.MonkeyPatch) -> None:
    """requests itself compares only IPv4 addresses with the networks of `no_proxy`; a store on an IPv6 network
    the integrator named there is reached directly all the same."""
    environment.setenv("https_proxy", "http://proxy.test:3128")
    environment.setenv("no_proxy", "fd00::/8")
    session = FhirClient(STORE).session
    assert not session.merge_environment_settings("https://[fd00::5]:8443/fhir", {}, None, None, None)["proxies"]
    assert session.merge_environment_settings("https://[2001:db8::5]/fhir", {}, None, None, None)["proxies"]


def test_no_request_reads_the_environment_once_the_client_is_made(
    environment: pytest.MonkeyPatch, mock: responses.RequestsMock
) -> None:
    environment.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    client = FhirClient(STORE, cache_ttl=0)
    mock.get(f"{STORE}/Patient", json={"resourceType": "Bundle", "type": "searchset", "entry": []})
    environment.setattr(os, "environ", UnreadableEnvironment())
    assert client.search("Patient", {"identifier": "x"}) == []

"""The example Kubernetes manifests parse, fit together, and keep the portal's security posture."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from portal.ops.settings_doc import IMAGE_VARIABLES
from portal.settings import PREFIX, Settings

K8S = Path(__file__).resolve().parents[3] / "deploy" / "k8s"
SETTINGS = {PREFIX + f.name.upper(): f for f in fields(Settings)}


def documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found.extend(doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc)
    return found


def one(kind: str, name: str = "pps-portal") -> dict[str, Any]:
    [doc] = [d for d in documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


@pytest.fixture
def container() -> dict[str, Any]:
    [portal] = one("Deployment")["spec"]["template"]["spec"]["containers"]
    return portal


def test_every_manifest_parses_and_the_four_kinds_are_there() -> None:
    kinds = {doc["kind"] for doc in documents()}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
    for doc in documents():
        assert doc["apiVersion"] and doc["metadata"]["name"]


def test_the_container_runs_read_only_as_nobody_without_privileges(container: dict[str, Any]) -> None:
    pod = one("Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["automountServiceAccountToken"] is False
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]


def test_the_only_writable_places_are_memory(container: dict[str, Any]) -> None:
    volumes = {v["name"]: v for v in one("Deployment")["spec"]["template"]["spec"]["volumes"]}
    writable = {m["mountPath"]: m["name"] for m in container["volumeMounts"] if not m.get("readOnly")}
    assert set(writable) == {"/tmp", "/dev/shm"}  # noqa: S108  # mount points, not files
    for name in writable.values():
        assert volumes[name]["emptyDir"]["medium"] == "Memory"


def test_probes_ask_health_endpoints_with_the_public_host(container: dict[str, Any]) -> None:
    public_host = urlsplit(one("ConfigMap")["data"]["PORTAL_PUBLIC_URL"]).hostname
    paths = {}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        paths[probe] = get["path"]
        # The portal answers 400 to any Host but its own (and PORTAL_TRUSTED_HOSTS).
        assert {"name": "Host", "value": public_host} in get["httpHeaders"]
    assert paths == {"startupProbe": "/readyz", "readinessProbe": "/healthz", "livenessProbe": "/healthz"}


def test_every_variable_is_a_setting_and_secrets_stay_in_the_secret() -> None:
    config = one("ConfigMap")["data"]
    secret = one("Secret")["stringData"]
    image_variables = {name for name, _default, _doc in IMAGE_VARIABLES}
    for name in config:
        assert name in SETTINGS or name in image_variables, f"{name} is not a setting"
        if name in SETTINGS:
            assert not SETTINGS[name].metadata["secret"], f"{name} is a secret: it belongs in the Secret"
    for name in secret:
        assert SETTINGS[name].metadata["secret"], f"{name} is not a secret"
    required = {name for name, f in SETTINGS.items() if f.metadata["required"]}
    assert required <= set(config) | set(secret)


def test_several_workers_only_with_redis() -> None:
    config = one("ConfigMap")["data"]
    if int(config.get("GUNICORN_WORKERS", "1")) > 1:
        assert "PORTAL_REDIS_URL" in one("Secret")["stringData"]


def test_the_pieces_point_at_each_other(container: dict[str, Any]) -> None:
    deployment = one("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert one("Service")["spec"]["selector"].items() <= labels.items()
    assert one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"].items() <= labels.items()
    target = one("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "pps-portal")
    assert one("HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 2
    assert one("Service")["spec"]["ports"][0]["targetPort"] == container["ports"][0]["name"]
    sources = {next(iter(s.values()))["name"] for s in container["envFrom"]}
    assert sources == {one("ConfigMap")["metadata"]["name"], one("Secret")["metadata"]["name"]}
    mounts = {v["secret"]["secretName"] for v in deployment["spec"]["template"]["spec"]["volumes"] if "secret" in v}
    for name in mounts:
        one("Secret", name)
    assert one("ConfigMap")["data"]["PORTAL_STORE_CERT_FILE"].startswith("/etc/portal/store-tls/")


def test_the_ingress_ends_tls_as_the_one_proxy_hop() -> None:
    ingress = one("Ingress")
    host = urlsplit(one("ConfigMap")["data"]["PORTAL_PUBLIC_URL"]).hostname
    assert ingress["spec"]["tls"][0]["hosts"] == [host]
    assert ingress["spec"]["rules"][0]["host"] == host
    assert one("ConfigMap")["data"]["PORTAL_PROXY_HOPS"] == "1"

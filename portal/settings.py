"""Every setting of the portal, in one place: its type, default and meaning, read from `PORTAL_*` variables at the first
step of `create_app`."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import Field, dataclass, field, fields
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from limits import parse_many

PREFIX = "PORTAL_"
REGION_PREFIX = PREFIX + "REGION_"
#: The key of the store of PORTAL_STORE_URL, which no other regional store may take.
HOME_KEY = "home"
REGION_KEY_RULE = "1 to 20 lowercase letters, digits and hyphens, starting with a letter"
_REGION_KEY = re.compile(r"[a-z][a-z0-9-]{0,19}")


class SettingsError(Exception):
    """A setting is missing or invalid: the start stops with one readable line naming the variable and saying what
    it expects."""


def _refuse_unknown(env: Mapping[str, str], known: list[str], regions: Sequence[str] = ()) -> None:
    """A `PORTAL_*` variable that is no setting is a typo that would silently leave the default in force."""
    for name in sorted(env):
        if name.startswith(PREFIX) and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
            hint = _region_hint(name, regions) or (
                f"did you mean {close[0]}?" if close else "see docs/configuration.md for every setting."
            )
            raise SettingsError(f"{name} is not a setting of the portal: {hint}")


def _region_hint(name: str, regions: Sequence[str]) -> str | None:
    """What is wrong with a `PORTAL_REGION_*` variable that is no setting, rather than a near name of another store:
    its store is not in PORTAL_REGIONS (`PORTAL_REGION_SUD_URL`), or it names no field (`PORTAL_REGION_NORD_URLL`).
    """
    if not name.startswith(REGION_PREFIX):
        return None
    rest = name.removeprefix(REGION_PREFIX)
    for suffix in sorted(REGION_FIELDS.values(), key=len, reverse=True):  # TOKEN_URL before URL
        middle = rest.removesuffix("_" + suffix)
        key = middle.lower().replace("_", "-")
        if middle != rest and middle == middle.upper() and _REGION_KEY.fullmatch(key) and key not in regions:
            return f"store {key!r} is not in PORTAL_REGIONS (declared: {', '.join(regions) or 'none'})."
    for key in sorted(regions, key=len, reverse=True):  # sud-est before sud
        if name.startswith(region_prefix(key)):
            ends = list(REGION_FIELDS.values())
            close = difflib.get_close_matches(name.removeprefix(region_prefix(key)), ends, n=1, cutoff=0.75)
            if close:
                return f"did you mean {region_prefix(key)}{close[0]}?"
            return f"the variables of store {key!r} end in {', '.join(ends[:-1])} or {ends[-1]}."
    return None


# ---------------------------------------------------------------------------------------------------------
# Parsers: each takes the raw string and returns the typed value or raises ValueError("what it expects").


def _text(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ValueError("a non-empty value")
    return value


def _url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an absolute http(s) URL such as https://example.org/path")
    if parts.username or parts.password:
        raise ValueError("a URL without user or password in it (use the dedicated secret settings)")
    return value


def _secret(raw: str) -> str:
    value = raw.strip()
    if len(value) < 32:
        raise ValueError("a random secret of at least 32 characters")
    return value


def _int(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"a whole number between {low} and {high}") from None
        if not low <= value <= high:
            raise ValueError(f"a whole number between {low} and {high}")
        return value

    return parse


def _float(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise ValueError(f"a number between {low:g} and {high:g}") from None
        if not low <= value <= high:
            raise ValueError(f"a number between {low:g} and {high:g}")
        return value

    return parse


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("true or false")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError("one of " + ", ".join(allowed))
        return value

    return parse


def _words(raw: str) -> tuple[str, ...]:
    values = tuple(raw.replace(",", " ").split())
    if not values:
        raise ValueError("one or more words separated by spaces")
    return values


def _path(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ValueError("a file path")
    if not os.path.isfile(value):
        raise ValueError(f"the path of an existing file ({value} is not one)")
    return value


def _redis_url(raw: str) -> str:
    value = raw.strip()
    if urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise ValueError("a Redis URL such as redis://host:6379/0, rediss://… or unix://…")
    return value


def parse_sentinels(values: Sequence[str]) -> list[tuple[str, int]]:
    """`host:port` words → (host, port) pairs; ValueError naming what is wrong."""
    pairs = []
    for value in values:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("host:port pairs separated by spaces, such as 10.0.0.1:26379 10.0.0.2:26379")
        pairs.append((host.strip("[]"), int(port)))
    return pairs


def _sentinels(raw: str) -> tuple[str, ...]:
    values = _words(raw)
    parse_sentinels(values)  # ValueError says what is expected
    return values


def _region_keys(raw: str) -> tuple[str, ...]:
    keys = tuple(item.strip() for item in raw.split(","))
    variables: dict[str, str] = {}
    for index, key in enumerate(keys):
        if not _REGION_KEY.fullmatch(key):
            raise ValueError(f"store keys separated by commas, each of {REGION_KEY_RULE} ({key!r} is not one)")
        if key == HOME_KEY:
            raise ValueError(f"store keys other than {HOME_KEY!r}, the name of the store of PORTAL_STORE_URL")
        if key in keys[:index]:
            raise ValueError(f"each store key once ({key!r} is there twice)")
        for name in region_variables(key):
            if name in variables:  # 'nord' and 'nord-token' would both read PORTAL_REGION_NORD_TOKEN_URL
                raise ValueError(
                    f"store keys whose variables do not clash ({name} would belong to {variables[name]!r} and {key!r})"
                )
            variables[name] = key
    return keys


def _rate_limits(raw: str) -> str:
    try:
        parse_many(raw)
    except ValueError:
        raise ValueError("rate limits such as '20 per minute; 200 per hour'") from None
    return raw.strip()


# ---------------------------------------------------------------------------------------------------------


def setting(
    parse: Callable[[str], Any],
    doc: str,
    default: Any = None,
    *,
    required: bool = False,
    secret: bool = False,
) -> Any:
    """Declare one setting: how to parse it, what it means, and its default (None with required=True). A secret
    is left out of the repr, so that logging the settings never writes it."""
    return field(
        default=default,
        repr=not secret,
        metadata={"parse": parse, "doc": doc, "required": required, "secret": secret},
    )


def _read(env: Mapping[str, str], name: str, declared: Field[Any], expected: str = "expected") -> Any:
    """The value of variable `name` parsed as `declared` says, or its default when unset (an empty value counts
    as unset); else a SettingsError "<name> is missing (or invalid): <expected> <what is expected>"."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        if declared.metadata["required"]:
            what = declared.metadata.get("expects") or _expects(declared.metadata["parse"])
            raise SettingsError(f"{name} is missing: {expected} {what}.")
        return declared.default
    try:
        return declared.metadata["parse"](raw)
    except ValueError as exc:
        raise SettingsError(f"{name} is invalid: {expected} {exc}.") from None


#: What each PORTAL_STORE_AUTH needs besides: the same for the home store and for each regional store.
_STORE_AUTH_NEEDS = {
    "client_credentials": ("store_token_url", "store_client_id", "store_client_secret"),
    "mtls": ("store_cert_file", "store_key_file"),
}


@dataclass(frozen=True)
class Settings:
    """The portal's configuration. Field `store_url` is read from `PORTAL_STORE_URL`, and so on."""

    secret_key: str = setting(
        _secret,
        "Key that signs the session cookie; a random string of at least 32 characters.",
        required=True,
        secret=True,
    )
    public_url: str = setting(
        _url, "Address where people reach the portal, used to build the sign-in redirect URIs.", required=True
    )
    store_url: str = setting(_url, "Base URL of the regional FHIR R4 store (PDSm).", required=True)
    store_label_fr: str | None = setting(
        _text,
        'Public name of the platform and region of the store, in French (for example "DCC de la région '
        'Exemple-Sud"), to tell its records from those of the stores of PORTAL_REGIONS.',
    )
    store_label_en: str | None = setting(_text, "Public name of the platform and region of the store, in English.")
    store_auth: str = setting(
        _choice("none", "client_credentials", "mtls"),
        "How the portal authenticates to the store: none, client_credentials (OAuth2) or mtls.",
        "none",
    )
    store_token_url: str | None = setting(_url, "OAuth2 token endpoint for store_auth=client_credentials.")
    store_client_id: str | None = setting(_text, "OAuth2 client id for store_auth=client_credentials.")
    store_client_secret: str | None = setting(
        _text, "OAuth2 client secret for store_auth=client_credentials.", secret=True
    )
    store_scope: str | None = setting(_text, "OAuth2 scope asked for the store token (optional).")
    store_cert_file: str | None = setting(_path, "Client certificate (PEM) for store_auth=mtls.")
    store_key_file: str | None = setting(_path, "Private key (PEM) of the client certificate for store_auth=mtls.")
    store_ca_file: str | None = setting(_path, "CA bundle used to verify the store (optional).")
    store_connect_timeout: float = setting(_float(0.1, 30), "Seconds to wait for a connection to the store.", 3.05)
    store_read_timeout: float = setting(_float(0.1, 60), "Seconds to wait for each answer of the store.", 5.0)
    store_retries: int = setting(_int(0, 5), "Retries of a failed store read (GET only).", 2)
    store_cache_ttl: int = setting(_int(0, 3600), "Seconds a store search answer is reused.", 30)
    store_cache_bytes: int = setting(
        _int(0, 4 * 1024**3),
        "Largest size of the store answer cache, in bytes: per process, or of the whole shared cache with Redis. "
        "Besides it, each process keeps the records read from search answers in a sixteenth of it, at most 2 MB.",
        32 * 1024**2,
    )
    plan_cache_bytes: int = setting(
        _int(0, 4 * 1024**3),
        "Largest size of the parsed care plans kept per process, in bytes (a full plan takes about 100-150 KB).",
        16 * 1024**2,
    )
    page_cache_bytes: int = setting(
        _int(0, 4 * 1024**3),
        "Largest size of the rendered plan pages kept per process, in bytes (0: none kept). A page is kept for "
        "its own session only, and no longer than the store answers it was built from are reused.",
        8 * 1024**2,
    )
    document_max_bytes: int = setting(
        _int(1024, 100 * 1024**2),
        "Largest document the portal accepts from the store, in bytes.",
        5 * 1024**2,
    )
    pdf_workers: int = setting(
        _int(1, 16),
        "Processes of each web worker that make the PDFs (WeasyPrint runs there, never in the worker itself), "
        "started on the first PDF.",
        1,
    )
    pdf_queue: int = setting(
        _int(1, 100),
        "PDFs a web worker makes or waits for at once (at least PORTAL_PDF_WORKERS); one more is answered with a "
        "'try again in a minute' page (503).",
        4,
    )
    pdf_timeout: float = setting(
        _float(0.1, 300),
        "Seconds a PDF may take, waiting included; then the person is asked to try again and its process replaced.",
        20.0,
    )
    pdf_cache_bytes: int = setting(
        _int(0, 4 * 1024**3),
        "Largest size of the PDFs kept per web worker, in bytes (0: none kept; a plan's PDF takes about 35 KB).",
        8 * 1024**2,
    )
    page_time_budget: float = setting(
        _float(0.5, 60),
        "Seconds a page may take when the store is slow: its calls to the store, all together, end a twentieth of it "
        "earlier, then the page answers with what it has.",
        5.0,
    )
    store_breaker_failures: int = setting(
        _int(1, 100), "Consecutive store failures after which the portal stops calling it for a while.", 5
    )
    store_breaker_cool_down: float = setting(
        _float(1, 600),
        "Seconds the portal waits before trying a failing store again (each time up to a third more, at random).",
        3.0,
    )
    store_stale_seconds: int = setting(
        _int(0, 7 * 86400),
        "Seconds a last good copy of a store answer is kept, to show while the store fails (0: never).",
        6 * 3600,
    )
    store_stale_bytes: int = setting(
        _int(0, 4 * 1024**3), "Largest size of the last good copies, in bytes, per process.", 32 * 1024**2
    )
    regions: tuple[RegionSettings, ...] = setting(
        _region_keys,
        "Keys of the other regional FHIR stores the portal reads besides the store of PORTAL_STORE_URL, separated "
        f"by commas, each of {REGION_KEY_RULE} ('{HOME_KEY}' is taken); each is configured by "
        "PORTAL_REGION_<KEY>_* variables (see Regional stores below). Unset: the one store.",
        (),
    )
    oidc_issuer: str = setting(_url, "Issuer URL of the patient identity provider (FranceConnect+).", required=True)
    oidc_client_id: str = setting(_text, "Client id of the portal at the patient identity provider.", required=True)
    oidc_client_secret: str = setting(
        _text, "Client secret of the portal at the patient identity provider.", required=True, secret=True
    )
    oidc_scopes: tuple[str, ...] = setting(
        _words, "Scopes asked of the patient identity provider.", ("openid", "profile")
    )
    oidc_acr_values: str = setting(
        _text, "Assurance level asked of the patient identity provider, and the lowest accepted.", "eidas2"
    )
    oidc_subject_system: str = setting(
        _text,
        "Identifier system under which the store links a patient provider 'sub' to a Patient or RelatedPerson.",
        required=True,
    )
    pro_oidc_issuer: str | None = setting(
        _url, "Issuer URL of the professional identity provider (Pro Santé Connect); unset disables it."
    )
    pro_oidc_client_id: str | None = setting(_text, "Client id of the portal at the professional provider.")
    pro_oidc_client_secret: str | None = setting(
        _text, "Client secret of the portal at the professional provider.", secret=True
    )
    pro_oidc_acr_values: str = setting(
        _text, "Assurance level asked of the professional provider, and the lowest accepted.", "eidas1"
    )
    pro_rpps_claim: str = setting(
        _text, "Claim of the professional provider's ID token that carries the RPPS number.", "SubjectNameID"
    )
    audit_queue_size: int = setting(
        _int(10, 100_000), "Access records kept in memory, per process, while the store cannot take them.", 1000
    )
    audit_coalesce_seconds: int = setting(
        _int(0, 3600),
        "Seconds within which the same view again (same person, page and version) makes no second AuditEvent.",
        60,
    )
    audit_timeout: float = setting(
        _float(0.1, 10), "Seconds one write of an access record to the store may take before it is retried.", 2.0
    )
    oidc_timeout: float = setting(
        _float(0.1, 30),
        "Seconds an identity provider has to send a whole answer (discovery, keys, token, userinfo).",
        5.0,
    )
    oidc_metadata_ttl: int = setting(
        _int(60, 86400),
        "Seconds an identity provider's discovery document is reused before it is read again.",
        3600,
    )
    session_idle_minutes: int = setting(_int(1, 240), "Minutes without activity before the session ends.", 15)
    session_max_hours: int = setting(_int(1, 24), "Hours after sign-in when the session ends anyway.", 12)
    dev_insecure_http: bool = setting(
        _bool,
        "Development only: allow cookies over plain http on 127.0.0.1. Never in production.",
        False,
    )
    redis_url: str | None = setting(
        _redis_url,
        "Redis shared by every worker and instance: sessions, back-channel logout, rate limits and store answers. "
        "Required unless PORTAL_DEV_INSECURE_HTTP is set (then unset keeps them in the memory of one process). With "
        "PORTAL_REDIS_SENTINELS only its password, database and scheme (rediss: TLS) are used.",
        secret=True,
    )
    redis_sentinels: tuple[str, ...] = setting(
        _sentinels,
        "Redis Sentinel addresses (host:port, separated by spaces): the portal asks them where the primary is, "
        "and follows a failover.",
        (),
    )
    redis_sentinel_service: str | None = setting(
        _text, "Name under which the sentinels know the primary (required with PORTAL_REDIS_SENTINELS)."
    )
    redis_sentinel_password: str | None = setting(
        _text, "Password of the sentinels themselves, when they ask one.", secret=True
    )
    redis_timeout: float = setting(
        _float(0.05, 5),
        "Seconds to wait for Redis on each call; after 3 failures in a row, calls fail at once for about 2 s.",
        0.25,
    )
    trusted_hosts: tuple[str, ...] = setting(
        _words, "Host names accepted besides the public URL's (for example an internal probe's); others get 400.", ()
    )
    rate_limit_sign_in: str = setting(
        _rate_limits,
        "Requests to /login, and separately to /auth/callback, allowed from one address.",
        "30 per minute; 300 per hour",
    )
    default_locale: str = setting(_choice("fr", "en"), "Language shown when the browser expresses no choice.", "fr")
    help_contact: str = setting(
        _text,
        "Who a person should contact when no care plan is linked to their account (shown as is).",
        "l'équipe qui vous soigne ou le centre de coordination en cancérologie (3C) de votre hôpital",
    )
    accessibility_contact: str = setting(
        _text,
        "E-mail address where people report an accessibility problem (accessibility statement, legal pages).",
        "accessibilite@example.org",
    )
    proxy_hops: int = setting(
        _int(0, 5),
        "Number of reverse proxies in front of the portal (0: none). Their X-Forwarded-For and X-Forwarded-Proto "
        "are trusted, so that rate limits count the real client address.",
        0,
    )
    log_level: str = setting(
        _choice("debug", "info", "warning", "error"),
        "Lowest level of the JSON log lines on stderr (info: one line per request).",
        "info",
    )
    metrics_token: str | None = setting(
        _secret,
        "Bearer token Prometheus sends to read /metrics (at least 32 characters); unset: /metrics does not exist.",
        secret=True,
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from `PORTAL_*` variables (or a given mapping), or raise SettingsError."""
        env = os.environ if environ is None else environ
        declared = {f.name: f for f in fields(cls)}
        # PORTAL_REGIONS first: the PORTAL_REGION_<KEY>_* variables it declares are settings too.
        keys: tuple[str, ...] = _read(env, PREFIX + "REGIONS", declared.pop("regions"))
        known = [PREFIX + f.name.upper() for f in fields(cls)]
        _refuse_unknown(env, known + [name for key in keys for name in region_variables(key)], keys)
        values = {name: _read(env, PREFIX + name.upper(), f) for name, f in declared.items()}
        settings = cls(**values, regions=tuple(RegionSettings.from_env(env, key) for key in keys))
        settings.check_consistency()
        return settings

    def check_consistency(self) -> None:
        """Settings that only make sense together."""
        if self.store_auth in _STORE_AUTH_NEEDS:
            self._require(_STORE_AUTH_NEEDS[self.store_auth], f"PORTAL_STORE_AUTH={self.store_auth}")
        self._check_regions()
        if self.pdf_queue < self.pdf_workers:
            raise SettingsError(
                f"PORTAL_PDF_QUEUE is invalid: expected at least PORTAL_PDF_WORKERS ({self.pdf_workers}), not "
                f"{self.pdf_queue}: the other processes would never get a PDF to make."
            )
        if self.pro_oidc_issuer is not None:
            self._require(("pro_oidc_client_id", "pro_oidc_client_secret"), "PORTAL_PRO_OIDC_ISSUER is set")
        if self.redis_sentinels:
            self._require(("redis_sentinel_service",), "PORTAL_REDIS_SENTINELS is set")
        if self.dev_insecure_http and urlsplit(self.public_url).hostname not in (
            "127.0.0.1",
            "localhost",
            "::1",
        ):
            raise SettingsError(
                "PORTAL_DEV_INSECURE_HTTP is invalid: expected false unless PORTAL_PUBLIC_URL is on loopback."
            )
        if not self.dev_insecure_http and urlsplit(self.public_url).scheme != "https":
            raise SettingsError(
                "PORTAL_PUBLIC_URL is invalid: expected an https URL (or PORTAL_DEV_INSECURE_HTTP=true on loopback)."
            )

    def _require(self, names: tuple[str, ...], when: str) -> None:
        for name in names:
            if getattr(self, name) is None:
                raise SettingsError(f"{PREFIX}{name.upper()} is missing: expected a value when {when}.")

    def _check_regions(self) -> None:
        """Each regional store is another store: two keys on one URL would show one store's records twice."""
        taken = {_same_store(self.store_url): "the home store (PORTAL_STORE_URL)"}
        for region in self.regions:
            region.check_consistency()
            url = _same_store(region.store_url)
            if url in taken:
                raise SettingsError(
                    f"{region.variable('store_url')} is invalid: {region.needs} a URL of its own, not that of "
                    f"{taken[url]}."
                )
            taken[url] = f"store {region.key!r} ({region.variable('store_url')})"

    def label(self, lang: str) -> str | None:
        """The public name of the home store's platform and region in `lang` (fr or en), else in the other
        language: a proper name read in French is better than none."""
        if lang == "en":
            return self.store_label_en or self.store_label_fr
        return self.store_label_fr or self.store_label_en

    @property
    def pro_enabled(self) -> bool:
        return self.pro_oidc_issuer is not None

    @property
    def redis_enabled(self) -> bool:
        """Whether a shared Redis is configured (by URL or through sentinels)."""
        return bool(self.redis_url or self.redis_sentinels)

    def check_serving(self, workers: int = 1) -> None:
        """What a server needs besides valid settings (`portal.wsgi`, and gunicorn's config before it forks):
        sessions that outlive a restart, and never several processes each with sessions of its own."""
        if not self.redis_enabled and not self.dev_insecure_http:
            raise SettingsError(
                "PORTAL_REDIS_URL is missing: expected a Redis URL (or PORTAL_REDIS_SENTINELS), so that sessions "
                "outlive a restart; only PORTAL_DEV_INSECURE_HTTP=true keeps them in memory."
            )
        if not self.redis_enabled and workers > 1:
            raise SettingsError(
                f"GUNICORN_WORKERS is invalid: expected 1 without PORTAL_REDIS_URL, not {workers}: each worker would "
                "keep sessions of its own and sign people out at random."
            )


_EXPECTS: dict[Callable[[str], Any], str] = {
    _secret: "a random secret of at least 32 characters",
    _url: "an absolute http(s) URL",
    _text: "a non-empty value",
    _words: "one or more words separated by spaces",
    _path: "a file path",
}


def _expects(parse: Callable[[str], Any]) -> str:
    return _EXPECTS.get(parse, "a value")


def describe() -> list[tuple[str, str, str, str]]:
    """(variable, type, default, meaning) for every setting: the source of the configuration reference."""
    return [(PREFIX + f.name.upper(), *_description(f)) for f in fields(Settings)]


def describe_region() -> list[tuple[str, str, str, str, str]]:
    """(variable pattern, home store's variable or "", type, default, meaning) for each variable of a regional
    store, such as `PORTAL_REGION_<KEY>_URL`, which reads like PORTAL_STORE_URL."""
    rows = []
    for f in fields(RegionSettings):
        if "parse" in f.metadata:
            home = PREFIX + f.name.upper() if f.name in Settings.__dataclass_fields__ else ""
            rows.append((REGION_PREFIX + "<KEY>_" + REGION_FIELDS[f.name], home, *_description(f)))
    return rows


def _description(f: Field[Any]) -> tuple[str, str, str]:
    default = "required" if f.metadata["required"] else ("" if f.default is None else _show(f.default))
    return _type_name(f.type), default, f.metadata["doc"]


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def _type_name(annotation: object) -> str:
    text = str(annotation)
    text = text.replace("tuple[RegionSettings, ...]", "list of store keys")
    return text.replace("tuple[str, ...]", "list of words").replace(" | None", " (optional)")


def _same_store(url: str) -> str:
    """A store URL as compared with the others: scheme and host name are case-insensitive."""
    parts = urlsplit(url)
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def _home_store(name: str) -> Any:
    """A regional store's field declared as the home store's field `name`: same parser, default, meaning and
    secrecy, so that a region's PORTAL_REGION_<KEY>_CONNECT_TIMEOUT reads exactly like PORTAL_STORE_CONNECT_TIMEOUT.
    """
    home = Settings.__dataclass_fields__[name]
    if home.metadata["required"]:
        return field(metadata=home.metadata)
    return field(default=home.default, repr=not home.metadata["secret"], metadata=home.metadata)


def _region_setting(doc: str, expects: str) -> Any:
    """A required text of a regional store: a field with no default."""
    return field(metadata={"parse": _text, "doc": doc, "required": True, "secret": False, "expects": expects})


@dataclass(frozen=True)
class RegionSettings:
    """Another regional FHIR store the portal reads besides the home one: declared by its key in PORTAL_REGIONS,
    configured by the `PORTAL_REGION_<KEY>_<FIELD>` variables (`sud-est`: PORTAL_REGION_SUD_EST_URL…).

    Its store fields bear the names of the home store's in `Settings`, so that what reads the home store's
    settings (`StoreAuth.from_settings`) reads a region's alike."""

    key: str
    store_url: str = _home_store("store_url")
    label_fr: str = _region_setting(
        'Public name of the platform and region of this store, in French (for example "DCC de la région '
        "Exemple-Nord\"), to tell its records from the other stores'.",
        "the public name of its platform and region, in French",
    )
    label_en: str = _region_setting(
        "Public name of the platform and region of this store, in English.",
        "the public name of its platform and region, in English",
    )
    store_auth: str = _home_store("store_auth")
    store_token_url: str | None = _home_store("store_token_url")
    store_client_id: str | None = _home_store("store_client_id")
    store_client_secret: str | None = _home_store("store_client_secret")
    store_scope: str | None = _home_store("store_scope")
    store_cert_file: str | None = _home_store("store_cert_file")
    store_key_file: str | None = _home_store("store_key_file")
    store_ca_file: str | None = _home_store("store_ca_file")
    store_connect_timeout: float = _home_store("store_connect_timeout")
    store_read_timeout: float = _home_store("store_read_timeout")

    @classmethod
    def from_env(cls, env: Mapping[str, str], key: str) -> RegionSettings:
        """Read store `key`'s `PORTAL_REGION_<KEY>_*` variables, or raise SettingsError naming the variable and
        the store."""
        values: dict[str, Any] = {"key": key}
        for f in fields(cls):
            if "parse" in f.metadata:
                values[f.name] = _read(env, region_prefix(key) + REGION_FIELDS[f.name], f, _needs(key))
        region = cls(**values)
        region.check_consistency()
        return region

    def check_consistency(self) -> None:
        """The rules of the home store: client_credentials needs a token URL, a client id and secret, mtls a
        certificate and its key."""
        for name in _STORE_AUTH_NEEDS.get(self.store_auth, ()):
            if getattr(self, name) is None:
                raise SettingsError(
                    f"{self.variable(name)} is missing: {self.needs} a value when "
                    f"{self.variable('store_auth')}={self.store_auth}."
                )

    @property
    def needs(self) -> str:
        return _needs(self.key)

    def variable(self, name: str) -> str:
        """The variable of field `name` of this store: `store_url` of `nord` → PORTAL_REGION_NORD_URL."""
        return region_prefix(self.key) + REGION_FIELDS[name]

    def label(self, lang: str) -> str:
        """The public name of this store's platform and region in `lang` (fr or en)."""
        return self.label_en if lang == "en" else self.label_fr


def _needs(key: str) -> str:
    return f"store {key!r} (PORTAL_REGIONS) needs"


#: RegionSettings field → the end of its variable's name: store_url → URL (PORTAL_REGION_<KEY>_URL).
REGION_FIELDS = {f.name: f.name.removeprefix("store_").upper() for f in fields(RegionSettings) if "parse" in f.metadata}


def region_prefix(key: str) -> str:
    """Where the variables of store `key` start: `sud-est` → PORTAL_REGION_SUD_EST_."""
    return f"{REGION_PREFIX}{key.upper().replace('-', '_')}_"


def region_variables(key: str) -> list[str]:
    """Every variable of store `key`, in the order of RegionSettings."""
    return [region_prefix(key) + suffix for suffix in REGION_FIELDS.values()]


if TYPE_CHECKING:
    from portal.store.auth import StoreAuthSettings

    def _a_region_is_store_auth_settings(region: RegionSettings) -> StoreAuthSettings:
        return region  # mypy: StoreAuth.from_settings(region) reads a region as it reads the home store

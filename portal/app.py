"""`create_app`: the app wired in the order of the data path — settings, sessions, sign-in, store, pages, operations,
and the steps around every request."""

from __future__ import annotations

from collections.abc import Mapping

from authlib.integrations.flask_client import OAuth
from flask import Flask, Response, session
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import access
from portal.access.trail import AuditTrail
from portal.auth import pro, views
from portal.auth import session as sessions
from portal.auth.oidc import OidcProvider, ProviderConfig
from portal.auth.session import PortalSession, ServerSessionInterface, SessionsUnavailable, make_store
from portal.exports.pdf_pool import PdfPool
from portal.ops import heap, logs, metrics
from portal.paths import STATIC, TEMPLATES, TRANSLATIONS
from portal.plans.loader import PlanLoader
from portal.settings import RegionSettings, Settings
from portal.store import FhirClient, StoreAuth
from portal.store.breaker import DEFAULT_JITTER, CircuitBreaker
from portal.store.redis_cache import RedisResponseCache
from portal.store.stale import StaleCopies
from portal.web import (
    access_log,
    assets,
    budget,
    calendar_add,
    choose,
    compression,
    csrf,
    display,
    documents,
    errors,
    extensions,
    health,
    history,
    i18n,
    info,
    lastseen,
    limits,
    navigation,
    pages,
    plan,
    rcp,
    recording,
    rendered,
    security,
    viewing,
    voice,
)
from portal.web.language_templates import LanguageEnvironment, compile_all

__all__ = ["create_app"]


def create_app(config: Settings | Mapping[str, str] | None = None) -> Flask:
    """Build the app from `Settings`, from a mapping of `PORTAL_*` variables, or from the environment."""
    settings = config if isinstance(config, Settings) else Settings.from_env(config)

    app = Flask(
        "portal",
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    app.jinja_environment = LanguageEnvironment  # each template compiled once per language (before jinja_env is made)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        PREFERRED_URL_SCHEME="http" if settings.dev_insecure_http else "https",
        MAX_CONTENT_LENGTH=64 * 1024,  # the portal takes forms and logout tokens, never uploads
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        # Referrer-Policy: same-origin gives other sites no Referer; portal.web.security checks Origin instead.
        WTF_CSRF_SSL_STRICT=False,
    )
    app.jinja_env.undefined = StrictUndefined  # a typo in a template fails loudly
    app.extensions["portal.settings"] = settings

    _setup_sessions(app, settings)
    _setup_sign_in(app, settings)
    _setup_store(app, settings)
    _setup_web(app, settings)
    _setup_operations(app, settings)
    _setup_requests(app)
    return app


def ready_to_serve(app: Flask) -> None:
    """What a process that serves does once its app is built (`portal.wsgi`, the benchmarks' `bench.wsgi`), never
    `create_app`, whose tests keep the defaults: every template compiled in each language before the first request
    (`language_templates.compile_all`), then what the app holds moved out of the cycle collector's way
    (`ops.heap.settle`)."""
    compile_all(app)
    heap.settle()


def _setup_sessions(app: Flask, settings: Settings) -> None:
    idle = settings.session_idle_minutes * 60
    store = make_store(settings, idle)
    app.extensions["portal.sessions"] = store
    app.session_interface = ServerSessionInterface(
        store,
        idle_seconds=idle,
        max_seconds=settings.session_max_hours * 3600,
        secure=not settings.dev_insecure_http,
        secret_key=settings.secret_key,
    )
    csrf.MaskedCSRFProtect(app)  # the token masked afresh for every answer (BREACH)


def _setup_sign_in(app: Flask, settings: Settings) -> None:
    oauth = OAuth(app)
    providers = {
        "patient": OidcProvider(
            oauth,
            ProviderConfig(
                name="patient",
                issuer=settings.oidc_issuer,
                client_id=settings.oidc_client_id,
                client_secret=settings.oidc_client_secret,
                scopes=settings.oidc_scopes,
                acr_values=settings.oidc_acr_values,
                timeout=settings.oidc_timeout,
                metadata_ttl=settings.oidc_metadata_ttl,
            ),
        )
    }
    if settings.pro_oidc_issuer and settings.pro_oidc_client_id and settings.pro_oidc_client_secret:
        providers["pro"] = OidcProvider(
            oauth,
            ProviderConfig(
                name="pro",
                issuer=settings.pro_oidc_issuer,
                client_id=settings.pro_oidc_client_id,
                client_secret=settings.pro_oidc_client_secret,
                scopes=("openid", "profile"),
                acr_values=settings.pro_oidc_acr_values,
                timeout=settings.oidc_timeout,
                extra_claims=(settings.pro_rpps_claim,),
                metadata_ttl=settings.oidc_metadata_ttl,
            ),
        )
    app.extensions["portal.providers"] = providers
    app.register_blueprint(views.bp)

    app.register_blueprint(pro.bp)


def _setup_store(app: Flask, settings: Settings) -> None:
    shared_cache = None
    if settings.redis_enabled and settings.store_cache_ttl > 0 and settings.store_cache_bytes > 0:
        # Several instances: one cache of store answers, as for sessions.
        shared_cache = RedisResponseCache(
            sessions.shared_redis(settings),
            ttl=settings.store_cache_ttl,
            max_bytes=settings.store_cache_bytes,
        )
    home = _store_client(settings, settings, shared_cache)
    app.extensions["portal.store"] = home
    app.extensions["portal.plans"] = _plan_loader(home, settings)


def _store_client(
    settings: Settings, store: Settings | RegionSettings, shared_cache: RedisResponseCache | None
) -> FhirClient:
    return FhirClient(
        store.store_url,
        connect_timeout=store.store_connect_timeout,
        read_timeout=store.store_read_timeout,
        retries=settings.store_retries,
        cache_ttl=settings.store_cache_ttl,
        cache_max_bytes=settings.store_cache_bytes,
        auth=StoreAuth.from_settings(store),
        cache=shared_cache,
        breaker=CircuitBreaker(
            failure_threshold=settings.store_breaker_failures,
            cool_down=settings.store_breaker_cool_down,
            jitter=DEFAULT_JITTER,
        ),
        # Shown, with the time it was fetched, while the store fails (portal.web.budget says so on the page).
        last_good=StaleCopies(max_age=settings.store_stale_seconds, max_bytes=settings.store_stale_bytes)
        if settings.store_stale_seconds > 0 and settings.store_stale_bytes > 0
        else None,
    )


def _plan_loader(client: FhirClient, settings: Settings) -> PlanLoader:
    return PlanLoader(client, max_bytes=settings.document_max_bytes, cache_bytes=settings.plan_cache_bytes)


def _setup_web(app: Flask, settings: Settings) -> None:
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Paris"  # every date is shown in French time
    app.extensions["portal.pool"] = extensions.make_pool(1 + len(settings.regions))
    # WeasyPrint runs in these processes only, started on the first PDF: a web worker never loads it.
    app.extensions["portal.pdf_pool"] = PdfPool(
        workers=settings.pdf_workers,
        queue=settings.pdf_queue,
        timeout=settings.pdf_timeout,
        cache_bytes=settings.pdf_cache_bytes,
    )
    app.extensions["portal.access.trail"] = _trail(app.extensions["portal.store"], settings, access.HOME)
    # Every store with its client, plan loader and access trail (the record of a view goes to the store that holds
    # the document viewed). Another region's store has its own client (credentials, timeouts, breaker, last good
    # copies) and plan cache, since ids are only unique within a store; a shared Redis cache is the home store's only.
    app.extensions["portal.regions"] = {
        access.HOME: extensions.Region(
            access.HOME,
            settings.store_label_fr,
            settings.store_label_en,
            app.extensions["portal.store"],
            app.extensions["portal.plans"],
            app.extensions["portal.access.trail"],
        ),
    }
    for region in settings.regions:
        client = _store_client(settings, region, None)
        app.extensions["portal.regions"][region.key] = extensions.Region(
            region.key,
            region.label_fr,
            region.label_en,
            client,
            _plan_loader(client, settings),
            _trail(client, settings, region.key),
        )
    i18n.init_app(app, str(TRANSLATIONS))
    issuers = [settings.oidc_issuer] + ([settings.pro_oidc_issuer] if settings.pro_oidc_issuer else [])
    security.init_app(app, form_targets=issuers)
    for part in (health, pages, plan, history, documents, choose, access_log, calendar_add, rcp, info, display):
        part.init_app(app)  # the routes
    for part in (viewing, rendered, lastseen, voice, budget, errors):
        part.init_app(app)  # what pages share: who is viewing, kept pages, marks, wording, notices, error pages
    app.jinja_env.globals["here"] = navigation.here  # this page's path, safe to repeat in a link or a form
    limits.init_app(app)
    assets.init_app(app)  # static files: hashed names, compressed, from memory


def _trail(client: FhirClient, settings: Settings, store: str) -> AuditTrail:
    return AuditTrail(
        client,
        settings.secret_key,
        store=store,
        queue_size=settings.audit_queue_size,
        timeout=settings.audit_timeout,
        coalesce_seconds=settings.audit_coalesce_seconds,
    )


def _setup_requests(app: Flask) -> None:
    """The steps around every request, in the order they run: one hook before, one after, one at the end."""

    @app.before_request
    def before() -> None:
        logs.start()  # every request is timed and has an id, even one refused next
        metrics.start()
        security.check_request()  # unknown hosts, other origins, missing CSRF tokens: before anything else
        if isinstance(session, PortalSession) and session.unavailable:
            raise SessionsUnavailable()  # who this browser is cannot be read: the portal's own page, never a guess
        budget.open_budget()  # one store deadline for the whole request

    @app.after_request
    def after(response: Response) -> Response:
        recording.record(response)  # the access record of what the page showed
        lastseen.set_cookie(response)  # "new since your last visit"
        security.write_headers(response)  # CSP with this answer's nonce (narrower for a document shown inline)
        csrf.fresh_tokens(response)  # no two answers carry the same token bytes (BREACH)
        compression.compress(response)  # brotli or gzip, the body's last change
        metrics.observe(response)
        logs.finish(response)  # its one log line, last
        return response

    @app.teardown_request
    def finally_(exc: BaseException | None) -> None:
        budget.close_budget()
        logs.unfinished(exc)


def _setup_operations(app: Flask, settings: Settings) -> None:
    if settings.proxy_hops:
        # The proxies' X-Forwarded-For / -Proto: rate limits see the real client, URLs the real scheme.
        # The Host header must be passed through by the proxy (X-Forwarded-Host is not trusted).
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    logs.install(app)
    metrics.install(app, settings)

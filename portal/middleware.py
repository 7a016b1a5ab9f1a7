"""The portal's own middleware: request ids and request logs, Permissions-Policy, bad input
answered early, database outages answered with a 503, session lifetimes by role."""

import json
import logging
import re
import time
import uuid
from urllib.parse import urlsplit

import sentry_sdk
from csp import middleware as csp_middleware
from django.conf import settings
from django.contrib.auth import logout
from django.core.signals import request_finished
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone

from cites.views import client_address
from portal import errors, health
from portal.logs import request_id_var

request_logger = logging.getLogger("portal.requetes")
database_logger = logging.getLogger("portal.database")

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """An id for each request (X-Request-ID), on every log record of the request and sent back;
    then one log line for the request (logger portal.requetes, level INFO).

    The id of a trusted proxy (TRUSTED_PROXIES > 0) is kept, so that its logs and ours match."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if settings.TRUSTED_PROXIES and REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is closed (request_finished): Django logs 4xx and 5xx answers
        # after the middleware returned them.
        request_id_var.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if request_logger.isEnabledFor(logging.INFO) and not request.path.startswith("/sante/"):  # not the probes
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": client_address(request),
                    "cache": response.get("X-Cache", ""),
                },
            )
        return response


def _forget_request_id(**kwargs) -> None:
    request_id_var.set("-")


request_finished.connect(_forget_request_id)


class HealthMiddleware:
    """/sante/vivant/ and /sante/pret/ (portal.health), answered before anything checks the host
    name or redirects to HTTPS: a load balancer probes each server by its address, in HTTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == health.LIVENESS_PATH:
            return _health_response(200, {"statut": "vivant"})
        if request.path == health.READINESS_PATH:
            ready, details = health.readiness()
            return _health_response(
                200 if ready else 503, {"statut": "pret" if ready else "indisponible", "verifications": details}
            )
        return self.get_response(request)


def _health_response(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, with the origin of the map tiles (settings.MAP_TILES_URL, read at
    each response) allowed as an image source."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        origin = url_origin(settings.MAP_TILES_URL)
        if origin:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", []), origin]
            parts.update = update
        return parts


def url_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class PermissionsPolicyMiddleware:
    """Permissions-Policy from settings.PERMISSIONS_POLICY: {feature: [allowed origins]}."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.setdefault("Permissions-Policy", self.header)
        return response


NUL_MESSAGE = "Requête invalide : l’adresse ou les paramètres contiennent un caractère nul (%00)."


class NulCharacterMiddleware:
    """A NUL character in the path or the query string is a 400: no database stores it
    (PostgreSQL refuses it), no page or filter means it. Forms reject it field by field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
        ):
            return errors.error_response(
                request,
                status=400,
                titre="Requête invalide",
                message="L’adresse demandée contient un caractère nul (%00), qu’aucune page n’accepte.",
                explication="Vérifiez l’adresse dans la barre de votre navigateur.",
                erreur_api=NUL_MESSAGE,
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """The database cannot be reached (or did not answer in time): 503 with Retry-After, a DSFR page
    or JSON under /api/, instead of a 500. Logged when an outage starts, not for each request."""

    _logged_at = 0.0
    LOG_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not errors.database_unavailable(exception):
            return None
        now = time.monotonic()
        cls = type(self)
        if now - cls._logged_at > self.LOG_EVERY_SECONDS:
            cls._logged_at = now
            database_logger.error("Base de données injoignable : %s (réponses 503 jusqu’au retour).", exception)
        return errors.service_unavailable(request)


SESSION_DEBUT = "_portail_session_debut"
SESSION_RAFRAICHIE = "_portail_session_rafraichie"
# The expiry of an active session is pushed back at most this often (one session write).
RAFRAICHISSEMENT_SECONDES = 60


class SessionLifetimeMiddleware:
    """Sessions end after a time of inactivity that depends on the role, and agents' after
    SESSION_AGENT_DUREE_MAX at most.

    Agents (staff users: the back office) stay signed in SESSION_AGENT_INACTIVITE seconds after
    their last request, never more than SESSION_AGENT_DUREE_MAX seconds after they signed in;
    porteurs SESSION_PORTEUR_INACTIVITE seconds after their last request. Each request of a
    signed-in user pushes the expiry back (at most once a minute, so one session write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._apply(request, user)
        response = self.get_response(request)
        # Signed in by this very request: the clock starts now.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and SESSION_DEBUT not in request.session:
            self._apply(request, user)
        return response

    def _apply(self, request, user) -> None:
        session = request.session
        now = int(timezone.now().timestamp())
        debut = session.setdefault(SESSION_DEBUT, now)
        if user.is_staff:
            elapsed = now - debut
            if elapsed >= settings.SESSION_AGENT_DUREE_MAX:
                logout(request)
                return
            age = min(settings.SESSION_AGENT_INACTIVITE, settings.SESSION_AGENT_DUREE_MAX - elapsed)
        else:
            age = settings.SESSION_PORTEUR_INACTIVITE
        # The session then expires `age` seconds after this write: never later than the agents' maximum.
        if now - session.get(SESSION_RAFRAICHIE, 0) >= RAFRAICHISSEMENT_SECONDES:
            session[SESSION_RAFRAICHIE] = now
            session.set_expiry(age)


COMPRESSIBLE_TYPES = (
    "text/html",
    "text/csv",
    "text/plain",
    "application/json",
    "application/geo+json",
    "application/problem+json",
    "application/xml",
    "application/vnd.oai.openapi",
)


class PublicGZipMiddleware(GZipMiddleware):
    """Gzip the public, anonymous answers (HTML, JSON, CSV): about a fifth of their size.

    Never a response that holds a secret an attacker could guess byte by byte through the
    compressed length (BREACH): none for a logged-in user, none when the response carries a
    CSRF token (a form on the page) or sets the session or CSRF cookie."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in COMPRESSIBLE_TYPES:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return response
        # get_token() ({% csrf_token %} in the page) marks the request with CSRF_COOKIE_NEEDS_UPDATE.
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return response
        if settings.CSRF_COOKIE_NAME in response.cookies or settings.SESSION_COOKIE_NAME in response.cookies:
            return response
        return super().process_response(request, response)

"""E-mail alerts (services): « une nouvelle cité éducative dans mon département » — and, once the
yearly synthesis of the revues de projet exists (issue 13), « une nouvelle synthèse ».

- Double opt-in: `abonnement_demander` records a pending subscription and sends a confirmation
  link; nothing is sent before `abonnement_confirmer`. Asking twice changes nothing visible (no
  one learns whether an address is subscribed).
- One-click unsubscribe (RFC 8058): every alert carries `List-Unsubscribe` and
  `List-Unsubscribe-Post`; `abonnement_supprimer` deletes the subscription and its history.
- `alertes_nouvelles_cites_envoyer` announces to each confirmed subscriber the published cités of
  its département that entered the portal after its confirmation, each once (AlerteEnvoi is
  unique per subscriber and cité). E-mails go through the django-tasks tasks of `cites.tasks`.
- Unconfirmed requests are forgotten after `CONFIRMATION_JOURS` days.
"""

import hashlib
import secrets
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cites.models import Abonnement, AlerteEnvoi, CiteEducative, Departement
from portal.emails import email_render

CONFIRMATION_JOURS = 7
SUJETS_OUVERTS = [Abonnement.Sujet.NOUVELLE_CITE]  # issue 13 adds NOUVELLE_SYNTHESE with its sender


def _url(name: str, jeton: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"jeton": jeton})


def alerte_email(*, template: str, context: dict, abonnement: Abonnement) -> dict:
    """The subject, body and headers of an e-mail about `abonnement` (first line: the subject)."""
    desinscription = _url("cites:alertes_desinscription", abonnement.jeton)
    sujet, corps = email_render(
        template=f"cites/emails/{template}.txt",
        context={
            **context,
            "abonnement": abonnement,
            "url_confirmation": _url("cites:alertes_confirmation", abonnement.jeton),
            "url_desinscription": desinscription,
        },
    )
    headers = {}
    if abonnement.confirme_le is not None:
        headers = {"List-Unsubscribe": f"<{desinscription}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return {"subject": sujet, "body": corps, "to": [abonnement.email], "headers": headers}


def _send_on_commit(message: dict) -> None:
    from cites.tasks import alerte_email_send

    transaction.on_commit(lambda: alerte_email_send.enqueue(**message))


def alerte_rate_limited(*, client_key: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one subscription request from this client (hashed); True beyond `limit` in the window."""
    key = "alertes:" + hashlib.sha256(client_key.encode()).hexdigest()
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit


@transaction.atomic
def abonnement_demander(*, email: str, departement: Departement, sujet: str = Abonnement.Sujet.NOUVELLE_CITE) -> None:
    """Ask for an alert: a pending subscription and a confirmation e-mail (again if still pending);
    an address already confirmed for it gets nothing new."""
    email = email.strip().lower()
    abonnement, cree = Abonnement.objects.get_or_create(
        email=email, departement=departement, sujet=sujet, defaults={"jeton": secrets.token_urlsafe(32)}
    )
    if not cree and abonnement.confirme_le is not None:
        return
    _send_on_commit(alerte_email(template="alerte_confirmation", context={}, abonnement=abonnement))


def abonnement_get(*, jeton: str) -> Abonnement | None:
    return Abonnement.objects.select_related("departement").filter(jeton=jeton).first() if jeton else None


@transaction.atomic
def abonnement_confirmer(*, abonnement: Abonnement) -> Abonnement:
    if abonnement.confirme_le is None:
        abonnement.confirme_le = timezone.now()
        abonnement.save(update_fields=["confirme_le"])
    return abonnement


def abonnement_supprimer(*, abonnement: Abonnement) -> None:
    """Unsubscribe: the address and what was sent to it are deleted."""
    abonnement.delete()


def abonnements_expires_supprimer(*, now=None) -> int:
    """Forget the requests never confirmed within CONFIRMATION_JOURS days."""
    limite = (now or timezone.now()) - timedelta(days=CONFIRMATION_JOURS)
    deleted, _ = Abonnement.objects.filter(confirme_le__isnull=True, cree_le__lt=limite).delete()
    return deleted


def alertes_nouvelles_cites_envoyer() -> int:
    """Announce to each confirmed subscriber the new published cités of its département (those
    that entered the portal after the confirmation), once each. Returns the e-mails queued."""
    abonnements = list(
        Abonnement.objects.filter(sujet=Abonnement.Sujet.NOUVELLE_CITE, confirme_le__isnull=False).select_related(
            "departement"
        )
    )
    if not abonnements:
        return 0
    departements = {abonnement.departement_id for abonnement in abonnements}
    liens = (
        CiteEducative.communes.through.objects.filter(
            citeeducative__publiee=True, commune__departement_id__in=departements
        )
        .values_list("commune__departement_id", "citeeducative_id", "citeeducative__publiee_le")
        .distinct()
    )
    cites_par_departement: dict[int, dict[int, object]] = defaultdict(dict)
    for departement_id, cite_id, publiee_le in liens:
        cites_par_departement[departement_id][cite_id] = publiee_le
    deja = set(AlerteEnvoi.objects.filter(abonnement__in=abonnements).values_list("abonnement_id", "cle"))
    noms = {}
    envoyes = 0
    for abonnement in abonnements:
        nouvelles = [
            cite_id
            for cite_id, publiee_le in cites_par_departement[abonnement.departement_id].items()
            if publiee_le > abonnement.confirme_le and (abonnement.pk, f"cite-{cite_id}") not in deja
        ]
        if not nouvelles:
            continue
        annoncees = []
        for cite_id in nouvelles:
            try:
                with transaction.atomic():
                    AlerteEnvoi.objects.create(abonnement=abonnement, cle=f"cite-{cite_id}")
            except IntegrityError:  # announced meanwhile by a concurrent run
                continue
            annoncees.append(cite_id)
        if not annoncees:
            continue
        missing = [pk for pk in annoncees if pk not in noms]
        for cite in CiteEducative.objects.filter(pk__in=missing).only("nom", "slug"):
            noms[cite.pk] = cite
        cites = sorted((noms[pk] for pk in annoncees), key=lambda cite: cite.nom)
        message = alerte_email(
            template="alerte_nouvelle_cite",
            context={
                "cites": [(cite.nom, settings.SITE_URL + cite.get_absolute_url()) for cite in cites],
                "departement": abonnement.departement,
            },
            abonnement=abonnement,
        )
        _send_on_commit(message)
        envoyes += 1
    return envoyes

"""Reminders of the cités' deadlines (issue 13), sent by `manage.py rappels_cites` every day.

Each deadline not done gets a reminder 30 days and 7 days before its date, the day after it, and
30 days after it. The référents of the cité (référents, CPO, principal of the collège chef de
file) and its contact address receive them all; the regional agents of the cité's région from 7
days before on. A reminder is recorded (cites.RappelEnvoi, unique per deadline, step and date) in
the same transaction as its e-mail is queued: run twice a day, nothing is sent twice; a deadline
moved by an agent re-arms its reminders; a step missed (the task did not run) is not sent late
when a later one is due — only the latest step due is sent.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from candidatures.emails import email_on_commit
from candidatures.selectors import agents_emails
from cites.echeances import echeances_mettre_a_jour
from cites.models import Echeance, PersonneCite, RappelEnvoi

# (step, days from the deadline, whether the regional agents receive it)
ETAPES = [("J-30", -30, False), ("J-7", -7, True), ("J+1", 1, True), ("J+30", 30, True)]


def etape_due(*, echeance: Echeance, today: datetime.date) -> tuple[str, int, bool] | None:
    """The latest reminder step due today for `echeance` (None before J-30 or after J+30 + 30 days)."""
    ecart = (today - echeance.date).days
    dues = [etape for etape in ETAPES if ecart >= etape[1]]
    if not dues or ecart > ETAPES[-1][1] + 30:
        return None
    return dues[-1]


def _region_id(echeance: Echeance) -> int | None:
    communes = sorted(
        echeance.cite.communes.all(), key=lambda c: c.departement.region.code if c.departement.region else ""
    )
    for commune in communes:
        if commune.departement.region_id is not None:
            return commune.departement.region_id
    return None


def echeance_destinataires(*, echeance: Echeance, agents: bool) -> list[str]:
    referents = [p.email for p in echeance.cite.personnes.all() if p.actif and p.role in PersonneCite.ROLES_REFERENTS]
    destinataires = referents + ([echeance.cite.contact_email] if echeance.cite.contact_email else [])
    if agents:
        destinataires += agents_emails(region_id=_region_id(echeance))
    return sorted(set(destinataires))


def rappels_cites_envoyer(*, today: datetime.date) -> dict[str, int]:
    """Update the deadlines from the labels, then send the reminders due `today`."""
    compte = echeances_mettre_a_jour(today=today)
    compte.update({"rappels": 0, "sans_destinataire": 0})
    debut = today - datetime.timedelta(days=ETAPES[-1][1] + 30)
    fin = today + datetime.timedelta(days=-ETAPES[0][1])
    echeances = (
        Echeance.objects.filter(faite_le=None, date__gte=debut, date__lte=fin, cite__publiee=True)
        .select_related("cite")
        .prefetch_related("cite__personnes", "cite__communes__departement__region")
    )
    for echeance in echeances:
        etape = etape_due(echeance=echeance, today=today)
        if etape is None:
            continue
        nom, _jours, agents = etape
        destinataires = echeance_destinataires(echeance=echeance, agents=agents)
        if not destinataires:
            compte["sans_destinataire"] += 1
            continue
        cle = f"{nom}:{echeance.date.isoformat()}"
        try:
            with transaction.atomic():
                RappelEnvoi.objects.create(echeance=echeance, cle=cle, destinataires=", ".join(destinataires))
                email_on_commit(
                    template="rappel_echeance",
                    context={
                        "echeance": echeance,
                        "cite": echeance.cite,
                        "en_retard": echeance.date < today,
                        "jours": abs((echeance.date - today).days),
                        "url": settings.SITE_URL + reverse("admin:cites_echeance_change", args=[echeance.pk]),
                    },
                    to=destinataires,
                )
        except IntegrityError:
            continue  # already sent (another run, the same day)
        compte["rappels"] += 1
    return compte

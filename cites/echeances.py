"""The deadlines of a cité, computed from its label (issue 13).

The rules, written once (DESIGN.md §9; sources on /sources/):
- the label date is the date of the label decision when known, else 1 January of the label year;
- the convention-cadre is due 6 months after the label, the evaluation protocol 12 months after;
- a revue de projet is due every year on 30 June, from the year after the label to the end of the
  funding (at most next year: later revues are computed when their year comes);
- the funding ends on the cité's recorded end, else on 31 December of the label year + 2 (three
  years: the cités labelled in 2022 re-applied at the end of 2024 for 2025–2027);
- the renewal window opens 6 months before the end of the funding and closes 3 months before it.

A date an agent changed (`modifiee`) is never recomputed; a deadline done stays done.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from cites.models import CiteEducative, Echeance, EvenementLabel

MOIS_CONVENTION = 6
MOIS_PROTOCOLE = 12
REVUE_JOUR = (6, 30)
DUREE_LABEL_ANS = 3
RENOUVELLEMENT_OUVERTURE_MOIS = 6
RENOUVELLEMENT_CLOTURE_MOIS = 3


def _plus_mois(date: datetime.date, mois: int) -> datetime.date:
    annee, index = divmod(date.month - 1 + mois, 12)
    annee_finale, mois_final = date.year + annee, index + 1
    return datetime.date(annee_finale, mois_final, min(date.day, calendar.monthrange(annee_finale, mois_final)[1]))


def cite_date_label(*, cite: CiteEducative) -> datetime.date | None:
    label = cite.evenements.filter(type=EvenementLabel.Type.LABEL).exclude(date=None).order_by("date").first()
    if label is not None:
        return label.date
    return datetime.date(cite.annee_label, 1, 1) if cite.annee_label else None


@dataclass(frozen=True)
class EcheanceCalculee:
    type: str
    annee: int
    date: datetime.date
    debut: datetime.date | None = None


def echeances_calculer(*, cite: CiteEducative, today: datetime.date) -> list[EcheanceCalculee]:
    """The deadlines the rules above give for `cite` (none without a label year)."""
    debut = cite_date_label(cite=cite)
    if debut is None:
        return []
    annee = debut.year
    fin = cite.fin_financement or datetime.date(annee + DUREE_LABEL_ANS - 1, 12, 31)
    echeances = [
        EcheanceCalculee(Echeance.Type.CONVENTION, annee, _plus_mois(debut, MOIS_CONVENTION)),
        EcheanceCalculee(Echeance.Type.PROTOCOLE, annee, _plus_mois(debut, MOIS_PROTOCOLE)),
        EcheanceCalculee(Echeance.Type.FIN_FINANCEMENT, annee, fin),
        EcheanceCalculee(
            Echeance.Type.RENOUVELLEMENT,
            annee,
            _plus_mois(fin, -RENOUVELLEMENT_CLOTURE_MOIS),
            _plus_mois(fin, -RENOUVELLEMENT_OUVERTURE_MOIS),
        ),
    ]
    for annee_revue in range(annee + 1, min(fin.year, today.year + 1) + 1):
        echeances.append(EcheanceCalculee(Echeance.Type.REVUE, annee_revue, datetime.date(annee_revue, *REVUE_JOUR)))
    return echeances


def cite_echeances_mettre_a_jour(*, cite: CiteEducative, today: datetime.date) -> dict[str, int]:
    """Create the deadlines of `cite`, move those the rules now put elsewhere (a prolongation moves
    the end of funding), leave alone those an agent changed or marked done."""
    compte = {"creees": 0, "modifiees": 0}
    with transaction.atomic():
        existantes = {(e.type, e.annee): e for e in Echeance.objects.select_for_update().filter(cite=cite)}
        for calculee in echeances_calculer(cite=cite, today=today):
            echeance = existantes.get((calculee.type, calculee.annee))
            if echeance is None:
                Echeance.objects.create(
                    cite=cite, type=calculee.type, annee=calculee.annee, date=calculee.date, debut=calculee.debut
                )
                compte["creees"] += 1
            elif (
                not echeance.modifiee
                and echeance.faite_le is None
                and (echeance.date, echeance.debut) != (calculee.date, calculee.debut)
            ):
                echeance.date, echeance.debut = calculee.date, calculee.debut
                echeance.save(update_fields=["date", "debut"])
                compte["modifiees"] += 1
    return compte


def echeances_mettre_a_jour(*, today: datetime.date) -> dict[str, int]:
    total = {"creees": 0, "modifiees": 0}
    for cite in CiteEducative.objects.published().prefetch_related("evenements"):
        for cle, n in cite_echeances_mettre_a_jour(cite=cite, today=today).items():
            total[cle] += n
    return total


def echeance_list_a_faire(*, today: datetime.date, jours: int = 60) -> QuerySet[Echeance]:
    """Deadlines not done that are overdue or due within `jours` days, the oldest first."""
    return (
        Echeance.objects.filter(faite_le=None, date__lte=today + datetime.timedelta(days=jours), cite__publiee=True)
        .select_related("cite")
        .order_by("date", "cite__nom")
    )

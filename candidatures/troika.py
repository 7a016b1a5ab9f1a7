"""Reads of the troïka's confirmations (issue 13): the fingerprint of a candidature's content, and
where each institution's confirmation stands against it.

A confirmation is for the content confirmed. `candidature_empreinte` is a SHA-256 of everything the
porteur fills in (the fields, choices and rows of every step of candidatures.contenu, and the
attachments by their own SHA-256): a confirmation whose fingerprint differs from today's is
« à renouveler ». Saving a step unchanged (the autosave) keeps the fingerprint; the people of the
candidature and the state of the instruction are not part of it.

Reads the models only, so that the checks (candidatures.verifications) can use it.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from candidatures.contenu import ETAPES
from candidatures.models import Candidature, Etat, PersonneCandidature

# What each institution is called on the confirmation's button and in the summary.
INSTITUTIONS = {
    PersonneCandidature.Role.TROIKA_PREFECTURE: "la préfecture",
    PersonneCandidature.Role.TROIKA_EDUCATION: "l’Éducation nationale",
    PersonneCandidature.Role.TROIKA_COLLECTIVITE: "la collectivité",
}
INSTITUTIONS_COURTES = {
    PersonneCandidature.Role.TROIKA_PREFECTURE: "Préfecture",
    PersonneCandidature.Role.TROIKA_EDUCATION: "Éducation nationale",
    PersonneCandidature.Role.TROIKA_COLLECTIVITE: "Collectivité",
}

# The rows of a step, and the fields of a row that are content (not its id, candidature or order).
_LIGNES = {
    "indicateurs": ["categorie", "libelle", "valeur", "annee", "source"],
    "fiches_action": [
        "titre",
        "objectif",
        "temps_avant",
        "temps_pendant",
        "temps_apres",
        "age_min",
        "age_max",
        "existante",
        "familles_partenaires",
        "partenaires",
        "budget",
        "description",
        "indicateurs",
    ],
    "lignes_budget": ["annee", "cofinanceur", "objet", "montant"],
}


def candidature_contenu_canonique(*, candidature: Candidature) -> dict:
    """The candidature's content as plain data, in a stable order (what the fingerprint hashes)."""
    c = candidature
    contenu: dict = {}
    champs = [champ for etape in ETAPES for champ in etape.champs]
    # What is stored, not what an instance in memory holds.
    contenu.update(
        Candidature.objects.filter(pk=c.pk)
        .values(*[Candidature._meta.get_field(champ.nom).attname for champ in champs if not champ.relation])
        .get()
    )
    for champ in champs:
        if champ.relation:
            contenu[champ.nom] = sorted(getattr(c, champ.nom).values_list("pk", flat=True))
    for relation, noms in _LIGNES.items():
        contenu[relation] = [list(ligne) for ligne in getattr(c, relation).order_by("ordre", "pk").values_list(*noms)]
    contenu["pieces"] = sorted(
        [type_, empreinte or nom] for type_, empreinte, nom in c.pieces.values_list("type", "empreinte", "nom")
    )
    return contenu


def candidature_empreinte(*, candidature: Candidature) -> str:
    texte = json.dumps(candidature_contenu_canonique(candidature=candidature), sort_keys=True, default=str)
    return hashlib.sha256(texte.encode()).hexdigest()


# --- Where each institution stands ------------------------------------------------------------

AUCUN = "aucun"  # no representative named
NON_DEMANDEE = "non_demandee"  # named, no confirmation asked yet
EN_ATTENTE = "en_attente"  # asked, not confirmed
CONFIRMEE = "confirmee"  # confirmed the content as it is now
A_RENOUVELER = "a_renouveler"  # confirmed an earlier content

LIBELLES = {
    AUCUN: "représentant à indiquer",
    NON_DEMANDEE: "confirmation à demander",
    EN_ATTENTE: "confirmation demandée, en attente",
    CONFIRMEE: "confirmée",
    A_RENOUVELER: "à renouveler : la candidature a changé depuis",
}
BADGES = {AUCUN: "warning", NON_DEMANDEE: "warning", EN_ATTENTE: "info", CONFIRMEE: "success", A_RENOUVELER: "warning"}


@dataclass
class ConfirmationTroika:
    role: str
    personne: PersonneCandidature | None
    statut: str

    @property
    def institution(self) -> str:
        return INSTITUTIONS_COURTES[self.role]

    @property
    def libelle(self) -> str:
        return LIBELLES[self.statut]

    @property
    def badge(self) -> str:
        return BADGES[self.statut]

    @property
    def confirmee(self) -> bool:
        return self.statut == CONFIRMEE

    @property
    def confirme_le(self) -> datetime | None:
        return self.personne.confirme_le if self.personne is not None else None

    @property
    def probleme(self) -> str:
        """What is missing, in French ("" when confirmed)."""
        p = self.personne
        debut = f"Troïka — {self.institution.lower()}"
        if self.statut == AUCUN:
            return f"{debut} : indiquez son représentant, puis demandez-lui de confirmer la candidature."
        if self.statut == NON_DEMANDEE:
            return f"{debut} : demandez à {p.nom} de confirmer la candidature."
        if self.statut == EN_ATTENTE:
            demande = timezone.localtime(p.demande_le)
            return f"{debut} : confirmation demandée à {p.nom} le {demande:%d/%m/%Y}, pas encore reçue."
        if self.statut == A_RENOUVELER:
            confirme = timezone.localtime(p.confirme_le)
            return (
                f"{debut} : {p.nom} a confirmé le {confirme:%d/%m/%Y}, mais la candidature a changé depuis : "
                "demandez-lui de confirmer à nouveau."
            )
        return ""


def troika_confirmations(*, candidature: Candidature, empreinte: str | None = None) -> list[ConfirmationTroika]:
    """The three institutions, in order, each with its representative and where its confirmation stands."""
    personnes = {p.role: p for p in candidature.personnes.filter(role__in=PersonneCandidature.ROLES_TROIKA)}
    if empreinte is None and any(p.confirme_le for p in personnes.values()):
        empreinte = candidature_empreinte(candidature=candidature)
    resultat = []
    for role in PersonneCandidature.ROLES_TROIKA:
        p = personnes.get(role)
        if p is None:
            statut = AUCUN
        elif p.confirme_le is not None:
            statut = CONFIRMEE if p.empreinte == empreinte else A_RENOUVELER
        elif p.demande_le is not None:
            statut = EN_ATTENTE
        else:
            statut = NON_DEMANDEE
        resultat.append(ConfirmationTroika(role=role, personne=p, statut=statut))
    return resultat


def troika_problemes(*, candidature: Candidature) -> list[str]:
    """What the call's rule still waits for before the first deposit (empty when the call does not
    require it; a re-deposit after « compléments demandés » does not ask again: the agents see
    on their screen whether the confirmations still match the content)."""
    if not candidature.appel.confirmation_troika_requise or candidature.etat != Etat.BROUILLON:
        return []
    return [c.probleme for c in troika_confirmations(candidature=candidature) if not c.confirmee]

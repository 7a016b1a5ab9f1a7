"""Renewal (issue 13): a candidature pre-filled from the cité it renews — perimeter (communes,
QPVs, schools, collège chef de file), actions, partners, troïka and CPO, and its last revue de
projet — and, for the agents, what changed since the label.

It lives beside the revues (revues → candidatures → partenaires → cites) because it reads the
last revue of the cité; the candidature itself is created by `candidatures.services`.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from candidatures import personnes as candidatures_personnes
from candidatures import services as candidatures_services
from candidatures.models import Candidature, FicheAction
from cites.models import CiteEducative, PersonneCite
from revues.models import Etat, Question, Revue


def cite_list_renouvelables(*, user) -> list[CiteEducative]:
    """The published cités whose communes belong to the porteur's collectivité."""
    profil = getattr(user, "profil_porteur", None)
    if profil is None:
        return []
    membres = set(profil.collectivite.communes.values_list("pk", flat=True))
    if profil.collectivite.commune_id:
        membres.add(profil.collectivite.commune_id)
    return list(CiteEducative.objects.published().filter(communes__in=membres).distinct().order_by("nom"))


def derniere_revue_resume(*, cite: CiteEducative) -> str:
    """The last revue accepted by the ANCT, as text: each answer under its question (files named)."""
    revue = (
        Revue.objects.filter(cite=cite, etat=Etat.ACCEPTEE)
        .select_related("questionnaire")
        .order_by("-questionnaire__annee")
        .first()
    )
    if revue is None:
        derniere = cite.revues.order_by("-annee").first()  # a revue recorded by an agent (cites.RevueProjet)
        return f"Revue de projet {derniere.annee} : {derniere.resume}" if derniere else ""
    reponses = {r.question_id: r for r in revue.reponses.all()}
    lignes = [f"Revue de projet {revue.questionnaire.annee} (acceptée par l'ANCT)"]
    for question in Question.objects.filter(section__questionnaire=revue.questionnaire).select_related("section"):
        reponse = reponses.get(question.pk)
        if reponse is not None and reponse.valeur.strip():
            lignes.append(f"- {question.section.titre} — {question.libelle} : {reponse.valeur.strip()}")
    return "\n".join(lignes)


def candidature_renouvellement_create(*, user, cite: CiteEducative, appel) -> Candidature:
    """A draft renewal candidature, pre-filled from `cite`; the porteur then completes it."""
    if cite not in cite_list_renouvelables(user=user):
        raise ValidationError("Cette cité ne couvre pas les communes de votre collectivité.")
    communes = list(cite.communes.all())
    with transaction.atomic():
        candidature = candidatures_services.candidature_create(user=user, appel=appel, communes=communes)
        candidature.communes.set(communes)
        if cite.qpvs.exists():
            candidature.qpvs.set(cite.qpvs.all())
        candidature.etablissements.set(cite.etablissements.all())
        personnes = {p.role: p for p in cite.personnes.filter(actif=True)}

        def nom(role: str) -> str:
            p = personnes.get(role)
            return f"{p.nom}{', ' + p.fonction if p.fonction else ''}" if p else ""

        cpo = personnes.get(PersonneCite.Role.CPO)
        resume = derniere_revue_resume(cite=cite)
        Candidature.objects.filter(pk=candidature.pk).update(
            renouvellement_de=cite,
            titre=f"Renouvellement — {cite.nom}"[:200],
            college_chef_de_file=cite.college_chef_de_file,
            troika_prefecture=nom(PersonneCite.Role.TROIKA_PREFECTURE),
            troika_education=nom(PersonneCite.Role.TROIKA_EDUCATION),
            troika_collectivite=nom(PersonneCite.Role.TROIKA_COLLECTIVITE),
            chef_de_projet_nom=cpo.nom if cpo else "",
            chef_de_projet_email=cpo.email if cpo else "",
            diagnostic=("Bilan de la période écoulée.\n\n" + resume) if resume else "",
            actions_ressources="\n".join(
                f"- {lien.partenaire.nom}{' : ' + lien.role if lien.role else ''}"
                for lien in cite.liens_partenaires.select_related("partenaire")
            ),
        )
        # The cité's troïka, CPO and principal become the candidature's people, to confirm and invite again.
        candidatures_personnes.personnes_copier_depuis_cite(
            candidature=candidature, personnes=cite.personnes.filter(actif=True).order_by("role", "nom")
        )
        for ordre, action in enumerate(cite.actions.prefetch_related("partenaires"), start=1):
            partenaires = list(action.partenaires.all())
            FicheAction.objects.create(
                candidature=candidature,
                ordre=ordre,
                titre=action.titre,
                objectif=action.objectif,
                temps_avant=action.temps_avant,
                temps_pendant=action.temps_pendant,
                temps_apres=action.temps_apres,
                age_min=action.age_min,
                age_max=action.age_max,
                existante=True,  # it ran during the label
                familles_partenaires=sorted({p.famille for p in partenaires}),
                partenaires=", ".join(p.nom for p in partenaires),
                budget=action.budget,
                description=action.description,
                indicateurs=action.indicateurs,
            )
    candidature.refresh_from_db()
    return candidature


@dataclass
class Difference:
    libelle: str
    ajouts: list[str]
    retraits: list[str]


def renouvellement_differences(*, candidature: Candidature) -> list[Difference]:
    """What the renewal changes from the cité as labelled: communes, QPVs, schools, actions."""
    cite = candidature.renouvellement_de
    if cite is None:
        return []

    def diff(libelle, avant, apres):
        return Difference(libelle, sorted(apres - avant), sorted(avant - apres))

    return [
        diff(
            "Communes",
            {f"{c.nom} ({c.code})" for c in cite.communes.all()},
            {f"{c.nom} ({c.code})" for c in candidature.communes.all()},
        ),
        diff(
            "QPV", {f"{q.code} {q.nom}" for q in cite.qpvs.all()}, {f"{q.code} {q.nom}" for q in candidature.qpvs.all()}
        ),
        diff(
            "Écoles et collèges",
            {f"{e.nom} ({e.uai})" for e in cite.etablissements.all()},
            {f"{e.nom} ({e.uai})" for e in candidature.etablissements.all()},
        ),
        diff("Actions", {a.titre for a in cite.actions.all()}, {f.titre for f in candidature.fiches_action.all()}),
    ]

"""Realistic candidatures in bulk, for benchmarks and development (`manage.py generer_candidatures`).

Real communes that have a QPV in the reference data (so several régions), one collectivité and
one porteur per commune, candidatures spread over every state with the history rows that lead
there, references CE-<year>-<number> taken from the same counters as real deposits, and dates
inside the window of each call for projects. Everything is written with `bulk_create`, in
batches: 10,000 candidatures take seconds.

Every step has a realistic author: the porteur for the draft, the deposit and a withdrawal, an
agent of the région for taking charge, requests for more information and the opinion (that agent
is then the instructeur), a national agent (ANCT) for the decisions. Generated porteurs and
agents have addresses under GENERATED_EMAIL_DOMAIN and no usable password. No cité
is created for the generated « labellisée » candidatures (the public pages stay those of the
real data). Not for production databases.
"""

import contextlib
import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from candidatures.models import (
    AppelAProjets,
    Candidature,
    Collectivite,
    CompteurReference,
    Etat,
    EvenementCandidature,
    ProfilAgent,
    ProfilPorteur,
)
from candidatures.permissions import GROUPE_AGENTS_NATIONAUX, GROUPE_AGENTS_REGIONAUX
from candidatures.workflow.etats import AGENT_REGIONAL, PORTEUR
from candidatures.workflow.transitions import transition_get
from cites.models import Commune, EducationPrioritaire, Etablissement, Qpv

GENERATED_EMAIL_DOMAIN = "generees.cites-educatives.invalid"
BATCH_SIZE = 1000

# Share of each state, and the states a candidature went through to reach it.
REPARTITION: list[tuple[str, int, tuple[str, ...]]] = [
    (Etat.BROUILLON, 15, (Etat.BROUILLON,)),
    (Etat.DEPOSEE, 15, (Etat.BROUILLON, Etat.DEPOSEE)),
    (Etat.EN_INSTRUCTION, 20, (Etat.BROUILLON, Etat.DEPOSEE, Etat.EN_INSTRUCTION)),
    (
        Etat.COMPLEMENTS_DEMANDES,
        10,
        (Etat.BROUILLON, Etat.DEPOSEE, Etat.EN_INSTRUCTION, Etat.COMPLEMENTS_DEMANDES),
    ),
    (Etat.AVIS_EMIS, 10, (Etat.BROUILLON, Etat.DEPOSEE, Etat.EN_INSTRUCTION, Etat.AVIS_EMIS)),
    (Etat.LABELLISEE, 10, (Etat.BROUILLON, Etat.DEPOSEE, Etat.EN_INSTRUCTION, Etat.AVIS_EMIS, Etat.LABELLISEE)),
    (Etat.REFUSEE, 8, (Etat.BROUILLON, Etat.DEPOSEE, Etat.EN_INSTRUCTION, Etat.AVIS_EMIS, Etat.REFUSEE)),
    (Etat.RETIREE, 6, (Etat.BROUILLON, Etat.DEPOSEE, Etat.RETIREE)),
    (Etat.CLASSEE_SANS_SUITE, 6, (Etat.BROUILLON, Etat.DEPOSEE, Etat.EN_INSTRUCTION, Etat.CLASSEE_SANS_SUITE)),
]
MESSAGES = {
    Etat.COMPLEMENTS_DEMANDES: "Merci de joindre la délibération du conseil municipal et de préciser le budget 2026.",
    Etat.AVIS_EMIS: "Avis de la région : le diagnostic est solide et la troïka est en place.",
    Etat.LABELLISEE: "Le projet répond à l'ensemble des critères de l'appel.",
    Etat.REFUSEE: "Le projet ne s'appuie pas sur des actions existantes du territoire.",
    Etat.RETIREE: "La commune présentera un projet intercommunal l'an prochain.",
    Etat.CLASSEE_SANS_SUITE: "Dossier incomplet sans réponse du porteur.",
}


def repartition(nombre: int) -> Counter:
    """How many candidatures of each state for `nombre` (exact: largest remainders)."""
    total = sum(part for _, part, _ in REPARTITION)
    exact = {etat: nombre * part / total for etat, part, _ in REPARTITION}
    counts = Counter({etat: int(value) for etat, value in exact.items()})
    reste = nombre - sum(counts.values())
    for etat in sorted(exact, key=lambda e: exact[e] - counts[e], reverse=True)[:reste]:
        counts[etat] += 1
    return counts


@dataclass
class Resultat:
    candidatures: int = 0
    collectivites_creees: int = 0
    porteurs_crees: int = 0
    agents_crees: int = 0
    evenements: int = 0
    par_etat: Counter = field(default_factory=Counter)
    regions: set = field(default_factory=set)


@contextlib.contextmanager
def _dates_imposees():
    """Let bulk_create keep the dates we give instead of « now » (auto_now / auto_now_add)."""
    champs = [
        Candidature._meta.get_field("cree_le"),
        Candidature._meta.get_field("modifie_le"),
        EvenementCandidature._meta.get_field("date"),
    ]
    avant = [(f, f.auto_now, f.auto_now_add) for f in champs]
    for f in champs:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in avant:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _communes_avec_qpv() -> list[Commune]:
    ids = Qpv.objects.filter(generation=2024).values("communes")
    return list(Commune.objects.filter(pk__in=ids).select_related("departement__region").order_by("code"))


def _collectivites(communes: list[Commune]) -> tuple[list[Collectivite], int]:
    existantes = {
        c.code: c
        for c in Collectivite.objects.filter(type=Collectivite.Type.COMMUNE, code__in=[c.code for c in communes])
    }
    nouvelles = [
        Collectivite(
            type=Collectivite.Type.COMMUNE,
            code=commune.code,
            nom=commune.nom,
            commune=commune,
            region=commune.departement.region,
        )
        for commune in communes
        if commune.code not in existantes
    ]
    Collectivite.objects.bulk_create(nouvelles, batch_size=BATCH_SIZE)
    Collectivite.communes.through.objects.bulk_create(
        [Collectivite.communes.through(collectivite_id=c.pk, commune_id=c.commune_id) for c in nouvelles],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    par_code = {**existantes, **{c.code: c for c in nouvelles}}
    return [par_code[commune.code] for commune in communes], len(nouvelles)


def _porteurs(collectivites: list[Collectivite], *, now) -> tuple[dict[int, int], int]:
    """One validated porteur per collectivité (reused when it exists): collectivité id → user id."""
    User = get_user_model()
    emails = {c.pk: f"porteur.{c.code}@{GENERATED_EMAIL_DOMAIN}" for c in collectivites}
    existants = dict(User.objects.filter(username__in=emails.values()).values_list("username", "pk"))
    nouveaux = [
        User(
            username=email,
            email=email,
            first_name="Porteur",
            last_name=email.split("@")[0],
            password=make_password(None),
        )
        for email in emails.values()
        if email not in existants
    ]
    User.objects.bulk_create(nouveaux, batch_size=BATCH_SIZE)
    existants = dict(User.objects.filter(username__in=emails.values()).values_list("username", "pk"))
    avec_profil = set(ProfilPorteur.objects.filter(user_id__in=existants.values()).values_list("user_id", flat=True))
    ProfilPorteur.objects.bulk_create(
        [
            ProfilPorteur(
                user_id=existants[email],
                collectivite_id=collectivite_id,
                email_confirme_le=now,
                statut=ProfilPorteur.Statut.VALIDE,
                statut_modifie_le=now,
            )
            for collectivite_id, email in emails.items()
            if existants[email] not in avec_profil
        ],
        batch_size=BATCH_SIZE,
    )
    return {collectivite_id: existants[email] for collectivite_id, email in emails.items()}, len(nouveaux)


def _agents(region_ids: set[int]) -> tuple[dict[int, int], int]:
    """One regional agent per région (reused when it exists) and one national agent: région id
    → user id, the national agent under the key None."""
    from django.contrib.auth.models import Group

    User = get_user_model()
    emails = {region_id: f"agent.region-{region_id}@{GENERATED_EMAIL_DOMAIN}" for region_id in region_ids}
    emails[None] = f"agent.anct@{GENERATED_EMAIL_DOMAIN}"
    existants = dict(User.objects.filter(username__in=emails.values()).values_list("username", "pk"))
    nouveaux = {
        cle: User.objects.create(
            username=email,
            email=email,
            first_name="Agent",
            last_name="ANCT" if cle is None else f"région {cle}",
            is_staff=True,
            password=make_password(None),
        )
        for cle, email in emails.items()
        if email not in existants
    }
    for cle, user in nouveaux.items():
        groupe = GROUPE_AGENTS_NATIONAUX if cle is None else GROUPE_AGENTS_REGIONAUX
        user.groups.add(Group.objects.get_or_create(name=groupe)[0])
        ProfilAgent.objects.create(user=user, region_id=cle, service="ANCT" if cle is None else "DRAJES")
    existants.update({user.username: user.pk for user in nouveaux.values()})
    return {cle: existants[email] for cle, email in emails.items()}, len(nouveaux)


def _auteur(*, source: str, cible: str, porteur_id: int, agents: dict[int | None, int], region_id: int) -> int:
    """Who takes this step: the porteur, the agent of the région, or the national agent."""
    transition = transition_get(source=source, cible=cible) if source else None
    if transition is None or PORTEUR in transition.roles:
        return porteur_id
    if AGENT_REGIONAL in transition.roles:
        return agents.get(region_id, agents[None])
    return agents[None]


def _fenetre(appel: AppelAProjets, *, now) -> tuple[datetime.datetime, datetime.datetime]:
    if appel.ouvert_toute_annee or not appel.date_ouverture:
        return now - datetime.timedelta(days=365), now - datetime.timedelta(days=2)
    return appel.date_ouverture, min(appel.date_cloture, now)


def _references(*, annees: list[int]) -> list[str]:
    """References for deposits of these years (in order), from the counters real deposits use."""
    besoin = Counter(annees)
    prochains = {}
    for annee, nombre in besoin.items():
        CompteurReference.objects.get_or_create(annee=annee)
        compteur = CompteurReference.objects.select_for_update().get(annee=annee)
        prochains[annee] = compteur.dernier + 1
        compteur.dernier += nombre
        compteur.save(update_fields=["dernier"])
    references = []
    for annee in annees:
        references.append(f"CE-{annee}-{prochains[annee]:04d}")
        prochains[annee] += 1
    return references


def candidatures_generer(*, nombre: int, graine: int = 2026, progression=None) -> Resultat:
    """Create `nombre` candidatures (see the module's docstring). Deterministic for a given seed
    on the same reference data."""
    rng = random.Random(graine)
    now = timezone.now()
    resultat = Resultat()
    communes = _communes_avec_qpv()
    if not communes:
        raise ValueError(
            "Aucune commune avec un QPV : importez d'abord les données de référence (import_referentiels)."
        )
    appels = list(AppelAProjets.objects.order_by("annee", "pk"))
    if not appels:
        raise ValueError("Aucun appel à projets : lancez les migrations.")
    nombre_collectivites = min(len(communes), max(1, nombre // 8))
    choisies = sorted(rng.sample(communes, nombre_collectivites), key=lambda c: c.code)
    qpvs_par_commune: dict[int, list[int]] = {}
    for qpv_id, commune_id in Qpv.communes.through.objects.filter(
        commune_id__in=[c.pk for c in choisies], qpv__generation=2024
    ).values_list("qpv_id", "commune_id"):
        qpvs_par_commune.setdefault(commune_id, []).append(qpv_id)
    ecoles_par_commune: dict[int, list[int]] = {}
    for ecole_id, commune_id in Etablissement.objects.filter(
        commune_id__in=[c.pk for c in choisies],
        education_prioritaire__in=[EducationPrioritaire.REP, EducationPrioritaire.REP_PLUS],
    ).values_list("pk", "commune_id"):
        ecoles_par_commune.setdefault(commune_id, []).append(ecole_id)
    qpv_noms = dict(
        Qpv.objects.filter(pk__in={q for ids in qpvs_par_commune.values() for q in ids}).values_list("pk", "nom")
    )

    etats = [etat for etat, n in sorted(repartition(nombre).items()) for _ in range(n)]
    rng.shuffle(etats)
    chemins = {etat: chemin for etat, _, chemin in REPARTITION}

    with transaction.atomic(), _dates_imposees():
        collectivites, resultat.collectivites_creees = _collectivites(choisies)
        porteurs, resultat.porteurs_crees = _porteurs(collectivites, now=now)
        agents, resultat.agents_crees = _agents({c.region_id for c in collectivites if c.region_id})
        for debut in range(0, nombre, BATCH_SIZE):
            lot = etats[debut : debut + BATCH_SIZE]
            plans = []
            for etat in lot:
                index = rng.randrange(len(choisies))
                commune, collectivite = choisies[index], collectivites[index]
                appel = rng.choice(appels)
                ouverture, cloture = _fenetre(appel, now=now)
                depot = ouverture + (cloture - ouverture) * rng.random()
                pas = [depot - datetime.timedelta(days=rng.randint(5, 40))]  # the draft opened before
                for _ in chemins[etat][1:]:
                    pas.append(
                        min(pas[-1] + datetime.timedelta(days=rng.randint(3, 60), minutes=rng.randint(0, 600)), now)
                    )
                plans.append((etat, commune, collectivite, appel, pas))
            annees_depot = [timezone.localtime(p[4][1]).year for p in plans if p[0] != Etat.BROUILLON]
            references = iter(_references(annees=annees_depot))
            candidatures = []
            for etat, commune, collectivite, appel, pas in plans:
                qpvs = qpvs_par_commune.get(commune.pk, [])
                depose = etat != Etat.BROUILLON
                nom_quartier = qpv_noms.get(qpvs[0], commune.nom) if qpvs else commune.nom
                candidatures.append(
                    Candidature(
                        appel=appel,
                        collectivite=collectivite,
                        cree_par_id=porteurs[collectivite.pk],
                        # The agent of the région who took it in charge instructs it.
                        instructeur_id=agents.get(collectivite.region_id, agents[None])
                        if Etat.EN_INSTRUCTION in chemins[etat]
                        else None,
                        etat=etat,
                        reference=next(references) if depose else None,
                        depose_le=pas[1] if depose else None,
                        dernier_changement=pas[-1],
                        echeance_instruction=timezone.localtime(pas[1]).date()
                        + datetime.timedelta(days=appel.delai_instruction_jours)
                        if depose
                        else None,
                        titre=f"Cité éducative {commune.nom} — {nom_quartier}"[:200],
                        diagnostic="Retard scolaire marqué et taux de pauvreté élevé dans le quartier.",
                        avis_region=rng.choice(["favorable", "favorable", "defavorable"])
                        if Etat.AVIS_EMIS in chemins[etat]
                        else "",
                        avis_region_motif="Avis motivé de la région." if Etat.AVIS_EMIS in chemins[etat] else "",
                        cree_le=pas[0],
                        modifie_le=pas[-1],
                    )
                )
            Candidature.objects.bulk_create(candidatures, batch_size=BATCH_SIZE)
            communes_liens, qpv_liens, ecole_liens, evenements = [], [], [], []
            for candidature, (etat, commune, collectivite, _appel, pas) in zip(candidatures, plans, strict=True):
                communes_liens.append(
                    Candidature.communes.through(candidature_id=candidature.pk, commune_id=commune.pk)
                )
                qpvs = qpvs_par_commune.get(commune.pk, [])
                for qpv_id in rng.sample(qpvs, min(len(qpvs), rng.randint(1, 2))):
                    qpv_liens.append(Candidature.qpvs.through(candidature_id=candidature.pk, qpv_id=qpv_id))
                ecoles = ecoles_par_commune.get(commune.pk, [])
                for ecole_id in rng.sample(ecoles, min(len(ecoles), 3)):
                    ecole_liens.append(
                        Candidature.etablissements.through(candidature_id=candidature.pk, etablissement_id=ecole_id)
                    )
                chemin = chemins[etat]
                for rang, (etape, date) in enumerate(zip(chemin, pas, strict=True)):
                    evenements.append(
                        EvenementCandidature(
                            candidature_id=candidature.pk,
                            date=date,
                            auteur_id=_auteur(
                                source=chemin[rang - 1] if rang else "",
                                cible=etape,
                                porteur_id=porteurs[collectivite.pk],
                                agents=agents,
                                region_id=collectivite.region_id,
                            ),
                            etat_avant=chemin[rang - 1] if rang else "",
                            etat_apres=etape,
                            message=MESSAGES.get(etape, ""),
                        )
                    )
                resultat.par_etat[etat] += 1
                resultat.regions.add(collectivite.region_id)
            Candidature.communes.through.objects.bulk_create(communes_liens, batch_size=BATCH_SIZE)
            Candidature.qpvs.through.objects.bulk_create(qpv_liens, batch_size=BATCH_SIZE)
            Candidature.etablissements.through.objects.bulk_create(ecole_liens, batch_size=BATCH_SIZE)
            EvenementCandidature.objects.bulk_create(evenements, batch_size=BATCH_SIZE)
            resultat.candidatures += len(candidatures)
            resultat.evenements += len(evenements)
            if progression is not None:
                progression(resultat.candidatures, nombre)
    return resultat

"""Reads: calls open now, candidatures a user may see, completeness and automatic checks."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from candidatures import permissions
from candidatures.acteurs import (  # noqa: F401
    COMPTE_SUPPRIME,
    COMPTES_ANONYMISES_DOMAINE,
    auteur_nom,
    email_is_anonymised,
    user_is_anonymised,
)

# The checks moved to candidatures.verifications (and the content to candidatures.contenu); their
# names stay importable from here for the views and templates that read them.
from candidatures.contenu import ELEMENTS, ELEMENTS_GENERAUX, ETAPES_TITRES, Element  # noqa: F401,E402
from candidatures.models import (
    AppelAProjets,
    Candidature,
    CompteurTentatives,
    Critere,
    Etat,
    EvenementCandidature,
    JournalInstruction,
    PersonneCandidature,
    PieceJointe,
    PieceMessage,
    ProfilPorteur,
)
from candidatures.verifications import (  # noqa: F401,E402
    CONFORME,
    DONNEES_ABSENTES,
    DONNEES_ABSENTES_MOTIF,
    NON_CONFORME,
    VERIFICATIONS,
    Bilan,
    BilanCritere,
    ElementBilan,
    ResultatVerification,
    SaisieInvalide,
    TerritoireVerifie,
    appel_est_ouvert,
    candidature_bilan,
    candidature_saisies_invalides,
    candidature_verification_etape,
    candidature_verifications,
    candidature_verifications_resume,
    communes_sans_etablissements,
    communes_sans_qpv_reference,
    criteres_verifier,
    etablissement_list_colleges_chef_de_file,
    etablissement_list_ecoles_publiques,
    etablissement_list_prioritaires,
    resultat_pour_critere,
    verification_chef_de_file,
    verification_ips,
    verification_qpv,
    verification_rep,
)
from candidatures.workflow.etats import AGENTS, COEDITEUR, PORTEUR, etat_get, etats_ou
from candidatures.workflow.transitions import transition_get
from cites.models import CiteEducative, Commune, Etablissement, Qpv
from cites.territoire import territoire_get

# --- Calls for projects ---------------------------------------------------------------------


def appel_list_ouverts(*, now: datetime | None = None) -> QuerySet[AppelAProjets]:
    now = now or timezone.now()
    return AppelAProjets.objects.filter(
        Q(ouvert_toute_annee=True) | Q(date_ouverture__lte=now, date_cloture__gt=now)
    ).order_by("-annee", "titre")


# --- Candidatures a user may see ------------------------------------------------------------


def scope_region(queryset: QuerySet, *, user, champ: str) -> QuerySet:
    """`queryset` within the user's région scope (permissions.region_filtre): all of it for national
    agents, their région's for regional agents, nothing for anyone else. Used by the views, the
    admin, its exports and its filters."""
    filtre = permissions.region_filtre(user, champ)
    return queryset.none() if filtre is None else queryset.filter(filtre)


# Drafts belong to the porteurs alone (the state records say who sees each state).
ETATS_VISIBLES_AGENTS = etats_ou(lambda e: bool(e.visible_par & AGENTS))
ETATS_ATTENTE_AGENTS = etats_ou(lambda e: bool(e.attente & AGENTS))
ETATS_DECISION = etats_ou(lambda e: e.decision)


def candidature_list_for_user(*, user) -> QuerySet[Candidature]:
    """Every candidature the user may see (Candidature.objects.visibles_par), with what its pages show."""
    return Candidature.objects.select_related("appel", "collectivite", "collectivite__region").visibles_par(user)


def candidature_get_for_user(*, user, pk: int) -> Candidature:
    return get_object_or_404(candidature_list_for_user(user=user), pk=pk)


def candidature_list_for_collectivite(*, user) -> QuerySet[Candidature]:
    """The porteur's dashboard: their collectivité's candidatures, newest first."""
    return (
        Candidature.objects.visibles_par(user, roles=frozenset({PORTEUR}))
        .select_related("appel", "collectivite")
        .annotate(
            nb_messages=Count("evenements", filter=~Q(evenements__message=""), distinct=True)
            + Count("messages", distinct=True)
        )
        .order_by("-modifie_le")
    )


def candidature_list_coeditees(*, user) -> QuerySet[Candidature]:
    """The candidatures `user` co-edits (the CPO or the principal invited by the porteur)."""
    return (
        Candidature.objects.visibles_par(user, roles=frozenset({COEDITEUR}))
        .select_related("appel", "collectivite")
        .order_by("-modifie_le")
    )


def candidature_evenements(*, candidature: Candidature) -> QuerySet[EvenementCandidature]:
    return candidature.evenements.select_related("auteur__profil_agent__region").order_by("date", "pk")


def piece_get_for_user(*, user, candidature_pk: int, pk: int) -> PieceJointe:
    candidature = candidature_get_for_user(user=user, pk=candidature_pk)
    return get_object_or_404(PieceJointe.objects.select_related("candidature"), candidature=candidature, pk=pk)


def piece_message_get_for_user(*, user, candidature_pk: int, pk: int):
    candidature = candidature_get_for_user(user=user, pk=candidature_pk)
    return get_object_or_404(PieceMessage, message__candidature=candidature, pk=pk)


def porteur_scope_for_agent(*, queryset: QuerySet[ProfilPorteur], user) -> QuerySet[ProfilPorteur]:
    return scope_region(queryset, user=user, champ="collectivite__region_id")


# --- Reference data proposed on the form ----------------------------------------------------


def collectivite_communes(*, collectivite) -> QuerySet[Commune]:
    return collectivite.communes.select_related("departement").order_by("nom")


def territoire_pour_collectivite(*, cle: str, collectivite) -> list[Commune]:
    """The communes of the territory `cle` (`commune-82121`, `epci-248200099`, from the eligibility
    simulator) that belong to `collectivite`: what its porteur's new draft may start with."""
    trouve = territoire_get(cle=(cle or "")[:30])
    if trouve is None:
        return []
    membres = set(collectivite.communes.values_list("pk", flat=True))
    return [commune for commune in trouve.communes if commune.pk in membres]


def qpv_list_for_communes(*, communes) -> QuerySet[Qpv]:
    return Qpv.objects.filter(communes__in=communes, generation=2024).distinct().order_by("code")


def etablissement_list_colleges(*, communes) -> QuerySet[Etablissement]:
    return (
        Etablissement.objects.filter(commune__in=communes, type__istartswith="coll")
        .select_related("commune")
        .order_by("-education_prioritaire", "nom")
    )


def cite_list_extensibles(*, communes) -> QuerySet[CiteEducative]:
    """Published cités with a commune in the départements of `communes`: those a candidature may extend."""
    dans_les_departements = CiteEducative.communes.through.objects.filter(
        citeeducative_id=OuterRef("pk"), commune__departement__in=communes.values("departement")
    )
    return CiteEducative.objects.published().filter(Exists(dans_les_departements)).order_by("nom")


def cite_list_de_la_commune(*, candidature) -> QuerySet[CiteEducative]:
    """The cités that already hold one of the candidature's communes: the label decision proposes
    to extend them rather than create a second cité on the same commune."""
    communes_communes = CiteEducative.communes.through.objects.filter(
        citeeducative_id=OuterRef("pk"), commune__in=candidature.communes.values("pk")
    )
    return CiteEducative.objects.published().filter(Exists(communes_communes)).order_by("nom")


def cite_choix_decision(*, candidature) -> dict:
    """What the label decision offers: the cités it may extend (the candidature's own choice, the
    cités of its communes, then those of its départements) and the one pre-selected, with the
    communes already in a cité for the notice."""
    de_la_commune = list(cite_list_de_la_commune(candidature=candidature))
    extensibles = list(cite_list_extensibles(communes=candidature.communes.all()))
    choisie = candidature.cite_etendue
    cites, vus = [], set()
    for cite in [*([choisie] if choisie else []), *de_la_commune, *extensibles]:
        if cite.pk not in vus:
            vus.add(cite.pk)
            cites.append(cite)
    proposee = choisie or (de_la_commune[0] if de_la_commune else None)
    communes_deja = []
    if de_la_commune:
        deja = CiteEducative.communes.through.objects.filter(
            citeeducative__in=[c.pk for c in de_la_commune], commune__in=candidature.communes.values("pk")
        ).values_list("commune__nom", flat=True)
        communes_deja = sorted(set(deja))
    return {"cites": cites, "proposee": proposee, "de_la_commune": de_la_commune, "communes_deja": communes_deja}


# Above this amount, a budget line is shown with a warning (not refused): a typo is likelier.
MONTANT_PLAUSIBLE = Decimal("2000000")


def budget_totaux(*, candidature: Candidature) -> dict:
    """Totals per year, per co-financer (source) and overall, computed from the lines; `eleves`
    lists the lines above a plausible amount."""
    lignes = list(candidature.lignes_budget.all())
    par_annee: dict[int, object] = {}
    par_cofinanceur: dict[str, object] = {}
    total = 0
    for ligne in lignes:
        par_annee[ligne.annee] = par_annee.get(ligne.annee, 0) + ligne.montant
        cle = ligne.cofinanceur.strip()
        par_cofinanceur[cle] = par_cofinanceur.get(cle, 0) + ligne.montant
        total += ligne.montant
    return {
        "par_annee": sorted(par_annee.items()),
        "par_cofinanceur": sorted(par_cofinanceur.items(), key=lambda item: item[0].lower()),
        "total": total,
        "eleves": [ligne for ligne in lignes if ligne.montant > MONTANT_PLAUSIBLE],
    }


# --- Public figures of the instruction (/statistiques/) ---------------------------------------


def _mediane(valeurs: list[float]) -> float | None:
    return round(median(valeurs), 1) if valeurs else None


def instruction_statistiques_publiques() -> dict | None:
    """Per call, then per région of the collectivité: candidatures filed (given a reference at
    their first deposit), labelled, refused, and the median number of days from the first deposit
    to the decision. None while no candidature has been filed. Three queries."""
    rows = list(
        Candidature.objects.exclude(reference=None)
        .order_by()
        .values_list("appel_id", "appel__titre", "appel__annee", "collectivite__region__nom", "etat")
        .annotate(n=Count("pk"))
    )
    if not rows:
        return None
    premiers_depots = dict(
        EvenementCandidature.objects.filter(etat_apres=Etat.DEPOSEE)
        .order_by()
        .values_list("candidature_id")
        .annotate(premier=Min("date"))
    )
    delais: dict[int, list[float]] = {}
    for candidature_id, appel_id, date in EvenementCandidature.objects.filter(
        etat_apres__in=[Etat.LABELLISEE, Etat.REFUSEE]
    ).values_list("candidature_id", "candidature__appel_id", "date"):
        depot = premiers_depots.get(candidature_id)
        if depot is not None and date >= depot:
            delais.setdefault(appel_id, []).append((date - depot).total_seconds() / 86400)
    appels: dict[int, dict] = {}
    for appel_id, titre, annee, region, etat, n in rows:
        appel = appels.setdefault(
            appel_id,
            {"titre": titre, "annee": annee, "deposees": 0, "labellisees": 0, "refusees": 0, "regions": {}},
        )
        ligne = appel["regions"].setdefault(
            region or "Région inconnue",
            {"nom": region or "Région inconnue", "deposees": 0, "labellisees": 0, "refusees": 0},
        )
        for cible in (appel, ligne):
            cible["deposees"] += n
            if etat == Etat.LABELLISEE:
                cible["labellisees"] += n
            elif etat == Etat.REFUSEE:
                cible["refusees"] += n
    resultat = []
    for appel_id, appel in sorted(appels.items(), key=lambda item: (-item[1]["annee"], item[1]["titre"])):
        appel["regions"] = sorted(appel["regions"].values(), key=lambda ligne: ligne["nom"])
        appel["delai_median_jours"] = _mediane(delais.get(appel_id, []))
        appel["decisions"] = len(delais.get(appel_id, []))
        resultat.append(appel)
    return {
        "appels": resultat,
        "deposees": sum(appel["deposees"] for appel in resultat),
        "labellisees": sum(appel["labellisees"] for appel in resultat),
        "refusees": sum(appel["refusees"] for appel in resultat),
        "delai_median_jours": _mediane([d for valeurs in delais.values() for d in valeurs]),
    }


# --- The eligibility simulator (/eligibilite/) -----------------------------------------------

REMPLI = "rempli"
NON_REMPLI = "non_rempli"
A_VERIFIER = "a_verifier"
INDICATEUR = "indicateur"
STATUTS_SIMULATION = {
    REMPLI: "rempli",
    NON_REMPLI: "non rempli",
    A_VERIFIER: "à vérifier",
    INDICATEUR: "indicateur",
}
_STATUT_DEPUIS_VERIFICATION = {CONFORME: REMPLI, NON_CONFORME: NON_REMPLI, DONNEES_ABSENTES: A_VERIFIER}


@dataclass
class CritereSimule:
    """One criterion of the open call for a territory: met, not met or to be checked, and why."""

    critere: Critere
    statut: str  # REMPLI, NON_REMPLI or A_VERIFIER
    motifs: list[str]
    automatique: bool
    elements: list[Element] = field(default_factory=list)  # what the file will have to hold

    @property
    def libelle(self) -> str:
        return STATUTS_SIMULATION[self.statut]


def eligibilite_simuler(*, communes: list[Commune], appel: AppelAProjets) -> list[CritereSimule]:
    """The criteria of `appel` for a territory made of `communes`, with every QPV and every REP or
    REP+ school of those communes: the same automatic checks as a deposit (`criteres_verifier`);
    the criteria the agents assess are « à vérifier », with what the file will have to show."""
    communes = list(communes)
    territoire = TerritoireVerifie(
        communes=communes,
        qpvs=list(qpv_list_for_communes(communes=communes).prefetch_related("communes")),
        etablissements=list(etablissement_list_ecoles_publiques(communes=communes)),
        colleges=list(etablissement_list_colleges_chef_de_file(communes=communes)),
    )
    simules = []
    for critere, resultat in criteres_verifier(criteres=appel.criteres.all(), territoire=territoire):
        elements = [ELEMENTS[cle] for cle in critere.champs_requis if cle in ELEMENTS]
        if resultat is None:
            motifs = [critere.description] if critere.description else []
            motifs.append("apprécié par les agents au vu du dossier de candidature")
            simules.append(CritereSimule(critere, A_VERIFIER, motifs, automatique=False, elements=elements))
        else:
            statut = INDICATEUR if resultat.indicateur else _STATUT_DEPUIS_VERIFICATION.get(resultat.statut, A_VERIFIER)
            motifs = list(resultat.motifs)
            if resultat.indicateur and resultat.statut == NON_CONFORME:
                motifs.append("c'est une priorité, plus une condition : le dépôt reste possible")
            if statut == A_VERIFIER and not motifs:
                motifs = [resultat.libelle]
            simules.append(CritereSimule(critere, statut, motifs, automatique=True, elements=elements))
    return simules


# --- Log-in lock-out ------------------------------------------------------------------------


def _empreinte(texte: str) -> str:
    return hashlib.sha256(texte.encode()).hexdigest()


def connexion_cle_prefixe(*, identifiant: str) -> str:
    return f"compte:{_empreinte(identifiant)[:32]}:"


def connexion_cle(*, identifiant: str, adresse: str) -> str:
    return connexion_cle_prefixe(identifiant=identifiant) + _empreinte(adresse)[:32]


def adresse_cle(*, adresse: str, usage: str = "connexion") -> str:
    return f"{usage}:{_empreinte(adresse)[:32]}"


def connexion_blocage(*, identifiant: str, adresse: str, now: datetime | None = None) -> int:
    """Seconds before this account may be tried again from this address (0: it may now)."""
    now = now or timezone.now()
    compteurs = {
        c.cle: c
        for c in CompteurTentatives.objects.filter(
            cle__in=[connexion_cle(identifiant=identifiant, adresse=adresse), adresse_cle(adresse=adresse)]
        )
    }
    attente = 0
    compte = compteurs.get(connexion_cle(identifiant=identifiant, adresse=adresse))
    if compte is not None and compte.bloque_jusqu_a is not None and compte.bloque_jusqu_a > now:
        attente = (compte.bloque_jusqu_a - now).total_seconds()
    plafond = compteurs.get(adresse_cle(adresse=adresse))
    fenetre = timedelta(seconds=settings.LOGIN_ADDRESS_WINDOW_SECONDS)
    if plafond is not None and plafond.nombre >= settings.LOGIN_ADDRESS_CEILING and plafond.debut + fenetre > now:
        attente = max(attente, (plafond.debut + fenetre - now).total_seconds())
    return int(attente + 0.999)


# --- The agents' back office ----------------------------------------------------------------


def candidature_list_for_agent(*, user) -> QuerySet[Candidature]:
    """The filed candidatures an agent may instruct: their région's, or all for national agents."""
    return Candidature.objects.visibles_par(user, roles=AGENTS)


def candidature_list_admin(*, user) -> QuerySet[Candidature]:
    """The agent's list: what one row shows, in one query whatever the number of rows (the last
    change of state is a column of the candidature, not a subquery on its history)."""
    return candidature_list_for_agent(user=user).select_related(
        "appel", "collectivite", "collectivite__region", "collectivite__commune__departement", "instructeur"
    )


def candidature_compte_par_etat(*, queryset: QuerySet[Candidature]) -> list[dict]:
    nombres = dict(queryset.order_by().values_list("etat").annotate(n=Count("pk")))
    return [
        {"etat": etat.value, "libelle": etat.label, "nombre": nombres.get(etat.value, 0)}
        for etat in Etat
        if etat in ETATS_VISIBLES_AGENTS
    ]


def candidature_list_en_attente(*, user, jours: int, now: datetime | None = None) -> QuerySet[Candidature]:
    """Candidatures waiting for an agent, with no change of state for more than `jours` days."""
    limite = (now or timezone.now()) - timedelta(days=jours)
    return (
        candidature_list_admin(user=user)
        .en_attente_agents()
        .filter(dernier_changement__lt=limite)
        .order_by("dernier_changement", "pk")
    )


def candidature_list_en_retard(*, queryset: QuerySet[Candidature], today) -> QuerySet[Candidature]:
    """Candidatures waiting for an agent past their instruction deadline."""
    return queryset.filter(etat__in=ETATS_ATTENTE_AGENTS, echeance_instruction__lt=today)


def accueil_compteurs(*, user, today=None) -> dict:
    """The counts the admin home gives an agent, within their scope (their région or all)."""
    from django.db.models import Count

    today = today or timezone.localdate()
    scope = candidature_list_for_agent(user=user).order_by()
    nombres = scope.aggregate(
        a_instruire=Count("pk", filter=Q(etat__in=ETATS_ATTENTE_AGENTS)),
        a_prendre=Count("pk", filter=Q(etat=Etat.DEPOSEE)),
        en_retard=Count("pk", filter=Q(etat__in=ETATS_ATTENTE_AGENTS, echeance_instruction__lt=today)),
        attente_porteur=Count("pk", filter=Q(etat=Etat.COMPLEMENTS_DEMANDES)),
        decidees_annee=Count("pk", filter=Q(etat__in=ETATS_DECISION, dernier_changement__year=today.year)),
        mes_candidatures=Count("pk", filter=Q(instructeur=user, etat__in=ETATS_ATTENTE_AGENTS)),
    )
    nombres["comptes_a_valider"] = porteur_scope_for_agent(
        queryset=ProfilPorteur.objects.filter(statut=ProfilPorteur.Statut.EN_ATTENTE), user=user
    ).count()
    nombres["annee"] = today.year
    return nombres


def candidature_stats_par_region(*, user) -> dict:
    """Counts by région and state, within the agent's scope."""
    etats = [e for e in Etat if e in ETATS_VISIBLES_AGENTS]
    lignes: dict[str, dict] = {}
    rows = (
        candidature_list_for_agent(user=user)
        .order_by()
        .values_list("collectivite__region__code", "collectivite__region__nom", "etat")
        .annotate(n=Count("pk"))
    )
    for code, nom, etat, n in rows:
        ligne = lignes.setdefault(code or "", {"code": code or "", "nom": nom or "région inconnue", "nombres": {}})
        ligne["nombres"][etat] = n
    resultat = []
    for ligne in sorted(lignes.values(), key=lambda item: item["nom"]):
        nombres = [ligne["nombres"].get(e.value, 0) for e in etats]
        resultat.append({"code": ligne["code"], "nom": ligne["nom"], "nombres": nombres, "total": sum(nombres)})
    totaux = [sum(ligne["nombres"][i] for ligne in resultat) for i in range(len(etats))]
    return {"etats": etats, "lignes": resultat, "totaux": totaux, "total": sum(totaux)}


MOIS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def activite_annuelle(*, user, annee: int) -> list[dict]:
    """Per month of the year: deposits, requests for more information, opinions and decisions."""
    rows = (
        EvenementCandidature.objects.filter(
            candidature__in=candidature_list_for_agent(user=user).values("pk"), date__year=annee
        )
        .annotate(mois=ExtractMonth("date"))
        .values_list("mois", "etat_apres")
        .annotate(n=Count("pk"))
        .order_by()
    )
    mois = [
        {"numero": i, "libelle": MOIS[i - 1], "depots": 0, "complements": 0, "avis": 0, "decisions": 0}
        for i in range(1, 13)
    ]
    for numero, etat, n in rows:
        ligne = mois[numero - 1]
        if etat == Etat.DEPOSEE:
            ligne["depots"] += n
        elif etat == Etat.COMPLEMENTS_DEMANDES:
            ligne["complements"] += n
        elif etat == Etat.AVIS_EMIS:
            ligne["avis"] += n
        elif etat_get(etat).decision:
            ligne["decisions"] += n
    return mois


def agent_list_for_user(*, user) -> QuerySet:
    """The agents whose candidatures this agent may see: their région's and the national ones."""
    nationaux = Q(groups__name=permissions.GROUPE_AGENTS_NATIONAUX)
    regionaux = Q(groups__name=permissions.GROUPE_AGENTS_REGIONAUX, profil_agent__region__isnull=False)
    region = permissions.region_filtre(user, "profil_agent__region_id")
    choisis = nationaux if region is None else nationaux | (regionaux & region)
    ids = get_user_model().objects.filter(choisis, is_active=True).values("pk")
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "email")


def instructeur_list_for_candidature(*, candidature: Candidature) -> QuerySet:
    """Who may be put in charge of this candidature: the agents of its région and the national agents."""
    nationaux = Q(groups__name=permissions.GROUPE_AGENTS_NATIONAUX)
    regionaux = Q(
        groups__name=permissions.GROUPE_AGENTS_REGIONAUX, profil_agent__region_id=candidature.collectivite.region_id
    )
    ids = get_user_model().objects.filter(nationaux | regionaux, is_active=True).values("pk")
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "email")


def instructeur_list_for_candidatures(*, candidatures: list[Candidature]) -> QuerySet:
    """Who may be put in charge of every one of these candidatures: the national agents, and the
    agents of their région when they all share one."""
    from django.contrib.auth import get_user_model

    regions = {c.collectivite.region_id for c in candidatures}
    autorises = Q(groups__name=permissions.GROUPE_AGENTS_NATIONAUX)
    if len(regions) == 1 and None not in regions:
        autorises |= Q(groups__name=permissions.GROUPE_AGENTS_REGIONAUX, profil_agent__region_id=regions.pop())
    ids = get_user_model().objects.filter(autorises, is_active=True).values("pk")
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "email")


def _cites_de_la_region(queryset, *, user, cite: str):
    """Rows whose cité (`cite`: the path to its id) has a commune in a regional agent's région
    (permissions.region_filtre); every row for national agents and for other staff, whose access
    rests on the model permissions."""
    region = permissions.region_filtre(user, "commune__departement__region_id")
    if not region:  # Q() for national agents, None for other staff: no région to keep to
        return queryset
    communes = CiteEducative.communes.through.objects.filter(region, citeeducative_id=OuterRef(cite))
    return queryset.filter(Exists(communes))


def cite_scope_for_agent(*, queryset, user):
    """The cités an agent sees in the admin: every one for national agents (and staff given the
    model permissions), those with a commune in their région for regional agents."""
    return _cites_de_la_region(queryset, user=user, cite="pk")


def suggestion_scope_for_agent(*, queryset, user):
    """Corrections suggested on the cités: a regional agent sees those of their région; access
    itself rests on the model permissions (national agents and other staff given them see all)."""
    return _cites_de_la_region(queryset, user=user, cite="cite_id")


@dataclass
class EntreeChronologie:
    date: datetime
    auteur: object
    titre: str
    detail: str = ""
    type: str = ""


def troika_confirmations_historique(*, candidature: Candidature) -> list[EntreeChronologie]:
    """The troïka's confirmations, as the histories tell them: « Confirmée par Pia Préfète
    (Préfecture) le 3 mars 2026 à 10:15 ». Read from the people (PersonneCandidature.confirme_le):
    the last confirmation of each representative named now (a confirmation asked again replaces it)."""
    from django.utils.formats import date_format

    from candidatures.troika import INSTITUTIONS_COURTES

    entrees = []
    for p in candidature.personnes.filter(role__in=PersonneCandidature.ROLES_TROIKA, confirme_le__isnull=False):
        quand = date_format(timezone.localtime(p.confirme_le), "j F Y à H:i")
        titre = f"Confirmée par {p.nom} ({INSTITUTIONS_COURTES[p.role]}) le {quand}"
        entrees.append(EntreeChronologie(p.confirme_le, None, titre, "", "troika"))
    return entrees


def candidature_chronologie(*, candidature: Candidature) -> list[EntreeChronologie]:
    """Every event and every change of the candidature, oldest first: states, assignments,
    assessments, opinions, private notes, messages and the troïka's confirmations."""
    entrees = troika_confirmations_historique(candidature=candidature)
    for e in candidature.evenements.select_related("auteur__profil_agent__region"):
        titre = (
            f"{e.get_etat_avant_display().capitalize()} → {e.get_etat_apres_display()}"
            if e.etat_avant
            else "Création du brouillon"
        )
        entrees.append(EntreeChronologie(e.date, e.auteur, titre, e.message, "etat"))
    # The opinion is told by its change of state (« Avis favorable de la région : … »); journal
    # rows of type « avis » written before that repeated it.
    for j in candidature.journal.select_related("auteur__profil_agent__region").exclude(
        type=JournalInstruction.Type.AVIS
    ):
        entrees.append(EntreeChronologie(j.date, j.auteur, j.get_type_display().capitalize(), j.description, j.type))
    for n in candidature.notes_agents.select_related("auteur__profil_agent__region"):
        entrees.append(EntreeChronologie(n.cree_le, n.auteur, "Note interne", n.texte, "note"))
    for m in candidature.messages.select_related("auteur__profil_agent__region"):
        titre = "Message aux porteurs" if m.de_agent else "Message du porteur"
        entrees.append(EntreeChronologie(m.envoye_le, m.auteur, titre, m.texte, "message"))
    entrees.sort(key=lambda entree: entree.date)
    return entrees


@dataclass
class MessageFil:
    date: datetime
    auteur: object
    de_agent: bool
    texte: str
    etat: str = ""  # the change of state the message came with, if any
    pieces: list = field(default_factory=list)


def candidature_fil(*, candidature: Candidature) -> list[MessageFil]:
    """The thread seen by porteurs and agents: messages, and the messages that came with a change
    of state (requests for more information, decisions and their reasons)."""
    porteurs = set(
        ProfilPorteur.objects.filter(collectivite_id=candidature.collectivite_id).values_list("user_id", flat=True)
    )
    fil = [
        MessageFil(m.envoye_le, m.auteur, m.de_agent, m.texte, pieces=list(m.pieces.all()))
        for m in candidature.messages.select_related("auteur__profil_agent__region").prefetch_related("pieces")
    ]
    for e in candidature.evenements.select_related("auteur__profil_agent__region").exclude(message=""):
        if e.auteur_id is None:  # deleted account: the transition says who could take it
            transition = transition_get(source=e.etat_avant, cible=e.etat_apres)
            de_agent = transition is None or PORTEUR not in transition.roles
        else:
            de_agent = e.auteur_id not in porteurs
        fil.append(MessageFil(e.date, e.auteur, de_agent, e.message, e.get_etat_apres_display()))
    fil.sort(key=lambda m: m.date)
    return fil


# --- Who is told by e-mail ------------------------------------------------------------------


def porteurs_emails(*, collectivite_id: int) -> list[str]:
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            profil_porteur__collectivite_id=collectivite_id,
            profil_porteur__statut=ProfilPorteur.Statut.VALIDE,
            profil_porteur__email_confirme_le__isnull=False,
        )
        .values_list("email", flat=True)
    )


def agents_emails(*, region_id: int | None) -> list[str]:
    if region_id is None:
        return []
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=permissions.GROUPE_AGENTS_REGIONAUX,
            profil_agent__region_id=region_id,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )


def agents_nationaux_emails() -> list[str]:
    """The addresses of the active national agents (ANCT)."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=permissions.GROUPE_AGENTS_NATIONAUX)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )

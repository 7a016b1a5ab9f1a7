"""Reads: calls open now, candidatures a user may see, completeness and automatic checks."""

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from candidatures import permissions
from candidatures.models import (
    AppelAProjets,
    Candidature,
    Critere,
    Etat,
    EvenementCandidature,
    Indicateur,
    JournalInstruction,
    PieceJointe,
    ProfilPorteur,
    Verifications,
)
from cites.models import CiteEducative, Commune, EducationPrioritaire, Etablissement, Qpv

# --- Calls for projects ---------------------------------------------------------------------


def appel_est_ouvert(*, appel: AppelAProjets, now: datetime | None = None) -> bool:
    if appel.ouvert_toute_annee:
        return True
    now = now or timezone.now()
    return appel.date_ouverture is not None and appel.date_ouverture <= now < appel.date_cloture


def appel_list_ouverts(*, now: datetime | None = None) -> QuerySet[AppelAProjets]:
    now = now or timezone.now()
    return AppelAProjets.objects.filter(
        Q(ouvert_toute_annee=True) | Q(date_ouverture__lte=now, date_cloture__gt=now)
    ).order_by("-annee", "titre")


# --- Candidatures a user may see ------------------------------------------------------------


def candidature_list_for_user(*, user) -> QuerySet[Candidature]:
    """Every candidature the user may see, so that get_object_or_404 answers 404 for the others."""
    base = Candidature.objects.select_related("appel", "collectivite", "collectivite__region")
    if not user.is_authenticated or not user.is_active:
        return base.none()
    visible = Q(pk__in=[])
    if permissions.can_file(user):
        visible |= Q(collectivite_id=user.profil_porteur.collectivite_id)
    if permissions.is_agent_national(user):
        visible |= ~Q(etat=Etat.BROUILLON)
    elif permissions.is_agent_regional(user):
        visible |= ~Q(etat=Etat.BROUILLON) & Q(collectivite__region_id=permissions.agent_region_id(user))
    return base.filter(visible)


def candidature_get_for_user(*, user, pk: int) -> Candidature:
    return get_object_or_404(candidature_list_for_user(user=user), pk=pk)


def candidature_list_for_collectivite(*, user) -> QuerySet[Candidature]:
    """The porteur's dashboard: their collectivité's candidatures, newest first."""
    if not permissions.can_file(user):
        return Candidature.objects.none()
    return (
        Candidature.objects.filter(collectivite_id=user.profil_porteur.collectivite_id)
        .select_related("appel", "collectivite")
        .annotate(
            nb_messages=Count("evenements", filter=~Q(evenements__message=""), distinct=True)
            + Count("messages", distinct=True)
        )
        .order_by("-modifie_le")
    )


def candidature_evenements(*, candidature: Candidature) -> QuerySet[EvenementCandidature]:
    return candidature.evenements.select_related("auteur").order_by("date", "pk")


def piece_get_for_user(*, user, candidature_pk: int, pk: int) -> PieceJointe:
    candidature = candidature_get_for_user(user=user, pk=candidature_pk)
    return get_object_or_404(PieceJointe.objects.select_related("candidature"), candidature=candidature, pk=pk)


def piece_message_get_for_user(*, user, candidature_pk: int, pk: int):
    from candidatures.models import PieceMessage

    candidature = candidature_get_for_user(user=user, pk=candidature_pk)
    return get_object_or_404(PieceMessage, message__candidature=candidature, pk=pk)


def porteur_scope_for_agent(*, queryset: QuerySet[ProfilPorteur], user) -> QuerySet[ProfilPorteur]:
    if permissions.is_agent_national(user):
        return queryset
    if permissions.is_agent_regional(user):
        return queryset.filter(collectivite__region_id=permissions.agent_region_id(user))
    return queryset.none()


# --- Reference data proposed on the form ----------------------------------------------------


def collectivite_communes(*, collectivite) -> QuerySet[Commune]:
    return collectivite.communes.select_related("departement").order_by("nom")


def territoire_pour_collectivite(*, cle: str, collectivite) -> list[Commune]:
    """The communes of the territory `cle` (`commune-82121`, `epci-248200099`, from the eligibility
    simulator) that belong to `collectivite`: what its porteur's new draft may start with."""
    from cites.territoire import territoire_get

    trouve = territoire_get(cle=(cle or "")[:30])
    if trouve is None:
        return []
    membres = set(collectivite.communes.values_list("pk", flat=True))
    return [commune for commune in trouve.communes if commune.pk in membres]


def qpv_list_for_communes(*, communes) -> QuerySet[Qpv]:
    return Qpv.objects.filter(communes__in=communes, generation=2024).distinct().order_by("code")


def etablissement_list_prioritaires(*, communes) -> QuerySet[Etablissement]:
    return (
        Etablissement.objects.filter(
            commune__in=communes, education_prioritaire__in=[EducationPrioritaire.REP, EducationPrioritaire.REP_PLUS]
        )
        .select_related("commune")
        .order_by("-education_prioritaire", "type", "nom")
    )


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


def communes_sans_etablissements(*, communes) -> list[Commune]:
    """Communes whose département has no school at all in the reference data (annuaire not imported)."""
    communes = list(communes)
    couverts = set(
        Etablissement.objects.filter(commune__departement_id__in={c.departement_id for c in communes})
        .values_list("commune__departement_id", flat=True)
        .distinct()
    )
    return [c for c in communes if c.departement_id not in couverts]


def communes_sans_qpv_reference(*, communes) -> list[Commune]:
    """Communes whose département has no QPV 2024 in the reference data (e.g. overseas gaps)."""
    communes = list(communes)
    couverts = set(
        Qpv.objects.filter(generation=2024, communes__departement_id__in={c.departement_id for c in communes})
        .values_list("communes__departement_id", flat=True)
        .distinct()
    )
    return [c for c in communes if c.departement_id not in couverts]


# --- Automatic checks -----------------------------------------------------------------------

CONFORME = "conforme"
NON_CONFORME = "non_conforme"
DONNEES_ABSENTES = "donnees_absentes"
DONNEES_ABSENTES_MOTIF = "données de référence absentes pour cette commune"


@dataclass
class ResultatVerification:
    statut: str
    motifs: list[str] = field(default_factory=list)

    @property
    def bloquant(self) -> bool:
        return self.statut == NON_CONFORME

    @property
    def libelle(self) -> str:
        return {
            CONFORME: "vérifié",
            NON_CONFORME: "non conforme",
            DONNEES_ABSENTES: "données de référence absentes : à apprécier par un agent",
        }[self.statut]


def _pluriel(n: int, singulier: str, pluriel: str) -> str:
    return f"{n} {singulier if n == 1 else pluriel}"


def verification_qpv(*, communes: list[Commune], qpvs: list[Qpv]) -> ResultatVerification:
    if not communes:
        return ResultatVerification(NON_CONFORME, ["aucune commune choisie"])
    communes_qpv = {c.pk: c for c in communes}
    motifs = []
    conforme = False
    for qpv in qpvs:
        for commune in qpv.communes.all():
            if commune.pk in communes_qpv:
                conforme = True
                motifs.append(f"QPV {qpv.code} ({qpv.nom}) sur la commune de {commune.nom}")
    if conforme:
        return ResultatVerification(CONFORME, motifs)
    sans_reference = communes_sans_qpv_reference(communes=communes)
    if sans_reference:
        return ResultatVerification(DONNEES_ABSENTES, [f"{DONNEES_ABSENTES_MOTIF} ({c.nom})" for c in sans_reference])
    nombres = dict(
        Qpv.objects.filter(generation=2024, communes__in=communes)
        .values("communes")
        .annotate(n=Count("pk"))
        .values_list("communes", "n")
    )
    for commune in communes:
        if nombres.get(commune.pk):
            motifs.append(
                f"aucun QPV choisi sur la commune de {commune.nom}, "
                f"qui en compte {nombres[commune.pk]} dans les données de référence"
            )
        else:
            motifs.append(f"aucun QPV 2024 sur la commune de {commune.nom}")
    return ResultatVerification(NON_CONFORME, motifs)


_TYPES = {"ecole": ("école", "écoles"), "college": ("collège", "collèges")}
_ORDRE_TYPES = {"ecole": 0, "college": 1}


def _type_cle(type_etablissement: str) -> str:
    t = type_etablissement.lower()
    if t.startswith("ecole") or t.startswith("école"):
        return "ecole"
    if t.startswith("coll"):
        return "college"
    return "autre"


def verification_rep(*, communes: list[Commune], etablissements: list[Etablissement]) -> ResultatVerification:
    if not communes:
        return ResultatVerification(NON_CONFORME, ["aucune commune choisie"])
    ids = {c.pk for c in communes}
    prioritaires = [e for e in etablissements if e.education_prioritaire in ("REP", "REP+") and e.commune_id in ids]
    if prioritaires:
        compte = Counter((_type_cle(e.type), e.education_prioritaire) for e in prioritaires)
        motifs = []
        for (type_cle, ep), n in sorted(
            compte.items(), key=lambda item: (item[0][1] != "REP+", _ORDRE_TYPES.get(item[0][0], 9))
        ):
            singulier, pluriel = _TYPES.get(type_cle, ("établissement", "établissements"))
            motifs.append(f"{_pluriel(n, singulier, pluriel)} {ep}")
        return ResultatVerification(CONFORME, motifs)
    sans_reference = communes_sans_etablissements(communes=communes)
    if sans_reference:
        return ResultatVerification(DONNEES_ABSENTES, [f"{DONNEES_ABSENTES_MOTIF} ({c.nom})" for c in sans_reference])
    disponibles = etablissement_list_prioritaires(communes=communes).count()
    if disponibles:
        return ResultatVerification(
            NON_CONFORME,
            [f"aucune école ni aucun collège REP ou REP+ choisi ({disponibles} sur les communes choisies)"],
        )
    return ResultatVerification(NON_CONFORME, ["aucune école ni aucun collège REP ou REP+ sur les communes choisies"])


# --- Automatic checks of a call's criteria, one implementation ------------------------------


@dataclass
class TerritoireVerifie:
    """What the automatic checks read: the communes of a territory, the QPVs and the schools
    retained. A candidature's own choices at its deposit; every QPV and every REP/REP+ school of
    the communes in the eligibility simulator (/eligibilite/)."""

    communes: list[Commune]
    qpvs: list[Qpv]  # with their communes prefetched
    etablissements: list[Etablissement]
    college_chef_de_file: Etablissement | None = None


# Critere.verification → the check it runs. A new kind of automatic check (a collège chef de
# file, the IPS as an indicator…) is one more entry here: the filing checks, the agents' screens
# and the simulator all follow.
VERIFICATIONS: dict[str, Callable[[TerritoireVerifie], ResultatVerification]] = {
    Critere.Verification.QPV: lambda t: verification_qpv(communes=t.communes, qpvs=t.qpvs),
    Critere.Verification.REP: lambda t: verification_rep(communes=t.communes, etablissements=t.etablissements),
}


def criteres_verifier(*, criteres, territoire: TerritoireVerifie) -> list[tuple[Critere, ResultatVerification | None]]:
    """Each criterion with the result of its automatic check (None: assessed by the agents).
    A check shared by several criteria runs once."""
    resultats: dict[str, ResultatVerification] = {}
    lignes = []
    for critere in criteres:
        verification = VERIFICATIONS.get(critere.verification)
        if verification is None:
            lignes.append((critere, None))
            continue
        if critere.verification not in resultats:
            resultats[critere.verification] = verification(territoire)
        lignes.append((critere, resultats[critere.verification]))
    return lignes


# --- Completeness ---------------------------------------------------------------------------


# The steps of the form, in order (the views add their forms): the summary names them.
ETAPES_TITRES = {
    "territoire": "Territoire",
    "ecoles": "Écoles et collège chef de file",
    "diagnostic": "Diagnostic et indicateurs",
    "actions": "Fiches action",
    "pilotage": "Pilotage et actions ressources",
    "budget": "Budget",
    "communication": "Communication et évaluation",
    "pieces": "Pièces jointes",
    "recapitulatif": "Récapitulatif et dépôt",
}


@dataclass(frozen=True)
class Element:
    """Something the candidature must hold: a key (used in Critere.champs_requis), a label, a step,
    and the id of the field that holds it (the summary links to it)."""

    cle: str
    libelle: str
    etape: str
    ancre: str = ""


ELEMENTS = {
    e.cle: e
    for e in [
        Element("titre", "Nom du projet", "territoire", "id_titre"),
        Element("communes", "Au moins une commune du territoire", "territoire", "checkboxes-id_communes"),
        Element("qpvs", "Au moins un quartier prioritaire (QPV) choisi", "territoire", "checkboxes-id_qpvs"),
        Element(
            "etablissements",
            "Les écoles et collèges REP ou REP+ du territoire",
            "ecoles",
            "checkboxes-id_etablissements",
        ),
        Element("chef_de_file", "Le collège chef de file", "ecoles", "id_college_chef_de_file"),
        Element("diagnostic", "Le diagnostic du territoire", "diagnostic", "id_diagnostic"),
        Element(
            "indicateurs",
            "Au moins un indicateur scolaire, un social et un économique",
            "diagnostic",
            "indicateurs-lignes",
        ),
        Element("fiches_action", "Au moins une fiche action, chacune complète", "actions", "fiches-lignes"),
        Element("temps_educatifs", "Des actions avant, pendant et après la classe", "actions", "fiches-lignes"),
        Element(
            "actions_existantes", "Au moins une action existante sur laquelle s'appuyer", "actions", "fiches-lignes"
        ),
        Element("pilotage", "La troïka et le chef de projet", "pilotage", "id_troika_prefecture"),
        Element("gouvernance", "Le rôle de chacun (qui fait quoi)", "pilotage", "id_gouvernance"),
        Element(
            "ressources",
            "Les actions ressources existantes et les actions complémentaires",
            "pilotage",
            "id_actions_ressources",
        ),
        Element("budget", "Au moins une ligne de budget", "budget", "budget-lignes"),
        Element("communication", "Le plan de communication", "communication", "id_plan_communication"),
        Element("evaluation", "La démarche d'évaluation", "communication", "id_demarche_evaluation"),
        Element("deliberation", "La délibération du conseil (pièce jointe)", "pieces", "id_fichier"),
    ]
}
ELEMENTS_GENERAUX = ["titre", "deliberation"]


@dataclass
class ElementBilan:
    element: Element
    complet: bool
    detail: str = ""


@dataclass
class BilanCritere:
    critere: Critere
    elements: list[ElementBilan]
    verification: ResultatVerification | None

    @property
    def complet(self) -> bool:
        return all(e.complet for e in self.elements)


@dataclass
class SaisieInvalide:
    """A step whose typed fields did not all validate: they are kept as typed, not stored."""

    etape: str
    erreurs: list[dict]  # {"id", "libelle", "message"}

    @property
    def titre(self) -> str:
        return ETAPES_TITRES.get(self.etape, self.etape)


@dataclass
class Bilan:
    criteres: list[BilanCritere]
    generaux: list[ElementBilan]
    invalides: list[SaisieInvalide] = field(default_factory=list)

    @property
    def _tous(self) -> list[tuple[str, ElementBilan]]:
        items = [("", e) for e in self.generaux]
        for b in self.criteres:
            items.extend((f"Critère {b.critere.numero}", e) for e in b.elements)
        return items

    @property
    def problemes_completude(self) -> list[str]:
        problemes = []
        for prefixe, e in self._tous:
            if not e.complet:
                texte = f"{prefixe} — {e.element.libelle}" if prefixe else e.element.libelle
                problemes.append(f"{texte} : à compléter{(' (' + e.detail + ')') if e.detail else ''}.")
        return problemes

    @property
    def problemes_saisie(self) -> list[str]:
        """A field typed but invalid blocks the deposit: the stored value is not what the porteur typed."""
        return [
            f"Étape « {s.titre} » : {_pluriel(len(s.erreurs), 'champ', 'champs')} à corriger "
            f"({', '.join(e['libelle'] for e in s.erreurs)})."
            for s in self.invalides
        ]

    @property
    def problemes_eligibilite(self) -> list[str]:
        return [
            f"Critère {b.critere.numero} non vérifié : {' ; '.join(b.verification.motifs)}."
            for b in self.criteres
            if b.verification is not None and b.verification.bloquant
        ]

    @property
    def problemes(self) -> list[str]:
        return self.problemes_saisie + self.problemes_completude + self.problemes_eligibilite

    @property
    def complet(self) -> bool:
        return not self.problemes_completude and not self.problemes_saisie

    @property
    def eligible(self) -> bool:
        return not self.problemes_eligibilite


def _fiche_incomplete(fiche) -> list[str]:
    manque = []
    if not fiche.objectif:
        manque.append("objectif")
    if not (fiche.temps_avant or fiche.temps_pendant or fiche.temps_apres):
        manque.append("temps éducatifs")
    if fiche.age_min is None or fiche.age_max is None:
        manque.append("âges")
    return manque


def candidature_saisies_invalides(*, candidature: Candidature) -> list[SaisieInvalide]:
    ordre = list(ETAPES_TITRES)
    saisies = [
        SaisieInvalide(etape, erreurs)
        for etape, erreurs in candidature.brouillons.exclude(erreurs=[]).values_list("etape", "erreurs")
        if erreurs
    ]
    return sorted(saisies, key=lambda s: ordre.index(s.etape) if s.etape in ordre else len(ordre))


def candidature_verifications(*, candidature: Candidature, communes: list[Commune] | None = None) -> dict:
    """The automatic checks (VERIFICATIONS) run on what is stored: {Critere.Verification: ResultatVerification}.
    The summary and the territory and schools steps show the same result in the same words."""
    c = candidature
    if communes is None:
        communes = list(c.communes.select_related("departement").order_by("nom"))
    qpvs = list(c.qpvs.prefetch_related("communes"))
    etablissements = list(c.etablissements.all())
    verifies = etablissements + [
        e for e in [c.college_chef_de_file] if e is not None and e.pk not in {x.pk for x in etablissements}
    ]
    territoire = TerritoireVerifie(
        communes=communes, qpvs=qpvs, etablissements=verifies, college_chef_de_file=c.college_chef_de_file
    )
    return {cle: verification(territoire) for cle, verification in VERIFICATIONS.items()}


def candidature_verification_etape(*, candidature: Candidature, verification: str) -> dict | None:
    """For a step: the call's criterion checked by `verification` and its result (None if the call has none)."""
    critere = candidature.appel.criteres.filter(verification=verification).first()
    if critere is None:
        return None
    return {"critere": critere, "verification": candidature_verifications(candidature=candidature)[verification]}


def candidature_bilan(*, candidature: Candidature) -> Bilan:
    """Criterion by criterion: what is complete, what is missing, and the automatic checks."""
    c = candidature
    communes = list(c.communes.select_related("departement").order_by("nom"))
    qpvs = list(c.qpvs.all())
    etablissements = list(c.etablissements.all())
    verifications = candidature_verifications(candidature=c, communes=communes)
    categories = set(c.indicateurs.values_list("categorie", flat=True))
    fiches = list(c.fiches_action.all())
    nb_lignes = c.lignes_budget.count()
    a_deliberation = c.pieces.filter(type=PieceJointe.Type.DELIBERATION).exists()
    donnees_ecoles_absentes = verifications[Critere.Verification.REP].statut == DONNEES_ABSENTES
    donnees_qpv_absentes = verifications[Critere.Verification.QPV].statut == DONNEES_ABSENTES

    def etat(cle: str) -> tuple[bool, str]:
        match cle:
            case "titre":
                return bool(c.titre.strip()), ""
            case "communes":
                return bool(communes), ""
            case "qpvs":
                return bool(qpvs) or donnees_qpv_absentes, ""
            case "etablissements":
                if etablissements:
                    return True, ""
                if donnees_ecoles_absentes:
                    return bool(c.etablissements_hors_referentiel.strip()), "ajoutez-les en bas de l'étape"
                return False, ""
            case "chef_de_file":
                return c.college_chef_de_file_id is not None or bool(c.college_chef_de_file_autre.strip()), ""
            case "diagnostic":
                return bool(c.diagnostic.strip()), ""
            case "indicateurs":
                manquantes = [label for value, label in Indicateur.Categorie.choices if value not in categories]
                return not manquantes, (f"manque : {', '.join(manquantes)}" if manquantes else "")
            case "fiches_action":
                if not fiches:
                    return False, ""
                incompletes = [
                    f"« {f.titre} » : {', '.join(_fiche_incomplete(f))}" for f in fiches if _fiche_incomplete(f)
                ]
                return not incompletes, "; ".join(incompletes)
            case "temps_educatifs":
                manque = [
                    label
                    for flag, label in (
                        ("temps_avant", "avant"),
                        ("temps_pendant", "pendant"),
                        ("temps_apres", "après"),
                    )
                    if not any(getattr(f, flag) for f in fiches)
                ]
                return not manque, (f"aucune action {', '.join(manque)} la classe" if manque else "")
            case "actions_existantes":
                return any(f.existante for f in fiches), ""
            case "pilotage":
                champs = [c.troika_prefecture, c.troika_education, c.troika_collectivite, c.chef_de_projet_nom]
                return all(v.strip() for v in champs), ""
            case "gouvernance":
                return bool(c.gouvernance.strip()), ""
            case "ressources":
                return bool(c.actions_ressources.strip() and c.actions_complementaires.strip()), ""
            case "budget":
                return nb_lignes > 0, ""
            case "communication":
                return bool(c.plan_communication.strip()), ""
            case "evaluation":
                return bool(c.demarche_evaluation.strip()), ""
            case "deliberation":
                return a_deliberation, ""
        return True, ""

    def bilan_element(cle: str) -> ElementBilan | None:
        element = ELEMENTS.get(cle)
        if element is None:
            return None
        complet, detail = etat(cle)
        return ElementBilan(element, complet, detail)

    criteres = []
    for critere in c.appel.criteres.all():
        elements = [e for e in (bilan_element(cle) for cle in critere.champs_requis) if e is not None]
        criteres.append(BilanCritere(critere, elements, verifications.get(critere.verification)))
    generaux = [bilan_element(cle) for cle in ELEMENTS_GENERAUX]
    return Bilan(criteres=criteres, generaux=generaux, invalides=candidature_saisies_invalides(candidature=c))


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
STATUTS_SIMULATION = {
    REMPLI: "rempli",
    NON_REMPLI: "non rempli",
    A_VERIFIER: "à vérifier",
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
        etablissements=list(etablissement_list_prioritaires(communes=communes)),
    )
    simules = []
    for critere, resultat in criteres_verifier(criteres=appel.criteres.all(), territoire=territoire):
        elements = [ELEMENTS[cle] for cle in critere.champs_requis if cle in ELEMENTS]
        if resultat is None:
            motifs = [critere.description] if critere.description else []
            motifs.append("apprécié par les agents au vu du dossier de candidature")
            simules.append(CritereSimule(critere, A_VERIFIER, motifs, automatique=False, elements=elements))
        else:
            statut = _STATUT_DEPUIS_VERIFICATION.get(resultat.statut, A_VERIFIER)
            motifs = list(resultat.motifs)
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
    from candidatures.models import CompteurTentatives

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


def candidature_verifications_resume(*, candidature: Candidature) -> str:
    """The overall result of the automatic checks of the call's criteria (a Verifications value)."""
    statuts = [
        b.verification.statut for b in candidature_bilan(candidature=candidature).criteres if b.verification is not None
    ]
    if NON_CONFORME in statuts:
        return Verifications.NON_CONFORME
    if DONNEES_ABSENTES in statuts:
        return Verifications.DONNEES_ABSENTES
    return Verifications.CONFORME if statuts else ""


# --- The agents' back office ----------------------------------------------------------------

# States in which a candidature waits for an agent (compléments demandés waits for the porteur).
ETATS_ATTENTE_AGENTS = (Etat.DEPOSEE, Etat.EN_INSTRUCTION, Etat.AVIS_EMIS)
ETATS_DECISION = (Etat.LABELLISEE, Etat.REFUSEE, Etat.CLASSEE_SANS_SUITE)


def candidature_list_for_agent(*, user) -> QuerySet[Candidature]:
    """The filed candidatures an agent may instruct: their région's, or all for national agents."""
    if permissions.is_agent_national(user):
        return Candidature.objects.exclude(etat=Etat.BROUILLON)
    if permissions.is_agent_regional(user):
        return Candidature.objects.exclude(etat=Etat.BROUILLON).filter(
            collectivite__region_id=permissions.agent_region_id(user)
        )
    return Candidature.objects.none()


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
        if etat != Etat.BROUILLON
    ]


def candidature_list_en_attente(*, user, jours: int, now: datetime | None = None) -> QuerySet[Candidature]:
    """Candidatures waiting for an agent, with no change of state for more than `jours` days."""
    limite = (now or timezone.now()) - timedelta(days=jours)
    return (
        candidature_list_admin(user=user)
        .filter(etat__in=ETATS_ATTENTE_AGENTS, dernier_changement__lt=limite)
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
    etats = [e for e in Etat if e != Etat.BROUILLON]
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
        elif etat in ETATS_DECISION:
            ligne["decisions"] += n
    return mois


def agent_list_for_user(*, user) -> QuerySet:
    """The agents whose candidatures this agent may see: their région's and the national ones."""
    from django.contrib.auth import get_user_model

    nationaux = Q(groups__name=permissions.GROUPE_AGENTS_NATIONAUX)
    regionaux = Q(groups__name=permissions.GROUPE_AGENTS_REGIONAUX, profil_agent__region__isnull=False)
    if not permissions.is_agent_national(user):
        regionaux &= Q(profil_agent__region_id=permissions.agent_region_id(user))
    ids = get_user_model().objects.filter(nationaux | regionaux, is_active=True).values("pk")
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "email")


def instructeur_list_for_candidature(*, candidature: Candidature) -> QuerySet:
    """Who may be put in charge of this candidature: the agents of its région and the national agents."""
    from django.contrib.auth import get_user_model

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


def cite_scope_for_agent(*, queryset, user):
    """The cités an agent sees in the admin: every one for national agents (and staff given the
    model permissions), those with a commune in their région for regional agents."""
    from cites.models import CiteEducative

    if permissions.is_agent_regional(user) and not permissions.is_agent_national(user):
        communes = CiteEducative.communes.through.objects.filter(
            citeeducative_id=OuterRef("pk"), commune__departement__region_id=permissions.agent_region_id(user)
        )
        return queryset.filter(Exists(communes))
    return queryset


def suggestion_scope_for_agent(*, queryset, user):
    """Corrections suggested on the cités: a regional agent sees those of their région; access
    itself rests on the model permissions (national agents and other staff given them see all)."""
    from cites.models import CiteEducative

    if permissions.is_agent_regional(user) and not permissions.is_agent_national(user):
        communes = CiteEducative.communes.through.objects.filter(
            citeeducative_id=OuterRef("cite_id"), commune__departement__region_id=permissions.agent_region_id(user)
        )
        return queryset.filter(Exists(communes))
    return queryset


@dataclass
class EntreeChronologie:
    date: datetime
    auteur: object
    titre: str
    detail: str = ""
    type: str = ""


def _nom(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.email


def candidature_chronologie(*, candidature: Candidature) -> list[EntreeChronologie]:
    """Every event and every change of the candidature, oldest first: states, assignments,
    assessments, opinions, private notes and messages."""
    entrees = []
    for e in candidature.evenements.select_related("auteur"):
        titre = (
            f"{e.get_etat_avant_display().capitalize()} → {e.get_etat_apres_display()}"
            if e.etat_avant
            else "Création du brouillon"
        )
        entrees.append(EntreeChronologie(e.date, e.auteur, titre, e.message, "etat"))
    # The opinion is told by its change of state (« Avis favorable de la région : … »); journal
    # rows of type « avis » written before that repeated it.
    for j in candidature.journal.select_related("auteur").exclude(type=JournalInstruction.Type.AVIS):
        entrees.append(EntreeChronologie(j.date, j.auteur, j.get_type_display().capitalize(), j.description, j.type))
    for n in candidature.notes_agents.select_related("auteur"):
        entrees.append(EntreeChronologie(n.cree_le, n.auteur, "Note interne", n.texte, "note"))
    for m in candidature.messages.select_related("auteur"):
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
        for m in candidature.messages.select_related("auteur").prefetch_related("pieces")
    ]
    for e in candidature.evenements.select_related("auteur").exclude(message=""):
        fil.append(MessageFil(e.date, e.auteur, e.auteur_id not in porteurs, e.message, e.get_etat_apres_display()))
    fil.sort(key=lambda m: m.date)
    return fil

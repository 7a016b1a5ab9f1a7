"""The eligibility and completeness checks of a candidature: the automatic checks of a call's
criteria (VERIFICATIONS), what each criterion requires (ELEMENTS) and the summary (Bilan).

Reads the models only, so that the workflow's conditions, the selectors and the views all use it.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from candidatures.contenu import ELEMENTS, ELEMENTS_GENERAUX, ETAPES_TITRES, Element
from candidatures.models import AppelAProjets, Candidature, Critere, Indicateur, PieceJointe, Verifications
from candidatures.troika import troika_problemes
from cites.models import Commune, EducationPrioritaire, Etablissement, Qpv

# --- Reference data the checks read ---------------------------------------------------------


def etablissement_list_prioritaires(*, communes) -> QuerySet[Etablissement]:
    return (
        Etablissement.objects.filter(
            commune__in=communes, education_prioritaire__in=[EducationPrioritaire.REP, EducationPrioritaire.REP_PLUS]
        )
        .select_related("commune")
        .order_by("-education_prioritaire", "type", "nom")
    )


def etablissement_list_colleges_chef_de_file(*, communes) -> QuerySet[Etablissement]:
    """Public collèges of the communes that host a 2024 QPV: those that could lead the schools."""
    return (
        Etablissement.objects.filter(
            commune__in=communes,
            type__istartswith="coll",
            statut=Etablissement.Statut.PUBLIC,
            commune__qpvs__generation=2024,
        )
        .distinct()
        .select_related("commune")
        .order_by("-education_prioritaire", "nom")
    )


def etablissement_list_ecoles_publiques(*, communes) -> QuerySet[Etablissement]:
    """Public écoles and collèges of the communes (the schools whose IPS the 2024 call weighs)."""
    return (
        Etablissement.objects.filter(commune__in=communes, statut=Etablissement.Statut.PUBLIC)
        .filter(Q(type__istartswith="coll") | Q(type__istartswith="ecole") | Q(type__istartswith="école"))
        .select_related("commune__departement")
        .order_by("-education_prioritaire", "type", "nom")
    )


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


# --- Calls for projects ---------------------------------------------------------------------


def appel_est_ouvert(*, appel: AppelAProjets, now: datetime | None = None) -> bool:
    if appel.ouvert_toute_annee:
        return True
    now = now or timezone.now()
    return appel.date_ouverture is not None and appel.date_ouverture <= now < appel.date_cloture


# --- Automatic checks -----------------------------------------------------------------------

CONFORME = "conforme"
NON_CONFORME = "non_conforme"
DONNEES_ABSENTES = "donnees_absentes"
DONNEES_ABSENTES_MOTIF = "données de référence absentes pour cette commune"


@dataclass
class ResultatVerification:
    statut: str
    motifs: list[str] = field(default_factory=list)
    # The call shows this check as an indicator (Critere.Mode.INDICATEUR): never blocks a deposit.
    indicateur: bool = False

    @property
    def bloquant(self) -> bool:
        return self.statut == NON_CONFORME and not self.indicateur

    @property
    def libelle(self) -> str:
        if self.indicateur:
            return "indicateur (n'empêche pas le dépôt)"
        return {
            CONFORME: "vérifié",
            NON_CONFORME: "non conforme",
            DONNEES_ABSENTES: "données de référence absentes : à apprécier par un agent",
        }[self.statut]


def resultat_pour_critere(critere: Critere, resultat: ResultatVerification | None) -> ResultatVerification | None:
    """The result of a check as the call's criterion uses it: blocking, or an indicator."""
    if resultat is None or not critere.indicateur:
        return resultat
    return replace(resultat, indicateur=True)


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


def verification_chef_de_file(
    *,
    communes: list[Commune],
    college_chef_de_file: Etablissement | None,
    college_chef_de_file_autre: str = "",
    colleges: list[Etablissement] | None = None,
) -> ResultatVerification:
    """A collège leads the schools of the perimeter (2024 rules). A candidature names it; the
    simulator (`colleges` given) looks for the public collèges of communes that have a QPV."""
    if not communes:
        return ResultatVerification(NON_CONFORME, ["aucune commune choisie"])
    if college_chef_de_file is not None:
        return ResultatVerification(
            CONFORME, [f"collège chef de file : {college_chef_de_file.nom} ({college_chef_de_file.uai})"]
        )
    if college_chef_de_file_autre.strip():
        return ResultatVerification(
            DONNEES_ABSENTES,
            [
                f"collège chef de file hors annuaire : « {college_chef_de_file_autre.strip()} », "
                "à apprécier par un agent"
            ],
        )
    if colleges:
        noms = ", ".join(f"{c.nom} ({c.uai})" for c in colleges[:5])
        reste = f" et {len(colleges) - 5} autres" if len(colleges) > 5 else ""
        return ResultatVerification(
            CONFORME,
            [
                f"{_pluriel(len(colleges), 'collège public pourrait', 'collèges publics pourraient')} "
                f"être chef de file : {noms}{reste}"
            ],
        )
    sans_reference = communes_sans_etablissements(communes=communes)
    if sans_reference:
        return ResultatVerification(DONNEES_ABSENTES, [f"{DONNEES_ABSENTES_MOTIF} ({c.nom})" for c in sans_reference])
    if colleges is not None:
        return ResultatVerification(
            NON_CONFORME, ["aucun collège public dans une commune du territoire qui compte un quartier prioritaire"]
        )
    return ResultatVerification(NON_CONFORME, ["aucun collège chef de file choisi"])


# Beyond this number, the IPS of the schools are summed up rather than listed one by one.
IPS_ECOLES_LISTEES = 12


def verification_ips(*, etablissements: list[Etablissement]) -> ResultatVerification:
    """The social position index (IPS, DEPP) of each school retained, beside the mean of its
    département: an indicator the 2024 call weighs. Never blocks."""
    from cites.territoire import ips_moyennes, ips_par_uai

    if not etablissements:
        return ResultatVerification(DONNEES_ABSENTES, ["aucune école retenue : pas d'IPS à montrer"])
    ips = ips_par_uai(uais=[e.uai for e in etablissements])
    codes = {e.commune.departement.code for e in etablissements}
    moyennes = ips_moyennes(departement_codes=codes)
    connus = sorted(
        ((e, ips[e.uai][0]) for e in etablissements if e.uai in ips), key=lambda item: (item[1], item[0].nom)
    )
    if not connus:
        return ResultatVerification(DONNEES_ABSENTES, ["IPS inconnu pour les écoles retenues (données de la DEPP)"])
    motifs = [
        f"IPS moyen de {_pluriel(len(connus), 'école ou collège', 'écoles et collèges')} : "
        f"{_virgule(sum(v for _, v in connus) / len(connus))}"
    ]
    for code in sorted(codes):
        moyenne = moyennes.get(code)
        if moyenne is not None and moyenne.ensemble is not None:
            nom = next(e.commune.departement.nom for e in etablissements if e.commune.departement.code == code)
            motifs.append(f"moyenne du département ({nom}) : {_virgule(moyenne.ensemble)}")
    for e, valeur in connus[:IPS_ECOLES_LISTEES]:
        motifs.append(f"{e.nom} ({e.uai}) : {_virgule(valeur)}")
    if len(connus) > IPS_ECOLES_LISTEES:
        motifs.append(f"et {len(connus) - IPS_ECOLES_LISTEES} autres écoles")
    return ResultatVerification(CONFORME, motifs)


def _virgule(valeur: float) -> str:
    return f"{valeur:.1f}".replace(".", ",")


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
    college_chef_de_file_autre: str = ""
    # The simulator: every public collège that could lead (None for a candidature, which names one).
    colleges: list[Etablissement] | None = None


# Critere.verification → the check it runs. A new kind of automatic check (a collège chef de
# file, the IPS as an indicator…) is one more entry here: the filing checks, the agents' screens
# and the simulator all follow.
VERIFICATIONS: dict[str, Callable[[TerritoireVerifie], ResultatVerification]] = {
    Critere.Verification.QPV: lambda t: verification_qpv(communes=t.communes, qpvs=t.qpvs),
    Critere.Verification.REP: lambda t: verification_rep(communes=t.communes, etablissements=t.etablissements),
    Critere.Verification.CHEF_DE_FILE: lambda t: verification_chef_de_file(
        communes=t.communes,
        college_chef_de_file=t.college_chef_de_file,
        college_chef_de_file_autre=t.college_chef_de_file_autre,
        colleges=t.colleges,
    ),
    Critere.Verification.IPS: lambda t: verification_ips(etablissements=t.etablissements),
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
        lignes.append((critere, resultat_pour_critere(critere, resultats[critere.verification])))
    return lignes


# --- Completeness ---------------------------------------------------------------------------


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
    # The call's rule « confirmation de la troïka requise avant dépôt »: what is still missing.
    problemes_troika: list[str] = field(default_factory=list)

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
        return self.problemes_saisie + self.problemes_completude + self.problemes_eligibilite + self.problemes_troika

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
    etablissements = list(c.etablissements.select_related("commune__departement"))
    verifies = etablissements + [
        e for e in [c.college_chef_de_file] if e is not None and e.pk not in {x.pk for x in etablissements}
    ]
    territoire = TerritoireVerifie(
        communes=communes,
        qpvs=qpvs,
        etablissements=verifies,
        college_chef_de_file=c.college_chef_de_file,
        college_chef_de_file_autre=c.college_chef_de_file_autre,
    )
    # QPV and REP always (the completeness of the territory reads them); the others when the call asks.
    cles = {Critere.Verification.QPV, Critere.Verification.REP} | {
        critere.verification for critere in c.appel.criteres.all() if critere.verification
    }
    return {cle: verification(territoire) for cle, verification in VERIFICATIONS.items() if cle in cles}


def candidature_verification_etape(*, candidature: Candidature, verifications: list[str]) -> list[dict]:
    """For a step: the call's criteria checked by `verifications` (in the call's order) and their
    results, blocking or indicators (empty if the call has none)."""
    criteres = [c for c in candidature.appel.criteres.all() if c.verification in verifications]
    if not criteres:
        return []
    resultats = candidature_verifications(candidature=candidature)
    return [
        {"critere": critere, "verification": resultat_pour_critere(critere, resultats[critere.verification])}
        for critere in criteres
    ]


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
        criteres.append(
            BilanCritere(critere, elements, resultat_pour_critere(critere, verifications.get(critere.verification)))
        )
    generaux = [bilan_element(cle) for cle in ELEMENTS_GENERAUX]
    return Bilan(
        criteres=criteres,
        generaux=generaux,
        invalides=candidature_saisies_invalides(candidature=c),
        problemes_troika=troika_problemes(candidature=c),
    )


def candidature_verifications_resume(*, candidature: Candidature) -> str:
    """The overall result of the automatic checks of the call's criteria (a Verifications value)."""
    statuts = [
        b.verification.statut
        for b in candidature_bilan(candidature=candidature).criteres
        if b.verification is not None and not b.verification.indicateur
    ]
    if NON_CONFORME in statuts:
        return Verifications.NON_CONFORME
    if DONNEES_ABSENTES in statuts:
        return Verifications.DONNEES_ABSENTES
    return Verifications.CONFORME if statuts else ""

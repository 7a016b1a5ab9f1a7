"""Reads (selectors) of a territory: a set of communes → its 2024 QPVs, its schools with their
éducation prioritaire and social position index (IPS), the collèges that could be *chef de file*,
the published cités that already cover it, and the IPS averages of its départements.

Shared by a cité's public page, the eligibility simulator (`candidatures`, /eligibilite/) and
the open data. A fixed number of queries, whatever the number of communes or schools.

Where the annuaire de l'éducation is not loaded for a département, the schools come from the
national IPS files (name, commune, sector, IPS), their éducation prioritaire unknown (None).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

from django.db.models import Avg, Count

from cites.models import (
    CiteEducative,
    Commune,
    CommuneRattachee,
    EducationPrioritaire,
    Epci,
    Etablissement,
    IndicePositionSociale,
    Qpv,
)
from cites.search import SearchFold, search_fold_text

QPV_GENERATION = 2024
NIVEAUX = {"Ecole": "ecole", "Collège": "college", "Lycée": "lycee"}
NIVEAU_LIBELLES = {"ecole": "École", "college": "Collège", "lycee": "Lycée", "autre": "Autre"}
ORDRE_EP = {EducationPrioritaire.REP_PLUS: 0, EducationPrioritaire.REP: 1, EducationPrioritaire.AUCUNE: 2, None: 3}


@dataclass
class Ecole:
    """A school of the territory, from the annuaire or (annuaire absent) from the IPS files."""

    uai: str
    nom: str
    niveau: str  # "ecole", "college", "lycee" or "autre"
    commune: str
    code_commune: str
    education_prioritaire: str | None  # "REP+", "REP", "" (none) or None (unknown: no annuaire)
    secteur: str  # "public", "privé" or ""
    ips: float | None = None
    ips_rentree: int | None = None
    dans_annuaire: bool = True
    commune_avec_qpv: bool = False

    @property
    def type(self) -> str:
        return NIVEAU_LIBELLES.get(self.niveau, "Autre")

    @property
    def prioritaire(self) -> bool:
        return self.education_prioritaire in (EducationPrioritaire.REP, EducationPrioritaire.REP_PLUS)

    @property
    def ips_rentree_libelle(self) -> str:
        return f"{self.ips_rentree}-{self.ips_rentree + 1}" if self.ips_rentree else ""


@dataclass
class MoyenneIps:
    """Mean IPS of the écoles and collèges of a département (or of France) for the latest rentrée."""

    ecoles: float | None = None
    colleges: float | None = None
    ensemble: float | None = None
    rentree: int | None = None
    nombre: int = 0

    @property
    def rentree_libelle(self) -> str:
        return f"{self.rentree}-{self.rentree + 1}" if self.rentree else ""


@dataclass
class Territoire:
    communes: list[Commune]
    qpvs: list[Qpv]
    ecoles: list[Ecole]
    communes_sans_annuaire: list[Commune]
    moyennes_departements: dict[str, MoyenneIps]  # département code → mean
    cites: list[CiteEducative] = field(default_factory=list)

    @property
    def prioritaires(self) -> list[Ecole]:
        return [ecole for ecole in self.ecoles if ecole.prioritaire]

    @property
    def rep_plus(self) -> int:
        return sum(1 for ecole in self.ecoles if ecole.education_prioritaire == EducationPrioritaire.REP_PLUS)

    @property
    def rep(self) -> int:
        return sum(1 for ecole in self.ecoles if ecole.education_prioritaire == EducationPrioritaire.REP)

    @property
    def colleges_chef_de_file(self) -> list[Ecole]:
        """Public collèges in a commune of the territory that hosts a 2024 QPV, lowest IPS first
        (those without IPS last): the collèges that could lead the cité's schools."""
        colleges = [
            ecole
            for ecole in self.ecoles
            if ecole.niveau == "college" and ecole.secteur == "public" and ecole.commune_avec_qpv
        ]
        return sorted(colleges, key=lambda e: (e.ips is None, e.ips or 0, ORDRE_EP[e.education_prioritaire], e.nom))

    @property
    def annuaire_charge(self) -> bool:
        return len(self.communes_sans_annuaire) < len(self.communes)

    def ips_moyen(self, ecoles: list[Ecole] | None = None) -> float | None:
        values = [ecole.ips for ecole in (self.prioritaires if ecoles is None else ecoles) if ecole.ips is not None]
        return round(mean(values), 1) if values else None


def _niveau(type_etablissement: str) -> str:
    return NIVEAUX.get(type_etablissement, "autre")


def ips_par_uai(*, uais) -> dict[str, tuple[float, int]]:
    """UAI → (IPS, rentrée) of the latest rentrée known for each school. One query."""
    latest: dict[str, tuple[float, int]] = {}
    rows = IndicePositionSociale.objects.filter(uai__in=list(uais)).order_by("rentree")
    for uai, ips, rentree in rows.values_list("uai", "ips", "rentree"):
        latest[uai] = (ips, rentree)
    return latest


def ips_moyennes(*, departement_codes=None) -> dict[str, MoyenneIps]:
    """Mean IPS per département (code), écoles and collèges of the latest rentrée of each level;
    the key "" holds France as a whole. One query."""
    queryset = IndicePositionSociale.objects.all()
    if departement_codes is not None:
        queryset = queryset.filter(departement__code__in=list(departement_codes))
    rows = list(
        queryset.order_by()
        .values_list("departement__code", "niveau", "rentree")
        .annotate(moyenne=Avg("ips"), nombre=Count("pk"))
    )
    latest: dict[str, int] = {}
    for _code, niveau, rentree, _moyenne, _nombre in rows:
        latest[niveau] = max(latest.get(niveau, rentree), rentree)
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for code, niveau, rentree, moyenne, nombre in rows:
        if rentree != latest[niveau]:
            continue
        for key in (code, ""):
            total = sums[key][niveau]
            total[0] += moyenne * nombre
            total[1] += nombre
    resultat = {}
    for code, niveaux in sums.items():
        if departement_codes is not None and code == "":
            continue
        ecoles = niveaux.get("ecole")
        colleges = niveaux.get("college")
        somme = sum(total[0] for total in niveaux.values())
        nombre = sum(total[1] for total in niveaux.values())
        resultat[code] = MoyenneIps(
            ecoles=round(ecoles[0] / ecoles[1], 1) if ecoles else None,
            colleges=round(colleges[0] / colleges[1], 1) if colleges else None,
            ensemble=round(somme / nombre, 1) if nombre else None,
            rentree=max(latest.values()) if latest else None,
            nombre=nombre,
        )
    return resultat


def communes_departements_sans_annuaire(*, communes: list[Commune]) -> list[Commune]:
    """Communes whose département has no school at all in the annuaire imported."""
    couverts = set(
        Etablissement.objects.filter(commune__departement_id__in={c.departement_id for c in communes})
        .values_list("commune__departement_id", flat=True)
        .distinct()
    )
    return [commune for commune in communes if commune.departement_id not in couverts]


def territoire_ecoles(
    *, communes: list[Commune], communes_qpv: set[int], sans_annuaire: list[Commune], etablissements=None
) -> list[Ecole]:
    """Écoles and collèges (and lycées of the annuaire) of `communes`, with their latest IPS.

    `etablissements`: the schools of a recorded perimeter (a cité labelled on the portal), read
    instead of every school of the communes. Three queries at most.
    """
    sans_annuaire_ids = {commune.pk for commune in sans_annuaire}
    avec_annuaire = [commune.pk for commune in communes if commune.pk not in sans_annuaire_ids]
    ecoles: list[Ecole] = []
    if etablissements is None:
        etablissements = (
            Etablissement.objects.filter(commune__in=avec_annuaire, type__in=list(NIVEAUX))
            .select_related("commune")
            .order_by(SearchFold("nom"), "uai")
            if avec_annuaire
            else []
        )
    etablissements = list(etablissements)
    ips = ips_par_uai(uais=[etablissement.uai for etablissement in etablissements]) if etablissements else {}
    for etablissement in etablissements:
        valeur, rentree = ips.get(etablissement.uai, (None, None))
        ecoles.append(
            Ecole(
                uai=etablissement.uai,
                nom=etablissement.nom,
                niveau=_niveau(etablissement.type),
                commune=etablissement.commune.nom,
                code_commune=etablissement.commune.code,
                education_prioritaire=etablissement.education_prioritaire,
                secteur={"public": "public", "prive": "privé"}.get(etablissement.statut, ""),
                ips=valeur,
                ips_rentree=rentree,
                commune_avec_qpv=etablissement.commune_id in communes_qpv,
            )
        )
    if sans_annuaire:
        rows = (
            IndicePositionSociale.objects.filter(commune__in=[commune.pk for commune in sans_annuaire])
            .select_related("commune")
            .order_by("rentree")
        )
        latest: dict[str, IndicePositionSociale] = {}
        for row in rows:
            latest[row.uai] = row
        for row in latest.values():
            ecoles.append(
                Ecole(
                    uai=row.uai,
                    nom=row.nom,
                    niveau=row.niveau,
                    commune=row.commune.nom,
                    code_commune=row.code_commune,
                    education_prioritaire=None,
                    secteur="public" if row.secteur == IndicePositionSociale.Secteur.PUBLIC else "privé",
                    ips=row.ips,
                    ips_rentree=row.rentree,
                    dans_annuaire=False,
                    commune_avec_qpv=row.commune_id in communes_qpv,
                )
            )
    ordre_niveaux = list(NIVEAU_LIBELLES)
    ecoles.sort(
        key=lambda e: (ordre_niveaux.index(e.niveau), ORDRE_EP[e.education_prioritaire], search_fold_text(e.nom), e.uai)
    )
    return ecoles


def territoire_build(*, communes: list[Commune], qpvs=None, etablissements=None, cite_exclue=None) -> Territoire:
    """Everything the public pages say about `communes` (see the module's docstring).

    `qpvs` / `etablissements`: a recorded perimeter to use instead of the communes' own.
    """
    communes = list(communes)
    commune_ids = [commune.pk for commune in communes]
    if qpvs is None:
        qpvs = (
            Qpv.objects.filter(generation=QPV_GENERATION, communes__in=commune_ids)
            .defer("contour")
            .distinct()
            .order_by(SearchFold("nom"), "code")
            .prefetch_related("communes")
        )
    qpvs = list(qpvs)
    communes_qpv = set(
        Qpv.communes.through.objects.filter(commune_id__in=commune_ids, qpv__generation=QPV_GENERATION).values_list(
            "commune_id", flat=True
        )
    )
    sans_annuaire = communes_departements_sans_annuaire(communes=communes) if communes else []
    ecoles = territoire_ecoles(
        communes=communes, communes_qpv=communes_qpv, sans_annuaire=sans_annuaire, etablissements=etablissements
    )
    departements = {commune.departement.code for commune in communes}
    cites = (
        CiteEducative.objects.published()
        .filter(communes__in=commune_ids)
        .distinct()
        .order_by(SearchFold("nom"))
        .only("nom", "slug", "annee_label")
    )
    if cite_exclue is not None:
        cites = cites.exclude(pk=cite_exclue.pk)
    return Territoire(
        communes=communes,
        qpvs=qpvs,
        ecoles=ecoles,
        communes_sans_annuaire=sans_annuaire,
        moyennes_departements=ips_moyennes(departement_codes=departements) if departements else {},
        cites=list(cites) if commune_ids else [],
    )


# --- Finding a territory by what a visitor types ----------------------------------------------


@dataclass
class TerritoireTrouve:
    """A commune or an intercommunality found from a code or a name."""

    type: str  # "commune" or "epci"
    code: str  # INSEE code or SIREN
    nom: str
    communes: list[Commune]

    @property
    def cle(self) -> str:
        return f"{self.type}-{self.code}"

    @property
    def libelle(self) -> str:
        if self.type == "epci":
            return f"{self.nom} (intercommunalité, SIREN {self.code})"
        commune = self.communes[0]
        return f"{commune.nom} ({commune.code}, {commune.departement.nom})"


def _communes_queryset():
    return Commune.objects.select_related("departement__region")


def territoire_find(*, saisie: str, limite: int = 20) -> list[TerritoireTrouve]:
    """Communes (INSEE code, arrondissement or déléguée code, or name) and intercommunalities
    (SIREN or name) matching `saisie`, best matches first. At most `limite` of them."""
    saisie = " ".join((saisie or "").split())[:100]
    if not saisie:
        return []
    compact = saisie.replace(" ", "").upper()
    if compact.isdigit() and len(compact) == 9:
        epci = Epci.objects.filter(siren=compact).first()
        return [_epci_trouve(epci)] if epci else []
    if len(compact) == 5 and compact[:2].isalnum() and compact[2:].isdigit():
        commune = _communes_queryset().filter(code=compact).first()
        if commune is None:
            rattachee = CommuneRattachee.objects.filter(code=compact).select_related("commune").first()
            commune = _communes_queryset().get(pk=rattachee.commune_id) if rattachee else None
        return [_commune_trouvee(commune)] if commune else []
    mot = search_fold_text(saisie)
    communes = list(_communes_queryset().filter(nom_recherche__startswith=mot).order_by("-population", "code")[:limite])
    exactes = [commune for commune in communes if search_fold_text(commune.nom) == mot]
    trouves = [_commune_trouvee(commune) for commune in exactes + [c for c in communes if c not in exactes]]
    epcis = list(Epci.objects.alias(nom_plain=SearchFold("nom")).filter(nom_plain__contains=mot).order_by("nom")[:5])
    trouves += [_epci_trouve(epci) for epci in epcis]
    return trouves[:limite]


def _commune_trouvee(commune: Commune) -> TerritoireTrouve:
    return TerritoireTrouve(type="commune", code=commune.code, nom=commune.nom, communes=[commune])


def _epci_trouve(epci: Epci) -> TerritoireTrouve:
    communes = list(_communes_queryset().filter(epcis=epci).order_by("nom"))
    return TerritoireTrouve(type="epci", code=epci.siren, nom=epci.nom, communes=communes)


def territoire_get(*, cle: str) -> TerritoireTrouve | None:
    """The commune or intercommunality of a key `commune-82121` / `epci-248200099`, else None."""
    type_, _, code = (cle or "").partition("-")
    if type_ == "commune":
        commune = _communes_queryset().filter(code=code).first()
        return _commune_trouvee(commune) if commune else None
    if type_ == "epci":
        epci = Epci.objects.filter(siren=code).first()
        return _epci_trouve(epci) if epci else None
    return None

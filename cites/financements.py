"""Money per cité and per year (issue 13): reads for the cité's public page, the agents'
national tables (per région, per wave) and the open data. A fixed number of queries whatever
the number of cités.

A cité belongs to the région of its communes; a cité whose communes lie in several régions (none
today) is counted in the first région by code, so that every euro is counted once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Sum

from cites.formats import montant
from cites.models import CiteEducative, Etablissement, FinancementAnnuel, IndicePositionSociale, Qpv, Region

MONTANTS = ("dotation_etat", "fonds_cite", "cofinancement", "autres", "depenses")
ZERO = Decimal("0")


def financement_list_for_cite(*, cite: CiteEducative) -> list[FinancementAnnuel]:
    return list(cite.financements.order_by("annee"))


def cite_financement_context(*, request, cite: CiteEducative) -> dict:
    """The cité page's provider (cites.extensions): the key figure « financement » and the table
    per year. Nothing when no year is recorded (the page then says « non publié »)."""
    lignes = financement_list_for_cite(cite=cite)
    if not lignes:
        return {}
    total_etat = sum((ligne.dotation_etat for ligne in lignes), ZERO)
    annees = f"{lignes[0].annee}" if len(lignes) == 1 else f"{lignes[0].annee}–{lignes[-1].annee}"
    return {
        "financement": {
            "valeur": montant(total_etat),
            "libelle": "dotation de l’État",
            "detail": f"{annees}, programme 147",
        },
        "financements": lignes,
        "financements_totaux": {cle: sum((getattr(ligne, cle) or ZERO for ligne in lignes), ZERO) for cle in MONTANTS},
    }


@dataclass
class LigneTableau:
    """One row of the national table: a région or a wave, its cités with money recorded, the sums."""

    cle: str
    libelle: str
    cites: set = field(default_factory=set)
    dotation_etat: Decimal = ZERO
    fonds_cite: Decimal = ZERO
    cofinancement: Decimal = ZERO
    autres: Decimal = ZERO
    depenses: Decimal = ZERO
    habitants_qpv: int = 0  # of the cités whose QPV populations are all known
    dotation_habitants: Decimal = ZERO  # the dotation of those same cités
    eleves: int = 0  # pupils of the REP/REP+ schools of the cités' communes (DEPP IPS files)
    dotation_eleves: Decimal = ZERO

    @property
    def nombre_cites(self) -> int:
        return len(self.cites)

    @property
    def par_habitant(self) -> Decimal | None:
        return (self.dotation_habitants / self.habitants_qpv).quantize(Decimal("0.01")) if self.habitants_qpv else None

    @property
    def par_eleve(self) -> Decimal | None:
        return (self.dotation_eleves / self.eleves).quantize(Decimal("0.01")) if self.eleves else None

    @property
    def par_cite(self) -> Decimal | None:
        return (self.dotation_etat / len(self.cites)).quantize(Decimal("0.01")) if self.cites else None

    def ajouter(self, financement: FinancementAnnuel, *, habitants: int | None, eleves: int | None) -> None:
        self.cites.add(financement.cite_id)
        for cle in MONTANTS:
            setattr(self, cle, getattr(self, cle) + (getattr(financement, cle) or ZERO))
        if habitants:
            self.habitants_qpv += habitants
            self.dotation_habitants += financement.dotation_etat
        if eleves:
            self.eleves += eleves
            self.dotation_eleves += financement.dotation_etat


def _regions_des_cites(cite_ids) -> dict[int, Region]:
    """cité id → its région (the first by code of its communes' régions). One query."""
    liens = (
        CiteEducative.communes.through.objects.filter(citeeducative_id__in=cite_ids)
        .select_related("commune__departement__region")
        .order_by("commune__departement__region__code")
    )
    regions: dict[int, Region] = {}
    for lien in liens:
        region = lien.commune.departement.region
        if region is not None:
            regions.setdefault(lien.citeeducative_id, region)
    return regions


def _habitants_qpv(cite_ids) -> dict[int, int]:
    """cité id → population of its QPVs (its recorded perimeter, else the 2024 QPVs of its
    communes), only when every one of them has a known population. Two queries."""
    par_cite: dict[int, list[int | None]] = defaultdict(list)
    perimetre = Qpv.cites.through.objects.filter(citeeducative_id__in=cite_ids).values_list(
        "citeeducative_id", "qpv__population"
    )
    for cite_id, population in perimetre:
        par_cite[cite_id].append(population)
    communes = (
        CiteEducative.communes.through.objects.filter(citeeducative_id__in=cite_ids)
        .exclude(citeeducative_id__in=list(par_cite))
        .filter(commune__qpvs__generation=2024)
        .values_list("citeeducative_id", "commune__qpvs__pk", "commune__qpvs__population")
        .distinct()
    )
    vus = set()
    communes_par_cite: dict[int, list[int | None]] = defaultdict(list)
    for cite_id, qpv_id, population in communes:
        if (cite_id, qpv_id) not in vus:
            vus.add((cite_id, qpv_id))
            communes_par_cite[cite_id].append(population)
    par_cite.update(communes_par_cite)
    return {
        cite_id: sum(populations)
        for cite_id, populations in par_cite.items()
        if populations and all(p is not None for p in populations)
    }


def _eleves(cite_ids) -> dict[int, int]:
    """cité id → pupils of the REP/REP+ écoles and collèges of its communes, latest rentrée of the
    DEPP files. Three queries."""
    rentree = IndicePositionSociale.objects.aggregate(m=Max("rentree"))["m"]
    if rentree is None:
        return {}
    prioritaires = Etablissement.objects.filter(education_prioritaire__in=["REP", "REP+"]).values("uai")
    par_commune = dict(
        IndicePositionSociale.objects.filter(rentree=rentree, uai__in=prioritaires, commune__isnull=False)
        .values("commune_id")
        .annotate(n=Sum("effectifs"))
        .values_list("commune_id", "n")
    )
    resultat: dict[int, int] = defaultdict(int)
    for cite_id, commune_id in CiteEducative.communes.through.objects.filter(citeeducative_id__in=cite_ids).values_list(
        "citeeducative_id", "commune_id"
    ):
        resultat[cite_id] += par_commune.get(commune_id) or 0
    return {cite_id: n for cite_id, n in resultat.items() if n}


@dataclass
class TableauFinancements:
    annee: int | None
    annees: list[int]
    par_region: list[LigneTableau]
    par_vague: list[LigneTableau]
    total: LigneTableau


def financement_tableau(*, annee: int | None = None) -> TableauFinancements:
    """Sums per région and per wave (year of the label), for one year or all years."""
    queryset = FinancementAnnuel.objects.select_related("cite")
    annees = sorted(set(FinancementAnnuel.objects.values_list("annee", flat=True).distinct()))
    if annee is not None:
        queryset = queryset.filter(annee=annee)
    financements = list(queryset)
    cite_ids = {f.cite_id for f in financements}
    regions = _regions_des_cites(cite_ids)
    habitants = _habitants_qpv(cite_ids)
    eleves = _eleves(cite_ids)
    par_region: dict[str, LigneTableau] = {}
    par_vague: dict[str, LigneTableau] = {}
    total = LigneTableau("", "France entière")
    for f in financements:
        region = regions.get(f.cite_id)
        cle_region = region.code if region else ""
        ligne_region = par_region.setdefault(
            cle_region, LigneTableau(cle_region, region.nom if region else "région inconnue")
        )
        vague = f.cite.annee_label
        ligne_vague = par_vague.setdefault(
            str(vague or ""), LigneTableau(str(vague or ""), f"vague {vague}" if vague else "année du label inconnue")
        )
        for ligne in (ligne_region, ligne_vague, total):
            ligne.ajouter(f, habitants=habitants.get(f.cite_id), eleves=eleves.get(f.cite_id))
    return TableauFinancements(
        annee=annee,
        annees=annees,
        par_region=sorted(par_region.values(), key=lambda ligne: ligne.libelle),
        par_vague=sorted(par_vague.values(), key=lambda ligne: ligne.cle or "9999"),
        total=total,
    )


def financement_rows_publiques() -> list[dict]:
    """Every year of money of the published cités, for the open data (CSV and JSON)."""
    rows = (
        FinancementAnnuel.objects.filter(cite__publiee=True)
        .select_related("cite")
        .order_by("cite__identifiant", "cite__slug", "annee")
    )
    return [
        {
            "identifiant_cite": f.cite.identifiant or "",
            "slug_cite": f.cite.slug,
            "nom_cite": f.cite.nom,
            "annee": f.annee,
            "dotation_etat": f.dotation_etat,
            "fonds_cite": f.fonds_cite,
            "cofinancement": f.cofinancement,
            "autres": f.autres,
            "depenses": f.depenses,
            "commentaire": " ".join(f.commentaire.split()),
        }
        for f in rows
    ]

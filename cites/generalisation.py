"""Reads (selectors) of the road to the generalisation: every QPV with a cité éducative by 2027.

A 2024 QPV *has a cité* when a published cité covers it: it is in the recorded perimeter of a
cité labelled on the portal, or one of its communes is a commune of a published cité (the ANCT
list gives the cités' communes, not their QPVs). Four queries, whatever the number of rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from cites.models import CiteEducative, Qpv
from cites.search import search_fold_text

QPV_GENERATION = 2024
ANNEE_CIBLE = 2027


def est_region(code: str | None) -> bool:
    """INSEE région codes have two characters (01–06 overseas régions, 11–94); the collectivités
    d'outre-mer that the COG lists beside them (975 Saint-Pierre-et-Miquelon, 977 Saint-Barthélemy,
    978 Saint-Martin…) have three."""
    return bool(code) and len(code) == 2


@dataclass
class Couverture:
    code: str
    nom: str
    qpvs: int = 0
    couverts: int = 0
    region: str = ""
    departements: list = field(default_factory=list)

    @property
    def sans_cite(self) -> int:
        return self.qpvs - self.couverts

    @property
    def part(self) -> float:
        return round(100 * self.couverts / self.qpvs, 1) if self.qpvs else 0.0


def qpv_couverture_rows() -> list[dict]:
    """Every 2024 QPV with its communes, départements, régions, position (the centre of its
    communes), whether a published cité covers it and which."""
    qpvs = list(Qpv.objects.filter(generation=QPV_GENERATION).order_by("code").values("pk", "code", "nom"))
    communes: dict[int, list[tuple]] = defaultdict(list)
    for qpv_id, *commune in (
        Qpv.communes.through.objects.filter(qpv__generation=QPV_GENERATION)
        .order_by("commune__nom")
        .values_list(
            "qpv_id",
            "commune_id",
            "commune__code",
            "commune__nom",
            "commune__latitude",
            "commune__longitude",
            "commune__departement__code",
            "commune__departement__nom",
            "commune__departement__region__code",
            "commune__departement__region__nom",
        )
    ):
        communes[qpv_id].append(commune)
    cites_par_commune: dict[int, dict[str, str]] = defaultdict(dict)
    for commune_id, nom, slug in CiteEducative.communes.through.objects.filter(citeeducative__publiee=True).values_list(
        "commune_id", "citeeducative__nom", "citeeducative__slug"
    ):
        cites_par_commune[commune_id][slug] = nom
    cites_par_qpv: dict[int, dict[str, str]] = defaultdict(dict)
    for qpv_id, nom, slug in CiteEducative.qpvs.through.objects.filter(citeeducative__publiee=True).values_list(
        "qpv_id", "citeeducative__nom", "citeeducative__slug"
    ):
        cites_par_qpv[qpv_id][slug] = nom
    rows = []
    for qpv in qpvs:
        liens = communes[qpv["pk"]]
        cites = dict(cites_par_qpv[qpv["pk"]])
        for commune_id, *_rest in liens:
            cites.update(cites_par_commune[commune_id])
        places = [(lat, lon) for _id, _c, _n, lat, lon, *_rest in liens if lat is not None and lon is not None]
        departements = {dep: (dep_nom, reg or "") for *_c, dep, dep_nom, reg, _rn in liens}
        regions = {reg: reg_nom for *_c, reg, reg_nom in liens if reg}
        rows.append(
            {
                "code": qpv["code"],
                "nom": qpv["nom"],
                "communes": ", ".join(f"{nom} ({code})" for _id, code, nom, *_rest in liens),
                "codes_insee": ", ".join(code for _id, code, *_rest in liens),
                "departements": {code: nom for code, (nom, _region) in departements.items()},
                "departements_regions": {code: region for code, (_nom, region) in departements.items()},
                "regions": regions,
                "couvert": bool(cites),
                "cites": dict(sorted(cites.items(), key=lambda item: search_fold_text(item[1]))),
                "latitude": round(sum(p[0] for p in places) / len(places), 6) if places else None,
                "longitude": round(sum(p[1] for p in places) / len(places), 6) if places else None,
            }
        )
    return rows


def generalisation_statistiques(*, rows: list[dict] | None = None) -> dict:
    """QPVs with and without a cité: France, each région (collectivités d'outre-mer apart) and
    each département. A QPV spanning two départements counts in each, once in France."""
    rows = qpv_couverture_rows() if rows is None else rows
    departements: dict[str, Couverture] = {}
    regions: dict[str, Couverture] = {}
    for row in rows:
        for code, nom in row["departements"].items():
            ligne = departements.setdefault(code, Couverture(code=code, nom=nom))
            ligne.qpvs += 1
            ligne.couverts += row["couvert"]
            region_code = row["departements_regions"][code]
            ligne.region = row["regions"].get(region_code, "")
            region = regions.setdefault(region_code, Couverture(code=region_code, nom=ligne.region or "Sans région"))
            if ligne not in region.departements:
                region.departements.append(ligne)
        for code in row["regions"]:
            regions[code].qpvs += 1
            regions[code].couverts += row["couvert"]
    for region in regions.values():
        region.departements.sort(key=lambda dep: dep.code)
    ordonnees = sorted(regions.values(), key=lambda region: search_fold_text(region.nom))
    total = len(rows)
    couverts = sum(1 for row in rows if row["couvert"])
    return {
        "total": total,
        "couverts": couverts,
        "sans_cite": total - couverts,
        "part": round(100 * couverts / total, 1) if total else 0.0,
        "annee_cible": ANNEE_CIBLE,
        "regions": [region for region in ordonnees if est_region(region.code)],
        "collectivites": [region for region in ordonnees if not est_region(region.code)],
        "departements": sorted(departements.values(), key=lambda dep: dep.code),
    }

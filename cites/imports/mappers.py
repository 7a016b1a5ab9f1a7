"""Mappers: one raw record of an open-data file → the fields of our models, or a reason to skip it.

A mapper raises `Rejet` with a French reason; the importer records it with the record's line or
feature number. Mappers never touch the database: codes are resolved through the indexes the
importer hands them.
"""

import re
from dataclasses import dataclass, field

from shapely.geometry import shape

CITE_ID_RE = re.compile(r"^cite-(\d{3,})$")
COMMUNE_IN_LISTE_GEO_RE = re.compile(r"\((\w{5})\)")
UAI_RE = re.compile(r"^\d{7}[A-Z]$")
QPV_CODE_RE = re.compile(r"^Q[NP]\w{6}$")

# Label year deduced from the ANCT id (PROVENANCE.md §2.1): ids seem numbered in order of labelling.
# 001–080: the 2019 wave of 80; 081–126: the 2021 wave of 46; 127–200: the 2022 wave of 74;
# 201–208: additions after the 2022 wave and before the list of 17 Aug 2023, so 2023.
# Beyond 208 (a newer list) nothing can be deduced: the year stays empty for an agent to fill.
VAGUES_LABEL = ((1, 80, 2019), (81, 126, 2021), (127, 200, 2022), (201, 208, 2023))


class Rejet(Exception):
    """This record cannot be imported; the message says why, in French."""


@dataclass
class CommuneIndex:
    """INSEE code → commune id, for current communes and for codes that resolve to one.

    Communes déléguées and associées resolve to their chef-lieu, arrondissements of Paris, Lyon
    and Marseille to their city (75056, 69123, 13055).
    """

    ids: dict[str, int] = field(default_factory=dict)
    departements: dict[int, str] = field(default_factory=dict)

    def resolve(self, code: str) -> int:
        code = (code or "").strip()
        if not code:
            raise Rejet("code commune manquant")
        try:
            return self.ids[code]
        except KeyError:
            raise Rejet(f"commune {code} inconnue du COG") from None


def _text(value, *, max_length: int) -> str:
    return " ".join(str(value or "").split())[:max_length]


# --- COG (@etalab/decoupage-administratif) ---------------------------------------------------


def region_map(record: dict) -> dict:
    code, nom = _text(record.get("code"), max_length=3), _text(record.get("nom"), max_length=100)
    if not code or not nom:
        raise Rejet("région sans code ou sans nom")
    return {"code": code, "nom": nom}


def departement_map(record: dict, *, regions: dict[str, int]) -> dict:
    code, nom = _text(record.get("code"), max_length=3), _text(record.get("nom"), max_length=100)
    if not code or not nom:
        raise Rejet("département sans code ou sans nom")
    region = record.get("region")
    if region and region not in regions:
        raise Rejet(f"région {region} inconnue")
    return {"code": code, "nom": nom, "region_id": regions.get(region) if region else None}


def commune_map(record: dict, *, departements: dict[str, int]) -> dict:
    code, nom = _text(record.get("code"), max_length=5), _text(record.get("nom"), max_length=150)
    if not code or not nom:
        raise Rejet("commune sans code ou sans nom")
    departement = record.get("departement")
    if departement not in departements:
        raise Rejet(f"département {departement!r} inconnu")
    population = record.get("population")
    return {
        "code": code,
        "nom": nom,
        "departement_id": departements[departement],
        "population": population if isinstance(population, int) and population >= 0 else None,
        "siren": _text(record.get("siren"), max_length=9),
    }


def commune_rattachee_map(record: dict, *, communes: dict[str, int]) -> dict:
    """A commune déléguée or associée (parent `chefLieu`) or an arrondissement (parent `commune`)."""
    code, nom = _text(record.get("code"), max_length=5), _text(record.get("nom"), max_length=150)
    type_ = record.get("type")
    if not code or not nom:
        raise Rejet("commune sans code ou sans nom")
    parent = record.get("commune") if type_ == "arrondissement-municipal" else record.get("chefLieu")
    if parent not in communes:
        raise Rejet(f"commune de rattachement {parent!r} inconnue")
    return {"code": code, "nom": nom, "type": type_, "commune_id": communes[parent]}


def epci_map(record: dict, *, communes: CommuneIndex) -> tuple[dict, set[int]]:
    siren, nom = _text(record.get("code"), max_length=9), _text(record.get("nom"), max_length=200)
    if not siren or not nom:
        raise Rejet("EPCI sans SIREN ou sans nom")
    members = set()
    for membre in record.get("membres") or []:
        members.add(communes.resolve(membre.get("code")))
    return {"siren": siren, "nom": nom, "type": _text(record.get("type"), max_length=10)}, members


# --- QPV ----------------------------------------------------------------------------------


@dataclass
class QpvLu:
    code: str
    nom: str
    generation: int
    commune_ids: set[int]
    contour: dict | None = None
    latitude: float | None = None
    longitude: float | None = None


def _qpv_generation(code: str) -> int:
    return 2015 if code.startswith("QP") else 2024


def _qpv_nom(nom: str) -> str:
    # The ANCT file replaced commas inside QPV names by ";" (its lists are comma-joined): restore them.
    return _text(nom.replace("; ", ", "), max_length=200)


def qpv_feature_map(feature: dict, *, communes: CommuneIndex) -> list[QpvLu]:
    """A feature of the ANCT file (several comma-joined codes for one commune, centroid of the
    commune, not stored) or of a contours file (one QPV, its polygon stored with a centroid)."""
    properties = feature.get("properties") or {}
    codes = [code.strip() for code in str(properties.get("code_qp") or "").split(",") if code.strip()]
    noms_bruts = str(properties.get("lib_qp") or properties.get("nom_qp") or "")
    noms = [nom.strip() for nom in noms_bruts.split(", ")] if len(codes) > 1 else [noms_bruts.strip()]
    if not codes:
        raise Rejet("code QPV manquant")
    if len(noms) != len(codes):
        raise Rejet(f"{len(codes)} codes QPV mais {len(noms)} noms")
    for code in codes:
        if not QPV_CODE_RE.match(code):
            raise Rejet(f"code QPV {code!r} invalide")
    commune_id = communes.resolve(str(properties.get("insee_com") or properties.get("code_commune") or ""))

    contour = latitude = longitude = None
    geometry = feature.get("geometry") or {}
    if geometry.get("type") in ("Polygon", "MultiPolygon"):
        if len(codes) > 1:
            raise Rejet("un contour pour plusieurs QPV")
        try:
            polygon = shape(geometry)
        except Exception as error:  # shapely raises several types for broken geometries
            raise Rejet(f"contour illisible ({error})") from error
        if polygon.is_empty:
            raise Rejet("contour vide")
        contour = geometry
        centroid = polygon.centroid
        longitude, latitude = round(centroid.x, 6), round(centroid.y, 6)
    return [
        QpvLu(
            code=code,
            nom=_qpv_nom(nom) or code,
            generation=_qpv_generation(code),
            commune_ids={commune_id},
            contour=contour,
            latitude=latitude,
            longitude=longitude,
        )
        for code, nom in zip(codes, noms, strict=True)
    ]


def qpv_csv_map(row: dict, *, communes: CommuneIndex) -> QpvLu:
    """A row of the data.gouv CSV layout: one row per QPV and commune."""
    code = (row.get("code_qp") or "").strip()
    if not QPV_CODE_RE.match(code):
        raise Rejet(f"code QPV {code!r} invalide" if code else "code QPV manquant")
    commune_id = communes.resolve(row.get("insee_com") or "")
    return QpvLu(
        code=code,
        nom=_text(row.get("lib_qp"), max_length=200) or code,
        generation=_qpv_generation(code),
        commune_ids={commune_id},
    )


# --- Cités éducatives -----------------------------------------------------------------------


@dataclass
class CiteLue:
    identifiant: str
    nom: str
    commune_ids: set[int]
    annee_label: int | None


def annee_label_deduce(identifiant: str) -> int | None:
    """The label year guessed from the ANCT id (see VAGUES_LABEL), or None when out of range."""
    match = CITE_ID_RE.match(identifiant)
    if not match:
        return None
    number = int(match.group(1))
    for first, last, annee in VAGUES_LABEL:
        if first <= number <= last:
            return annee
    return None


def cite_feature_map(feature: dict, *, communes: CommuneIndex) -> list[CiteLue]:
    """A feature of the ANCT list: one or several cités (ids and names joined by " ; ") sharing
    the communes of `liste_geo` ("Commune (INSEE code)" items)."""
    properties = feature.get("properties") or {}
    identifiants = [value.strip() for value in str(properties.get("id_territoire") or "").split(";")]
    noms = [value.strip() for value in str(properties.get("lib_territoire") or "").split(" ; ")]
    identifiants = [value for value in identifiants if value]
    if not identifiants:
        raise Rejet("identifiant de cité manquant (id_territoire)")
    if len(noms) != len(identifiants):
        raise Rejet(f"{len(identifiants)} identifiants mais {len(noms)} noms")
    for identifiant, nom in zip(identifiants, noms, strict=True):
        if not CITE_ID_RE.match(identifiant):
            raise Rejet(f"identifiant de cité {identifiant!r} invalide")
        if not nom:
            raise Rejet(f"nom manquant pour {identifiant}")
    codes = COMMUNE_IN_LISTE_GEO_RE.findall(str(properties.get("liste_geo") or ""))
    if not codes:
        raise Rejet("aucun code commune dans liste_geo")
    commune_ids = {communes.resolve(code) for code in codes}
    return [
        CiteLue(
            identifiant=identifiant,
            nom=_text(nom, max_length=200),
            commune_ids=commune_ids,
            annee_label=annee_label_deduce(identifiant),
        )
        for identifiant, nom in zip(identifiants, noms, strict=True)
    ]


# --- Annuaire de l'éducation ---------------------------------------------------------------

ETABLISSEMENT_COLONNES = [
    "Identifiant_de_l_etablissement",
    "Nom_etablissement",
    "Type_etablissement",
    "Statut_public_prive",
    "Code_commune",
    "Appartenance_Education_Prioritaire",
    "latitude",
    "longitude",
]
STATUTS = {"public": "public", "prive": "prive", "privé": "prive", "": ""}
EDUCATION_PRIORITAIRE = {"": "", "REP": "REP", "REP+": "REP+"}


def departement_code_normalize(code: str) -> str:
    """`094` → `94`, `02A` → `2A`, `974` → `974` (the COG form)."""
    code = (code or "").strip().upper()
    if len(code) == 3 and code.startswith("0"):
        return code[1:]
    return code


def _coordinate(value: str, *, low: float, high: float) -> float | None:
    try:
        number = float((value or "").strip().replace(",", "."))
    except ValueError:
        return None
    return number if low <= number <= high else None


def etablissement_map(row: dict, *, communes: CommuneIndex) -> dict:
    uai = (row.get("Identifiant_de_l_etablissement") or "").strip().upper()
    if not UAI_RE.match(uai):
        raise Rejet(f"UAI {uai!r} invalide" if uai else "UAI manquant")
    nom = _text(row.get("Nom_etablissement"), max_length=250)
    if not nom:
        raise Rejet(f"nom manquant pour l'UAI {uai}")
    commune_id = communes.resolve(row.get("Code_commune") or "")
    departement = departement_code_normalize(row.get("Code_departement") or "")
    if departement and communes.departements.get(commune_id, departement) != departement:
        raise Rejet(f"commune {row.get('Code_commune')} hors du département {departement} indiqué (Code_departement)")
    statut = (row.get("Statut_public_prive") or "").strip().lower()
    if statut not in STATUTS:
        raise Rejet(f"statut public/privé {row.get('Statut_public_prive')!r} inconnu")
    ep = (row.get("Appartenance_Education_Prioritaire") or "").strip().upper().replace(" ", "")
    if ep not in EDUCATION_PRIORITAIRE:
        raise Rejet(f"appartenance à l'éducation prioritaire {ep!r} inconnue (REP, REP+ ou vide attendu)")
    latitude = _coordinate(row.get("latitude"), low=-90, high=90)
    longitude = _coordinate(row.get("longitude"), low=-180, high=180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return {
        "uai": uai,
        "nom": nom,
        "type": _text(row.get("Type_etablissement"), max_length=60),
        "nature": _text(row.get("libelle_nature"), max_length=120),
        "statut": STATUTS[statut],
        "commune_id": commune_id,
        "latitude": latitude,
        "longitude": longitude,
        "education_prioritaire": EDUCATION_PRIORITAIRE[ep],
    }

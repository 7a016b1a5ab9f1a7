"""Reads of the public side: the published cités, their territory, key figures and statistics.

Every function runs a fixed number of queries whatever the number of cités.
"""

import unicodedata
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace

from cites.models import CiteEducative, Commune, Departement, EducationPrioritaire, Etablissement, Qpv, Region

QPV_GENERATION = 2024
EDUCATION_PRIORITAIRE = [EducationPrioritaire.REP_PLUS, EducationPrioritaire.REP]

# --- Accent- and case-insensitive search, the same on SQLite and PostgreSQL ----------------
#
# PostgreSQL's `unaccent` needs an extension (and superuser rights to create it) and SQLite
# has no equivalent; SQLite's LOWER() only folds ASCII. So both sides are folded to plain
# ASCII lower case: the column by a chain of REPLACE() (standard SQL, in both engines)
# covering the letters of French names, then LOWER(); the searched text in Python by Unicode
# decomposition. No extra column to keep in step with the communes of each cité.
_FOLDED = {
    "a": "àâäáãåÀÂÄÁÃÅ",
    "c": "çÇ",
    "e": "éèêëÉÈÊË",
    "i": "îïíìÎÏÍÌ",
    "n": "ñÑ",
    "o": "ôöóòõÔÖÓÒÕ",
    "u": "ùûüúÙÛÜÚ",
    "y": "ÿýŸÝ",
    "oe": "œŒ",
    "ae": "æÆ",
    " ": "-'’",
}


def search_fold(expression):
    """Database expression: `expression` in ASCII lower case, hyphens and apostrophes as spaces."""
    for plain, letters in _FOLDED.items():
        for letter in letters:
            expression = Replace(expression, Value(letter), Value(plain))
    return Lower(expression)


def search_words(text: str) -> list[str]:
    """The words of a search, folded like `search_fold` (at most ten words)."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    for separator in _FOLDED[" "]:
        plain = plain.replace(separator, " ")
    return plain.split()[:10]


# --- The list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CiteListFilters:
    region: str = ""
    departement: str = ""
    annee: int | None = None
    q: str = ""


def _published():
    return CiteEducative.objects.published()


def _communes_of_cite():
    return Commune.objects.filter(cites=OuterRef("pk"))


def cite_list_published(*, filters: CiteListFilters | None = None) -> QuerySet[CiteEducative]:
    """Published cités matching every given filter, by name, with their communes prefetched."""
    filters = filters or CiteListFilters()
    queryset = _published()
    if filters.region:
        queryset = queryset.filter(Exists(_communes_of_cite().filter(departement__region__code=filters.region)))
    if filters.departement:
        queryset = queryset.filter(Exists(_communes_of_cite().filter(departement__code=filters.departement)))
    if filters.annee is not None:
        queryset = queryset.filter(annee_label=filters.annee)
    words = search_words(filters.q)
    if words:
        queryset = queryset.alias(nom_plain=search_fold(F("nom")))
        communes = _communes_of_cite().alias(nom_plain=search_fold(F("nom")))
        for word in words:
            queryset = queryset.filter(Q(nom_plain__contains=word) | Exists(communes.filter(nom_plain__contains=word)))
    return queryset.order_by(search_fold(F("nom")), "pk").prefetch_related(_prefetch_communes())


def _prefetch_communes():
    from django.db.models import Prefetch

    return Prefetch("communes", queryset=Commune.objects.select_related("departement__region").order_by("nom"))


def cite_attach_territoires(*, cites) -> list[CiteEducative]:
    """Give each cité (communes prefetched) its `departements` and `regions`, without queries."""
    cites = list(cites)
    for cite in cites:
        departements = {commune.departement.code: commune.departement for commune in cite.communes.all()}
        cite.departements = sorted(departements.values(), key=lambda departement: departement.code)
        regions = {departement.region.code: departement.region for departement in cite.departements}
        regions.pop(None, None)
        cite.regions = sorted(regions.values(), key=lambda region: region.nom)
    return cites


def cite_filter_choices() -> dict:
    """Régions, départements and label years that have at least one published cité."""
    published = _published()
    return {
        "regions": list(
            Region.objects.filter(departements__communes__cites__in=published).distinct().order_by("nom")
        ),
        "departements": list(
            Departement.objects.filter(communes__cites__in=published).distinct().order_by("code")
        ),
        "annees": list(
            published.exclude(annee_label=None)
            .order_by("annee_label")
            .values_list("annee_label", flat=True)
            .distinct()
        ),
    }


# --- The detail page ------------------------------------------------------------------------


def cite_get_published(*, slug: str) -> CiteEducative:
    """A published cité with its communes, label events and partner links (raises DoesNotExist)."""
    cite = (
        _published()
        .prefetch_related(
            _prefetch_communes(),
            "evenements",
            "liens_partenaires__partenaire",
        )
        .get(slug=slug)
    )
    cite_attach_territoires(cites=[cite])
    return cite


ETABLISSEMENT_TYPES = {"Ecole": "Écoles", "Collège": "Collèges", "Lycée": "Lycées"}


def cite_territoire(*, cite: CiteEducative) -> dict:
    """QPVs (2024) and REP/REP+ schools of the communes of `cite`, and the cités that share them."""
    commune_ids = [commune.pk for commune in cite.communes.all()]
    qpvs = list(
        Qpv.objects.filter(generation=QPV_GENERATION, communes__in=commune_ids).distinct().order_by("nom", "code")
    )
    etablissements = list(
        Etablissement.objects.filter(commune__in=commune_ids, education_prioritaire__in=EDUCATION_PRIORITAIRE)
        .select_related("commune")
        .order_by("type", "nom", "uai")
    )
    order = list(ETABLISSEMENT_TYPES)
    etablissements.sort(key=lambda e: (order.index(e.type) if e.type in order else len(order), e.type))
    groupes = [
        {"type": ETABLISSEMENT_TYPES.get(type_, type_), "etablissements": list(items)}
        for type_, items in groupby(etablissements, key=lambda e: e.type)
    ]
    annuaire_charge = bool(etablissements) or Etablissement.objects.filter(commune__in=commune_ids).exists()
    voisines = list(
        _published()
        .filter(communes__in=commune_ids)
        .exclude(pk=cite.pk)
        .distinct()
        .order_by(search_fold(F("nom")))
        .only("nom", "slug")
    )
    return {
        "qpvs": qpvs,
        "groupes_etablissements": groupes,
        "nombre_etablissements": len(etablissements),
        "annuaire_charge": annuaire_charge,
        "cites_voisines": voisines,
    }


def cite_partenaires_par_famille(*, cite: CiteEducative) -> list[dict]:
    """The partner links of `cite` (prefetched) grouped by family, in the order of the seven families."""
    from partenaires.models import Famille  # noqa: PLC0415 - partenaires depends on cites, read-only here

    liens = list(cite.liens_partenaires.all())
    groupes = []
    for famille in Famille:
        membres = sorted(
            (lien for lien in liens if lien.partenaire.famille == famille.value),
            key=lambda lien: (-lien.force, lien.partenaire.nom),
        )
        if membres:
            groupes.append({"famille": famille.label, "liens": membres})
    return groupes


# --- Key figures and statistics -------------------------------------------------------------


def _communes_couvertes():
    return Commune.objects.filter(Exists(_published().filter(communes=OuterRef("pk"))))


def chiffres_cles() -> dict:
    """National figures of the home page."""
    communes = _communes_couvertes()
    etablissements = Etablissement.objects.filter(
        commune__in=communes.values("pk"), education_prioritaire__in=EDUCATION_PRIORITAIRE
    )
    par_type = dict(
        etablissements.order_by().values_list("education_prioritaire").annotate(nombre=Count("pk")).values_list(
            "education_prioritaire", "nombre"
        )
    )
    return {
        "cites": _published().count(),
        "communes": communes.count(),
        "qpvs": Qpv.objects.filter(generation=QPV_GENERATION, communes__in=communes.values("pk")).distinct().count(),
        "rep": par_type.get(EducationPrioritaire.REP, 0),
        "rep_plus": par_type.get(EducationPrioritaire.REP_PLUS, 0),
        "communes_avec_annuaire": communes.filter(Exists(Etablissement.objects.filter(commune=OuterRef("pk")))).count(),
    }


def statistiques_par_region() -> dict:
    """Cités and communes covered per région, then per département, with national totals.

    A cité is counted once in each région and each département where it has a commune, so
    the sum of the rows may exceed the national total when a cité spans several of them;
    `cites_multi_departements` says how many do.
    """
    rows = list(
        Commune.objects.filter(cites__publiee=True)
        .values(
            "departement__code",
            "departement__nom",
            "departement__region__code",
            "departement__region__nom",
        )
        .annotate(cites=Count("cites", distinct=True), communes=Count("pk", distinct=True))
        .order_by("departement__region__nom", "departement__code")
    )
    regions_rows = list(
        Commune.objects.filter(cites__publiee=True)
        .values("departement__region__code", "departement__region__nom")
        .annotate(cites=Count("cites", distinct=True), communes=Count("pk", distinct=True))
        .order_by("departement__region__nom")
    )
    regions = []
    for row in regions_rows:
        code = row["departement__region__code"]
        regions.append(
            {
                "code": code or "",
                "nom": row["departement__region__nom"] or "Sans région",
                "cites": row["cites"],
                "communes": row["communes"],
                "departements": [
                    {
                        "code": dep["departement__code"],
                        "nom": dep["departement__nom"],
                        "cites": dep["cites"],
                        "communes": dep["communes"],
                    }
                    for dep in rows
                    if dep["departement__region__code"] == code
                ],
            }
        )
    multi = (
        _published()
        .annotate(nombre_departements=Count("communes__departement", distinct=True))
        .filter(nombre_departements__gt=1)
        .count()
    )
    return {
        "regions": regions,
        "total_cites": _published().count(),
        "total_communes": _communes_couvertes().count(),
        "cites_multi_departements": multi,
    }

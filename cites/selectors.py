"""Reads of the public side: the published cités, their territory, key figures and statistics.

Every function runs a fixed number of queries whatever the number of cités.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse

from cites.generalisation import est_region
from cites.models import (
    CiteEducative,
    Commune,
    CommuneRattachee,
    ConventionCadre,
    Departement,
    EducationPrioritaire,
    Etablissement,
    EvenementLabel,
    Qpv,
    Region,
    RevueProjet,
)
from cites.search import SearchFold, search_fold_text, search_words
from cites.territoire import territoire_build

QPV_GENERATION = 2024
EDUCATION_PRIORITAIRE = [EducationPrioritaire.REP_PLUS, EducationPrioritaire.REP]

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
    for word in search_words(filters.q):
        # Each word in the cité's name or in one of its communes' names. The communes that match
        # come from the trigram index of `nom_recherche` on PostgreSQL (never a scan of them all),
        # then their cités through the link table.
        par_commune = CiteEducative.communes.through.objects.filter(
            commune__in=Commune.objects.filter(nom_recherche__contains=word)
        ).values("citeeducative_id")
        queryset = queryset.filter(Q(nom_recherche__contains=word) | Q(pk__in=par_commune))
    return queryset.order_by("nom_recherche", "pk").prefetch_related(_prefetch_communes())


def _prefetch_communes():
    return Prefetch("communes", queryset=Commune.objects.select_related("departement__region").order_by("nom"))


def cite_attach_territoires(*, cites) -> list[CiteEducative]:
    """Give each cité (communes prefetched) its `departements` and `regions`, without queries."""
    cites = list(cites)
    for cite in cites:
        departements = {commune.departement.code: commune.departement for commune in cite.communes.all()}
        cite.departements = sorted(departements.values(), key=lambda departement: departement.code)
        regions = {dep.region.code: dep.region for dep in cite.departements if dep.region is not None}
        cite.regions = sorted(regions.values(), key=lambda region: search_fold_text(region.nom))
    return cites


def cite_filter_choices() -> dict:
    """Régions, départements and label years that have at least one published cité."""
    published = _published()
    return {
        "regions": list(
            Region.objects.filter(departements__communes__cites__in=published).distinct().order_by(SearchFold("nom"))
        ),
        "departements": list(Departement.objects.filter(communes__cites__in=published).distinct().order_by("code")),
        "annees": list(
            published.exclude(annee_label=None).order_by("annee_label").values_list("annee_label", flat=True).distinct()
        ),
    }


# --- The detail page ------------------------------------------------------------------------


def cite_get_published(*, slug: str) -> CiteEducative:
    """A published cité with its communes, label events and `historique` (raises DoesNotExist)."""
    cite = (
        _published()
        .annotate(
            _a_conventions=Exists(ConventionCadre.objects.filter(cite=OuterRef("pk"))),
            _a_revues=Exists(RevueProjet.objects.filter(cite=OuterRef("pk"))),
            _a_perimetre=Exists(CiteEducative.qpvs.through.objects.filter(citeeducative_id=OuterRef("pk"))),
            _a_etablissements=Exists(
                CiteEducative.etablissements.through.objects.filter(citeeducative_id=OuterRef("pk"))
            ),
        )
        .prefetch_related(_prefetch_communes(), "evenements")
        .get(slug=slug)
    )
    cite_attach_territoires(cites=[cite])
    # Conventions and revues are read only when the cité has some: no query for most cités.
    cite.historique = cite_historique(
        cite=cite,
        evenements=list(cite.evenements.all()),
        conventions=list(cite.conventions.all()) if cite._a_conventions else [],
        revues=list(cite.revues.all()) if cite._a_revues else [],
    )
    return cite


@dataclass(frozen=True)
class EtapeHistorique:
    """One line of a cité's public label history: a decision, the convention-cadre or a revue."""

    type: str  # an EvenementLabel.Type, "convention" or "revue"
    titre: str
    annee: int
    date: datetime.date | None = None
    reference_decision: str = ""
    fin_financement: datetime.date | None = None
    description: str = ""
    document_url: str = ""


def _document_url(*, cite: CiteEducative, type: str, record) -> str:
    if not (record.document and record.document_public):
        return ""
    return reverse("cites:document", kwargs={"slug": cite.slug, "type": type, "pk": record.pk})


def cite_historique(
    *,
    cite: CiteEducative,
    evenements: list[EvenementLabel],
    conventions: list[ConventionCadre],
    revues: list[RevueProjet],
) -> list[EtapeHistorique]:
    """Label events, conventions and revues of `cite` in one chronological list (no query).

    Documents are linked only when an agent marked them public."""
    lignes = []
    for rang, evenement in enumerate(evenements):
        etape = EtapeHistorique(
            type=evenement.type,
            titre=evenement.get_type_display(),
            annee=evenement.annee,
            date=evenement.date,
            reference_decision=evenement.reference_decision,
            fin_financement=evenement.fin_financement,
            description=evenement.description,
        )
        lignes.append(((evenement.annee, evenement.date or datetime.date(evenement.annee, 1, 1), 0, rang), etape))
    for rang, convention in enumerate(conventions):
        etape = EtapeHistorique(
            type="convention",
            titre="Signature de la convention-cadre",
            annee=convention.date_signature.year,
            date=convention.date_signature,
            description=convention.description,
            document_url=_document_url(cite=cite, type="convention", record=convention),
        )
        lignes.append(((etape.annee, etape.date, 1, rang), etape))
    for rang, revue in enumerate(revues):
        etape = EtapeHistorique(
            type="revue",
            titre=f"Revue de projet {revue.annee}",
            annee=revue.annee,
            date=revue.date,
            description=revue.resume,
            document_url=_document_url(cite=cite, type="revue", record=revue),
        )
        lignes.append(((revue.annee, revue.date, 2, rang), etape))
    return [etape for _, etape in sorted(lignes, key=lambda ligne: ligne[0])]


def cite_territoire(*, cite: CiteEducative) -> dict:
    """The QPVs and schools of `cite` with their IPS, the IPS of its départements and the cités
    that share its communes (see `cites.territoire`).

    A cité labelled on the portal has a recorded perimeter (its QPVs and schools); a cité of the
    ANCT list only has communes: its QPVs and REP/REP+ schools are then those of its whole
    communes, and `perimetre_communes` says so, so that the page warns about it.
    """
    communes = list(cite.communes.all())
    # A recorded perimeter is read only when the cité has one (no query for the cités of the ANCT list).
    qpvs_retenus = (
        list(cite.qpvs.filter(generation=QPV_GENERATION).defer("contour").prefetch_related("communes").order_by("nom"))
        if getattr(cite, "_a_perimetre", True)
        else []
    )
    etablissements_retenus = (
        list(cite.etablissements.select_related("commune")) if getattr(cite, "_a_etablissements", True) else []
    )
    territoire = territoire_build(
        communes=communes,
        qpvs=qpvs_retenus or None,
        etablissements=etablissements_retenus or None,
        cite_exclue=cite,
    )
    if etablissements_retenus:
        ecoles = territoire.ecoles
    elif territoire.annuaire_charge:
        ecoles = [ecole for ecole in territoire.ecoles if ecole.prioritaire or not ecole.dans_annuaire]
    else:
        # No annuaire for these communes: every school known by its IPS, the lowest first.
        ecoles = sorted(territoire.ecoles, key=lambda e: (e.ips is None, e.ips or 0, e.nom))
    arrondissements = CommuneRattachee.objects.filter(
        commune__in=communes, type=CommuneRattachee.Type.ARRONDISSEMENT
    ).exists()
    departements = [departement.code for departement in getattr(cite, "departements", [])]
    moyennes = [territoire.moyennes_departements.get(code) for code in departements]
    return {
        "qpvs": territoire.qpvs,
        "ecoles": ecoles,
        "territoire": territoire,
        "rep_plus": territoire.rep_plus,
        "rep": territoire.rep,
        # The cité's own schools, or the REP/REP+ schools of its communes (None without annuaire).
        "ips_moyen": territoire.ips_moyen(ecoles if etablissements_retenus else None),
        "moyennes_departements": [
            (departement, moyenne)
            for departement, moyenne in zip(getattr(cite, "departements", []), moyennes, strict=True)
            if moyenne is not None
        ],
        "annuaire_charge": territoire.annuaire_charge or bool(etablissements_retenus),
        "perimetre_enregistre": bool(qpvs_retenus),
        "perimetre_communes": not qpvs_retenus
        and (len(territoire.qpvs) > 1 or bool(territoire.cites) or arrondissements),
        "commune_arrondissements": arrondissements,
        "cites_voisines": territoire.cites,
    }


# --- Key figures and statistics -------------------------------------------------------------


def _communes_couvertes():
    links = CiteEducative.communes.through.objects.filter(citeeducative__publiee=True)
    return Commune.objects.filter(pk__in=links.values("commune_id"))


def chiffres_cles() -> dict:
    """National figures of the home page."""
    communes = _communes_couvertes()
    etablissements = Etablissement.objects.filter(
        commune__in=communes.values("pk"), education_prioritaire__in=EDUCATION_PRIORITAIRE
    )
    par_type = dict(
        etablissements.order_by()
        .values_list("education_prioritaire")
        .annotate(nombre=Count("pk"))
        .values_list("education_prioritaire", "nombre")
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
        .order_by(SearchFold("departement__region__nom"), "departement__code")
    )
    regions_rows = list(
        Commune.objects.filter(cites__publiee=True)
        .values("departement__region__code", "departement__region__nom")
        .annotate(cites=Count("cites", distinct=True), communes=Count("pk", distinct=True))
        .order_by(SearchFold("departement__region__nom"))
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
        # Régions, then the collectivités d'outre-mer (Saint-Martin…) that the COG lists beside them.
        "regions": [region for region in regions if est_region(region["code"])],
        "collectivites": [region for region in regions if not est_region(region["code"])],
        "total_cites": _published().count(),
        "total_communes": _communes_couvertes().count(),
        "cites_multi_departements": multi,
    }


def statistiques_par_annee() -> dict:
    """Published cités per year of label (deduced or decided), and how many years are deduced."""
    rows = list(
        _published()
        .order_by()
        .values_list("annee_label")
        .annotate(cites=Count("pk"), deduites=Count("pk", filter=Q(annee_label_deduite=True)))
        .order_by("annee_label")
    )
    return {
        "annees": [{"annee": annee, "cites": cites, "deduites": deduites} for annee, cites, deduites in rows if annee],
        "sans_annee": sum(cites for annee, cites, _deduites in rows if not annee),
        "deduites": sum(deduites for _annee, _cites, deduites in rows),
    }

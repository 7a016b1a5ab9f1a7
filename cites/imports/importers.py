"""Importers: upsert the mapped records on their official codes, in batches.

Each `<dataset>_import` function reads its source (readers), maps every record (mappers), then
writes in one transaction: rows are compared with what the database holds, so that a second run
over the same file creates and updates nothing. It returns a `Resultat` with the counts and the
rejected records (line or feature number and reason).
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from shapely import STRtree, points
from shapely.geometry import shape
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cites.cache import public_cache_invalidate
from cites.models import (
    CiteEducative,
    Commune,
    CommuneRattachee,
    Departement,
    Epci,
    Etablissement,
    EtablissementQpv,
    EvenementLabel,
    Qpv,
    Region,
)
from cites.search import search_fold_text

from . import mappers
from .mappers import CommuneIndex, Rejet
from .readers import (
    ImportErreur,
    LigneRejetee,
    Source,
    csv_read,
    geojson_features_read,
    json_list_read,
    looks_like_json,
    source_read_bytes,
)

BATCH_SIZE = 2000
CHANGE_REASON = "Import des données de référence"

Progression = Callable[[Iterable, str, int | None], Iterable]


def no_progress(items: Iterable, description: str, total: int | None = None) -> Iterable:
    return items


@dataclass
class RejetEnregistre:
    numero: int
    motif: str
    unite: str = "ligne"

    def __str__(self) -> str:
        return f"{self.unite} {self.numero} : {self.motif}"


@dataclass
class Resultat:
    """What one import did to one table."""

    jeu: str
    source: str = ""
    crees: int = 0
    mis_a_jour: int = 0
    inchanges: int = 0
    rejets: list[RejetEnregistre] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    @property
    def rejetes(self) -> int:
        return len(self.rejets)

    def resume(self) -> str:
        return (
            f"{self.jeu} : {self.crees} créé(s), {self.mis_a_jour} mis à jour, "
            f"{self.inchanges} inchangé(s), {self.rejetes} rejeté(s)"
        )


@dataclass
class _Ecriture:
    crees: set = field(default_factory=set)
    mis_a_jour: set = field(default_factory=set)
    inchanges: set = field(default_factory=set)

    def count_into(self, resultat: Resultat) -> None:
        resultat.crees += len(self.crees)
        resultat.mis_a_jour += len(self.mis_a_jour)
        resultat.inchanges += len(self.inchanges)
        if self.crees or self.mis_a_jour:
            # Bulk writes send no signal: forget the cached public pages once this commits.
            public_cache_invalidate()

    def mark_updated(self, keys: Iterable) -> None:
        for key in keys:
            if key in self.inchanges:
                self.inchanges.discard(key)
                self.mis_a_jour.add(key)


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_upsert(
    *,
    model: type[models.Model],
    key: str,
    rows: dict[str, dict],
    fields: list[str],
    source: str,
    importe_le,
) -> _Ecriture:
    """Create or update `rows` (official code → field values) compared with the database.

    `fields` are attribute names (`departement_id` for a foreign key). Rows whose values and
    source are unchanged are left alone, keeping their `importe_le`.
    """
    compared = [*fields, "source"]
    existing = {
        values[0]: (values[1], values[2:]) for values in model.objects.values_list(key, "pk", *compared).iterator()
    }
    ecriture = _Ecriture()
    to_create, to_update = [], []
    for code, mapped in rows.items():
        values = {name: mapped[name] for name in fields}
        wanted = (*values.values(), source)
        if code not in existing:
            to_create.append(model(**{key: code}, **values, source=source, importe_le=importe_le))
            ecriture.crees.add(code)
        elif existing[code][1] != wanted:
            to_update.append(model(pk=existing[code][0], **values, source=source, importe_le=importe_le))
            ecriture.mis_a_jour.add(code)
        else:
            ecriture.inchanges.add(code)
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, [*compared, "importe_le"], batch_size=500)
    return ecriture


def tables_analyze(*tables: type[models.Model]) -> None:
    """Fresh planner statistics after a bulk load on PostgreSQL: without them the first queries
    on a newly filled table are planned as if it were empty."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def pks_by_code(*, model: type[models.Model], key: str = "code") -> dict[str, int]:
    return dict(model.objects.values_list(key, "pk").iterator())


def m2m_sync(*, through: type[models.Model], left: str, right: str, wanted: dict[int, set[int]]) -> set[int]:
    """Make the links of each `left` id in `wanted` exactly the given `right` ids.

    Lefts not in `wanted` are not touched. Returns the left ids whose links changed.
    """
    existing: dict[int, dict[int, int]] = defaultdict(dict)
    for pk, left_id, right_id in through.objects.values_list("pk", left, right).iterator():
        if left_id in wanted:
            existing[left_id][right_id] = pk
    changed, to_delete, to_create = set(), [], []
    for left_id, right_ids in wanted.items():
        current = existing.get(left_id, {})
        for right_id in right_ids - current.keys():
            to_create.append(through(**{left: left_id, right: right_id}))
            changed.add(left_id)
        for right_id in current.keys() - right_ids:
            to_delete.append(current[right_id])
            changed.add(left_id)
    for chunk in _chunks(to_delete):
        through.objects.filter(pk__in=chunk).delete()
    through.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    return changed


def commune_index_build() -> CommuneIndex:
    """Every code that resolves to a current commune: communes first, then rattachées."""
    index = CommuneIndex()
    for code, pk, departement in Commune.objects.values_list("code", "pk", "departement__code").iterator():
        index.ids[code] = pk
        index.departements[pk] = departement
    for code, commune_id in CommuneRattachee.objects.values_list("code", "commune_id").iterator():
        index.ids.setdefault(code, commune_id)
    return index


# --- COG ----------------------------------------------------------------------------------

COG_FICHIERS = ("regions", "departements", "communes", "epci")


def cog_files_find(*, dossier: Path) -> dict[str, Path]:
    """The COG files of a folder: `regions.json`… (npm package layout) or
    `decoupage-administratif-<version>_regions.json`… (../shared/data/cog layout)."""
    found = {}
    for name in COG_FICHIERS:
        candidates = [dossier / f"{name}.json", *sorted(dossier.glob(f"decoupage-administratif-*_{name}.json"))]
        for candidate in candidates:
            if candidate.is_file():
                found[name] = candidate
                break
    return found


def _cog_version(*, path: Path) -> str:
    match = re.match(r"decoupage-administratif-([\w.]+)_", path.name)
    if match:
        return match.group(1)
    package = path.parent.parent / "package.json"
    if package.is_file():
        match = re.search(rb'"version"\s*:\s*"([^"]+)"', package.read_bytes())
        if match:
            return match.group(1).decode()
    return ""


def cog_source(*, path: Path, name: str) -> Source:
    """The same label whether the file comes from node_modules or from a copied folder."""
    version = _cog_version(path=path)
    label = f"@etalab/decoupage-administratif {version} {name}.json".replace("  ", " ")
    return Source(str(path), libelle=label)


def _map_all(records: Iterable, mapper, *, resultat: Resultat, unite: str, start: int = 1) -> list:
    mapped = []
    for number, record in enumerate(records, start=start):
        try:
            mapped.append(mapper(record))
        except Rejet as rejet:
            resultat.rejets.append(RejetEnregistre(number, str(rejet), unite))
    return mapped


def cog_import(*, dossier: Path, progression: Progression = no_progress, epci: Path | None = None) -> list[Resultat]:
    """Régions, départements, communes (current ones, then the codes that resolve to them) and,
    when an `epci.json` is there (or given), the intercommunalities with their member communes."""
    files = cog_files_find(dossier=dossier)
    missing = [f"{name}.json" for name in ("regions", "departements", "communes") if name not in files]
    if missing:
        raise ImportErreur(f"fichiers du COG absents de {dossier} : {', '.join(missing)}.")
    if epci is not None:
        files["epci"] = epci
    resultats = []
    now = timezone.now()

    # Régions
    source = cog_source(path=files["regions"], name="regions")
    records = json_list_read(source=source)
    resultat = Resultat("Régions", source.nom)
    rows = {row["code"]: row for row in _map_all(records, mappers.region_map, resultat=resultat, unite="entrée")}
    with transaction.atomic():
        rows_upsert(model=Region, key="code", rows=rows, fields=["nom"], source=source.nom, importe_le=now).count_into(
            resultat
        )
    resultats.append(resultat)

    # Départements
    source = cog_source(path=files["departements"], name="departements")
    records = json_list_read(source=source)
    resultat = Resultat("Départements", source.nom)
    regions = pks_by_code(model=Region)
    rows = {
        row["code"]: row
        for row in _map_all(
            records, lambda r: mappers.departement_map(r, regions=regions), resultat=resultat, unite="entrée"
        )
    }
    with transaction.atomic():
        rows_upsert(
            model=Departement, key="code", rows=rows, fields=["nom", "region_id"], source=source.nom, importe_le=now
        ).count_into(resultat)
    resultats.append(resultat)

    # Communes and the codes that resolve to them, from the same file
    source = cog_source(path=files["communes"], name="communes")
    records = json_list_read(source=source)
    communes_resultat = Resultat("Communes", source.nom)
    rattachees_resultat = Resultat("Communes rattachées (déléguées, associées, arrondissements)", source.nom)
    departements = pks_by_code(model=Departement)
    actuelles, autres = {}, []
    for number, record in enumerate(progression(records, "Communes", len(records)), start=1):
        if record.get("type", "commune-actuelle") != "commune-actuelle":
            autres.append((number, record))
            continue
        try:
            row = mappers.commune_map(record, departements=departements)
        except Rejet as rejet:
            communes_resultat.rejets.append(RejetEnregistre(number, str(rejet), "entrée"))
            continue
        row["nom_recherche"] = search_fold_text(row["nom"]) or ""
        actuelles[row["code"]] = row
    with transaction.atomic():
        rows_upsert(
            model=Commune,
            key="code",
            rows=actuelles,
            fields=["nom", "nom_recherche", "departement_id", "population", "siren"],
            source=source.nom,
            importe_le=now,
        ).count_into(communes_resultat)
        communes = pks_by_code(model=Commune)
        rattachees = {}
        for number, record in autres:
            try:
                row = mappers.commune_rattachee_map(record, communes=communes)
            except Rejet as rejet:
                rattachees_resultat.rejets.append(RejetEnregistre(number, str(rejet), "entrée"))
                continue
            rattachees[row["code"]] = row
        rows_upsert(
            model=CommuneRattachee,
            key="code",
            rows=rattachees,
            fields=["nom", "type", "commune_id"],
            source=source.nom,
            importe_le=now,
        ).count_into(rattachees_resultat)
    resultats += [communes_resultat, rattachees_resultat]
    tables_analyze(Region, Departement, Commune, CommuneRattachee)

    if "epci" in files:
        resultats.append(epci_import(source=cog_source(path=files["epci"], name="epci"), now=now))
    return resultats


def epci_import(*, source: Source, now=None) -> Resultat:
    records = json_list_read(source=source)
    resultat = Resultat("Intercommunalités (EPCI)", source.nom)
    index = commune_index_build()
    rows, members = {}, {}
    for number, record in enumerate(records, start=1):
        try:
            row, member_ids = mappers.epci_map(record, communes=index)
        except Rejet as rejet:
            resultat.rejets.append(RejetEnregistre(number, str(rejet), "entrée"))
            continue
        rows[row["siren"]] = row
        members[row["siren"]] = member_ids
    with transaction.atomic():
        ecriture = rows_upsert(
            model=Epci,
            key="siren",
            rows=rows,
            fields=["nom", "type"],
            source=source.nom,
            importe_le=now or timezone.now(),
        )
        pks = pks_by_code(model=Epci, key="siren")
        changed = m2m_sync(
            through=Epci.communes.through,
            left="epci_id",
            right="commune_id",
            wanted={pks[siren]: ids for siren, ids in members.items()},
        )
        by_pk = {pk: siren for siren, pk in pks.items()}
        ecriture.mark_updated(by_pk[pk] for pk in changed)
        ecriture.count_into(resultat)
    tables_analyze(Epci, Epci.communes.through)
    return resultat


# --- QPV ----------------------------------------------------------------------------------


def qpv_import(*, source: Source, progression: Progression = no_progress) -> Resultat:
    """QPVs from the ANCT GeoJSON (codes grouped by commune), a contours GeoJSON (one polygon per
    QPV, stored with its centroid) or the data.gouv CSV layout (one row per QPV and commune)."""
    content = source_read_bytes(source=source)
    resultat = Resultat("QPV", source.nom)
    index = commune_index_build()
    lus: list[tuple[int, mappers.QpvLu]] = []
    if looks_like_json(content=content):
        features = geojson_features_read(source=source, content=content)
        unite = "entité"
        for number, feature in enumerate(progression(features, "QPV", len(features)), start=1):
            try:
                lus += [(number, lu) for lu in mappers.qpv_feature_map(feature, communes=index)]
            except Rejet as rejet:
                resultat.rejets.append(RejetEnregistre(number, str(rejet), unite))
    else:
        fichier = csv_read(source=source, required=["code_qp", "lib_qp", "insee_com"], content=content)
        for number, row in progression(fichier.lignes, "QPV", None):
            if isinstance(row, LigneRejetee):
                resultat.rejets.append(RejetEnregistre(number, row))
                continue
            try:
                lus.append((number, mappers.qpv_csv_map(row, communes=index)))
            except Rejet as rejet:
                resultat.rejets.append(RejetEnregistre(number, str(rejet)))

    qpvs: dict[str, mappers.QpvLu] = {}
    for _number, lu in lus:
        if lu.code in qpvs:
            qpvs[lu.code].commune_ids |= lu.commune_ids
        else:
            qpvs[lu.code] = lu
    with_contours = any(lu.contour is not None for lu in qpvs.values())
    fields = ["nom", "generation"] + (["contour", "latitude", "longitude"] if with_contours else [])
    rows = {code: {name: getattr(lu, name) for name in fields} for code, lu in qpvs.items()}
    with transaction.atomic():
        ecriture = rows_upsert(
            model=Qpv, key="code", rows=rows, fields=fields, source=source.nom, importe_le=timezone.now()
        )
        pks = pks_by_code(model=Qpv)
        changed = m2m_sync(
            through=Qpv.communes.through,
            left="qpv_id",
            right="commune_id",
            wanted={pks[code]: lu.commune_ids for code, lu in qpvs.items()},
        )
        by_pk = {pk: code for code, pk in pks.items()}
        ecriture.mark_updated(by_pk[pk] for pk in changed)
        ecriture.count_into(resultat)
    tables_analyze(Qpv, Qpv.communes.through)
    multi = sum(1 for lu in qpvs.values() if len(lu.commune_ids) > 1)
    resultat.details.append(f"{len(qpvs)} QPV lus, dont {multi} sur plusieurs communes")
    if with_contours:
        resultat.details.append(f"{sum(1 for lu in qpvs.values() if lu.contour)} contours enregistrés")
    return resultat


# --- Cités éducatives -----------------------------------------------------------------------


def _slug_unique(nom: str, *, taken: set[str]) -> str:
    base = slugify(nom)[:200] or "cite"
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(slug)
    return slug


def cites_import(*, source: Source, progression: Progression = no_progress) -> Resultat:
    """The ANCT list of labelled cités. The label year is deduced from the id (marked as such)
    unless an agent corrected it (`annee_label_deduite` False): a corrected year is kept."""
    features = geojson_features_read(source=source)
    resultat = Resultat("Cités éducatives", source.nom)
    index = commune_index_build()
    lues: dict[str, mappers.CiteLue] = {}
    for number, feature in enumerate(progression(features, "Cités éducatives", len(features)), start=1):
        try:
            cites = mappers.cite_feature_map(feature, communes=index)
        except Rejet as rejet:
            resultat.rejets.append(RejetEnregistre(number, str(rejet), "entité"))
            continue
        for cite in cites:
            if cite.identifiant in lues:
                resultat.rejets.append(RejetEnregistre(number, f"{cite.identifiant} déjà lu plus haut", "entité"))
                continue
            lues[cite.identifiant] = cite

    now = timezone.now()
    ecriture = _Ecriture()
    with transaction.atomic():
        existing = {cite.identifiant: cite for cite in CiteEducative.objects.filter(identifiant__in=list(lues))}
        taken = set(CiteEducative.objects.values_list("slug", flat=True))
        to_create, to_update = [], []
        for identifiant, lue in lues.items():
            cite = existing.get(identifiant)
            if cite is None:
                to_create.append(
                    CiteEducative(
                        identifiant=identifiant,
                        nom=lue.nom,
                        nom_recherche=search_fold_text(lue.nom) or "",
                        slug=_slug_unique(lue.nom, taken=taken),
                        annee_label=lue.annee_label,
                        annee_label_deduite=lue.annee_label is not None,
                        source=source.nom,
                        importe_le=now,
                    )
                )
                ecriture.crees.add(identifiant)
                continue
            wanted = {"nom": lue.nom, "nom_recherche": search_fold_text(lue.nom) or "", "source": source.nom}
            if cite.annee_label_deduite or cite.annee_label is None:
                # Never overwrite a year an agent set (annee_label_deduite False).
                wanted.update(annee_label=lue.annee_label, annee_label_deduite=lue.annee_label is not None)
            if any(getattr(cite, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(cite, name, value)
                cite.importe_le = now
                to_update.append(cite)
                ecriture.mis_a_jour.add(identifiant)
            else:
                ecriture.inchanges.add(identifiant)
        bulk_create_with_history(to_create, CiteEducative, batch_size=500, default_change_reason=CHANGE_REASON)
        if to_update:
            bulk_update_with_history(
                to_update,
                CiteEducative,
                ["nom", "nom_recherche", "source", "annee_label", "annee_label_deduite", "importe_le"],
                batch_size=500,
                default_change_reason=CHANGE_REASON,
            )
        cites = {cite.identifiant: cite for cite in CiteEducative.objects.filter(identifiant__in=list(lues))}
        # Communes added by an extension decided on the portal are not in the ANCT file yet: keep them.
        ajoutees: dict[int, set[int]] = defaultdict(set)
        for cite_id, commune_id in EvenementLabel.communes.through.objects.filter(
            evenementlabel__type=EvenementLabel.Type.EXTENSION
        ).values_list("evenementlabel__cite_id", "commune_id"):
            ajoutees[cite_id].add(commune_id)
        changed = m2m_sync(
            through=CiteEducative.communes.through,
            left="citeeducative_id",
            right="commune_id",
            wanted={
                cites[identifiant].pk: set(lue.commune_ids) | ajoutees[cites[identifiant].pk]
                for identifiant, lue in lues.items()
            },
        )
        ecriture.mark_updated(cite.identifiant for cite in cites.values() if cite.pk in changed)
        ecriture.mark_updated(_label_events_sync(cites=list(cites.values())))
    ecriture.count_into(resultat)
    tables_analyze(CiteEducative, CiteEducative.communes.through, EvenementLabel)
    deduites = sum(1 for cite in cites.values() if cite.annee_label_deduite)
    detail = f"{len(lues)} cités lues ; année du label déduite de l'identifiant pour {deduites}"
    # Only the years an agent set (cite_set_annee_label), kept over the file's: named one by one.
    corrigees = sorted(
        f"{cite.identifiant} ({cite.annee_label})"
        for cite in cites.values()
        if not cite.annee_label_deduite and cite.annee_label is not None
    )
    if corrigees:
        detail += f", corrigée par un agent et conservée pour {len(corrigees)} : {', '.join(corrigees)}"
    inconnues = sum(1 for cite in cites.values() if cite.annee_label is None)
    if inconnues:
        detail += f", inconnue pour {inconnues}"
    resultat.details.append(detail)
    return resultat


def _label_events_sync(*, cites: list[CiteEducative]) -> set[str]:
    """One initial label event per cité with a year; keep it in step with a deduced year."""
    first_label: dict[int, EvenementLabel] = {}
    for evenement in EvenementLabel.objects.filter(type=EvenementLabel.Type.LABEL).order_by("annee", "date", "pk"):
        first_label.setdefault(evenement.cite_id, evenement)
    to_create, to_update, changed = [], [], set()
    for cite in cites:
        if cite.annee_label is None:
            continue
        evenement = first_label.get(cite.pk)
        if evenement is None:
            to_create.append(
                EvenementLabel(
                    cite=cite,
                    type=EvenementLabel.Type.LABEL,
                    annee=cite.annee_label,
                    description="Labellisation (année déduite de l'identifiant ANCT)."
                    if cite.annee_label_deduite
                    else "Labellisation.",
                )
            )
            changed.add(cite.identifiant)
        elif cite.annee_label_deduite and evenement.annee != cite.annee_label:
            evenement.annee = cite.annee_label
            to_update.append(evenement)
            changed.add(cite.identifiant)
    EvenementLabel.objects.bulk_create(to_create, batch_size=500)
    EvenementLabel.objects.bulk_update(to_update, ["annee"], batch_size=500)
    return changed


# --- Annuaire de l'éducation ---------------------------------------------------------------


def etablissements_import(*, source: Source, progression: Progression = no_progress) -> Resultat:
    """Schools of an annuaire export; core columns read by name, so both export layouts work.
    A UAI met twice in the file is one school: the repeated line is reported and ignored."""
    fichier = csv_read(source=source, required=mappers.ETABLISSEMENT_COLONNES)
    resultat = Resultat("Établissements", source.nom)
    index = commune_index_build()
    rows: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    for number, row in progression(fichier.lignes, "Établissements", None):
        if isinstance(row, LigneRejetee):
            resultat.rejets.append(RejetEnregistre(number, row))
            continue
        try:
            mapped = mappers.etablissement_map(row, communes=index)
        except Rejet as rejet:
            resultat.rejets.append(RejetEnregistre(number, str(rejet)))
            continue
        uai = mapped["uai"]
        if uai in rows:
            resultat.rejets.append(
                RejetEnregistre(number, f"UAI {uai} en double (déjà lu ligne {first_line[uai]}) : ligne ignorée")
            )
            continue
        rows[uai], first_line[uai] = mapped, number
    fields = ["nom", "type", "nature", "statut", "commune_id", "latitude", "longitude", "education_prioritaire"]
    with transaction.atomic():
        rows_upsert(
            model=Etablissement, key="uai", rows=rows, fields=fields, source=source.nom, importe_le=timezone.now()
        ).count_into(resultat)
    tables_analyze(Etablissement)
    rep = sum(1 for row in rows.values() if row["education_prioritaire"] == "REP")
    rep_plus = sum(1 for row in rows.values() if row["education_prioritaire"] == "REP+")
    resultat.details.append(f"{len(rows)} établissements lus, dont {rep} REP et {rep_plus} REP+")
    return resultat


# --- Schools in QPVs ------------------------------------------------------------------------


def etablissements_place(*, progression: Progression = no_progress) -> Resultat:
    """Place the schools in QPVs, each placement with its method:

    - inside the contour of a QPV (shapely, point in polygon) for a school with coordinates;
    - in the 2024 QPV of its commune only when the commune has exactly one (and the school's
      coordinates cannot be tested against that QPV's contour): a commune
      with several QPVs does not say which one (or whether any) holds the school, and linking the
      school to all of them counted it several times (114,769 links for 65,610 schools).
    """
    resultat = Resultat("Placements des établissements dans les QPV")
    polygones, qpv_ids = [], []
    for pk, contour in Qpv.objects.filter(contour__isnull=False).values_list("pk", "contour").iterator():
        try:
            polygone = shape(contour)
        except Exception:  # a broken stored contour only loses its placements
            continue
        polygones.append(polygone)
        qpv_ids.append(pk)
    qpvs_de_la_commune: dict[int, set[int]] = defaultdict(set)
    for qpv_id, commune_id in Qpv.communes.through.objects.filter(qpv__generation=2024).values_list(
        "qpv_id", "commune_id"
    ):
        qpvs_de_la_commune[commune_id].add(qpv_id)
    seul_qpv = {commune_id: next(iter(ids)) for commune_id, ids in qpvs_de_la_commune.items() if len(ids) == 1}

    wanted: dict[tuple[int, int], str] = {}
    located: list[tuple[int, float, float]] = []
    a_placer_par_commune: list[tuple[int, int]] = []
    for etablissement_id, commune_id, lat, lon in Etablissement.objects.values_list(
        "pk", "commune_id", "latitude", "longitude"
    ).iterator():
        if lat is not None and lon is not None:
            located.append((etablissement_id, lat, lon))
        if commune_id in seul_qpv:
            a_placer_par_commune.append((etablissement_id, commune_id))
    dans_un_contour = set()
    if polygones and located:
        tree = STRtree(polygones)
        geometries = points([lon for _pk, _lat, lon in located], [lat for _pk, lat, _lon in located])
        point_index, polygon_index = tree.query(geometries, predicate="within")
        for i, j in progression(zip(point_index, polygon_index, strict=True), "Placements", len(point_index)):
            wanted[(located[i][0], qpv_ids[j])] = EtablissementQpv.Methode.POLYGONE
            dans_un_contour.add(located[i][0])
    localises = {pk for pk, _lat, _lon in located}
    del located
    avec_contour = set(qpv_ids)
    par_commune = 0
    for etablissement_id, commune_id in a_placer_par_commune:
        qpv_id = seul_qpv[commune_id]
        # A QPV with a contour is decided by the contour for a school that has coordinates.
        if qpv_id not in avec_contour or etablissement_id not in localises:
            wanted[(etablissement_id, qpv_id)] = EtablissementQpv.Methode.COMMUNE
            par_commune += 1

    with transaction.atomic():
        existing = {
            (etablissement_id, qpv_id): (pk, methode)
            for pk, etablissement_id, qpv_id, methode in EtablissementQpv.objects.values_list(
                "pk", "etablissement_id", "qpv_id", "methode"
            ).iterator()
        }
        to_create, to_update = [], []
        for pair, methode in wanted.items():
            if pair not in existing:
                to_create.append(EtablissementQpv(etablissement_id=pair[0], qpv_id=pair[1], methode=methode))
                resultat.crees += 1
            elif existing[pair][1] != methode:
                to_update.append(EtablissementQpv(pk=existing[pair][0], methode=methode))
                resultat.mis_a_jour += 1
            else:
                resultat.inchanges += 1
        stale = [pk for pair, (pk, _methode) in existing.items() if pair not in wanted]
        for chunk in _chunks(stale):
            EtablissementQpv.objects.filter(pk__in=chunk).delete()
        EtablissementQpv.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        EtablissementQpv.objects.bulk_update(to_update, ["methode"], batch_size=500)
        if to_create or to_update or stale:
            public_cache_invalidate()
    tables_analyze(EtablissementQpv)
    resultat.details.append(
        f"{len(dans_un_contour)} établissements placés dans le contour d'un QPV, "
        f"{par_commune} placés par commune (seul QPV 2024 de leur commune) ; {len(stale)} placements retirés"
    )
    return resultat

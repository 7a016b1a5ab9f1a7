"""Exports of the agents' candidature list, at any size.

Rows are read with `.values()` (no model instances), through a database cursor, one batch at a
time; what a row needs from other tables (communes, budget total, assessment per criterion, last
change of state) is fetched once per batch, by the candidature's index of each table. Memory
stays the same whatever the number of candidatures.

- CSV: streamed as it is written (the header leaves before the first query runs).
- XLSX: written by a background task (services.export_build) into private storage, in openpyxl's
  write-only mode, then offered on « Mes exports ».

Both open as they are in French spreadsheet software (CSV: UTF-8 with a byte order mark, `;`
between columns, decimal comma, dates as dd/mm/yyyy; XLSX: typed cells). Text typed by porteurs
is never computed as a formula.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import islice

from django.db import connection
from django.db.models import Max, QuerySet, Sum
from django.http import StreamingHttpResponse
from django.utils import timezone

from candidatures.contenu import CHAMPS_EXPORTES
from candidatures.models import (
    Candidature,
    Collectivite,
    Critere,
    Etat,
    EvaluationCritere,
    EvenementCandidature,
    LigneBudget,
    Verifications,
)
from candidatures.selectors import COMPTE_SUPPRIME, email_is_anonymised
from cites.formats import FORMULE_DEBUTS, montant_tableur, texte_tableur

CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Colonne:
    titre: str
    largeur: int  # XLSX column width, in characters


COLONNES_FIXES = [
    Colonne("Référence", 15),
    Colonne("Nom du projet", 40),
    Colonne("Collectivité", 30),
    Colonne("Type de collectivité", 14),
    Colonne("Code INSEE ou SIREN", 12),
    Colonne("Région", 24),
    Colonne("Départements", 14),
    Colonne("Communes", 40),
    Colonne("Appel à projets", 40),
    Colonne("État", 20),
    Colonne("Vérifications automatiques", 24),
    Colonne("Agent instructeur", 24),
    Colonne("Avis de la région", 14),
    Colonne("Motifs de l'avis", 50),
    Colonne("Déposée le", 17),
    Colonne("Dernier changement d'état", 17),
    Colonne("Budget total (€)", 14),
    Colonne("Porteur", 24),
    Colonne("Adresse du porteur", 30),
    Colonne("Téléphone du porteur", 16),
    # then the fields of the content marked `export` in candidatures.contenu, in the order of the steps
    *(Colonne(champ.titre, champ.export) for champ in CHAMPS_EXPORTES),
]

CHAMPS = [
    "pk",
    "reference",
    "titre",
    "collectivite__nom",
    "collectivite__type",
    "collectivite__code",
    "collectivite__region__nom",
    "appel__titre",
    "etat",
    "verifications",
    "instructeur__first_name",
    "instructeur__last_name",
    "instructeur__email",
    "avis_region",
    "avis_region_motif",
    "depose_le",
    "cree_par__first_name",
    "cree_par__last_name",
    "cree_par__email",
    "cree_par__profil_porteur__telephone",
    *(champ.nom for champ in CHAMPS_EXPORTES),
]

ETATS = dict(Etat.choices)
VERIFICATIONS = dict(Verifications.choices)
AVIS = dict(Candidature.Avis.choices)
TYPES = dict(Collectivite.Type.choices)
APPRECIATIONS = dict(EvaluationCritere.Appreciation.choices)


# The labels of the exported content fields that have choices (their value is a code).
CHOIX_CONTENU = {c.nom: dict(Candidature._meta.get_field(c.nom).choices or []) for c in CHAMPS_EXPORTES}


def _contenu(nom: str, valeur):
    if valeur is None:
        return ""
    return CHOIX_CONTENU[nom].get(valeur, valeur) if CHOIX_CONTENU[nom] else valeur


def criteres_nombre() -> int:
    """How many criteria columns: the highest criterion number of any call (rules are data)."""
    return Critere.objects.aggregate(n=Max("numero"))["n"] or 0


def colonnes(*, criteres: int) -> list[Colonne]:
    par_critere = []
    for numero in range(1, criteres + 1):
        par_critere += [Colonne(f"Critère {numero} : appréciation", 16), Colonne(f"Critère {numero} : commentaire", 40)]
    return COLONNES_FIXES + par_critere


def _lots(iterable: Iterable, taille: int) -> Iterator[list]:
    iterateur = iter(iterable)
    while lot := list(islice(iterateur, taille)):
        yield lot


def _local(moment: datetime | None, fuseau) -> datetime | None:
    return moment.astimezone(fuseau).replace(tzinfo=None) if moment else None


def _personne(prenom: str | None, nom: str | None, email: str | None) -> str:
    return f"{prenom or ''} {nom or ''}".strip() or email or ""


def _pour(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """Rows of these candidatures. On PostgreSQL one array parameter (`= ANY(%s)`): building and
    sending 2,000 placeholders per query cost more than the query itself."""
    if connection.vendor == "postgresql":
        colonne = f'"{queryset.model._meta.db_table}"."candidature_id"'
        return queryset.extra(where=[f"{colonne} = ANY(%s)"], params=[ids])  # noqa: S610 — no user input
    return queryset.filter(candidature_id__in=ids)


def _complements(ids: list[int]) -> tuple[dict, dict, dict, dict]:
    """Communes, budget totals, assessments and last change of state of one batch of candidatures:
    four queries on the candidature's index of each table (never a subquery per row)."""
    communes: dict[int, list[tuple[str, str, str]]] = {}
    for cid, nom, code, departement in (
        _pour(Candidature.communes.through.objects.all(), ids)
        .order_by("commune__nom")
        .values_list("candidature_id", "commune__nom", "commune__code", "commune__departement__code")
    ):
        communes.setdefault(cid, []).append((nom, code, departement))
    budgets = dict(
        _pour(LigneBudget.objects.all(), ids)
        .order_by()
        .values("candidature_id")
        .annotate(total=Sum("montant"))
        .values_list("candidature_id", "total")
    )
    evaluations: dict[int, dict[int, tuple[str, str]]] = {}
    for cid, numero, appreciation, commentaire in _pour(EvaluationCritere.objects.all(), ids).values_list(
        "candidature_id", "critere__numero", "appreciation", "commentaire"
    ):
        evaluations.setdefault(cid, {})[numero] = (APPRECIATIONS.get(appreciation, appreciation), commentaire)
    derniers = dict(
        _pour(EvenementCandidature.objects.all(), ids)
        .order_by()
        .values("candidature_id")
        .annotate(dernier=Max("date"))
        .values_list("candidature_id", "dernier")
    )
    return communes, budgets, evaluations, derniers


def _ligne(v: dict, communes: list, budget, evaluations: dict, dernier, criteres: int, fuseau) -> list:
    porteur_supprime = v["cree_par__email"] is None or email_is_anonymised(v["cree_par__email"])
    ligne = [
        v["reference"] or "",
        v["titre"],
        v["collectivite__nom"],
        TYPES.get(v["collectivite__type"], v["collectivite__type"]),
        v["collectivite__code"],
        v["collectivite__region__nom"] or "",
        ", ".join(sorted({departement for _, _, departement in communes})),
        ", ".join(f"{nom} ({code})" for nom, code, _ in communes),
        v["appel__titre"],
        ETATS.get(v["etat"], v["etat"]),
        VERIFICATIONS.get(v["verifications"], "non calculées"),
        _personne(v["instructeur__first_name"], v["instructeur__last_name"], v["instructeur__email"]),
        AVIS.get(v["avis_region"], ""),
        v["avis_region_motif"],
        _local(v["depose_le"], fuseau),
        _local(dernier, fuseau),
        budget if budget is not None else Decimal("0"),
        COMPTE_SUPPRIME
        if porteur_supprime
        else _personne(v["cree_par__first_name"], v["cree_par__last_name"], v["cree_par__email"]),
        "" if porteur_supprime else v["cree_par__email"],
        "" if porteur_supprime else (v["cree_par__profil_porteur__telephone"] or ""),
        *(_contenu(champ.nom, v[champ.nom]) for champ in CHAMPS_EXPORTES),
    ]
    for numero in range(1, criteres + 1):
        appreciation, commentaire = evaluations.get(numero, ("", ""))
        ligne += [appreciation, commentaire]
    return ligne


def export_lots(*, queryset: QuerySet[Candidature], criteres: int) -> Iterator[list[list]]:
    """The rows of the export, batch by batch, in the order of the queryset."""
    fuseau = timezone.get_current_timezone()
    valeurs = queryset.values(*CHAMPS).iterator(chunk_size=CHUNK)
    for lot in _lots(valeurs, CHUNK):
        communes, budgets, evaluations, derniers = _complements([v["pk"] for v in lot])
        yield [
            _ligne(
                v,
                communes.get(v["pk"], []),
                budgets.get(v["pk"]),
                evaluations.get(v["pk"], {}),
                derniers.get(v["pk"]),
                criteres,
                fuseau,
            )
            for v in lot
        ]


# --- CSV ------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cellule_csv(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, datetime):
        return valeur.strftime("%d/%m/%Y %H:%M")
    if isinstance(valeur, Decimal):
        return montant_tableur(valeur)  # « 150000,50 »: a number for French spreadsheets
    # A cell starting like a formula is shown as text, never computed by the spreadsheet.
    return texte_tableur(str(valeur))


DEBUTS_FORMULE = frozenset(FORMULE_DEBUTS)


def csv_lots(*, queryset: QuerySet[Candidature], criteres: int) -> Iterator[tuple[bytes, int]]:
    """The CSV file in pieces, each with its number of candidatures: the header at once (0), then
    one piece per batch of rows."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield ("\ufeff" + writer.writerow([c.titre for c in colonnes(criteres=criteres)])).encode("utf-8"), 0
    for lot in export_lots(queryset=queryset, criteres=criteres):
        # Most cells are plain text: they skip the function call (same result as _cellule_csv).
        texte = "".join(
            writer.writerow(
                [("'" + v if v[:1] in DEBUTS_FORMULE else v) if v.__class__ is str else _cellule_csv(v) for v in ligne]
            )
            for ligne in lot
        )
        yield texte.encode("utf-8"), len(lot)


def csv_morceaux(*, queryset: QuerySet[Candidature], criteres: int) -> Iterator[bytes]:
    for morceau, _ in csv_lots(queryset=queryset, criteres=criteres):
        yield morceau


def export_csv_response(*, queryset: QuerySet[Candidature], nom: str) -> StreamingHttpResponse:
    """Streamed: the header leaves at once, then each batch of rows as soon as it is read."""
    criteres = criteres_nombre()
    response = StreamingHttpResponse(
        csv_morceaux(queryset=queryset, criteres=criteres), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- XLSX -----------------------------------------------------------------------------------


def xlsx_ecrire(*, queryset: QuerySet[Candidature], fichier) -> int:
    """Write the XLSX file into `fichier` (binary, seekable) row by row (openpyxl's write-only
    mode keeps nothing in memory); returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    criteres = criteres_nombre()
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Candidatures")
    liste = colonnes(criteres=criteres)
    for i, colonne in enumerate(liste, start=1):
        feuille.column_dimensions[get_column_letter(i)].width = colonne.largeur
    feuille.freeze_panes = "A2"
    entetes = []
    for colonne in liste:
        cellule = WriteOnlyCell(feuille, value=colonne.titre)
        cellule.font = Font(bold=True)
        entetes.append(cellule)
    feuille.append(entetes)
    nombre = 0
    for lot in export_lots(queryset=queryset, criteres=criteres):
        for valeurs in lot:
            ligne = []
            for valeur in valeurs:
                if isinstance(valeur, str):
                    if ILLEGAL_CHARACTERS_RE.search(valeur):
                        valeur = ILLEGAL_CHARACTERS_RE.sub("", valeur)
                    if valeur.startswith("="):  # text typed by porteurs is never a formula
                        cellule = WriteOnlyCell(feuille, value=valeur)
                        cellule.data_type = "s"
                        valeur = cellule
                elif isinstance(valeur, datetime):
                    valeur = WriteOnlyCell(feuille, value=valeur)
                    valeur.number_format = "DD/MM/YYYY HH:MM"
                elif isinstance(valeur, Decimal):
                    valeur = WriteOnlyCell(feuille, value=valeur)
                    valeur.number_format = "#,##0.00"
                ligne.append(valeur)
            feuille.append(ligne)
            nombre += 1
    classeur.save(fichier)
    return nombre

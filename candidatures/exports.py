"""Exports of the agents' candidature list: CSV streamed row by row, XLSX written in openpyxl's
write-only mode. Both open as they are in French spreadsheet software (CSV: UTF-8 with a byte
order mark, `;` between columns, decimal comma, dates as dd/mm/yyyy)."""

import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from candidatures.models import Candidature, LigneBudget
from cites.formats import montant_tableur, texte_tableur
from cites.models import Commune

CHUNK = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Colonne:
    titre: str
    largeur: int  # XLSX column width, in characters


COLONNES = [
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
    Colonne("Déposée le", 17),
    Colonne("Dernier changement d'état", 17),
    Colonne("Budget total (€)", 14),
]


def export_queryset(*, queryset: QuerySet[Candidature]) -> QuerySet[Candidature]:
    """What every row needs, fetched per chunk of rows and not per row."""
    total_budget = (
        LigneBudget.objects.filter(candidature=OuterRef("pk"))
        .order_by()
        .values("candidature")
        .annotate(total=Sum("montant"))
        .values("total")
    )
    return (
        queryset.select_related("appel", "collectivite", "collectivite__region", "instructeur")
        .annotate(budget_total=Subquery(total_budget, output_field=DecimalField(max_digits=14, decimal_places=2)))
        .prefetch_related(
            Prefetch(
                "communes",
                queryset=Commune.objects.select_related("departement")
                .only("code", "nom", "departement__code")
                .order_by("nom"),
            )
        )
    )


def _valeurs(c: Candidature) -> list:
    communes = list(c.communes.all())
    instructeur = c.instructeur
    return [
        c.reference or "",
        c.titre,
        c.collectivite.nom,
        c.collectivite.get_type_display(),
        c.collectivite.code,
        c.collectivite.region.nom if c.collectivite.region else "",
        ", ".join(sorted({commune.departement.code for commune in communes})),
        ", ".join(f"{commune.nom} ({commune.code})" for commune in communes),
        c.appel.titre,
        c.get_etat_display(),
        c.get_verifications_display() if c.verifications else "non calculées",
        (instructeur.get_full_name() or instructeur.email) if instructeur else "",
        c.get_avis_region_display() if c.avis_region else "",
        _local(c.depose_le),
        _local(getattr(c, "dernier_changement", None)),
        c.budget_total if c.budget_total is not None else Decimal("0"),
    ]


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def export_rows(*, queryset: QuerySet[Candidature]) -> Iterator[list]:
    for candidature in export_queryset(queryset=queryset).iterator(chunk_size=CHUNK):
        yield _valeurs(candidature)


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


def _csv_lignes(*, queryset: QuerySet[Candidature]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([c.titre for c in COLONNES])
    for valeurs in export_rows(queryset=queryset):
        yield writer.writerow([_cellule_csv(v) for v in valeurs])


def export_csv_response(*, queryset: QuerySet[Candidature], nom: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (ligne.encode("utf-8") for ligne in _csv_lignes(queryset=queryset)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- XLSX -----------------------------------------------------------------------------------


def export_xlsx_response(*, queryset: QuerySet[Candidature], nom: str) -> FileResponse:
    """Rows are written one by one to a temporary file (write-only mode), then streamed."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Candidatures")
    for i, colonne in enumerate(COLONNES, start=1):
        feuille.column_dimensions[get_column_letter(i)].width = colonne.largeur
    feuille.freeze_panes = "A2"
    entetes = []
    for colonne in COLONNES:
        cellule = WriteOnlyCell(feuille, value=colonne.titre)
        cellule.font = Font(bold=True)
        entetes.append(cellule)
    feuille.append(entetes)
    for valeurs in export_rows(queryset=queryset):
        ligne = []
        for valeur in valeurs:
            if isinstance(valeur, datetime):
                cellule = WriteOnlyCell(feuille, value=valeur)
                cellule.number_format = "DD/MM/YYYY HH:MM"
                ligne.append(cellule)
            elif isinstance(valeur, Decimal):
                cellule = WriteOnlyCell(feuille, value=valeur)
                cellule.number_format = "#,##0.00"
                ligne.append(cellule)
            elif isinstance(valeur, str):
                cellule = WriteOnlyCell(feuille, value=ILLEGAL_CHARACTERS_RE.sub("", valeur))
                cellule.data_type = "s"  # text typed by porteurs is never a formula
                ligne.append(cellule)
            else:
                ligne.append(valeur)
        feuille.append(ligne)
    fichier = tempfile.TemporaryFile()  # noqa: SIM115 — closed by FileResponse once sent
    classeur.save(fichier)
    fichier.seek(0)
    response = FileResponse(fichier, as_attachment=True, filename=f"{nom}.xlsx", content_type=XLSX_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response

"""The deposit receipt: a PDF with the reference, the time of deposit and the whole candidature."""

import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from candidatures.contenu import contenu_etapes
from candidatures.models import Candidature
from candidatures.selectors import budget_totaux
from cites.formats import montant, taille


def _styles():
    base = getSampleStyleSheet()
    return {
        "titre": ParagraphStyle("titre", parent=base["Title"], fontSize=18, spaceAfter=4 * mm),
        "reference": ParagraphStyle("reference", parent=base["Normal"], fontSize=13, alignment=TA_CENTER, leading=18),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=13, spaceBefore=5 * mm, textColor="#000091"),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontSize=11, spaceBefore=3 * mm),
        "texte": ParagraphStyle("texte", parent=base["Normal"], fontSize=9.5, leading=13),
        "cellule": ParagraphStyle("cellule", parent=base["Normal"], fontSize=8.5, leading=11),
    }


def _p(texte, style) -> Paragraph:
    """User text, escaped for reportlab's markup, line breaks kept."""
    return Paragraph(escape(str(texte or "—")).replace("\n", "<br/>"), style)


def _date(valeur) -> str:
    if valeur is None:
        return "—"
    local = timezone.localtime(valeur)
    return f"{formats.date_format(local, 'j F Y')} à {local:%H:%M:%S} (heure de Paris)"


def _table(lignes, largeurs, styles):
    data = [[_p(cellule, styles["cellule"]) for cellule in ligne] for ligne in lignes]
    table = Table(data, colWidths=largeurs, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e3fd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def document_a4(buffer, *, titre: str) -> SimpleDocTemplate:
    """An A4 document of the portal (margins, author, language), for the receipt and the pre-diagnostic."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=titre,
        author="Portail des cités éducatives",
        lang="fr-FR",
    )


def _special(c: Candidature, champ: dict, s) -> list:
    """The fields of candidatures.contenu marked `special`: choices among reference data."""
    nom = champ["nom"]
    if nom == "communes":
        return [_p("Communes : " + (", ".join(f"{x.nom} ({x.code})" for x in c.communes.all()) or "—"), s["texte"])]
    if nom == "qpvs":
        return [_p("QPV : " + (", ".join(f"{q.nom} ({q.code})" for q in c.qpvs.all()) or "—"), s["texte"])]
    if nom == "cite_etendue" and c.cite_etendue_id:
        return [_p(f"{champ['titre']} : {c.cite_etendue.nom}", s["texte"])]
    if nom == "etablissements":
        etablissements = [
            f"{e.nom} ({e.uai}, {e.education_prioritaire or 'hors EP'})"
            for e in c.etablissements.select_related("commune")
        ]
        return [_p("Établissements : " + ("; ".join(etablissements) or "—"), s["texte"])]
    if nom == "college_chef_de_file":
        chef = c.college_chef_de_file
        texte = f"{chef.nom} ({chef.uai})" if chef else (c.college_chef_de_file_autre or "—")
        return [_p(f"Collège chef de file : {texte}", s["texte"])]
    if nom == "etablissements_hors_referentiel" and c.etablissements_hors_referentiel:
        return [_p(f"{champ['titre']} : {c.etablissements_hors_referentiel}", s["texte"])]
    return []


def _indicateurs(c: Candidature, s) -> list:
    indicateurs = list(c.indicateurs.all())
    if not indicateurs:
        return []
    lignes = [["Catégorie", "Indicateur", "Valeur", "Année", "Source"]]
    lignes += [[i.get_categorie_display(), i.libelle, i.valeur, i.annee or "", i.source] for i in indicateurs]
    return [_table(lignes, [25 * mm, 60 * mm, 25 * mm, 15 * mm, 49 * mm], s)]


def _fiches(c: Candidature, s) -> list:
    histoire = []
    for numero, f in enumerate(c.fiches_action.all(), start=1):
        histoire.append(Paragraph(f"Fiche {numero} : {escape(f.titre)}", s["h3"]))
        ages = f"{f.age_min} à {f.age_max} ans" if f.age_min is not None and f.age_max is not None else "—"
        details = [
            f"Objectif : {f.get_objectif_display() or '—'}",
            f"Temps éducatifs : {', '.join(f.temps) or '—'}",
            f"Âges : {ages}",
            f"Action {'existante' if f.existante else 'nouvelle'}",
            f"Budget : {montant(f.budget) if f.budget is not None else '—'}",
            f"Partenaires : {f.partenaires or '—'}",
        ]
        histoire.append(_p("\n".join(details), s["texte"]))
        if f.description:
            histoire.append(_p(f.description, s["texte"]))
        if f.indicateurs:
            histoire.append(_p(f"Indicateurs de suivi : {f.indicateurs}", s["texte"]))
    return histoire


def _budget(c: Candidature, s) -> list:
    budget = list(c.lignes_budget.all())
    if not budget:
        return [_p("—", s["texte"])]
    lignes = [["Année", "Cofinanceur", "Objet", "Montant"]]
    lignes += [[b.annee, b.cofinanceur, b.objet, montant(b.montant)] for b in budget]
    totaux = budget_totaux(candidature=c)
    lignes += [[a, "Total de l'année", "", montant(m)] for a, m in totaux["par_annee"]]
    lignes.append(["", "Total général", "", montant(totaux["total"])])
    return [_table(lignes, [18 * mm, 55 * mm, 71 * mm, 30 * mm], s)]


def _pieces(c: Candidature, s) -> list:
    pieces = list(c.pieces.all())
    if not pieces:
        return [_p("—", s["texte"])]
    lignes = [["Type", "Fichier", "Format", "Taille"]]
    lignes += [[p.get_type_display(), p.nom, p.get_format_display(), taille(p.taille)] for p in pieces]
    return [_table(lignes, [40 * mm, 80 * mm, 34 * mm, 20 * mm], s)]


# The rows of a step, after its fields.
LIGNES = {"diagnostic": _indicateurs, "actions": _fiches, "budget": _budget, "pieces": _pieces}


def recepisse_pdf(*, candidature: Candidature) -> bytes:
    c = candidature
    s = _styles()
    buffer = io.BytesIO()
    doc = document_a4(buffer, titre=f"Récépissé de dépôt {c.reference}")
    histoire = [
        _p("République française — Portail des cités éducatives", s["texte"]),
        Paragraph("Récépissé de dépôt de candidature", s["titre"]),
        Paragraph(f"Référence : <b>{escape(c.reference or '')}</b>", s["reference"]),
        Paragraph(f"Déposée le {escape(_date(c.depose_le))}", s["reference"]),
        Spacer(1, 4 * mm),
        _p(f"Appel à projets : {c.appel.titre}", s["texte"]),
        _p(
            f"Collectivité : {c.collectivite.nom} ({c.collectivite.get_type_display()} {c.collectivite.code})",
            s["texte"],
        ),
        _p(f"Projet : {c.titre}", s["texte"]),
        _p(f"Récépissé établi le {_date(timezone.now())}", s["texte"]),
    ]

    # The steps and their fields come from candidatures.contenu; the blocks below are what is not a
    # plain field (choices among reference data, rows).
    for etape in contenu_etapes(c):
        histoire.append(Paragraph(f"{etape['numero']}. {escape(etape['titre'])}", s["h2"]))
        for champ in etape["champs"]:
            if not champ["special"]:
                histoire.append(_p(f"{champ['titre']} : {champ['valeur'] or '—'}", s["texte"]))
            else:
                histoire += _special(c, champ, s)
        histoire += LIGNES.get(etape["slug"], lambda c, s: [])(c, s)

    def pied(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, f"{c.reference} — page {document.page}")
        canvas.restoreState()

    doc.build(histoire, onFirstPage=pied, onLaterPages=pied)
    return buffer.getvalue()

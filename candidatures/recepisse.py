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

    histoire.append(Paragraph("1. Territoire", s["h2"]))
    histoire.append(_p("Communes : " + ", ".join(f"{x.nom} ({x.code})" for x in c.communes.all()), s["texte"]))
    histoire.append(_p("QPV : " + (", ".join(f"{q.nom} ({q.code})" for q in c.qpvs.all()) or "—"), s["texte"]))

    histoire.append(Paragraph("2. Écoles et collèges", s["h2"]))
    etablissements = [
        f"{e.nom} ({e.uai}, {e.education_prioritaire or 'hors EP'})" for e in c.etablissements.select_related("commune")
    ]
    histoire.append(_p("Établissements : " + ("; ".join(etablissements) or "—"), s["texte"]))
    chef = c.college_chef_de_file
    histoire.append(
        _p(
            f"Collège chef de file : {chef.nom} ({chef.uai})"
            if chef
            else f"Collège chef de file : {c.college_chef_de_file_autre or '—'}",
            s["texte"],
        )
    )
    if c.etablissements_hors_referentiel:
        histoire.append(_p(f"Autres établissements : {c.etablissements_hors_referentiel}", s["texte"]))

    histoire.append(Paragraph("3. Diagnostic et indicateurs", s["h2"]))
    histoire.append(_p(c.diagnostic, s["texte"]))
    indicateurs = list(c.indicateurs.all())
    if indicateurs:
        lignes = [["Catégorie", "Indicateur", "Valeur", "Année", "Source"]]
        lignes += [[i.get_categorie_display(), i.libelle, i.valeur, i.annee or "", i.source] for i in indicateurs]
        histoire.append(_table(lignes, [25 * mm, 60 * mm, 25 * mm, 15 * mm, 49 * mm], s))

    histoire.append(Paragraph("4. Fiches action", s["h2"]))
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

    histoire.append(Paragraph("5. Pilotage et actions ressources", s["h2"]))
    histoire.append(
        _p(
            "\n".join(
                [
                    f"Troïka — préfecture : {c.troika_prefecture or '—'}",
                    f"Troïka — Éducation nationale : {c.troika_education or '—'}",
                    f"Troïka — collectivité : {c.troika_collectivite or '—'}",
                    f"Chef de projet : {c.chef_de_projet_nom or '—'} "
                    f"{c.chef_de_projet_email} {c.chef_de_projet_telephone}",
                ]
            ),
            s["texte"],
        )
    )
    histoire.append(_p(f"Qui fait quoi : {c.gouvernance}", s["texte"]))
    histoire.append(_p(f"Actions ressources existantes : {c.actions_ressources}", s["texte"]))
    histoire.append(_p(f"Actions complémentaires : {c.actions_complementaires}", s["texte"]))

    histoire.append(Paragraph("6. Budget", s["h2"]))
    budget = list(c.lignes_budget.all())
    if budget:
        lignes = [["Année", "Cofinanceur", "Objet", "Montant"]]
        lignes += [[b.annee, b.cofinanceur, b.objet, montant(b.montant)] for b in budget]
        totaux = budget_totaux(candidature=c)
        lignes += [[a, "Total de l'année", "", montant(m)] for a, m in totaux["par_annee"]]
        lignes.append(["", "Total général", "", montant(totaux["total"])])
        histoire.append(_table(lignes, [18 * mm, 55 * mm, 71 * mm, 30 * mm], s))
    else:
        histoire.append(_p("—", s["texte"]))

    histoire.append(Paragraph("7. Communication et évaluation", s["h2"]))
    histoire.append(_p(f"Plan de communication : {c.plan_communication}", s["texte"]))
    histoire.append(_p(f"Démarche d'évaluation : {c.demarche_evaluation}", s["texte"]))

    histoire.append(Paragraph("8. Pièces jointes", s["h2"]))
    pieces = list(c.pieces.all())
    if pieces:
        lignes = [["Type", "Fichier", "Format", "Taille"]]
        lignes += [[p.get_type_display(), p.nom, p.get_format_display(), taille(p.taille)] for p in pieces]
        histoire.append(_table(lignes, [40 * mm, 80 * mm, 34 * mm, 20 * mm], s))
    else:
        histoire.append(_p("—", s["texte"]))

    def pied(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, f"{c.reference} — page {document.page}")
        canvas.restoreState()

    doc.build(histoire, onFirstPage=pied, onLaterPages=pied)
    return buffer.getvalue()

"""The printable pre-diagnostic of /eligibilite/: the same figures and criteria as the page, as a PDF."""

import io

from django.utils import formats, timezone
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from candidatures.recepisse import _p, _styles, _table, document_a4
from candidatures.selectors import A_VERIFIER, INDICATEUR, NON_REMPLI, REMPLI

MARQUES = {REMPLI: "Rempli", NON_REMPLI: "Non rempli", A_VERIFIER: "À vérifier", INDICATEUR: "Indicateur"}
ECOLES_MAX = 40


def _ips(valeur) -> str:
    return formats.number_format(valeur, 1) if valeur is not None else "—"


def prediagnostic_pdf(
    *,
    trouve,
    territoire,
    appel,
    appel_ouvert: bool,
    criteres,
    moyennes,
    ips_moyen_prioritaires,
    depot_url: str,
    page_url: str,
    genere_le,
) -> bytes:
    s = _styles()
    buffer = io.BytesIO()
    doc = document_a4(buffer, titre=f"Pré-diagnostic cité éducative — {trouve.nom}")
    local = timezone.localtime(genere_le)
    h = [
        _p("République française — Portail des cités éducatives", s["texte"]),
        Paragraph("Pré-diagnostic d’éligibilité au label « cité éducative »", s["titre"]),
        _p(trouve.libelle, s["reference"]),
        Spacer(1, 3 * mm),
        _p(
            f"Établi le {formats.date_format(local, 'j F Y')} à partir des données de référence publiques du "
            "portail. Ce document est indicatif : seule l’instruction d’une candidature par les agents de l’État "
            "décide du label.",
            s["texte"],
        ),
        Paragraph("Le territoire", s["h2"]),
    ]
    communes = ", ".join(f"{c.nom} ({c.code})" for c in trouve.communes)
    lignes = [
        ["Indicateur", "Valeur"],
        ["Communes", communes],
        ["Quartiers prioritaires 2024", str(len(territoire.qpvs))],
        ["Écoles et collèges REP+", str(territoire.rep_plus) if territoire.annuaire_charge else "inconnu"],
        ["Écoles et collèges REP", str(territoire.rep) if territoire.annuaire_charge else "inconnu"],
        ["IPS moyen des écoles et collèges REP/REP+", _ips(ips_moyen_prioritaires)],
    ]
    for departement, moyenne in moyennes:
        lignes.append(
            [f"IPS moyen du département {departement.nom} ({moyenne.rentree_libelle})", _ips(moyenne.ensemble)]
        )
    couverture = ", ".join(cite.nom for cite in territoire.cites) or "aucune"
    lignes.append(["Cités éducatives qui couvrent déjà ces communes", couverture])
    h.append(_table(lignes, [70 * mm, 104 * mm], s))

    if appel is not None:
        h.append(Paragraph("Les critères de l’appel à projets", s["h2"]))
        h.append(
            _p(
                f"{appel.titre}{'' if appel_ouvert else ' (aucun appel n’est ouvert aujourd’hui : dernier appel)'}.",
                s["texte"],
            )
        )
        lignes = [["Critère", "Résultat", "Raisons"]]
        for simule in criteres:
            raisons = "\n".join(simule.motifs)
            if simule.elements:
                raisons += "\nLe dossier devra contenir : " + " ; ".join(e.libelle for e in simule.elements) + "."
            lignes.append([f"{simule.critere.numero}. {simule.critere.libelle}", MARQUES[simule.statut], raisons])
        h.append(_table(lignes, [62 * mm, 22 * mm, 90 * mm], s))

    if territoire.qpvs:
        h.append(Paragraph("Quartiers prioritaires (génération 2024)", s["h2"]))
        lignes = [["Code", "Nom", "Communes"]]
        for qpv in territoire.qpvs:
            lignes.append([qpv.code, qpv.nom, ", ".join(c.nom for c in qpv.communes.all())])
        h.append(_table(lignes, [28 * mm, 80 * mm, 66 * mm], s))

    colleges = territoire.colleges_chef_de_file
    h.append(Paragraph("Collèges qui pourraient être chef de file", s["h2"]))
    if colleges:
        h.append(
            _p("Collèges publics d’une commune qui compte un QPV, de l’IPS le plus faible au plus élevé.", s["texte"])
        )
        lignes = [["Collège", "Commune", "Éducation prioritaire", "IPS"]]
        for ecole in colleges:
            ep = ecole.education_prioritaire if ecole.education_prioritaire is not None else "inconnue"
            lignes.append([f"{ecole.nom} ({ecole.uai})", ecole.commune, ep or "—", _ips(ecole.ips)])
        h.append(_table(lignes, [76 * mm, 44 * mm, 30 * mm, 24 * mm], s))
    else:
        h.append(_p("Aucun collège public n’est recensé dans une commune du territoire qui compte un QPV.", s["texte"]))

    ecoles = territoire.prioritaires if territoire.annuaire_charge else territoire.ecoles
    h.append(
        Paragraph(
            "Écoles et collèges en éducation prioritaire" if territoire.annuaire_charge else "Écoles et collèges",
            s["h2"],
        )
    )
    if not territoire.annuaire_charge:
        h.append(
            _p(
                "L’annuaire de l’éducation n’est pas chargé pour ce département : l’appartenance au réseau "
                "d’éducation prioritaire n’est pas connue. Les établissements ci-dessous viennent des fichiers "
                "nationaux de l’IPS, du plus faible au plus élevé.",
                s["texte"],
            )
        )
        ecoles = sorted(ecoles, key=lambda e: (e.ips is None, e.ips or 0))
    if ecoles:
        lignes = [["Établissement", "Type", "Commune", "Éducation prioritaire", "IPS"]]
        for ecole in ecoles[:ECOLES_MAX]:
            ep = ecole.education_prioritaire if ecole.education_prioritaire is not None else "inconnue"
            lignes.append([f"{ecole.nom} ({ecole.uai})", ecole.type, ecole.commune, ep or "—", _ips(ecole.ips)])
        h.append(_table(lignes, [68 * mm, 20 * mm, 38 * mm, 28 * mm, 20 * mm], s))
        if len(ecoles) > ECOLES_MAX:
            h.append(_p(f"… et {len(ecoles) - ECOLES_MAX} autres : voir la page du simulateur.", s["texte"]))
    else:
        h.append(_p("Aucun établissement recensé.", s["texte"]))

    h += [
        Paragraph("Pour aller plus loin", s["h2"]),
        _p(f"Ce pré-diagnostic en ligne : {page_url}", s["texte"]),
        _p(f"Déposer une candidature (compte porteur) : {depot_url}", s["texte"]),
        _p(
            "Sources : QPV 2024 (ANCT), annuaire de l’éducation et indice de position sociale (ministère de "
            "l’Éducation nationale, DEPP), liste des cités éducatives (ANCT), sous Licence Ouverte 2.0.",
            s["texte"],
        ),
    ]
    doc.build(h)
    return buffer.getvalue()

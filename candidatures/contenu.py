"""The content of a candidature: its steps and the elements a criterion may require.

Pure data, imported by the models (Critere.champs_requis is checked against ELEMENTS), the
checks, the forms and the displays.
"""

from dataclasses import dataclass

# The steps of the form, in order (the views add their forms): the summary names them.
ETAPES_TITRES = {
    "territoire": "Territoire",
    "ecoles": "Écoles et collège chef de file",
    "diagnostic": "Diagnostic et indicateurs",
    "actions": "Fiches action",
    "pilotage": "Pilotage et actions ressources",
    "budget": "Budget",
    "communication": "Communication et évaluation",
    "pieces": "Pièces jointes",
    "recapitulatif": "Récapitulatif et dépôt",
}


@dataclass(frozen=True)
class Element:
    """Something the candidature must hold: a key (used in Critere.champs_requis), a label, a step,
    and the id of the field that holds it (the summary links to it)."""

    cle: str
    libelle: str
    etape: str
    ancre: str = ""


ELEMENTS = {
    e.cle: e
    for e in [
        Element("titre", "Nom du projet", "territoire", "id_titre"),
        Element("communes", "Au moins une commune du territoire", "territoire", "checkboxes-id_communes"),
        Element("qpvs", "Au moins un quartier prioritaire (QPV) choisi", "territoire", "checkboxes-id_qpvs"),
        Element(
            "etablissements",
            "Les écoles et collèges REP ou REP+ du territoire",
            "ecoles",
            "checkboxes-id_etablissements",
        ),
        Element("chef_de_file", "Le collège chef de file", "ecoles", "id_college_chef_de_file"),
        Element("diagnostic", "Le diagnostic du territoire", "diagnostic", "id_diagnostic"),
        Element(
            "indicateurs",
            "Au moins un indicateur scolaire, un social et un économique",
            "diagnostic",
            "indicateurs-lignes",
        ),
        Element("fiches_action", "Au moins une fiche action, chacune complète", "actions", "fiches-lignes"),
        Element("temps_educatifs", "Des actions avant, pendant et après la classe", "actions", "fiches-lignes"),
        Element(
            "actions_existantes", "Au moins une action existante sur laquelle s'appuyer", "actions", "fiches-lignes"
        ),
        Element("pilotage", "La troïka et le chef de projet", "pilotage", "id_troika_prefecture"),
        Element("gouvernance", "Le rôle de chacun (qui fait quoi)", "pilotage", "id_gouvernance"),
        Element(
            "ressources",
            "Les actions ressources existantes et les actions complémentaires",
            "pilotage",
            "id_actions_ressources",
        ),
        Element("budget", "Au moins une ligne de budget", "budget", "budget-lignes"),
        Element("communication", "Le plan de communication", "communication", "id_plan_communication"),
        Element("evaluation", "La démarche d'évaluation", "communication", "id_demarche_evaluation"),
        Element("deliberation", "La délibération du conseil (pièce jointe)", "pieces", "id_fichier"),
    ]
}
ELEMENTS_GENERAUX = ["titre", "deliberation"]

"""The content of a candidature, described once: its steps, the fields each step holds (label,
help, which element of a criterion it serves, whether the exports carry it), its rows, and the
elements a criterion may require.

Pure data, imported by the models (Critere.champs_requis is checked against ELEMENTS), the checks,
the services (what a step may write), the forms (the plain fields of a step are built from it),
the two displays of the content, the PDF receipt and the exports.

Adding a plain field to the candidature: the model field (and its migration), and one `Champ` in
its step below. The form, the save, the summary, the agents' screen, the receipt and (with
`export=`) the exports follow.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Champ:
    """A field of the Candidature model filled in at one step.

    - `libelle`, `aide`: the label and help of the form field (`aide` may be empty);
    - `court`: the label in the displays, the receipt and the exports (the form's label by default);
    - `lignes`: a text area of that many rows (0: one line);
    - `relation`: a many-to-many relation (a list of choices), written with `.set()`;
    - `special`: the step's form declares this field itself (a choice among reference data); the
      displays then use the step's own block for it;
    - `element`: the key in ELEMENTS of what this field holds for a criterion (for the record);
    - `export`: the width of its column in the exports (0: not exported).
    """

    nom: str
    libelle: str
    aide: str = ""
    court: str = ""
    lignes: int = 0
    relation: bool = False
    special: bool = False
    element: str = ""
    export: int = 0

    @property
    def titre(self) -> str:
        return self.court or self.libelle


@dataclass(frozen=True)
class Etape:
    """One step of the form. `lignes` names the model of its rows (a formset), if it has some."""

    slug: str
    titre: str
    intro: str = ""
    champs: tuple[Champ, ...] = field(default_factory=tuple)
    lignes: str = ""  # model name in the candidatures app: "Indicateur", "FicheAction", "LigneBudget"
    prefixe: str = ""  # prefix of the formset of its rows
    ligne_nom: str = ""  # what one row of the formset is called: « Ligne de budget 2 »
    lignes_au_depart: int = 1  # empty rows offered while none is stored (one per indicator category…)
    formulaire: bool = True  # a step of the form (the summary is not)

    @property
    def noms_champs(self) -> list[str]:
        return [c.nom for c in self.champs if not c.relation]

    @property
    def noms_relations(self) -> list[str]:
        return [c.nom for c in self.champs if c.relation]


ETAPES = [
    Etape(
        "territoire",
        "Territoire",
        intro="Les communes de la cité éducative et ses quartiers prioritaires (critère 1).",
        champs=(
            Champ(
                "titre",
                "Nom du projet",
                aide="Par exemple : Cité éducative du Grand Mirail.",
                element="titre",
            ),  # the exports carry it beside the reference, as the candidature's name
            Champ(
                "communes", "Communes du territoire", court="Communes", relation=True, special=True, element="communes"
            ),
            Champ(
                "qpvs",
                "Quartiers prioritaires (QPV 2024) du territoire",
                court="QPV",
                relation=True,
                special=True,
                element="qpvs",
            ),
            Champ(
                "cite_etendue",
                "Cette candidature étend-elle une cité éducative déjà labellisée ?",
                court="Extension de la cité éducative",
                special=True,
            ),
        ),
    ),
    Etape(
        "ecoles",
        "Écoles et collège chef de file",
        intro="Les écoles et collèges en éducation prioritaire du territoire et le collège chef de file (critère 2). "
        "Ceux que l'annuaire ne propose pas s'ajoutent en bas de la page.",
        champs=(
            Champ(
                "etablissements",
                "Écoles et collèges REP ou REP+ du territoire",
                relation=True,
                special=True,
                element="etablissements",
            ),
            Champ("college_chef_de_file", "Collège chef de file", special=True, element="chef_de_file"),
            Champ("college_chef_de_file_autre", "Collège chef de file, s'il n'est pas proposé", special=True),
            # Written from the rows of the step (schools outside the reference data), one per line.
            Champ("etablissements_hors_referentiel", "Autres établissements", special=True),
        ),
        prefixe="hors",
        ligne_nom="Établissement",
    ),
    Etape(
        "diagnostic",
        "Diagnostic et indicateurs",
        intro="Au moins un indicateur scolaire, un social et un économique, chacun avec sa valeur, "
        "son année et sa source (critère 3).",
        champs=(
            Champ(
                "diagnostic",
                "Diagnostic du territoire",
                aide="Les fragilités scolaires, sociales et économiques qui appellent une action contre le décrochage.",
                court="Diagnostic",
                lignes=8,
                element="diagnostic",
            ),
        ),
        lignes="Indicateur",
        prefixe="indicateurs",
        ligne_nom="Indicateur",
        lignes_au_depart=3,
    ),
    Etape(
        "actions",
        "Fiches action",
        intro="Les actions avant, pendant et après la classe, nouvelles ou existantes (critères 4 et 5). "
        "Une fiche vide est ignorée.",
        lignes="FicheAction",
        prefixe="fiches",
        ligne_nom="Fiche action",
    ),
    Etape(
        "pilotage",
        "Pilotage et actions ressources",
        intro="La troïka, le chef de projet et le rôle de chacun (critère 6) ; ce qui existe déjà sur le territoire "
        "et ce que la cité éducative ajoute (critère 7).",
        champs=(
            Champ(
                "troika_prefecture",
                "Préfecture : nom et fonction du représentant",
                aide="La troïka pilote la cité éducative : le préfet, l'Éducation nationale (recteur ou DASEN) et "
                "le maire ou le président de l'intercommunalité, chacun par un représentant.",
                court="Troïka — préfecture",
                element="pilotage",
            ),
            Champ(
                "troika_education",
                "Éducation nationale : nom et fonction du représentant",
                aide="Souvent le principal du collège chef de file ou l'IEN de la circonscription.",
                court="Troïka — Éducation nationale",
                element="pilotage",
            ),
            Champ(
                "troika_collectivite",
                "Collectivité : nom et fonction du représentant",
                court="Troïka — collectivité",
                element="pilotage",
            ),
            Champ(
                "chef_de_projet_nom",
                "Chef de projet opérationnel",
                court="Chef de projet",
                element="pilotage",
                export=24,
            ),
            Champ(
                "chef_de_projet_email",
                "Adresse électronique du chef de projet",
                court="Adresse du chef de projet",
                export=30,
            ),
            Champ("chef_de_projet_telephone", "Téléphone du chef de projet", export=16),
            Champ(
                "gouvernance",
                "Qui fait quoi",
                aide="Les instances de pilotage, leur rythme, et le rôle de chaque acteur.",
                lignes=6,
                element="gouvernance",
            ),
            Champ(
                "actions_ressources",
                "Actions ressources existantes",
                aide="Les dispositifs déjà à l'œuvre sur le territoire, par exemple le PRE (programme de réussite "
                "éducative) ou le CLAS (contrat local d'accompagnement à la scolarité).",
                lignes=6,
                element="ressources",
            ),
            Champ(
                "actions_complementaires",
                "Actions complémentaires",
                aide="Ce que la cité éducative ajoute.",
                lignes=6,
                element="ressources",
            ),
        ),
    ),
    Etape(
        "budget",
        "Budget",
        intro="Une ligne par année et par cofinanceur ; les totaux sont calculés (critère 8).",
        lignes="LigneBudget",
        prefixe="budget",
        ligne_nom="Ligne de budget",
        lignes_au_depart=2,
    ),
    Etape(
        "communication",
        "Communication et évaluation",
        intro="Le plan de communication et la démarche d'évaluation (critère 9).",
        champs=(
            Champ("plan_communication", "Plan de communication", lignes=6, element="communication"),
            Champ(
                "demarche_evaluation",
                "Démarche d'évaluation",
                aide="Les indicateurs suivis, qui évalue, à quel rythme.",
                lignes=6,
                element="evaluation",
            ),
        ),
    ),
    Etape(
        "pieces",
        "Pièces jointes",
        intro="La délibération du conseil, le tableau budgétaire et les lettres d'engagement des partenaires.",
    ),
    Etape("recapitulatif", "Récapitulatif et dépôt", formulaire=False),
]
ETAPES_PAR_SLUG = {e.slug: e for e in ETAPES}
# The steps of the form, in order: the summary names them.
ETAPES_TITRES = {e.slug: e.titre for e in ETAPES}
# Every field a step writes, by name.
CHAMPS = {c.nom: c for e in ETAPES for c in e.champs}
# The fields the exports carry, in the order of the steps.
CHAMPS_EXPORTES = [c for e in ETAPES for c in e.champs if c.export]


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

assert all(c.element in ELEMENTS for c in CHAMPS.values() if c.element), "a field serves an unknown element"
assert all(not c.relation or c.special for c in CHAMPS.values()), "a relation needs its step's own form field"
assert all(not c.special for c in CHAMPS_EXPORTES), "only plain fields are exported by the description"


def contenu_etapes(candidature) -> list[dict]:
    """The content of a candidature step by step, for the displays and the receipt: each step of the
    form with its number, and its fields in order, each with its label and value (`special` ones
    are shown by the step's own block of the display)."""
    etapes = []
    for numero, etape in enumerate((e for e in ETAPES if e.formulaire), start=1):
        champs = []
        for champ in etape.champs:
            valeur = None
            if not champ.special:
                modele = candidature._meta.get_field(champ.nom)
                valeur = (
                    getattr(candidature, f"get_{champ.nom}_display")()
                    if modele.choices
                    else getattr(candidature, champ.nom)
                )
            champs.append(
                {
                    "nom": champ.nom,
                    "titre": champ.titre,
                    "valeur": valeur,
                    "long": bool(champ.lignes),
                    "special": champ.special,
                }
            )
        etapes.append({"numero": numero, "slug": etape.slug, "titre": etape.titre, "champs": champs})
    return etapes

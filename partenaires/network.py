"""Geometry of the partner network drawn on a cité's public page (server-rendered SVG).

The schools sit at the centre. The seven families are placed around them, four on the left
and three on the right, each as a labelled node tied to the centre. Each partner sits in its
family's band on the outer side, tied to its family by a line whose width says how strong the
link is. Horizontal labels only, so that the picture stays readable; a long name wraps onto up
to three lines (its row grows) and the whole name is also the partner's tooltip and in the table
below the picture; the height grows with the largest family. Colours come from DSFR tokens set by
family in static/css/portail.css, so the drawing follows the light and dark themes. Drawn by
templates/partenaires/_reseau.html; every number handed to the template is already a string
with a decimal point (the French locale would write a comma).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from partenaires.models import Famille, LienPartenaire

WIDTH = 1180
CENTRE_X = WIDTH / 2
CENTRE_RADIUS = 58
MARGIN = 24
ROW = 26  # vertical space of one partner
FAMILY_GAP = 18  # vertical space between two families on the same side
FAMILY_WIDTH = 176
FAMILY_HEIGHT = 40
FAMILY_CENTRE_DX = 180  # from the centre of the picture to the centre of a family node
PARTNER_DX = 365  # from the centre of the picture to a partner's dot
LABEL_GAP = 10
LABEL_LINE_CHARS = 30  # characters of a label line that fit between a partner's dot and the edge
LABEL_MAX_LINES = 3
LINE_HEIGHT = 15
MIN_HEIGHT = 2 * CENTRE_RADIUS + 2 * MARGIN + 40

# Stroke width of a partner's line for each strength (1 ponctuelle, 2 régulière, 3 forte).
STROKE_WIDTHS = {1: 1.5, 2: 4.0, 3: 7.5}

# One colour per family, each with a contrast of at least 3:1 on white (WCAG 1.4.11): the
# drawing's fallback; the stylesheet replaces them with DSFR tokens that also suit the dark theme.
COLOURS = {
    Famille.MAISON: "#a94645",
    Famille.ETAT: "#000091",
    Famille.CULTURE: "#7d4e5b",
    Famille.COLLECTIVITES: "#18753c",
    Famille.QUARTIER: "#8d533e",
    Famille.SOCIAL: "#00626b",
    Famille.ENTREPRISES: "#5e2a2b",
}
LEFT_FAMILIES = 4  # the first four families on the left, the other three on the right


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def famille_nom_court(famille: str) -> str:
    """'Lieux culturels (médiathèque…)' → 'Lieux culturels'."""
    return Famille(famille).label.split(" (")[0]


def force_en_mots(force: int) -> str:
    return f"{LienPartenaire.Force(force).label} ({force} sur 3)"


@dataclass
class PartenaireNoeud:
    lien: LienPartenaire
    nom: str
    lignes: list[str]  # the name, wrapped to fit the picture
    force: int
    stroke_width: str
    x: str
    y: str
    label_x: str
    label_y: str
    path: str  # the line from the family node to this partner

    @property
    def libelle(self) -> str:
        return " ".join(self.lignes)

    @property
    def abrege(self) -> bool:
        return self.libelle != self.nom


@dataclass
class FamilleGroupe:
    code: str
    nom: str
    couleur: str
    cote: str  # "gauche" or "droite"
    x: str  # top-left corner of the family node
    y: str
    width: str
    height: str
    text_x: str
    text_y: str
    count_y: str
    spoke: str  # the line from the schools to the family node
    partenaires: list[PartenaireNoeud] = field(default_factory=list)

    @property
    def nombre(self) -> int:
        return len(self.partenaires)


@dataclass
class Reseau:
    width: str
    height: str
    centre_x: str
    centre_y: str
    centre_radius: str
    titre_y: str
    sous_titre_y: str
    familles: list[FamilleGroupe]
    liens: list[LienPartenaire]  # every link, in the order of the table
    description: str

    @property
    def nombre_partenaires(self) -> int:
        return len(self.liens)


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_LINE_CHARS else text[: LABEL_LINE_CHARS - 1].rstrip() + "…"


def label_lines(text: str) -> list[str]:
    """A partner's name on at most LABEL_MAX_LINES lines of LABEL_LINE_CHARS, cut between words;
    only a name longer than that is shortened (with "…")."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and len(candidate) > LABEL_LINE_CHARS:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    lines = [_cut(line) for line in lines] or [""]
    if len(lines) > LABEL_MAX_LINES:
        lines = lines[:LABEL_MAX_LINES]
        lines[-1] = lines[-1][: LABEL_LINE_CHARS - 1].rstrip().removesuffix("…") + "…"
    return lines


def _row_height(lines: list[str]) -> float:
    return ROW + (len(lines) - 1) * LINE_HEIGHT


def _band_height(rows: list[float]) -> float:
    return sum(rows) if rows else ROW


def reseau_build(*, liens: Iterable[LienPartenaire], cite_nom: str = "") -> Reseau | None:
    """The picture of a cité's partner network, or None when it has no partner.

    `liens` come with their partner (select_related); every family appears, even without
    partner, so that the seven families are always seen around the schools.
    """
    liens = sorted(
        liens, key=lambda lien: (list(Famille.values).index(lien.partenaire.famille), -lien.force, lien.partenaire.nom)
    )
    if not liens:
        return None
    for lien in liens:
        lien.famille_nom = famille_nom_court(lien.partenaire.famille)
        lien.force_mots = force_en_mots(lien.force)
    by_family = {value: [lien for lien in liens if lien.partenaire.famille == value] for value in Famille.values}
    lines = {id(lien): label_lines(lien.partenaire.nom) for lien in liens}
    rows = {famille: [_row_height(lines[id(lien)]) for lien in members] for famille, members in by_family.items()}
    sides = {"gauche": Famille.values[:LEFT_FAMILIES], "droite": Famille.values[LEFT_FAMILIES:]}

    def side_height(families) -> float:
        return sum(_band_height(rows[f]) for f in families) + FAMILY_GAP * (len(families) - 1)

    content_height = max(side_height(families) for families in sides.values())
    height = max(content_height + 2 * MARGIN, MIN_HEIGHT)
    centre_y = height / 2

    familles = []
    for cote, families in sides.items():
        direction = -1 if cote == "gauche" else 1
        node_centre_x = CENTRE_X + direction * FAMILY_CENTRE_DX
        # The inner edge faces the schools, the outer edge faces the partners.
        inner_x = node_centre_x - direction * FAMILY_WIDTH / 2
        outer_x = node_centre_x + direction * FAMILY_WIDTH / 2
        partner_x = CENTRE_X + direction * PARTNER_DX
        top = (height - side_height(families)) / 2
        for famille in families:
            members = by_family[famille]
            band = _band_height(rows[famille])
            node_y = top + band / 2
            spoke_start_x = CENTRE_X + direction * CENTRE_RADIUS
            groupe = FamilleGroupe(
                code=famille,
                nom=famille_nom_court(famille),
                couleur=COLOURS[famille],
                cote=cote,
                x=_num(node_centre_x - FAMILY_WIDTH / 2),
                y=_num(node_y - FAMILY_HEIGHT / 2),
                width=_num(FAMILY_WIDTH),
                height=_num(FAMILY_HEIGHT),
                text_x=_num(node_centre_x),
                text_y=_num(node_y - 3),
                count_y=_num(node_y + 13),
                spoke=f"M {_num(spoke_start_x)} {_num(centre_y)} L {_num(inner_x)} {_num(node_y)}",
            )
            row_top = top
            for index, lien in enumerate(members):
                y = row_top + rows[famille][index] / 2
                row_top += rows[famille][index]
                middle_x = (outer_x + partner_x) / 2
                label = lines[id(lien)]
                groupe.partenaires.append(
                    PartenaireNoeud(
                        lien=lien,
                        nom=lien.partenaire.nom,
                        lignes=label,
                        force=lien.force,
                        stroke_width=_num(STROKE_WIDTHS[lien.force]),
                        x=_num(partner_x),
                        y=_num(y),
                        label_x=_num(partner_x + direction * LABEL_GAP),
                        label_y=_num(y + 4 - (len(label) - 1) * LINE_HEIGHT / 2),
                        path=(
                            f"M {_num(outer_x)} {_num(node_y)} C {_num(middle_x)} {_num(node_y)}, "
                            f"{_num(middle_x)} {_num(y)}, {_num(partner_x)} {_num(y)}"
                        ),
                    )
                )
            familles.append(groupe)
            top += band + FAMILY_GAP

    # Families in their usual order (left side top to bottom, then right side).
    familles.sort(key=lambda groupe: list(Famille.values).index(groupe.code))
    resume = " ; ".join(
        f"{groupe.nom} : {groupe.nombre} partenaire{'s' if groupe.nombre > 1 else ''}" for groupe in familles
    )
    description = (
        f"Au centre, les écoles{' de ' + cite_nom if cite_nom else ''} ; autour, les sept familles de partenaires ("
        f"{resume}). Chaque partenaire est relié à sa famille par un trait d'autant plus épais que la relation est "
        "forte. Le tableau qui suit donne les mêmes informations."
    )
    return Reseau(
        width=_num(WIDTH),
        height=_num(height),
        centre_x=_num(CENTRE_X),
        centre_y=_num(centre_y),
        centre_radius=_num(CENTRE_RADIUS),
        titre_y=_num(centre_y - 2),
        sous_titre_y=_num(centre_y + 16),
        familles=familles,
        liens=liens,
        description=description,
    )

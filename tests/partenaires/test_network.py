"""The partner network drawn on a cité's page: geometry (partenaires.network) and the page."""

import html
import re
import xml.etree.ElementTree as ET

import pytest

from cites.models import CiteEducative
from partenaires.models import Famille, LienPartenaire, Partenaire
from partenaires.network import STROKE_WIDTHS, reseau_build

SVG = "{http://www.w3.org/2000/svg}"


def lien(nom: str, famille: str, force: int, role: str = "") -> LienPartenaire:
    return LienPartenaire(partenaire=Partenaire(nom=nom, famille=famille), force=force, role=role)


LIENS = [
    lien("Mairie", Famille.COLLECTIVITES, 3, "Co-pilote"),
    lien("CAF", Famille.ETAT, 1),
    lien("Préfecture", Famille.ETAT, 2),
    lien("Médiathèque", Famille.CULTURE, 2),
    lien("Mission locale", Famille.SOCIAL, 3),
    lien("Boulangerie du quartier qui accueille des stagiaires de troisième", Famille.ENTREPRISES, 1),
]


def noeuds(reseau):
    return [noeud for famille in reseau.familles for noeud in famille.partenaires]


def test_no_partner_no_network():
    assert reseau_build(liens=[]) is None


def test_one_line_per_link_with_a_width_by_strength():
    reseau = reseau_build(liens=LIENS)
    partenaires = noeuds(reseau)
    assert sorted(noeud.nom for noeud in partenaires) == sorted(lien.partenaire.nom for lien in LIENS)
    widths = {noeud.nom: float(noeud.stroke_width) for noeud in partenaires}
    assert widths["Mairie"] == widths["Mission locale"] == STROKE_WIDTHS[3]
    assert widths["Préfecture"] == widths["Médiathèque"] == STROKE_WIDTHS[2]
    assert widths["CAF"] == STROKE_WIDTHS[1]
    assert STROKE_WIDTHS[1] < STROKE_WIDTHS[2] < STROKE_WIDTHS[3]
    # Each line ends on its partner's dot.
    for noeud in partenaires:
        assert noeud.path.endswith(f"{noeud.x} {noeud.y}")


def test_seven_families_around_the_schools_even_without_partner():
    reseau = reseau_build(liens=LIENS)
    assert [famille.code for famille in reseau.familles] == list(Famille.values)
    nombres = {famille.code: famille.nombre for famille in reseau.familles}
    assert nombres == {
        "maison": 0,
        "etat": 2,
        "culture": 1,
        "collectivites": 1,
        "quartier": 0,
        "social": 1,
        "entreprises": 1,
    }
    centre_x = float(reseau.centre_x)
    # Four families on the left of the schools, three on the right; partners beyond their family.
    for famille in reseau.familles:
        left = famille.cote == "gauche"
        assert (float(famille.text_x) < centre_x) is left
        for noeud in famille.partenaires:
            assert abs(float(noeud.x) - centre_x) > abs(float(famille.text_x) - centre_x)
    assert [f.cote for f in reseau.familles].count("gauche") == 4


def test_many_partners_stay_inside_the_picture_without_overlapping():
    liens = [lien(f"Partenaire {index:02d}", Famille.CULTURE, 1 + index % 3) for index in range(40)]
    liens += [lien(f"Entreprise {index:02d}", Famille.ENTREPRISES, 2) for index in range(12)]
    reseau = reseau_build(liens=liens)
    width, height = float(reseau.width), float(reseau.height)
    positions = [(float(noeud.x), float(noeud.y)) for noeud in noeuds(reseau)]
    assert len(positions) == 52
    assert all(0 < x < width and 0 < y < height for x, y in positions)
    for side_x in {x for x, _ in positions}:
        ys = sorted(y for x, y in positions if x == side_x)
        assert all(b - a >= 20 for a, b in zip(ys, ys[1:], strict=False))
    # A long name wraps onto lines of at most 30 characters, whole: nothing is cut off.
    boulangerie = reseau_build(liens=LIENS)
    noeud = next(n for n in noeuds(boulangerie) if n.nom.startswith("Boulangerie"))
    assert noeud.lignes == ["Boulangerie du quartier qui", "accueille des stagiaires de", "troisième"]
    assert noeud.libelle == noeud.nom
    # Its row is taller than a one-line partner's, so that the lines of two names never overlap.
    voisins = sorted(float(n.y) for n in noeuds(boulangerie) if n.x == noeud.x)
    assert all(b - a >= 26 for a, b in zip(voisins, voisins[1:], strict=False))


def test_only_a_name_longer_than_three_lines_is_shortened_and_whole_in_its_tooltip():
    nom = "Association intercommunale pour l'accompagnement scolaire, culturel et sportif des jeunes des quartiers"
    reseau = reseau_build(liens=[lien(nom, Famille.SOCIAL, 2)])
    (noeud,) = noeuds(reseau)
    assert len(noeud.lignes) == 3 and all(len(ligne) <= 30 for ligne in noeud.lignes)
    assert noeud.lignes[-1].endswith("…") and noeud.abrege


def test_decimals_are_written_with_a_point():
    reseau = reseau_build(liens=LIENS)
    for noeud in noeuds(reseau):
        assert "," not in noeud.stroke_width and re.fullmatch(r"M [\d. ,C-]+", noeud.path)


# --- On the cité's page --------------------------------------------------------------------


def svg_of(page: str) -> ET.Element:
    return ET.fromstring(re.search(r'<svg class="reseau".*?</svg>', page, re.S).group(0))


@pytest.mark.django_db
def test_cite_page_draws_the_network_and_gives_the_same_in_a_table(client):
    cite = CiteEducative.objects.get(slug="creteil")
    for item in LIENS:
        partenaire = Partenaire.objects.create(nom=item.partenaire.nom, famille=item.partenaire.famille)
        LienPartenaire.objects.create(cite=cite, partenaire=partenaire, force=item.force, role=item.role)

    page = client.get(cite.get_absolute_url()).content.decode()

    svg = svg_of(page)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "reseau-titre reseau-desc"
    assert svg.find(f"{SVG}title").text == "Réseau des partenaires de Créteil"
    desc = svg.find(f"{SVG}desc").text
    assert "Services de l'État : 2 partenaires" in desc and "La maison : 0 partenaire" in desc
    familles = svg.findall(f"{SVG}g[@class]")
    familles = [g for g in familles if "reseau-famille" in g.get("class")]
    assert len(familles) == 7
    lignes = svg.findall(f".//{SVG}path[@class='reseau-lien']")
    assert len(lignes) == len(LIENS)
    widths = sorted(float(ligne.get("stroke-width")) for ligne in lignes)
    assert widths == sorted(STROKE_WIDTHS[item.force] for item in LIENS)
    assert "Mairie" in ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    # The long name is drawn whole, on three lines, and is the tooltip of its partner.
    boulangerie = next(
        g
        for g in svg.iter(f"{SVG}g")
        if g.find(f"{SVG}title") is not None and g.find(f"{SVG}title").text.startswith("Boulangerie")
    )
    assert [t.text for t in boulangerie.iter(f"{SVG}tspan")] == [
        "Boulangerie du quartier qui",
        "accueille des stagiaires de",
        "troisième",
    ]

    # The table, for screen readers and for those who read rather than look.
    text = " ".join(html.unescape(page).split())
    assert "<caption>Partenaires de Créteil, par famille</caption>" in text
    rows = re.findall(
        r"<tr> <th scope=\"row\"><a [^>]+>([^<]+)</a></th> <td>([^<]+)</td> <td>([^<]+)</td> <td>([^<]+)</td>", text
    )
    assert ("Mairie", "Collectivités locales", "Forte (3 sur 3)", "Co-pilote") in rows
    assert ("CAF", "Services de l'État", "Ponctuelle (1 sur 3)", "—") in rows
    assert len(rows) == len(LIENS)


@pytest.mark.django_db
def test_cite_without_partner_has_no_drawing_but_says_who_enters_partners(client):
    page = client.get(CiteEducative.objects.get(slug="orly").get_absolute_url()).content.decode()
    assert 'class="reseau"' not in page
    assert "Aucun partenaire n’est encore recensé pour Orly" in html.unescape(page)

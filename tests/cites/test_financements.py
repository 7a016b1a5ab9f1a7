"""Money per cité and per year (issue 13): entered by agents, shown on the cité's page, summed in
the agents' national table (per région, per wave) and published in the open data."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from cites.financements import financement_tableau
from cites.models import CiteEducative, FinancementAnnuel
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

E = "\u202f€"  # amounts are written « 425 000 € » with narrow no-break spaces


def montants(**valeurs) -> dict:
    return {cle: Decimal(str(v)) for cle, v in valeurs.items()}


@pytest.fixture
def financements(db):
    """Three cités of Occitanie, two of Auvergne-Rhône-Alpes, money for 2024 and 2025."""
    lignes = [
        ("toulouse-grand-mirail", 2024, montants(dotation_etat=425000, fonds_cite=30000, cofinancement=400000)),
        (
            "toulouse-grand-mirail",
            2025,
            montants(dotation_etat=425000, fonds_cite=30000, cofinancement=410000, depenses=700000),
        ),
        ("montpellier", 2025, montants(dotation_etat=380000, fonds_cite=30000, cofinancement=200000, autres=15000)),
        ("nimes", 2025, montants(dotation_etat=300000, fonds_cite=15000)),
        ("lyon-8e", 2025, montants(dotation_etat=450000, fonds_cite=30000, cofinancement=450000, depenses=120000.5)),
        ("vaulx-en-velin", 2025, montants(dotation_etat=410000)),
    ]
    return [
        FinancementAnnuel.objects.create(cite=CiteEducative.objects.get(slug=slug), annee=annee, **m)
        for slug, annee, m in lignes
    ]


def test_sums_per_region_match_the_cites(financements):
    tableau = financement_tableau(annee=2025)
    regions = {
        ligne.libelle: (
            ligne.nombre_cites,
            ligne.dotation_etat,
            ligne.fonds_cite,
            ligne.cofinancement,
            ligne.autres,
            ligne.depenses,
        )
        for ligne in tableau.par_region
    }
    assert regions == {
        "Occitanie": (3, Decimal("1105000"), Decimal("75000"), Decimal("610000"), Decimal("15000"), Decimal("700000")),
        "Auvergne-Rhône-Alpes": (
            2,
            Decimal("860000"),
            Decimal("30000"),
            Decimal("450000"),
            Decimal("0"),
            Decimal("120000.50"),
        ),
    }
    assert (tableau.total.nombre_cites, tableau.total.dotation_etat) == (5, Decimal("1965000"))
    assert tableau.total.par_cite == Decimal("393000.00")
    # The five cités are all of the 2019 wave.
    assert [(ligne.libelle, ligne.dotation_etat) for ligne in tableau.par_vague] == [("vague 2019", Decimal("1965000"))]

    toutes = financement_tableau()
    occitanie = next(ligne for ligne in toutes.par_region if ligne.libelle == "Occitanie")
    assert (occitanie.nombre_cites, occitanie.dotation_etat) == (3, Decimal("1530000"))
    assert toutes.annees == [2024, 2025]


def test_dotation_per_pupil_uses_the_rep_schools_pupils_and_per_resident_only_when_known(financements):
    # Counted by hand from the reference files: pupils (DEPP IPS files, rentrée 2022-2023, écoles and
    # collèges) of the schools the annuaire marks REP or REP+, in Toulouse (31555) 7 623, Montpellier
    # (34172) 6 786 and Nîmes (30189) 5 693. The annuaire covers Occitanie only: the two cités of
    # Auvergne-Rhône-Alpes have no figure rather than a wrong one.
    tableau = financement_tableau(annee=2025)
    ligne = tableau.total
    assert (ligne.eleves, ligne.dotation_eleves, ligne.par_eleve) == (20102, Decimal("1105000"), Decimal("54.97"))
    par_region = {ligne.libelle: ligne.par_eleve for ligne in tableau.par_region}
    assert par_region == {"Occitanie": Decimal("54.97"), "Auvergne-Rhône-Alpes": None}
    assert ligne.par_habitant is None  # the QPV file carries no population: never a made-up figure


def test_the_agents_table_shows_the_sums_per_region_of_the_cites(client, financements):
    client.force_login(helpers.agent(email="agent@anct.gouv.fr", region=None))
    reponse = client.get(reverse("admin:cites_financementannuel_tableau"), {"annee": "2025"})
    page = re.sub(r"[ \n]+", " ", reponse.content.decode())  # the narrow spaces of the amounts stay
    assert (
        f'<th scope="row">Occitanie</th> <td>3</td> <td>1\u202f105\u202f000{E}</td> <td>75\u202f000{E}</td> '
        f"<td>610\u202f000{E}</td> <td>15\u202f000{E}</td> <td>700\u202f000{E}</td>"
    ) in page
    assert (
        f'<th scope="row">Auvergne-Rhône-Alpes</th> <td>2</td> <td>860\u202f000{E}</td> <td>30\u202f000{E}</td> '
        f"<td>450\u202f000{E}</td> <td>0{E}</td> <td>120\u202f000,50{E}</td>"
    ) in page
    assert f'<th scope="row">France entière</th> <td>5</td> <td>1\u202f965\u202f000{E}</td>' in page


def test_the_cite_page_shows_its_money_per_year(client, financements):
    page = client.get(reverse("cites:detail", args=["toulouse-grand-mirail"])).content.decode()
    assert f"850\u202f000{E}" in page  # the key figure: the State's dotation over 2024–2025
    assert "2024–2025, programme 147" in page
    assert "Financement par année (2 années)" in page
    assert f'<td class="fr-cell--right">700\u202f000{E}</td>' in page
    assert "non connues" in page  # 2024 spending not recorded

    autre = client.get(reverse("cites:detail", args=["allonnes"])).content.decode()
    assert "Financement par année" not in autre and "non publié pour l’instant" in autre


def test_the_open_data_publishes_the_money_as_csv_and_json(client, financements):
    texte = client.get(reverse("cites:csv", args=["cites-financements"])).content.decode("utf-8-sig")
    lignes = list(csv.DictReader(io.StringIO(texte), delimiter=";"))
    assert len(lignes) == 6
    lyon = next(ligne for ligne in lignes if ligne["slug_cite"] == "lyon-8e")
    assert (lyon["identifiant_cite"], lyon["annee"], lyon["dotation_etat"], lyon["depenses"]) == (
        "cite-039",
        "2025",
        "450000.00",
        "120000.50",
    )
    assert next(ligne for ligne in lignes if ligne["slug_cite"] == "nimes")["depenses"] == ""

    donnees = json.loads(client.get(reverse("cites:financements_json")).content)
    assert sum(ligne["dotation_etat"] for ligne in donnees["financements"]) == 2390000.0
    schema = client.get(reverse("cites:schema", args=["cites-financements"])).json()
    assert [champ["name"] for champ in schema["fields"]][:4] == ["identifiant_cite", "slug_cite", "nom_cite", "annee"]


def test_an_unpublished_cite_money_stays_private(client, financements):
    CiteEducative.objects.filter(slug="nimes").update(publiee=False)
    texte = client.get(reverse("cites:csv", args=["cites-financements"])).content.decode("utf-8-sig")
    assert "nimes" not in texte


def test_amounts_are_positive_and_one_row_per_year():
    cite = CiteEducative.objects.get(slug="allonnes")
    with pytest.raises(ValidationError):
        FinancementAnnuel(cite=cite, annee=2025, dotation_etat=Decimal("-1")).full_clean()
    FinancementAnnuel.objects.create(cite=cite, annee=2025)
    with pytest.raises(ValidationError):
        FinancementAnnuel(cite=cite, annee=2025).full_clean()


def test_agents_see_the_national_table_with_a_bounded_number_of_queries(
    client, financements, django_assert_max_num_queries
):
    for cite in CiteEducative.objects.exclude(financements__isnull=False)[:60]:
        FinancementAnnuel.objects.create(cite=cite, annee=2025, dotation_etat=Decimal("100000"))
    agent = helpers.agent(email="agent@occitanie.gouv.fr", region="76")
    client.force_login(agent)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:cites_financementannuel_tableau"), {"annee": "2025"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Financement des cités : tableau national — 2025" in page
    assert '<th scope="row">Occitanie</th>' in page
    assert client.get(reverse("admin:cites_financementannuel_tableau"), {"annee": "deux"}).status_code == 400


def test_a_porteur_cannot_see_the_table(client, db):
    porteur = helpers.porteur(email="porteur@toulouse.fr", commune="31555")
    client.force_login(porteur)
    response = client.get(reverse("admin:cites_financementannuel_tableau"))
    assert response.status_code in (302, 403)
    assert Group.objects.get(name="Agents régionaux").permissions.filter(codename="view_financementannuel").exists()

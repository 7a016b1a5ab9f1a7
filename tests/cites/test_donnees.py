"""Open data: the /donnees/ page, the CSV and GeoJSON of the cités, the GeoJSON of the QPVs."""

import csv
import gzip
import html
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from cites.models import CiteEducative, Qpv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes_placees")]

DONNEES = reverse("cites:donnees")
CSV_URL = reverse("cites:cites_csv")
CITES_GEOJSON = reverse("cites:cites_geojson")
QPV_GEOJSON = reverse("cites:qpv_geojson")


def csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def features(client, url, params=None) -> list[dict]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    return data["features"]


# --- The page -------------------------------------------------------------------------------


def test_page_offers_the_downloads_with_licence_and_sources(client):
    response = client.get(DONNEES)
    page = " ".join(html.unescape(response.content.decode()).split())

    assert response.status_code == 200
    assert f'href="{CSV_URL}"' in page and 'download="cites-educatives.csv"' in page
    assert f'href="{CITES_GEOJSON}"' in page and 'download="cites-educatives.geojson"' in page
    assert f'href="{QPV_GEOJSON}"' in page
    assert "Licence Ouverte / Open Licence version 2.0" in page
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in page
    # The sources, with the files actually imported and the date of the import.
    assert "Agence nationale de la cohésion des territoires (ANCT)" in page
    assert "citeduc_geom_2024-03-05.geojson" in page
    assert "centroide-4326_qpv.geojson" in page
    assert "Ministère de l'Éducation nationale" in page
    cite = CiteEducative.objects.exclude(importe_le=None).latest("importe_le")
    assert f"{timezone.localtime(cite.importe_le).day} " in page  # "21 novembre 2026"-like date of the last import
    assert "CSV – " in page and "GeoJSON – " in page  # format and size of each file
    assert reverse("api:docs") in page and reverse("api:schema") in page


def test_page_queries_are_bounded(client, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    # Each file is built to give its size (four more CSVs than before): a fixed number all the same.
    with django_assert_max_num_queries(22):
        assert client.get(DONNEES).status_code == 200


# --- CSV ------------------------------------------------------------------------------------


def test_csv_opens_in_french_spreadsheets(client):
    response = client.get(CSV_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cites-educatives.csv"'
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: accents read right by spreadsheet software
    header = content[3:].split(b"\r\n")[0].decode()
    assert header.split(";") == [
        "identifiant",
        "nom",
        "communes",
        "codes_insee",
        "departements",
        "codes_departements",
        "regions",
        "codes_regions",
        "annee_label",
        "annee_label_deduite",
        "url",
    ]
    assert content.count(b"\r\n") == 209  # header + one line per published cité


def test_csv_has_one_row_per_cite_with_its_communes_and_label(client):
    rows = {row["identifiant"]: row for row in csv_rows(client.get(CSV_URL))}

    assert len(rows) == 208
    nancy = rows["cite-050"]
    assert nancy["nom"] == "Nancy / Laxou / Maxéville"
    assert nancy["communes"] == "Laxou (54304), Maxéville (54357), Nancy (54395)"
    assert nancy["codes_insee"] == "54304, 54357, 54395"
    assert nancy["departements"] == "Meurthe-et-Moselle (54)"
    assert nancy["regions"] == "Grand Est"
    assert nancy["annee_label"] == "2019"
    assert nancy["annee_label_deduite"] == "oui"
    assert nancy["url"].endswith(reverse("cites:detail", kwargs={"slug": "nancy-laxou-maxeville"}))


def test_csv_follows_the_database(client):
    cite = CiteEducative.objects.get(identifiant="cite-014")
    cite.annee_label, cite.annee_label_deduite = 2020, False
    cite.save()
    hidden = CiteEducative.objects.get(identifiant="cite-050")
    hidden.publiee = False
    hidden.save()

    rows = {row["identifiant"]: row for row in csv_rows(client.get(CSV_URL))}

    assert "cite-050" not in rows
    assert (rows["cite-014"]["annee_label"], rows["cite-014"]["annee_label_deduite"]) == ("2020", "non")


@pytest.mark.parametrize(
    ("nom", "cellule"),
    [
        ('=HYPERLINK("https://pirate.example","Cliquez")', '\'=HYPERLINK("https://pirate.example","Cliquez")'),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("Cité de l'Ariane = Nice", "Cité de l'Ariane = Nice"),
    ],
)
def test_csv_writes_formula_like_names_as_text(client, nom, cellule):
    CiteEducative.objects.filter(identifiant="cite-014").update(nom=nom)

    rows = {row["identifiant"]: row for row in csv_rows(client.get(CSV_URL))}

    assert rows["cite-014"]["nom"] == cellule


# --- GeoJSON of the cités -------------------------------------------------------------------


def test_cites_geojson_places_each_cite_at_its_communes(client):
    items = {feature["id"]: feature for feature in features(client, CITES_GEOJSON)}

    assert len(items) == 208
    placed = [feature for feature in items.values() if feature["geometry"]]
    assert len(placed) == 208  # Saint-Martin (97801), in no file, is placed at its chef-lieu Marigot
    assert items["cite-192"]["geometry"]["coordinates"] == [-63.0833, 18.0667]
    toulouse = items["cite-073"]
    assert toulouse["properties"]["nom"] == "Toulouse Grand Mirail"
    longitude, latitude = toulouse["geometry"]["coordinates"]
    assert 1.3 < longitude < 1.6 and 43.5 < latitude < 43.7
    # A cité of several communes sits between them.
    longitude, latitude = items["cite-050"]["geometry"]["coordinates"]
    assert 6.1 < longitude < 6.2 and 48.6 < latitude < 48.8
    assert toulouse["properties"]["url"].endswith("/cites/toulouse-grand-mirail/")


def test_cites_geojson_filters_like_the_list(client):
    found = {f["id"] for f in features(client, CITES_GEOJSON, {"departement": "93", "annee": "2019"})}

    expected = set(
        CiteEducative.objects.filter(publiee=True, communes__departement__code="93", annee_label=2019)
        .values_list("identifiant", flat=True)
        .distinct()
    )
    assert expected and found == expected


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"region": "ZZ"}, "region", "Région inconnue"),
        ({"annee": "abc"}, "annee", "Année invalide"),
        ({"departement": "999"}, "departement", "Département inconnu"),
    ],
)
def test_cites_geojson_rejects_bad_filters_in_french(client, params, field, message):
    response = client.get(CITES_GEOJSON, params)

    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["erreur"] == "Paramètres de filtre invalides."
    assert message in body["details"][field][0]


def test_geojson_is_cached_compressed_and_forgotten_when_a_cite_changes(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = client.get(CITES_GEOJSON, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first["Vary"]
    assert first["Access-Control-Allow-Origin"] == "*"
    data = json.loads(gzip.decompress(first.content))
    assert len(data["features"]) == 208

    with django_assert_num_queries(0):
        again = client.get(CITES_GEOJSON)
    assert json.loads(again.content) == data

    cite = CiteEducative.objects.get(identifiant="cite-073")
    cite.nom = "Toulouse Grand Mirail (nouveau nom)"
    with django_capture_on_commit_callbacks(execute=True):
        cite.save()
    names = {f["id"]: f["properties"]["nom"] for f in features(client, CITES_GEOJSON)}
    assert names["cite-073"] == "Toulouse Grand Mirail (nouveau nom)"


def test_cites_geojson_queries_are_bounded(client, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(2):
        assert len(features(client, CITES_GEOJSON)) == 208
    with django_assert_max_num_queries(7):
        features(client, CITES_GEOJSON, {"region": "11", "annee": "2019", "q": "paris"})


# --- GeoJSON of the QPVs --------------------------------------------------------------------


def test_qpv_geojson_points_2024_and_contours_2015(client):
    qpv_2024 = features(client, QPV_GEOJSON, {"generation": "2024"})
    contours = features(client, QPV_GEOJSON, {"generation": "2015"})

    assert len(qpv_2024) == Qpv.objects.filter(generation=2024).count() == 1493
    assert all(f["geometry"]["type"] == "Point" for f in qpv_2024)
    assert {f["properties"]["position"] for f in qpv_2024} == {"commune"}
    assert len(contours) == 105
    assert all(f["geometry"]["type"] == "Polygon" for f in contours)
    assert {f["properties"]["position"] for f in contours} == {"contour"}


def test_qpv_geojson_filters_by_region_and_departement(client):
    toulouse = features(client, QPV_GEOJSON, {"departement": "31", "generation": "2024"})
    occitanie = features(client, QPV_GEOJSON, {"region": "76"})

    expected = set(Qpv.objects.filter(generation=2024, communes__departement__code="31").values_list("code", flat=True))
    assert {f["id"] for f in toulouse} == expected
    assert expected < {f["id"] for f in occitanie}


def test_qpv_geojson_rejects_an_unknown_generation(client):
    response = client.get(QPV_GEOJSON, {"generation": "1990"})

    assert response.status_code == 400
    assert "Génération inconnue" in json.loads(response.content)["details"]["generation"][0]


def test_qpv_geojson_queries_are_bounded(client, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(2):
        assert len(features(client, QPV_GEOJSON)) == 1493 + 105


# --- Issue 14: schools and label events of the cités, QPVs with and without a cité, schemas ---

SCHEMA_TYPES = {
    "string": lambda v: True,
    "integer": lambda v: v.lstrip("-").isdigit(),
    "number": lambda v: _is_number(v),
    "boolean": lambda v: v in ("oui", "non"),
    "date": lambda v: len(v) == 10 and v[4] == "-" and v[7] == "-",
}


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def assert_follows_its_schema(client, url: str, nom: str) -> list[dict]:
    """Every row of the CSV satisfies the Table Schema published for it."""
    import re

    schema = json.loads(client.get(reverse("cites:schema", kwargs={"nom": nom})).content)
    rows = csv_rows(client.get(url))
    names = [field["name"] for field in schema["fields"]]
    assert list(rows[0]) == names
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        values = [row[field["name"]] for row in rows]
        present = [v for v in values if v not in schema["missingValues"]]
        if constraints.get("required"):
            assert len(present) == len(values), field["name"]
        assert all(SCHEMA_TYPES[field["type"]](v) for v in present), field["name"]
        if "pattern" in constraints:
            assert all(re.fullmatch(constraints["pattern"], v) for v in present), field["name"]
        if "enum" in constraints:
            assert set(present) <= set(constraints["enum"]), field["name"]
        if constraints.get("unique"):
            assert len(set(present)) == len(present), field["name"]
    keys = [tuple(row[name] for name in schema["primaryKey"]) for row in rows]
    assert len(set(keys)) == len(keys)
    return rows


def test_schools_of_each_cite_with_their_ips(client):
    url = reverse("cites:csv", kwargs={"nom": "cites-etablissements"})
    response = client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="cites-etablissements.csv"'
    header = response.content[3:].split(b"\r\n")[0].decode()
    assert header.split(";") == [
        "identifiant_cite",
        "slug_cite",
        "nom_cite",
        "uai",
        "nom",
        "type",
        "code_commune",
        "commune",
        "education_prioritaire",
        "secteur",
        "ips",
        "rentree_ips",
        "rattachement",
    ]
    rows = assert_follows_its_schema(client, url, "cites-etablissements")
    mirail = [row for row in rows if row["slug_cite"] == "toulouse-grand-mirail"]
    assert len(mirail) == 69 and {row["identifiant_cite"] for row in mirail} == {"cite-073"}
    buffon = next(row for row in mirail if row["uai"] == "0312227C")
    assert (buffon["education_prioritaire"], buffon["ips"], buffon["rentree_ips"]) == ("REP+", "82.6", "2022-2023")
    assert {row["rattachement"] for row in mirail} == {"commune"}


def test_a_cite_with_a_recorded_perimeter_lists_its_own_schools(client):
    from cites.models import Etablissement

    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    cite.etablissements.set(Etablissement.objects.filter(uai__in=["0312227C", "0311645V"]))
    rows = csv_rows(client.get(reverse("cites:csv", kwargs={"nom": "cites-etablissements"})))
    mirail = [(row["uai"], row["rattachement"]) for row in rows if row["slug_cite"] == "toulouse-grand-mirail"]
    assert mirail == [("0311645V", "perimetre"), ("0312227C", "perimetre")]


def test_label_events_of_the_published_cites(client):
    from cites.models import EvenementLabel

    url = reverse("cites:csv", kwargs={"nom": "cites-evenements"})
    EvenementLabel.objects.create(
        cite=CiteEducative.objects.get(identifiant="cite-050"),
        type=EvenementLabel.Type.PROLONGATION,
        annee=2023,
        date="2023-06-12",
        reference_decision="Arrêté du 12 juin 2023",
    )
    rows = assert_follows_its_schema(client, url, "cites-evenements")
    assert len(rows) == 209  # one label per cité, and the prolongation
    nancy = [
        (row["type"], row["annee"], row["date"], row["reference_decision"])
        for row in rows
        if row["identifiant_cite"] == "cite-050"
    ]
    assert nancy == [("label", "2019", "", ""), ("prolongation", "2023", "2023-06-12", "Arrêté du 12 juin 2023")]


def test_qpvs_with_and_without_a_cite(client):
    rows = assert_follows_its_schema(
        client, reverse("cites:csv", kwargs={"nom": "qpv-generalisation"}), "qpv-generalisation"
    )
    assert len(rows) == 1493
    assert sum(row["cite"] == "oui" for row in rows) == 708
    cœur = next(row for row in rows if row["code"] == "QN08201I")
    assert (cœur["nom"], cœur["communes"], cœur["cite"], cœur["cites"]) == (
        "Cœur de Ville",
        "Montauban (82121)",
        "non",
        "",
    )


def test_the_cites_csv_follows_its_schema_and_keeps_the_anct_identifiers(client, reference_data_dir):
    from cites.imports.importers import cites_import
    from cites.imports.readers import Source

    avant = {row["identifiant"]: row["nom"] for row in assert_follows_its_schema(client, CSV_URL, "cites-educatives")}
    assert avant["cite-001"] == "Allonnes" and avant["cite-050"] == "Nancy / Laxou / Maxéville"
    cites_import(source=Source(str(reference_data_dir / "cites_educatives" / "citeduc_geom_2024-03-05.geojson")))
    from django.core.cache import cache

    cache.clear()
    apres = {row["identifiant"]: row["nom"] for row in csv_rows(client.get(CSV_URL))}
    assert apres == avant


def test_data_package_describes_every_csv_with_its_dialect_and_schema(client):
    package = json.loads(client.get(reverse("cites:datapackage")).content)
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert set(resources) == {
        "cites-educatives",
        "cites-etablissements",
        "cites-evenements",
        "cites-financements",
        "qpv-generalisation",
    }
    for nom, resource in resources.items():
        assert resource["dialect"]["delimiter"] == ";"
        assert resource["schema"].endswith(f"/donnees/{nom}.schema.json")
        assert client.get(resource["path"].removeprefix("http://testserver")).status_code == 200
    assert client.get(reverse("cites:schema", kwargs={"nom": "inconnu"})).status_code == 404
    page = client.get(DONNEES).content.decode()
    assert 'href="/donnees/cites-etablissements.schema.json"' in page and 'href="/donnees/datapackage.json"' in page

"""Exports of the agents' list: CSV (UTF-8 with BOM, `;`) and XLSX, streamed, with the current
filters and within the agent's scope, in a number of queries that does not grow per row."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from candidatures.models import Candidature, Etat
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

CSV = "admin:candidatures_candidature_export_csv"
XLSX = "admin:candidatures_candidature_export_xlsx"


def lire_csv(response) -> list[list[str]]:
    contenu = b"".join(response.streaming_content)
    assert contenu.startswith(b"\xef\xbb\xbf")  # the BOM French spreadsheet software needs for UTF-8
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=";"))


def lire_xlsx(response) -> list[tuple]:
    classeur = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(classeur["Candidatures"].iter_rows(values_only=True))


def test_the_csv_opens_in_french_spreadsheet_software(deposee, agent_occitanie, connecter):
    response = connecter(agent_occitanie).get(reverse(CSV))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="candidatures-')
    entete, ligne = lire_csv(response)
    assert entete[:3] == ["Référence", "Nom du projet", "Collectivité"]
    valeurs = dict(zip(entete, ligne, strict=True))
    assert valeurs["Référence"] == deposee.reference
    assert valeurs["Région"] == "Occitanie"
    assert valeurs["Départements"] == "31"
    assert valeurs["Communes"] == "Toulouse (31555)"
    assert valeurs["État"] == "déposée"
    assert valeurs["Vérifications automatiques"] == "vérifiées"
    assert valeurs["Budget total (€)"] == "200000,00"  # decimal comma
    datetime.datetime.strptime(valeurs["Déposée le"], "%d/%m/%Y %H:%M")


def test_the_xlsx_loads_with_typed_cells(deposee, agent_occitanie, connecter):
    response = connecter(agent_occitanie).get(reverse(XLSX))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    entete, ligne = lire_xlsx(response)
    valeurs = dict(zip(entete, ligne, strict=True))
    assert valeurs["Référence"] == deposee.reference
    assert isinstance(valeurs["Déposée le"], datetime.datetime)
    assert valeurs["Budget total (€)"] == 200000


def test_exports_follow_the_filters_of_the_list(deposee, porteur, appel, agent_occitanie, connecter):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=4, prefixe="2091", etat=Etat.EN_INSTRUCTION)
    client = connecter(agent_occitanie)
    liste = client.get(reverse("admin:candidatures_candidature_changelist"), {"etat": "en_instruction"})
    assert 'href="/admin/candidatures/candidature/export.csv?etat=en_instruction"' in liste.content.decode()
    lignes = lire_csv(client.get(reverse(CSV), {"etat": "en_instruction"}))[1:]
    assert sorted(ligne[0] for ligne in lignes) == [f"CE-2091-{i:05d}" for i in range(4)]
    lignes = lire_xlsx(client.get(reverse(XLSX), {"q": deposee.reference}))[1:]
    assert [ligne[0] for ligne in lignes] == [deposee.reference]
    # The sort order of the list is the order of the file.
    lignes = lire_csv(client.get(reverse(CSV), {"o": "1"}))[1:]
    assert [ligne[0] for ligne in lignes] == sorted(ligne[0] for ligne in lignes)


def test_exports_keep_to_the_agents_scope(deposee, porteur_lyon, appel, agent_ara, agent_national, connecter):
    helpers.candidatures_en_masse(user=porteur_lyon, appel=appel, nombre=2, prefixe="2090")
    ara = lire_csv(connecter(agent_ara).get(reverse(CSV)))[1:]
    assert sorted(ligne[0] for ligne in ara) == ["CE-2090-00000", "CE-2090-00001"]
    # A filter on another région (not offered to a regional agent) gives nothing outside their own.
    filtre = lire_csv(connecter(agent_ara).get(reverse(CSV), {"region": "76"}))[1:]
    assert {ligne[5] for ligne in filtre} == {"Auvergne-Rhône-Alpes"}
    national = lire_csv(connecter(agent_national).get(reverse(CSV)))[1:]
    assert len(national) == 3


def test_the_bulk_export_exports_the_selection(deposee, porteur, appel, agent_occitanie, connecter):
    autres = helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=3, prefixe="2089")
    client = connecter(agent_occitanie)
    response = client.post(
        reverse("admin:candidatures_candidature_changelist"),
        {"action": "exporter_xlsx", "_selected_action": [autres[0].pk, autres[2].pk]},
    )
    assert sorted(ligne[0] for ligne in lire_xlsx(response)[1:]) == [autres[0].reference, autres[2].reference]
    response = client.post(
        reverse("admin:candidatures_candidature_changelist"),
        {"action": "exporter_csv", "_selected_action": [deposee.pk]},
    )
    assert [ligne[0] for ligne in lire_csv(response)[1:]] == [deposee.reference]


def test_typed_text_is_never_a_formula(deposee, agent_occitanie, connecter):
    Candidature.objects.filter(pk=deposee.pk).update(titre='=HYPERLINK("http://exemple.org";"clic")')
    client = connecter(agent_occitanie)
    [_, ligne] = lire_csv(client.get(reverse(CSV)))
    assert ligne[1] == '\'=HYPERLINK("http://exemple.org";"clic")'
    classeur = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(reverse(XLSX)).streaming_content)))
    cellule = classeur["Candidatures"]["B2"]
    assert cellule.data_type == "s" and cellule.value.startswith("=HYPERLINK")


def test_the_export_needs_a_constant_number_of_queries(
    porteur, appel, agent_occitanie, connecter, django_assert_max_num_queries
):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=300, prefixe="2088")
    client = connecter(agent_occitanie)
    with django_assert_max_num_queries(15):
        lignes = lire_csv(client.get(reverse(CSV)))
    assert len(lignes) == 301
    with django_assert_max_num_queries(15):
        assert len(lire_xlsx(client.get(reverse(XLSX)))) == 301

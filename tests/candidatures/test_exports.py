"""Exports of the agents' list: CSV (UTF-8 with BOM, `;`) streamed from `.values()` rows, XLSX
built in the background and offered on « Mes exports », with the current filters and within the
agent's scope, in a number of queries that does not grow per row."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from candidatures import exports, instruction
from candidatures.models import Candidature, Etat, Export
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


@pytest.fixture
def xlsx(django_capture_on_commit_callbacks):
    """Ask for the XLSX export of the list (POST), let the task run, download it from « Mes exports »."""

    def _xlsx(client, params=None, *, post=None):
        url = reverse(XLSX) + (f"?{params}" if params else "")
        with django_capture_on_commit_callbacks(execute=True):
            if post is None:
                response = client.post(url)
            else:
                response = client.post(reverse("admin:candidatures_candidature_changelist"), post)
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:candidatures_candidature_mes_exports")
        page = client.get(response["Location"]).content.decode()
        assert "Votre export XLSX est en préparation" in page
        export = Export.objects.latest("pk")
        assert export.statut == Export.Statut.PRET, export.erreur
        telechargement = client.get(reverse("admin:candidatures_candidature_export_telecharger", args=[export.pk]))
        assert telechargement.status_code == 200
        return telechargement

    return _xlsx


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


def test_the_xlsx_loads_with_typed_cells(deposee, agent_occitanie, connecter, xlsx):
    response = xlsx(connecter(agent_occitanie))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    entete, ligne = lire_xlsx(response)
    valeurs = dict(zip(entete, ligne, strict=True))
    assert valeurs["Référence"] == deposee.reference
    assert isinstance(valeurs["Déposée le"], datetime.datetime)
    assert valeurs["Budget total (€)"] == 200000


def test_exports_follow_the_filters_of_the_list(deposee, porteur, appel, agent_occitanie, connecter, xlsx):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=4, prefixe="2091", etat=Etat.EN_INSTRUCTION)
    client = connecter(agent_occitanie)
    liste = client.get(reverse("admin:candidatures_candidature_changelist"), {"etat": "en_instruction"})
    assert 'href="/admin/candidatures/candidature/export.csv?etat=en_instruction"' in liste.content.decode()
    lignes = lire_csv(client.get(reverse(CSV), {"etat": "en_instruction"}))[1:]
    assert sorted(ligne[0] for ligne in lignes) == [f"CE-2091-{i:05d}" for i in range(4)]
    lignes = lire_xlsx(xlsx(client, f"q={deposee.reference}"))[1:]
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


def test_the_bulk_export_exports_the_selection(deposee, porteur, appel, agent_occitanie, connecter, xlsx):
    autres = helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=3, prefixe="2089")
    client = connecter(agent_occitanie)
    response = xlsx(client, post={"action": "exporter_xlsx", "_selected_action": [autres[0].pk, autres[2].pk]})
    assert sorted(ligne[0] for ligne in lire_xlsx(response)[1:]) == [autres[0].reference, autres[2].reference]
    response = client.post(
        reverse("admin:candidatures_candidature_changelist"),
        {"action": "exporter_csv", "_selected_action": [deposee.pk]},
    )
    assert [ligne[0] for ligne in lire_csv(response)[1:]] == [deposee.reference]


def test_typed_text_is_never_a_formula(deposee, agent_occitanie, connecter, xlsx):
    Candidature.objects.filter(pk=deposee.pk).update(titre='=HYPERLINK("http://exemple.org";"clic")')
    client = connecter(agent_occitanie)
    [_, ligne] = lire_csv(client.get(reverse(CSV)))
    assert ligne[1] == '\'=HYPERLINK("http://exemple.org";"clic")'
    classeur = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx(client).streaming_content)))
    cellule = classeur["Candidatures"]["B2"]
    assert cellule.data_type == "s" and cellule.value.startswith("=HYPERLINK")


def test_the_export_needs_a_constant_number_of_queries(
    porteur, appel, agent_occitanie, connecter, django_assert_max_num_queries, monkeypatch, xlsx
):
    """Rows are read as dictionaries (never model instances), batch by batch: 4 more queries a batch
    of rows, on top of the list's own (filters, count)."""
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=300, prefixe="2088")
    monkeypatch.setattr(exports, "CHUNK", 100)  # three batches

    def aucune_instance(*args, **kwargs):
        raise AssertionError("an export builds no Candidature instance")

    monkeypatch.setattr(Candidature, "from_db", aucune_instance)
    client = connecter(agent_occitanie)
    with django_assert_max_num_queries(28):
        response = client.get(reverse(CSV))
        assert isinstance(response, StreamingHttpResponse) and response.streaming
        lignes = lire_csv(response)
    assert len(lignes) == 301
    with django_assert_max_num_queries(55):  # the request, the task, « Mes exports » and the download
        assert len(lire_xlsx(xlsx(client))) == 301


def test_the_csv_header_leaves_before_any_row_is_read(deposee, agent_occitanie, connecter, django_assert_num_queries):
    response = connecter(agent_occitanie).get(reverse(CSV))
    morceaux = iter(response.streaming_content)
    with django_assert_num_queries(0):
        entete = next(morceaux)
    assert entete.startswith("\ufeffRéférence;Nom du projet;".encode())
    assert deposee.reference.encode() in b"".join(morceaux)


def test_exports_carry_the_porteurs_contact_the_opinion_and_each_assessment(
    deposee, porteur, agent_occitanie, connecter, xlsx
):
    from candidatures.models import ProfilPorteur

    ProfilPorteur.objects.filter(user=porteur).update(telephone="05 61 00 00 00")
    instruction.candidature_take_charge(candidature=deposee, agent=agent_occitanie)
    helpers.evaluer_tout(candidature=deposee, agent=agent_occitanie)
    critere_3 = deposee.appel.criteres.get(numero=3)
    instruction.evaluations_save(
        candidature=deposee, agent=agent_occitanie, saisies=[(critere_3, "partiel", "Indicateurs anciens.")]
    )
    instruction.candidature_give_opinion(
        candidature=deposee, agent=agent_occitanie, avis="favorable", motif="Troïka solide ; diagnostic précis."
    )
    client = connecter(agent_occitanie)
    entete, ligne = lire_csv(client.get(reverse(CSV)))
    valeurs = dict(zip(entete, ligne, strict=True))
    assert valeurs["Porteur"] == "Camille Martin"
    assert valeurs["Adresse du porteur"] == "porteur@toulouse.fr"
    assert valeurs["Téléphone du porteur"] == "05 61 00 00 00"
    assert valeurs["Chef de projet"] == "Alex Durand"
    assert valeurs["Adresse du chef de projet"] == "alex.durand@mairie.fr"
    assert valeurs["Avis de la région"] == "favorable"
    assert valeurs["Motifs de l'avis"] == "Troïka solide ; diagnostic précis."
    assert valeurs["Agent instructeur"] == "Dominique Agent"
    assert valeurs["Critère 1 : appréciation"] == "conforme"
    assert valeurs["Critère 1 : commentaire"] == "Vu."
    assert valeurs["Critère 3 : appréciation"] == "partiellement conforme"
    assert valeurs["Critère 3 : commentaire"] == "Indicateurs anciens."
    assert valeurs["Critère 9 : appréciation"] == "conforme"
    entete, ligne = lire_xlsx(xlsx(client))
    valeurs = dict(zip(entete, ligne, strict=True))
    assert valeurs["Téléphone du porteur"] == "05 61 00 00 00"
    assert valeurs["Critère 3 : commentaire"] == "Indicateurs anciens."
    assert valeurs["Motifs de l'avis"] == "Troïka solide ; diagnostic précis."


def test_an_anonymised_porteur_is_exported_as_a_deleted_account(deposee, porteur, agent_national, connecter):
    from candidatures import services

    services.porteur_anonymise(profil=porteur.profil_porteur, agent=agent_national)
    entete, ligne = lire_csv(connecter(agent_national).get(reverse(CSV)))
    valeurs = dict(zip(entete, ligne, strict=True))
    assert (valeurs["Porteur"], valeurs["Adresse du porteur"], valeurs["Téléphone du porteur"]) == (
        "compte supprimé",
        "",
        "",
    )


def test_my_exports_are_mine_alone_and_announced_by_email(deposee, agent_occitanie, agent_national, connecter, xlsx):
    mail.outbox.clear()
    client = connecter(agent_occitanie)
    xlsx(client, "etat=deposee")
    export = Export.objects.get()
    assert [m.to for m in mail.outbox] == [["agent@occitanie.gouv.fr"]]
    assert "votre export XLSX est prêt" in mail.outbox[0].subject
    assert "/admin/candidatures/candidature/mes-exports/" in mail.outbox[0].body
    assert "1 candidature," in mail.outbox[0].body
    page = client.get(reverse("admin:candidatures_candidature_mes_exports")).content.decode()
    assert "prêt" in page and "liste filtrée (etat=deposee)" in page
    url = reverse("admin:candidatures_candidature_export_telecharger", args=[export.pk])
    assert f'href="{url}"' in page
    # Another agent, even national, neither sees it nor downloads it.
    autre = connecter(agent_national)
    assert url not in autre.get(reverse("admin:candidatures_candidature_mes_exports")).content.decode()
    assert autre.get(url).status_code == 404
    # The file is in private storage, never under a public URL.
    assert export.fichier.name.startswith("exports/")
    with pytest.raises(NotImplementedError):
        _ = export.fichier.url


def test_a_get_never_creates_an_export(deposee, agent_occitanie, connecter):
    assert connecter(agent_occitanie).get(reverse(XLSX)).status_code == 405
    assert not Export.objects.exists()


def test_a_failed_export_says_so(deposee, agent_occitanie, connecter, monkeypatch, django_capture_on_commit_callbacks):
    def panne(**kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(exports, "xlsx_ecrire", panne)
    client = connecter(agent_occitanie)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(XLSX))
    page = client.get(reverse("admin:candidatures_candidature_mes_exports")).content.decode()
    assert "échec : disque plein" in page
    assert Export.objects.get().statut == Export.Statut.ECHEC


def test_an_unknown_filter_is_refused_before_any_export(deposee, agent_occitanie, connecter):
    assert connecter(agent_occitanie).post(reverse(XLSX) + "?inconnu__exact=1").status_code == 404
    assert not Export.objects.exists()


def test_exports_are_deleted_after_seven_days(deposee, agent_occitanie, connecter, xlsx):
    client = connecter(agent_occitanie)
    xlsx(client)
    xlsx(client)
    ancien, recent = Export.objects.order_by("pk")
    stockage = ancien.fichier.storage
    assert stockage.exists(ancien.fichier.name)
    Export.objects.filter(pk=ancien.pk).update(cree_le=timezone.now() - datetime.timedelta(days=7, minutes=1))
    Export.objects.filter(pk=recent.pk).update(cree_le=timezone.now() - datetime.timedelta(days=6, hours=23))
    sortie = io.StringIO()
    call_command("purger_exports", stdout=sortie)
    assert "1 export(s) de plus de 7 jours effacé(s)." in sortie.getvalue()
    assert list(Export.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not stockage.exists(ancien.fichier.name)
    assert stockage.exists(recent.fichier.name)
    assert client.get(reverse("admin:candidatures_candidature_export_telecharger", args=[ancien.pk])).status_code == 404


def test_a_csv_can_be_built_in_the_background_too(
    deposee, porteur, appel, agent_occitanie, django_capture_on_commit_callbacks
):
    """For a list too long for one request: the same file, written by the task."""
    from candidatures import services

    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=3, prefixe="2087")
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(agent=agent_occitanie, format="csv", nom="liste", filtres="o=1")
    export.refresh_from_db()
    assert (export.statut, export.nombre_lignes) == (Export.Statut.PRET, 4)
    with export.fichier.open("rb") as fichier:
        lignes = list(csv.reader(io.StringIO(fichier.read().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [ligne[0] for ligne in lignes[1:]] == sorted(ligne[0] for ligne in lignes[1:])
    assert deposee.reference in [ligne[0] for ligne in lignes]

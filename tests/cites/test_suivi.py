"""After the label: prolongations, convention-cadre, revues de projet, renewal, and the public history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cites.models import CiteEducative, ConventionCadre, EvenementLabel, RevueProjet
from cites.services import cite_prolong, cite_record_convention, cite_record_revue, cite_renew

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_superuser("agent", "agent@anct.gouv.fr", "mot-de-passe-solide")


@pytest.fixture
def cite(db):
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    CiteEducative.objects.filter(pk=cite.pk).update(fin_financement=datetime.date(2025, 12, 31))
    cite.refresh_from_db()
    return cite


def pdf(name="convention.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def text_of(response) -> str:
    return response.content.decode()


def historique(client, cite) -> str:
    page = text_of(client.get(cite.get_absolute_url()))
    return page[page.index('id="historique"') : page.index('id="corriger"')]


# --- Prolongation ----------------------------------------------------------------------------


def test_prolongation_moves_the_end_of_funding_and_shows_in_the_history(client, cite, agent):
    evenement = cite_prolong(
        cite=cite,
        fin_financement=datetime.date(2027, 12, 31),
        date=datetime.date(2025, 10, 2),
        reference_decision="Décision ANCT 2025-117",
        user=agent,
    )
    cite.refresh_from_db()
    assert cite.fin_financement == datetime.date(2027, 12, 31)
    assert cite.statut == CiteEducative.Statut.PROLONGEE
    assert (evenement.type, evenement.annee) == (EvenementLabel.Type.PROLONGATION, 2025)
    derniere = cite.history.first()
    assert derniere.history_user == agent and "Prolongation" in derniere.history_change_reason

    html = historique(client, cite)
    assert "Prolongation" in html and "2 octobre 2025" in html
    assert "décision : Décision ANCT 2025-117" in html
    assert "Financement jusqu’au 31 décembre 2027" in html


@pytest.mark.parametrize(
    "kwargs, champ, message",
    [
        ({"fin_financement": datetime.date(2025, 6, 30)}, "fin_financement", "postérieure à la fin actuelle"),
        ({"reference_decision": " "}, "reference_decision", "Indiquez la référence"),
        ({"date": datetime.date.today() + datetime.timedelta(days=3)}, "date", "dans le futur"),
    ],
)
def test_an_invalid_prolongation_is_refused_and_changes_nothing(cite, agent, kwargs, champ, message):
    valeurs = {
        "fin_financement": datetime.date(2027, 12, 31),
        "date": datetime.date(2025, 10, 2),
        "reference_decision": "Décision 2025-117",
        **kwargs,
    }
    with pytest.raises(ValidationError) as erreur:
        cite_prolong(cite=cite, user=agent, **valeurs)
    assert message in " ".join(erreur.value.message_dict[champ])
    cite.refresh_from_db()
    assert cite.fin_financement == datetime.date(2025, 12, 31) and cite.statut == CiteEducative.Statut.LABELLISEE
    assert not cite.evenements.filter(type=EvenementLabel.Type.PROLONGATION).exists()


def test_the_same_decision_is_not_recorded_twice(cite, agent):
    valeurs = {"date": datetime.date(2025, 10, 2), "reference_decision": "Décision 2025-117"}
    cite_prolong(cite=cite, fin_financement=datetime.date(2026, 12, 31), user=agent, **valeurs)
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        cite_prolong(cite=cite, fin_financement=datetime.date(2027, 12, 31), user=agent, **valeurs)
    assert cite.evenements.filter(type=EvenementLabel.Type.PROLONGATION).count() == 1


# --- Convention-cadre ------------------------------------------------------------------------


def test_the_signed_convention_is_published_with_its_pdf(client, cite, agent):
    convention = cite_record_convention(
        cite=cite, date_signature=datetime.date(2020, 3, 12), document=pdf(), description="Convention initiale"
    )
    html = historique(client, cite)
    assert "Signature de la convention-cadre" in html and "12 mars 2020" in html
    url = reverse("cites:document", kwargs={"slug": cite.slug, "type": "convention", "pk": convention.pk})
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_a_convention_kept_private_is_not_served(client, cite, agent, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    convention = cite_record_convention(
        cite=cite, date_signature=datetime.date(2020, 3, 12), document=pdf(), document_public=False
    )
    assert "Signature de la convention-cadre" in historique(client, cite)
    url = reverse("cites:document", kwargs={"slug": cite.slug, "type": "convention", "pk": convention.pk})
    assert url not in historique(client, cite)
    assert client.get(url).status_code == 404


def test_a_file_that_is_not_a_pdf_is_refused(cite, agent):
    faux = SimpleUploadedFile("convention.pdf", b"PK\x03\x04 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="n'est pas celui d'un PDF"):
        cite_record_convention(cite=cite, date_signature=datetime.date(2020, 3, 12), document=faux)
    assert not ConventionCadre.objects.filter(cite=cite).exists()


# --- Revue de projet -------------------------------------------------------------------------


def test_yearly_revue_shows_its_summary_and_only_a_public_document(client, cite, agent, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    revue = cite_record_revue(
        cite=cite,
        date=datetime.date(2024, 6, 20),
        resume="Les effectifs de l'aide aux devoirs ont doublé.",
        document=pdf(),
    )
    html = historique(client, cite)
    assert "Revue de projet 2024" in html and "aide aux devoirs ont doublé" in html
    url = reverse("cites:document", kwargs={"slug": cite.slug, "type": "revue", "pk": revue.pk})
    assert url not in html  # not public unless an agent says so
    assert client.get(url).status_code == 404

    # Recording the revue of the same year again corrects it.
    cite_record_revue(cite=cite, date=datetime.date(2024, 6, 21), resume="Synthèse corrigée.", document_public=True)
    assert RevueProjet.objects.filter(cite=cite).count() == 1
    html = historique(client, cite)
    assert "Synthèse corrigée." in html and "21 juin 2024" in html and url in html
    assert client.get(url).status_code == 200


def test_a_revue_needs_a_summary(cite, agent):
    with pytest.raises(ValidationError) as erreur:
        cite_record_revue(cite=cite, date=datetime.date(2024, 6, 20), resume="  ")
    assert "resume" in erreur.value.message_dict
    assert not RevueProjet.objects.filter(cite=cite).exists()


# --- Renewal ---------------------------------------------------------------------------------


def test_renewal_after_three_years(client, cite, agent):
    cite_renew(
        cite=cite,
        date=datetime.date(2025, 1, 15),
        reference_decision="Arrêté du 15 janvier 2025",
        fin_financement=datetime.date(2027, 12, 31),
        user=agent,
    )
    cite.refresh_from_db()
    assert cite.statut == CiteEducative.Statut.RENOUVELEE
    assert cite.fin_financement == datetime.date(2027, 12, 31)
    html = historique(client, cite)
    assert "Renouvellement du label" in html and "Arrêté du 15 janvier 2025" in html


def test_whole_history_is_in_date_order(client, cite, agent):
    cite_record_revue(cite=cite, date=datetime.date(2021, 6, 1), resume="Première revue.")
    cite_record_convention(cite=cite, date_signature=datetime.date(2020, 3, 12))
    cite_renew(cite=cite, date=datetime.date(2023, 1, 15), reference_decision="R-2023")
    cite_prolong(
        cite=cite, fin_financement=datetime.date(2027, 12, 31), date=datetime.date(2025, 10, 2), reference_decision="P"
    )
    html = historique(client, cite)
    positions = [
        html.index(texte)
        for texte in ("Labellisation", "convention-cadre", "Revue de projet 2021", "Renouvellement", "Prolongation")
    ]
    assert positions == sorted(positions)


# --- The public page, its cache and its queries ----------------------------------------------


def test_the_cached_page_shows_a_new_record_at_once(client, cite, agent, django_capture_on_commit_callbacks):
    assert "Revue de projet 2024" not in historique(client, cite)  # now in the cache
    with django_capture_on_commit_callbacks(execute=True):
        cite_record_revue(cite=cite, date=datetime.date(2024, 6, 20), resume="Bilan positif.")
    assert "Revue de projet 2024" in historique(client, cite)


def test_page_queries_stay_bounded_with_records(client, cite, agent, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    for annee in range(2020, 2025):
        cite_record_revue(cite=cite, date=datetime.date(annee, 6, 1), resume=f"Revue {annee}.")
        cite_record_convention(cite=cite, date_signature=datetime.date(annee, 3, 1), document=pdf())
    # 10 for the cité and its history, 6 for its territory (QPVs, schools, IPS and their means).
    with django_assert_max_num_queries(17):
        response = client.get(cite.get_absolute_url())
    assert text_of(response).count("Signature de la convention-cadre") == 5


# --- The agents' forms in the admin ----------------------------------------------------------


def test_agents_record_a_prolongation_from_the_cite_admin_page(client, cite, agent):
    client.force_login(agent)
    change = text_of(client.get(reverse("admin:cites_citeeducative_change", args=[cite.pk])))
    url = reverse("admin:cites_citeeducative_suivi", args=[cite.pk, "prolongation"])
    assert f'href="{url}"' in change

    response = client.post(
        url, {"fin_financement": "2025-01-01", "date": "2024-11-02", "reference_decision": "D-1", "description": ""}
    )
    assert response.status_code == 200  # the form again, with the error and what was typed
    assert "postérieure à la fin actuelle" in text_of(response) and 'value="D-1"' in text_of(response)

    response = client.post(
        url, {"fin_financement": "2027-12-31", "date": "2024-11-02", "reference_decision": "D-1", "description": ""}
    )
    assert response.status_code == 302
    cite.refresh_from_db()
    assert cite.fin_financement == datetime.date(2027, 12, 31)


def test_agents_upload_the_convention_and_open_it_from_the_admin(client, cite, agent):
    client.force_login(agent)
    url = reverse("admin:cites_citeeducative_suivi", args=[cite.pk, "convention"])
    response = client.post(url, {"date_signature": "2020-03-12", "document": pdf(), "document_public": "on"})
    assert response.status_code == 302
    convention = ConventionCadre.objects.get(cite=cite)
    assert convention.document_public and convention.enregistre_par == agent
    change = text_of(client.get(reverse("admin:cites_citeeducative_change", args=[cite.pk])))
    lien = reverse("admin:cites_citeeducative_document", args=[cite.pk, "convention", convention.pk])
    assert lien in change
    assert b"".join(client.get(lien).streaming_content) == PDF


def test_the_follow_up_form_sends_its_file_and_says_what_it_records(client, cite, agent):
    """A browser sends a file only from a multipart form: without it the agent's PDF would be lost."""
    client.force_login(agent)
    page = client.get(reverse("admin:cites_citeeducative_suivi", args=[cite.pk, "convention"])).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'value="Enregistrer"' in page
    cancel = reverse("admin:cites_citeeducative_change", args=[cite.pk])
    assert f'href="{cancel}" class="closelink">Annuler</a>' in page

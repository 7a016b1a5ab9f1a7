"""The back office (Django admin) of the reference data, the cités and the partners."""

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.urls import reverse

from cites.models import CiteEducative, Commune, EvenementLabel

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_fr(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "mot-de-passe-solide")
    client.force_login(user)
    return client


def _changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_model_of_cites_and_partenaires_is_in_the_admin():
    from django.apps import apps

    for app_label in ("cites", "partenaires"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.object_name.startswith("Historical") or model._meta.auto_created:
                continue
            assert model in admin.site._registry, model


def test_changelists_load_with_search_and_filters(admin_client_fr):
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("cites", "partenaires"):
            continue
        assert model_admin.search_fields, model
        response = admin_client_fr.get(_changelist_url(model))
        assert response.status_code == 200, model
        if model_admin.list_filter:
            assert 'id="changelist-filter"' in response.content.decode(), model


def test_communes_changelist_searches_by_name_and_by_arrondissement_code(
    admin_client_fr, django_assert_max_num_queries
):
    url = _changelist_url(Commune)
    with django_assert_max_num_queries(12):
        response = admin_client_fr.get(url)
    assert response.status_code == 200
    response = admin_client_fr.get(url, {"q": "Villeurbanne"})
    assert "69266" in response.content.decode()
    # An arrondissement code finds its city (Paris 13e → Paris).
    response = admin_client_fr.get(url, {"q": "75113"})
    assert list(response.context["cl"].result_list.values_list("code", flat=True)) == ["75056"]


def test_cites_changelist_filters_by_year_and_region(admin_client_fr):
    url = _changelist_url(CiteEducative)
    response = admin_client_fr.get(url, {"annee_label": "2021"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 46
    response = admin_client_fr.get(url, {"communes__departement__region__id__exact": Commune.objects.get(
        code="31555").departement.region_id})  # fmt: skip
    assert response.status_code == 200
    assert "Toulouse" in response.content.decode()


def test_cite_change_form_never_renders_a_giant_select(admin_client_fr):
    # Raw ids with the related list's pop-up: select2's widgets have no accessible name (axe-core).
    cite = CiteEducative.objects.get(identifiant="cite-050")
    response = admin_client_fr.get(reverse("admin:cites_citeeducative_change", args=[cite.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("communes", "qpvs", "etablissements", "college_chef_de_file"):
        assert isinstance(form.fields[name].widget, ForeignKeyRawIdWidget), name
    content = response.content.decode()
    assert 'name="communes"' in content and "admin-autocomplete" not in content
    assert content.count("<option") < 200  # not 35,000 communes
    # Label history and partners are edited on the cité's page.
    assert "historique du label" in content.lower()
    assert "liens partenaires" in content.lower()


def _change_form_data(response) -> dict:
    """The POST data of an admin change form as the browser would send it unchanged."""
    data = {}
    adminform = response.context["adminform"]
    for name in adminform.form.fields:
        value = adminform.form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.initial_forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[form.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    return {key: value for key, value in data.items() if value is not False}


def test_agent_changing_the_year_in_the_admin_marks_it_corrected(admin_client_fr):
    cite = CiteEducative.objects.get(identifiant="cite-050")
    url = reverse("admin:cites_citeeducative_change", args=[cite.pk])
    data = _change_form_data(admin_client_fr.get(url))
    data["annee_label"] = "2020"
    response = admin_client_fr.post(url, data)
    assert response.status_code == 302, response.context and [
        (inline.formset.prefix, inline.formset.errors, inline.formset.non_form_errors())
        for inline in response.context["inline_admin_formsets"]
    ]
    cite.refresh_from_db()
    assert (cite.annee_label, cite.annee_label_deduite) == (2020, False)
    assert list(cite.evenements.filter(type=EvenementLabel.Type.LABEL).values_list("annee", flat=True)) == [2020]


def test_commune_autocomplete_of_the_cite_form_finds_by_name_and_code(admin_client_fr):
    url = reverse("admin:autocomplete")
    params = {"app_label": "cites", "model_name": "citeeducative", "field_name": "communes"}
    results = admin_client_fr.get(url, {**params, "term": "Maxéville"}).json()["results"]
    assert [item["text"] for item in results] == ["Maxéville (54357)"]
    results = admin_client_fr.get(url, {**params, "term": "69385"}).json()["results"]  # Lyon 5e arrondissement
    assert [item["text"] for item in results] == ["Lyon (69123)"]


def test_the_state_of_a_cite_is_read_only_in_the_admin_and_changes_only_by_its_buttons(admin_client_fr):
    cite = CiteEducative.objects.get(identifiant="cite-050")
    url = reverse("admin:cites_citeeducative_change", args=[cite.pk])
    response = admin_client_fr.get(url)
    html = response.content.decode()
    assert 'name="statut"' not in html and 'name="fin_financement"' not in html
    assert 'name="evenements-0-annee"' not in html  # the label history is shown, not edited
    assert "Enregistrer une prolongation" in html and "Enregistrer le renouvellement du label" in html
    data = _change_form_data(response)
    data |= {"statut": "renouvelee", "fin_financement": "2031-12-31", "nom": "Cité éducative renommée"}
    assert admin_client_fr.post(url, data).status_code == 302
    cite.refresh_from_db()
    assert cite.nom == "Cité éducative renommée"  # the other fields are still edited here
    assert (cite.statut, cite.fin_financement) == ("labellisee", None)

"""Every list, change and history page of every model of the admin, for each role, answers
without a server error: with and without private files, with null foreign keys.

A record with a private file (a convention-cadre or revue PDF, a receipt) links to the
permission-checked download and never asks the private storage for a public URL."""

import contextlib
import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse

from candidatures import services as candidatures_services
from candidatures.models import Collectivite, Critere
from cites import services as cites_services
from cites.models import CiteEducative, ConventionCadre, Epci, RevueProjet, Suggestion
from partenaires.models import Action, Famille, LienPartenaire, Objectif, Partenaire
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

CITE = "toulouse-grand-mirail"
ROLES = ["superuser", "national", "regional", "staff_sans_groupe"]


@pytest.fixture
def admin_data(settings, tmp_path, django_capture_on_commit_callbacks):
    """Records of every kind the admin shows, some with files, some with empty foreign keys."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cite = CiteEducative.objects.get(slug=CITE)
    pdf = SimpleUploadedFile("document.pdf", helpers.PDF, content_type="application/pdf")
    cites_services.cite_record_convention(cite=cite, date_signature=datetime.date(2020, 3, 1), document=pdf)
    cites_services.cite_record_convention(cite=cite, date_signature=datetime.date(2021, 3, 1), description="Avenant")
    cites_services.cite_record_revue(
        cite=cite,
        date=datetime.date(2022, 6, 1),
        resume="Revue annuelle.",
        document=SimpleUploadedFile("revue.pdf", helpers.PDF, content_type="application/pdf"),
    )
    cites_services.cite_record_revue(cite=cite, date=datetime.date(2023, 6, 1), resume="Sans document.")
    Suggestion.objects.create(cite=cite, champ=Suggestion.Champ.values[0], message="Le nom a changé.")
    partenaire = Partenaire.objects.create(nom="Médiathèque", famille=Famille.CULTURE)
    LienPartenaire.objects.create(cite=cite, partenaire=partenaire, force=2)
    Action.objects.create(cite=cite, titre="Lecture", objectif=Objectif.ECOLE, temps_apres=True)

    appel = helpers.appel_permanent()
    porteur = helpers.porteur(email="porteur@toulouse.fr", commune="31555")
    deposee = helpers.candidature_complete(user=porteur, appel=appel)
    with django_capture_on_commit_callbacks(execute=True):
        candidatures_services.candidature_submit(candidature=deposee, actor=porteur)  # with its PDF receipt
    helpers.candidature_complete(user=porteur, appel=appel)  # a draft: no reference, receipt nor instructor
    epci = Epci.objects.order_by("siren").first()
    Collectivite.objects.create(type="epci", code=epci.siren, nom=epci.nom, epci=epci, region=None)
    get_user_model().objects.filter(pk=porteur.pk).update(first_name="", last_name="")
    return {"cite": cite, "deposee": deposee}


@pytest.fixture
def users():
    helpers.ensure_groupes_et_appels()
    User = get_user_model()
    return {
        "superuser": User.objects.create_superuser(
            username="root@anct.gouv.fr", email="root@anct.gouv.fr", password="x"
        ),
        "national": helpers.agent(email="agent@anct.gouv.fr", region=None),
        "regional": helpers.agent(email="agent@occitanie.gouv.fr", region="76"),
        "staff_sans_groupe": User.objects.create_user(
            username="stagiaire@anct.gouv.fr", email="stagiaire@anct.gouv.fr", password="x", is_staff=True
        ),
    }


def sample(model) -> list[models.Model]:
    """A few rows of `model`: the first ones, one with and one without each file, one with each
    nullable foreign key empty."""
    queryset = model._default_manager.order_by("pk")
    rows = list(queryset[:2])
    for field in model._meta.get_fields():
        if isinstance(field, models.FileField):
            rows += [queryset.exclude(**{field.name: ""}).first(), queryset.filter(**{field.name: ""}).first()]
        elif isinstance(field, models.ForeignKey) and field.null:
            rows.append(queryset.filter(**{f"{field.name}__isnull": True}).first())
    unique = {row.pk: row for row in rows if row is not None}
    return list(unique.values())


def admin_urls(*, history: bool) -> list[str]:
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        for row in sample(model):
            for view in ("change", "history") if history else ("change",):
                with contextlib.suppress(NoReverseMatch):  # a model without that page
                    urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[row.pk]))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_no_admin_page_is_a_server_error(admin_data, users, role):
    client = Client(raise_request_exception=False)
    client.force_login(users[role])
    urls = admin_urls(history=role == "superuser")  # history pages: who may see them sees the change page
    assert len(urls) > 60

    errors = [(url, status) for url in urls if (status := client.get(url).status_code) >= 500]

    assert errors == []


def test_every_model_with_a_file_was_opened_with_and_without_it(admin_data):
    files = [
        model
        for model in admin.site._registry
        if model._meta.app_label in ("cites", "partenaires", "candidatures")
        and any(isinstance(field, models.FileField) for field in model._meta.get_fields())
    ]

    for model in files:
        rows = sample(model)
        field = next(field for field in model._meta.get_fields() if isinstance(field, models.FileField))
        assert {bool(getattr(row, field.name)) for row in rows} == {True, False}, model
    assert {ConventionCadre, RevueProjet} <= set(files)


@pytest.mark.parametrize(("model", "type_"), [(ConventionCadre, "convention"), (RevueProjet, "revue")])
def test_a_record_with_a_pdf_links_to_the_checked_download(admin_data, users, model, type_):
    record = model.objects.exclude(document="").get()
    client = Client()
    client.force_login(users["superuser"])

    page = client.get(reverse(f"admin:cites_{model._meta.model_name}_change", args=[record.pk]))
    download = reverse("admin:cites_citeeducative_document", args=[record.cite_id, type_, record.pk])

    assert page.status_code == 200
    assert f'href="{download}"' in page.content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == helpers.PDF


def test_a_staff_user_without_a_role_cannot_open_the_pdf(admin_data, users):
    convention = ConventionCadre.objects.exclude(document="").get()
    client = Client()
    client.force_login(users["staff_sans_groupe"])

    response = client.get(
        reverse("admin:cites_citeeducative_document", args=[convention.cite_id, "convention", convention.pk])
    )

    assert response.status_code == 404


def test_criteria_are_part_of_the_sample(admin_data):
    # Calls for projects come with their criteria (data migration): their inline is opened too.
    assert Critere.objects.exists()

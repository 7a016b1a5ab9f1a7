"""Deadlines of the cités and their reminders (issue 13): dates computed from the label and
editable, recipients, no duplicate sends, the agents' view of what is due and overdue."""

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from candidatures.rappels import rappels_cites_envoyer
from cites.echeances import cite_echeances_mettre_a_jour
from cites.models import CiteEducative, Echeance, EvenementLabel, PersonneCite, RappelEnvoi
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def mirail(db):
    cite = CiteEducative.objects.get(slug="toulouse-grand-mirail")  # Occitanie, 2019 wave
    EvenementLabel.objects.create(cite=cite, type=EvenementLabel.Type.LABEL, annee=2019, date=D(2019, 9, 5))
    CiteEducative.objects.filter(pk=cite.pk).update(fin_financement=D(2025, 12, 31), contact_email="cite@mirail.fr")
    cite.refresh_from_db()
    PersonneCite.objects.create(cite=cite, role="referent", nom="Rémi Référent", email="remi@toulouse.fr")
    PersonneCite.objects.create(cite=cite, role="cpo", nom="Carla Projet", email="carla@toulouse.fr")
    PersonneCite.objects.create(cite=cite, role="troika_prefecture", nom="Pia Préfète", email="pia@gouv.fr")
    PersonneCite.objects.create(cite=cite, role="referent", nom="Ancien", email="ancien@toulouse.fr", actif=False)
    return cite


def dates(cite) -> list[tuple]:
    return [(e.type, e.annee, e.date, e.debut) for e in cite.echeances.order_by("date", "type")]


def test_deadlines_are_computed_from_the_label(mirail):
    cite_echeances_mettre_a_jour(cite=mirail, today=D(2025, 3, 1))
    assert dates(mirail) == [
        ("convention", 2019, D(2020, 3, 5), None),
        ("revue", 2020, D(2020, 6, 30), None),
        ("protocole", 2019, D(2020, 9, 5), None),
        ("revue", 2021, D(2021, 6, 30), None),
        ("revue", 2022, D(2022, 6, 30), None),
        ("revue", 2023, D(2023, 6, 30), None),
        ("revue", 2024, D(2024, 6, 30), None),
        ("revue", 2025, D(2025, 6, 30), None),
        ("renouvellement", 2019, D(2025, 9, 30), D(2025, 6, 30)),
        ("fin_financement", 2019, D(2025, 12, 31), None),
    ]


def test_without_decision_date_nor_funding_end_the_label_year_gives_three_years(db):
    cite = CiteEducative.objects.filter(annee_label=2022, fin_financement=None).first()
    cite.evenements.all().delete()
    cite_echeances_mettre_a_jour(cite=cite, today=D(2023, 3, 1))
    assert dates(cite) == [
        ("convention", 2022, D(2022, 7, 1), None),
        ("protocole", 2022, D(2023, 1, 1), None),
        ("revue", 2023, D(2023, 6, 30), None),
        ("revue", 2024, D(2024, 6, 30), None),
        ("renouvellement", 2022, D(2024, 9, 30), D(2024, 6, 30)),
        ("fin_financement", 2022, D(2024, 12, 31), None),
    ]


def test_an_agent_edited_date_is_kept_and_a_prolongation_moves_the_others(mirail):
    cite_echeances_mettre_a_jour(cite=mirail, today=D(2025, 3, 1))
    Echeance.objects.filter(cite=mirail, type="convention").update(date=D(2020, 5, 1), modifiee=True)
    CiteEducative.objects.filter(pk=mirail.pk).update(fin_financement=D(2027, 12, 31))
    mirail.refresh_from_db()
    # The 2026 revue now falls within the funding; the end and the renewal window move.
    assert cite_echeances_mettre_a_jour(cite=mirail, today=D(2025, 3, 1)) == {"creees": 1, "modifiees": 2}
    assert Echeance.objects.get(cite=mirail, type="convention").date == D(2020, 5, 1)
    assert Echeance.objects.get(cite=mirail, type="fin_financement").date == D(2027, 12, 31)
    assert Echeance.objects.get(cite=mirail, type="renouvellement").date == D(2027, 9, 30)


def _rappels_du(today, capture):
    mail.outbox.clear()
    with capture(execute=True):
        compte = rappels_cites_envoyer(today=today)
    return compte, [(m.subject, sorted(m.to)) for m in mail.outbox if "Grand Mirail" in m.subject]


def test_reminders_go_to_referents_then_agents_and_are_never_sent_twice(
    mirail, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    agent = helpers.agent(email="agent@occitanie.gouv.fr", region="76")
    helpers.agent(email="agent@ara.gouv.fr", region="84")
    cite_echeances_mettre_a_jour(cite=mirail, today=D(2025, 5, 1))
    Echeance.objects.filter(cite=mirail).exclude(type="revue", annee=2025).update(faite_le=D(2025, 1, 1))

    referents = ["carla@toulouse.fr", "cite@mirail.fr", "remi@toulouse.fr"]
    _compte, envois = _rappels_du(D(2025, 6, 1), django_capture_on_commit_callbacks)  # J-29
    assert envois == [
        ("Cités éducatives : revue de projet annuelle de Toulouse Grand Mirail — dans 29 jours", referents)
    ]
    _compte, envois = _rappels_du(D(2025, 6, 1), django_capture_on_commit_callbacks)  # the same day again
    assert envois == []
    _compte, envois = _rappels_du(D(2025, 6, 2), django_capture_on_commit_callbacks)  # J-28: nothing new
    assert envois == []

    _compte, envois = _rappels_du(D(2025, 6, 24), django_capture_on_commit_callbacks)  # J-6
    assert envois == [
        (
            "Cités éducatives : revue de projet annuelle de Toulouse Grand Mirail — dans 6 jours",
            sorted([*referents, agent.email]),
        )
    ]
    _compte, envois = _rappels_du(D(2025, 7, 3), django_capture_on_commit_callbacks)  # J+3
    assert envois == [
        (
            "Cités éducatives : revue de projet annuelle de Toulouse Grand Mirail — en retard",
            sorted([*referents, agent.email]),
        )
    ]
    assert "elle est dépassée de 3 jours" in mail.outbox[0].body

    # Moved by an agent: the reminders start again; marked done: they stop.
    Echeance.objects.filter(cite=mirail, type="revue", annee=2025).update(date=D(2025, 7, 10), modifiee=True)
    _compte, envois = _rappels_du(D(2025, 7, 4), django_capture_on_commit_callbacks)
    assert [sujet for sujet, _ in envois] == [
        "Cités éducatives : revue de projet annuelle de Toulouse Grand Mirail — dans 6 jours"
    ]
    Echeance.objects.filter(cite=mirail, type="revue", annee=2025).update(faite_le=D(2025, 7, 5))
    _compte, envois = _rappels_du(D(2025, 7, 11), django_capture_on_commit_callbacks)
    assert envois == []
    assert RappelEnvoi.objects.filter(echeance__cite=mirail).count() == 4


def test_a_missed_step_is_not_sent_late_and_the_last_reminder_is_thirty_days_after(
    mirail, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    helpers.agent(email="agent@occitanie.gouv.fr", region="76")
    helpers.agent(email="agent@ara.gouv.fr", region="84")
    PersonneCite.objects.create(cite=mirail, role="principal", nom="Paul Principal", email="principal@ac-toulouse.fr")
    cite_echeances_mettre_a_jour(cite=mirail, today=D(2025, 5, 1))
    Echeance.objects.filter(cite=mirail).exclude(type="renouvellement").update(faite_le=D(2025, 1, 1))
    # The renewal window: open on 30 June 2025, closing on 30 September 2025 (funding ends 31 December).
    destinataires = [
        "agent@occitanie.gouv.fr",
        "carla@toulouse.fr",
        "cite@mirail.fr",
        "principal@ac-toulouse.fr",
        "remi@toulouse.fr",
    ]  # neither the troïka, nor a former référent, nor another région's agent

    # The task did not run at J-30: at J-5 only the J-7 reminder goes, once.
    _compte, envois = _rappels_du(D(2025, 9, 25), django_capture_on_commit_callbacks)
    assert envois == [
        ("Cités éducatives : candidature au renouvellement de Toulouse Grand Mirail — dans 5 jours", destinataires)
    ]
    assert "est fixée au 30 septembre 2025, dans 5 jours." in mail.outbox[0].body
    assert "La fenêtre est ouverte depuis le 30 juin 2025." in mail.outbox[0].body

    _compte, envois = _rappels_du(D(2025, 10, 1), django_capture_on_commit_callbacks)  # J+1
    assert envois == [
        ("Cités éducatives : candidature au renouvellement de Toulouse Grand Mirail — en retard", destinataires)
    ]
    assert "elle est dépassée de 1 jour et n’est pas encore marquée comme faite" in mail.outbox[0].body
    for jour in [D(2025, 10, 2), D(2025, 10, 29)]:
        assert _rappels_du(jour, django_capture_on_commit_callbacks)[1] == []

    _compte, envois = _rappels_du(D(2025, 10, 30), django_capture_on_commit_callbacks)  # J+30, the last one
    assert envois == [
        ("Cités éducatives : candidature au renouvellement de Toulouse Grand Mirail — en retard", destinataires)
    ]
    assert "elle est dépassée de 30 jours" in mail.outbox[0].body
    for jour in [D(2025, 10, 30), D(2025, 11, 15), D(2025, 12, 1)]:
        assert _rappels_du(jour, django_capture_on_commit_callbacks)[1] == []
    assert RappelEnvoi.objects.filter(echeance__cite=mirail).count() == 3


def test_an_unpublished_cite_gets_no_reminder(mirail, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cite_echeances_mettre_a_jour(cite=mirail, today=D(2025, 5, 1))
    CiteEducative.objects.filter(pk=mirail.pk).update(publiee=False)
    assert _rappels_du(D(2025, 6, 1), django_capture_on_commit_callbacks)[1] == []
    assert not RappelEnvoi.objects.filter(echeance__cite=mirail).exists()


def test_the_daily_command_takes_a_date_and_refuses_a_bad_one(mirail, capsys):
    call_command("rappels_cites", "--date", "2025-06-01")
    assert "01/06/2025 :" in capsys.readouterr().out
    assert Echeance.objects.filter(cite=mirail).exists()
    with pytest.raises(CommandError, match="Date invalide « 1er juin »"):
        call_command("rappels_cites", "--date", "1er juin")


def test_agents_see_what_is_overdue_in_their_region_only(client, mirail):
    cite_echeances_mettre_a_jour(cite=mirail, today=D(2025, 3, 1))
    lyon = CiteEducative.objects.get(slug="lyon-8e")
    cite_echeances_mettre_a_jour(cite=lyon, today=D(2025, 3, 1))
    client.force_login(helpers.agent(email="agent@occitanie.gouv.fr", region="76"))
    page = client.get(reverse("admin:cites_echeance_changelist"), {"etat": "retard"}).content.decode()
    assert "Toulouse Grand Mirail" in page and "Lyon 8e" not in page
    assert "en retard de" in page
    autre = Echeance.objects.filter(cite=lyon).first()
    assert client.get(reverse("admin:cites_echeance_change", args=[autre.pk])).status_code in (302, 404)

    echeance = Echeance.objects.get(cite=mirail, type="convention")
    response = client.post(
        reverse("admin:cites_echeance_change", args=[echeance.pk]),
        {
            "debut": "",
            "date": "2020-05-01",
            "faite_le": "2020-05-02",
            "note": "Signée en mai.",
            "rappels-TOTAL_FORMS": "0",
            "rappels-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    echeance.refresh_from_db()
    assert (echeance.date, echeance.modifiee, echeance.faite_le) == (D(2020, 5, 1), True, D(2020, 5, 2))

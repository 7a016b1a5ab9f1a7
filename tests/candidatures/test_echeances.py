"""The instruction deadline of each candidature (per call), the overdue ones in the list and on the
admin home, the daily reminder to the agent in charge, and the bulk assignment to a named agent."""

import datetime
import html

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from candidatures import instruction, services
from candidatures.instruction import rappels_instruction_envoyer
from candidatures.models import AppelAProjets, Candidature, Etat, RappelInstruction
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db

LISTE = "admin:candidatures_candidature_changelist"


def en_retard(candidature, jours: int = 3) -> None:
    Candidature.objects.filter(pk=candidature.pk).update(
        echeance_instruction=timezone.localdate() - datetime.timedelta(days=jours)
    )


def test_the_deadline_is_set_at_the_first_deposit_from_the_call(candidature, porteur, appel):
    AppelAProjets.objects.filter(pk=appel.pk).update(delai_instruction_jours=45)
    candidature.appel.refresh_from_db()
    services.candidature_submit(candidature=candidature, actor=porteur)
    candidature.refresh_from_db()
    assert candidature.echeance_instruction == timezone.localdate() + datetime.timedelta(days=45)


def test_a_new_call_gives_two_months_by_default():
    appel = AppelAProjets.objects.create(annee=2027, titre="Appel 2027", ouvert_toute_annee=True)
    assert appel.delai_instruction_jours == 60


def test_the_list_highlights_the_overdue_ones_only_while_agents_have_to_act(
    deposee, porteur, appel, agent_occitanie, connecter
):
    attente_porteur = helpers.candidatures_en_masse(
        user=porteur, appel=appel, nombre=1, prefixe="2093", etat=Etat.COMPLEMENTS_DEMANDES
    )[0]
    en_retard(deposee)
    en_retard(attente_porteur)
    client = connecter(agent_occitanie)
    texte = client.get(reverse(LISTE)).content.decode()
    assert texte.count('badge--error">en retard</span>') == 1
    filtre = client.get(reverse(LISTE), {"echeance": "depassee"})
    assert [c.reference for c in filtre.context["cl"].result_list] == [deposee.reference]


def test_the_regional_list_has_no_region_column(deposee, agent_occitanie, agent_national, connecter, client):
    regional = connecter(agent_occitanie).get(reverse(LISTE)).content.decode()
    assert 'class="column-region' not in regional
    national = connecter(agent_national).get(reverse(LISTE)).content.decode()
    assert 'class="sortable column-region' in national


def test_the_admin_home_counts_what_matters_in_the_agents_region(
    deposee, porteur, porteur_lyon, appel, agent_occitanie, connecter
):
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=2, prefixe="2092", etat=Etat.COMPLEMENTS_DEMANDES)
    helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=1, prefixe="2091", etat=Etat.REFUSEE)
    helpers.candidatures_en_masse(user=porteur_lyon, appel=appel, nombre=4, prefixe="2090")  # another région
    en_retard(deposee)
    instruction.candidature_assign(candidature=deposee, agent=agent_occitanie, instructeur=agent_occitanie)
    page = connecter(agent_occitanie).get(reverse("admin:index"))
    texte = page.content.decode()
    compteurs = page.context["compteurs_accueil"]
    assert (compteurs["a_instruire"], compteurs["a_prendre"], compteurs["en_retard"]) == (1, 1, 1)
    assert (compteurs["attente_porteur"], compteurs["decidees_annee"], compteurs["mes_candidatures"]) == (2, 1, 1)
    assert '<td id="compteur-en-retard">1</td>' in texte
    assert '<td id="compteur-attente-porteur">2</td>' in texte


# --- The daily reminder ----------------------------------------------------------------------


def rappels(jour, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return rappels_instruction_envoyer(today=jour)


def test_the_agent_in_charge_is_reminded_once_a_day(
    deposee, agent_occitanie, agent_national, django_capture_on_commit_callbacks
):
    instruction.candidature_assign(candidature=deposee, agent=agent_national, instructeur=agent_occitanie)
    en_retard(deposee, jours=4)
    aujourd_hui = timezone.localdate()
    mail.outbox.clear()
    assert rappels(aujourd_hui, django_capture_on_commit_callbacks) == {"agents": 1, "candidatures": 1}
    assert [m.to for m in mail.outbox] == [["agent@occitanie.gouv.fr"]]
    assert mail.outbox[0].subject == "Cités éducatives : 1 candidature à instruire après son échéance"
    assert deposee.reference in mail.outbox[0].body and "(4 jours de retard)" in mail.outbox[0].body
    # The same day again (a second run of the job): nothing more.
    assert rappels(aujourd_hui, django_capture_on_commit_callbacks) == {"agents": 0, "candidatures": 0}
    assert len(mail.outbox) == 1
    # The next day: one more.
    assert rappels(aujourd_hui + datetime.timedelta(days=1), django_capture_on_commit_callbacks)["candidatures"] == 1
    assert len(mail.outbox) == 2 and "(5 jours de retard)" in mail.outbox[1].body
    assert RappelInstruction.objects.filter(candidature=deposee).count() == 2


def test_no_reminder_before_the_deadline_nor_while_the_porteur_has_to_act(
    deposee, agent_occitanie, django_capture_on_commit_callbacks
):
    instruction.candidature_assign(candidature=deposee, agent=agent_occitanie, instructeur=agent_occitanie)
    Candidature.objects.filter(pk=deposee.pk).update(echeance_instruction=timezone.localdate())
    mail.outbox.clear()
    assert rappels(timezone.localdate(), django_capture_on_commit_callbacks)["candidatures"] == 0
    en_retard(deposee)
    Candidature.objects.filter(pk=deposee.pk).update(etat=Etat.COMPLEMENTS_DEMANDES)
    assert rappels(timezone.localdate(), django_capture_on_commit_callbacks)["candidatures"] == 0
    assert mail.outbox == []


def test_nobody_in_charge_nobody_reminded(deposee, django_capture_on_commit_callbacks):
    en_retard(deposee)
    mail.outbox.clear()
    assert rappels(timezone.localdate(), django_capture_on_commit_callbacks)["candidatures"] == 0
    assert mail.outbox == []


def test_each_agent_gets_their_own_list(
    deposee, porteur, porteur_lyon, appel, agent_occitanie, agent_ara, django_capture_on_commit_callbacks
):
    lyon = helpers.candidatures_en_masse(user=porteur_lyon, appel=appel, nombre=2, prefixe="2089")
    instruction.candidature_assign(candidature=deposee, agent=agent_occitanie, instructeur=agent_occitanie)
    for c in lyon:
        instruction.candidature_assign(candidature=c, agent=agent_ara, instructeur=agent_ara)
    for c in [deposee, *lyon]:
        en_retard(c)
    mail.outbox.clear()
    assert rappels(timezone.localdate(), django_capture_on_commit_callbacks) == {"agents": 2, "candidatures": 3}
    par_destinataire = {m.to[0]: m for m in mail.outbox}
    assert set(par_destinataire) == {"agent@occitanie.gouv.fr", "agent@ara.gouv.fr"}
    ara = par_destinataire["agent@ara.gouv.fr"]
    assert ara.subject == "Cités éducatives : 2 candidatures à instruire après leur échéance"
    assert "CE-2089-00000" in ara.body and "CE-2089-00001" in ara.body and deposee.reference not in ara.body


def test_the_command_says_what_it_sent(deposee, agent_occitanie, capsys):
    instruction.candidature_assign(candidature=deposee, agent=agent_occitanie, instructeur=agent_occitanie)
    en_retard(deposee)
    jour = timezone.localdate()
    call_command("rappels_instruction", date=jour.isoformat())
    assert f"1 candidature(s) rappelée(s) à 1 agent(s) le {jour:%d/%m/%Y}." in capsys.readouterr().out


# --- Bulk assignment ------------------------------------------------------------------------


def test_bulk_assignment_offers_only_agents_allowed_and_assigns_them(
    deposee, porteur, appel, agent_occitanie, agent_ara, agent_national, connecter
):
    autres = helpers.candidatures_en_masse(user=porteur, appel=appel, nombre=2, prefixe="2088")
    ids = [str(c.pk) for c in [deposee, *autres]]
    client = connecter(agent_occitanie)
    page = client.post(reverse(LISTE), {"action": "attribuer", "_selected_action": ids})
    assert page.status_code == 200
    assert "3 candidatures sélectionnées" in page.content.decode()
    offerts = {pk for pk, _ in page.context["agents"]}
    assert offerts == {agent_occitanie.pk, agent_national.pk}  # not the agent of another région
    # Nothing chosen: said, nothing changed.
    refus = client.post(reverse(LISTE), {"action": "attribuer", "_selected_action": ids, "confirmer": "1"})
    assert refus.status_code == 400
    assert "Choisissez l'agent à qui confier les candidatures, dans la liste." in html.unescape(refus.content.decode())
    # An agent of another région forced into the form: refused the same way.
    force = client.post(
        reverse(LISTE),
        {"action": "attribuer", "_selected_action": ids, "confirmer": "1", "instructeur": str(agent_ara.pk)},
    )
    assert force.status_code == 400
    assert not Candidature.objects.filter(pk__in=ids, instructeur__isnull=False).exists()
    fait = client.post(
        reverse(LISTE),
        {"action": "attribuer", "_selected_action": ids, "confirmer": "1", "instructeur": str(agent_national.pk)},
        follow=True,
    )
    assert "3 candidature(s) confiée(s) à Dominique Agent" in fait.content.decode()
    assert set(Candidature.objects.filter(pk__in=ids).values_list("instructeur", flat=True)) == {agent_national.pk}
    assert deposee.journal.filter(type="attribution").count() == 1


def test_a_selection_across_regions_is_offered_to_national_agents_only(
    deposee, porteur_lyon, appel, agent_occitanie, agent_ara, agent_national, connecter
):
    lyon = helpers.candidatures_en_masse(user=porteur_lyon, appel=appel, nombre=1, prefixe="2087")[0]
    page = connecter(agent_national).post(
        reverse(LISTE), {"action": "attribuer", "_selected_action": [str(deposee.pk), str(lyon.pk)]}
    )
    assert {pk for pk, _ in page.context["agents"]} == {agent_national.pk}

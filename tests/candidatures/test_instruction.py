"""Instructing a candidature on its screen: the whole candidature readable, the assessment of
each criterion, the région's opinion, the ANCT decision, the agent in charge, private notes,
the thread with the porteur, the timeline, and two agents deciding at the same moment."""

import threading

import pytest
from django.urls import reverse

from candidatures import instruction, services
from candidatures.models import Candidature, Etat, EvaluationCritere, EvenementCandidature, JournalInstruction
from candidatures.services import TransitionRefusee
from tests.candidatures import helpers

pytestmark = pytest.mark.django_db


def url(candidature) -> str:
    return reverse("admin:candidatures_candidature_change", args=[candidature.pk])


def dernier_evenement(candidature) -> int:
    return candidature.evenements.order_by("-pk").first().pk


@pytest.fixture
def en_instruction(deposee, agent_occitanie):
    instruction.candidature_take_charge(candidature=deposee, agent=agent_occitanie)
    deposee.refresh_from_db()
    return deposee


def test_the_whole_candidature_is_readable_on_one_screen(deposee, agent_occitanie, connecter):
    html = connecter(agent_occitanie).get(url(deposee)).content.decode()
    for texte in [
        "Cité éducative du Grand Mirail",
        "Toulouse (31555)",
        "Élèves en retard à l&#x27;entrée en 6e",  # indicators
        "Petits déjeuners à l&#x27;école",  # fiches action
        "Classes à horaires aménagés musique",
        "Sous-préfète à la ville",  # steering
        "Programme de réussite éducative.",
        "Total : 200\u202f000\u202f€",  # budget computed from the lines
        "Lettre trimestrielle.",
        "deliberation.pdf",  # attachments, with their permission-checked link
        "sur la commune de Toulouse",  # automatic checks and their reasons
        "2 écoles REP+",
    ]:
        assert texte in html, texte
    piece = deposee.pieces.get()
    assert reverse("candidatures:piece", kwargs={"pk": deposee.pk, "piece_pk": piece.pk}) in html
    assert "Prendre en charge" in html


def test_taking_charge_makes_the_agent_the_instructeur(deposee, agent_occitanie, connecter):
    client = connecter(agent_occitanie)
    page = client.post(
        url(deposee),
        {"action": "transition", "cible": "en_instruction", "evenement_vu": dernier_evenement(deposee)},
        follow=True,
    )
    assert "Vous instruisez cette candidature" in page.content.decode()
    deposee.refresh_from_db()
    assert deposee.etat == Etat.EN_INSTRUCTION and deposee.instructeur == agent_occitanie
    assert JournalInstruction.objects.filter(candidature=deposee, type="attribution").exists()


def test_assessing_every_criterion_then_the_opinion(en_instruction, agent_occitanie, connecter):
    client = connecter(agent_occitanie)
    criteres = list(en_instruction.appel.criteres.all())
    # The opinion before the assessment is refused, says why, and keeps nothing.
    refus = client.post(
        url(en_instruction),
        {
            "action": "transition",
            "cible": "avis_emis",
            "avis": "favorable",
            "motif": "Projet solide.",
            "evenement_vu": dernier_evenement(en_instruction),
        },
    )
    assert refus.status_code == 409
    html = refus.content.decode()
    assert "(critères non évalués : 1, 2, 3, 4, 5, 6, 7, 8, 9)." in html  # not the open call's indicators (10, 11)
    assert "Rien n'a été modifié." in html
    assert "Projet solide." in html  # what was typed is kept
    en_instruction.refresh_from_db()
    assert (en_instruction.etat, en_instruction.avis_region) == (Etat.EN_INSTRUCTION, "")

    grille = {"action": "evaluations"}
    for critere in criteres:
        grille[f"appreciation_{critere.pk}"] = "conforme"
        grille[f"commentaire_{critere.pk}"] = ""
    grille[f"appreciation_{criteres[7].pk}"] = "partiel"
    grille[f"commentaire_{criteres[7].pk}"] = "Le budget 2027 manque."
    page = client.post(url(en_instruction), grille, follow=True).content.decode()
    assert "Évaluation enregistrée (11 critère(s) modifié(s))." in page
    budget = EvaluationCritere.objects.get(candidature=en_instruction, critere=criteres[7])
    assert (budget.appreciation, budget.commentaire, budget.agent) == (
        "partiel",
        "Le budget 2027 manque.",
        agent_occitanie,
    )
    assert "Critère 8 : non évalué → partiellement conforme. Commentaire : Le budget 2027 manque." in page  # timeline

    response = client.post(
        url(en_instruction),
        {
            "action": "transition",
            "cible": "avis_emis",
            "avis": "favorable",
            "motif": "Projet solide.",
            "evenement_vu": dernier_evenement(en_instruction),
        },
        follow=True,
    )
    assert "L’avis de la région est émis" in response.content.decode() or "L&#x27;avis de la région est émis" in (
        response.content.decode()
    )
    en_instruction.refresh_from_db()
    assert (en_instruction.etat, en_instruction.avis_region, en_instruction.avis_region_motif) == (
        Etat.AVIS_EMIS,
        "favorable",
        "Projet solide.",
    )
    # Once the opinion is given, the grid is read-only.
    with pytest.raises(Exception, match="ne s.évaluent plus"):
        helpers.evaluer_tout(candidature=en_instruction, agent=agent_occitanie, appreciation="non_conforme")


def test_a_request_for_more_information_needs_a_message_and_reaches_the_porteur(
    en_instruction, agent_occitanie, porteur, connecter, django_capture_on_commit_callbacks, mailoutbox
):
    client = connecter(agent_occitanie)
    vide = client.post(
        url(en_instruction),
        {"action": "transition", "cible": "complements_demandes", "message": "  ", "evenement_vu": ""},
    )
    assert vide.status_code == 409
    assert "demande un message" in vide.content.decode()
    assert Candidature.objects.get(pk=en_instruction.pk).etat == Etat.EN_INSTRUCTION
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(en_instruction),
            {"action": "transition", "cible": "complements_demandes", "message": "Joignez la lettre du rectorat."},
        )
    assert Candidature.objects.get(pk=en_instruction.pk).etat == Etat.COMPLEMENTS_DEMANDES
    [courriel] = [m for m in mailoutbox if porteur.email in m.to]
    assert "Joignez la lettre du rectorat." in courriel.body
    client.force_login(porteur)
    assert "Joignez la lettre du rectorat." in client.get(en_instruction.get_absolute_url()).content.decode()


def test_the_anct_decision_needs_written_reasons(
    en_instruction, agent_occitanie, agent_national, porteur, connecter, django_capture_on_commit_callbacks, mailoutbox
):
    helpers.evaluer_tout(candidature=en_instruction, agent=agent_occitanie)
    instruction.candidature_give_opinion(
        candidature=en_instruction, agent=agent_occitanie, avis="defavorable", motif="Pilotage trop léger."
    )
    client = connecter(agent_national)
    html = client.get(url(en_instruction)).content.decode()
    for libelle in ("Labelliser", "Refuser", "Classer sans suite"):
        assert libelle in html
    sans_motif = client.post(url(en_instruction), {"action": "transition", "cible": "refusee", "message": ""})
    assert sans_motif.status_code == 409 and "demande un message" in sans_motif.content.decode()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(en_instruction),
            {"action": "transition", "cible": "refusee", "message": "Gouvernance insuffisante."},
        )
    en_instruction.refresh_from_db()
    assert en_instruction.etat == Etat.REFUSEE
    assert en_instruction.evenements.order_by("-pk").first().message == "Gouvernance insuffisante."
    assert any("Gouvernance insuffisante." in m.body for m in mailoutbox if porteur.email in m.to)
    # After the decision, nothing is left to do.
    assert "Aucune action n'est possible" in client.get(url(en_instruction)).content.decode()


def test_assigning_the_instruction(en_instruction, agent_occitanie, agent_ara, agent_national, connecter):
    collegue = helpers.agent(email="collegue@occitanie.gouv.fr", region="76")
    client = connecter(agent_occitanie)
    html = client.get(url(en_instruction)).content.decode()
    assert collegue.email in html and agent_national.email in html
    assert agent_ara.email not in html  # an agent of another région cannot instruct it
    client.post(url(en_instruction), {"action": "attribuer", "instructeur": collegue.pk})
    en_instruction.refresh_from_db()
    assert en_instruction.instructeur == collegue
    refus = client.post(url(en_instruction), {"action": "attribuer", "instructeur": agent_ara.pk})
    assert refus.status_code == 409
    assert Candidature.objects.get(pk=en_instruction.pk).instructeur == collegue
    journal = list(JournalInstruction.objects.filter(candidature=en_instruction, type="attribution"))
    assert journal[-1].description == f"Instruction confiée à {collegue.get_full_name()} (auparavant Dominique Agent)"


def test_private_notes_are_never_shown_to_the_porteur(en_instruction, agent_occitanie, porteur, connecter):
    client = connecter(agent_occitanie)
    client.post(url(en_instruction), {"action": "note", "texte": "Appeler la sous-préfète avant l'avis."})
    assert "Appeler la sous-préfète avant l&#x27;avis." in client.get(url(en_instruction)).content.decode()
    client.force_login(porteur)
    assert "sous-préfète avant" not in client.get(en_instruction.get_absolute_url()).content.decode()


def test_the_thread_between_agents_and_porteurs_with_email_notices(
    en_instruction, agent_occitanie, porteur, connecter, django_capture_on_commit_callbacks, mailoutbox
):
    client = connecter(agent_occitanie)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(en_instruction), {"action": "message", "texte": "Le collège Bellefontaine est-il associé ?"})
    [au_porteur] = mailoutbox
    assert au_porteur.to == [porteur.email]
    assert "Le collège Bellefontaine est-il associé ?" in au_porteur.body
    assert en_instruction.get_absolute_url() in au_porteur.body

    client.force_login(porteur)
    page = client.get(en_instruction.get_absolute_url()).content.decode()
    assert "Le collège Bellefontaine est-il associé ?" in page
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("candidatures:message", kwargs={"pk": en_instruction.pk}),
            {"texte": "Oui, il est chef de file."},
        )
    [a_l_agent] = mailoutbox
    assert a_l_agent.to == [agent_occitanie.email]  # the agent in charge
    assert reverse("admin:candidatures_candidature_change", args=[en_instruction.pk]) in a_l_agent.body
    client.force_login(agent_occitanie)
    html = client.get(url(en_instruction)).content.decode()
    assert "Oui, il est chef de file." in html and "(porteur)" in html


def test_a_porteur_of_another_collectivite_cannot_write_on_the_thread(en_instruction, autre_porteur, connecter):
    client = connecter(autre_porteur)
    response = client.post(reverse("candidatures:message", kwargs={"pk": en_instruction.pk}), {"texte": "Bonjour"})
    assert response.status_code == 404
    assert not en_instruction.messages.exists()


def test_the_timeline_shows_every_event_and_change(en_instruction, agent_occitanie, connecter):
    client = connecter(agent_occitanie)
    client.post(url(en_instruction), {"action": "note", "texte": "Note A"})
    client.post(url(en_instruction), {"action": "message", "texte": "Message B"})
    critere = en_instruction.appel.criteres.get(numero=3)
    client.post(url(en_instruction), {"action": "evaluations", f"appreciation_{critere.pk}": "non_conforme"})
    chronologie = client.get(url(en_instruction)).context["chronologie"]
    # The troïka's confirmations (no account: tests/candidatures/test_labellisation_personnes.py) aside.
    titres = [e.titre for e in chronologie if e.type != "troika"]
    assert titres[:3] == ["Création du brouillon", "Brouillon → déposée", "Déposée → en instruction"]
    assert {"Attribution", "Note interne", "Message aux porteurs", "Évaluation d'un critère"} <= set(titres)
    assert all(e.auteur is not None and e.date for e in chronologie if e.type != "troika")
    assert [e.date for e in chronologie] == sorted(e.date for e in chronologie)


# --- Two agents deciding at the same moment --------------------------------------------------


@pytest.fixture
def avis_emis(en_instruction, agent_occitanie):
    helpers.evaluer_tout(candidature=en_instruction, agent=agent_occitanie)
    instruction.candidature_give_opinion(
        candidature=en_instruction, agent=agent_occitanie, avis="favorable", motif="Projet solide."
    )
    en_instruction.refresh_from_db()
    return en_instruction


def test_a_stale_decision_is_refused_with_who_decided_and_when(avis_emis, agent_national, connecter):
    premier = agent_national
    second = helpers.agent(email="autre@anct.gouv.fr", region=None)
    second.first_name, second.last_name = "Claude", "Second"
    second.save()
    vu = dernier_evenement(avis_emis)  # both opened the screen at the same state
    client = connecter(premier)
    client.post(url(avis_emis), {"action": "transition", "cible": "refusee", "message": "Motif A", "evenement_vu": vu})
    client.force_login(second)
    response = client.post(
        url(avis_emis),
        {"action": "transition", "cible": "classee_sans_suite", "message": "Motif B", "evenement_vu": vu},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Cette candidature a déjà été décidée par Dominique Agent le " in html
    assert " à " in html and "« refusée »" in html
    assert "Motif B" in html  # the second agent's text is still on the screen, nothing is lost
    avis_emis.refresh_from_db()
    assert avis_emis.etat == Etat.REFUSEE
    decisions = avis_emis.evenements.filter(etat_apres__in=["labellisee", "refusee", "classee_sans_suite"])
    assert [(e.etat_apres, e.message, e.auteur) for e in decisions] == [("refusee", "Motif A", premier)]


def test_a_stale_request_is_refused_when_the_state_moved_on(en_instruction, agent_occitanie, porteur):
    vu = dernier_evenement(en_instruction)
    services.candidature_transition(
        candidature=en_instruction, to=Etat.COMPLEMENTS_DEMANDES, actor=agent_occitanie, message="Budget ?"
    )
    services.candidature_submit(candidature=en_instruction, actor=porteur)  # back in instruction
    with pytest.raises(TransitionRefusee, match="a changé pendant que vous la lisiez"):
        services.candidature_transition(
            candidature=en_instruction,
            to=Etat.COMPLEMENTS_DEMANDES,
            actor=agent_occitanie,
            message="Même demande",
            evenement_vu=vu,
        )
    assert Candidature.objects.get(pk=en_instruction.pk).etat == Etat.EN_INSTRUCTION


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql  # needs row locks: SQLite locks the whole file
def test_two_agents_deciding_at_the_same_moment_on_postgresql(reference_data_committed, settings, tmp_path):
    """Two threads, two connections: select_for_update makes the second wait, then refuses it."""
    from django.db import connections

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    porteur = helpers.porteur(email="porteur@toulouse.fr", commune="31555")
    candidature = services.candidature_create(user=porteur, appel=helpers.appel_permanent())
    helpers.placer(candidature, Etat.AVIS_EMIS)
    EvenementCandidature.objects.create(candidature=candidature, etat_avant="en_instruction", etat_apres="avis_emis")
    vu = dernier_evenement(candidature)
    agents = [helpers.agent(email=f"agent{i}@anct.gouv.fr", region=None) for i in range(2)]
    depart = threading.Barrier(2)
    resultats: dict[str, str] = {}

    def decider(agent, cible):
        try:
            depart.wait()
            services.candidature_transition(
                candidature=Candidature.objects.get(pk=candidature.pk),
                to=cible,
                actor=agent,
                message=f"Motifs de {agent.email}",
                evenement_vu=vu,
            )
            resultats[cible] = "ok"
        except TransitionRefusee as exc:
            resultats[cible] = exc.message
        finally:
            connections.close_all()

    fils = [
        threading.Thread(target=decider, args=(agents[0], Etat.REFUSEE)),
        threading.Thread(target=decider, args=(agents[1], Etat.CLASSEE_SANS_SUITE)),
    ]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=30)
    assert sorted(resultats.values(), key=lambda v: v != "ok")[0] == "ok"
    refus = [v for v in resultats.values() if v != "ok"]
    assert len(refus) == 1 and refus[0].startswith("Cette candidature a déjà été décidée par ")
    candidature.refresh_from_db()
    gagnant = next(cible for cible, v in resultats.items() if v == "ok")
    assert candidature.etat == gagnant
    assert candidature.evenements.filter(etat_apres__in=[Etat.REFUSEE, Etat.CLASSEE_SANS_SUITE]).count() == 1


@pytest.fixture
def reference_data_committed(transactional_db, reference_data_dir):
    """The communes, committed, for the threads' own connections (a flush may have emptied them)."""
    from django.core.management import call_command

    from cites.models import Commune

    if not Commune.objects.filter(code="31555").exists():
        call_command("import_referentiels", dir=str(reference_data_dir), verbosity=0)

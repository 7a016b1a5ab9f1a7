"""The label decision publishes the cité: creation, extension, idempotence, other decisions."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from candidatures import services
from candidatures.labellisation import (
    candidature_labelliser,
    candidature_set_cite_etendue,
    famille_deviner,
    partenaires_lire,
)
from candidatures.models import Candidature, Etat, EvaluationCritere
from cites.imports.importers import cites_import
from cites.imports.readers import Source
from cites.models import CiteEducative, Commune, Epci, EvenementLabel, Qpv
from partenaires.models import Action, Famille, LienPartenaire, Partenaire
from partenaires.validation import contributions_validate
from tests.candidatures import helpers

FICHES = [
    {
        "titre": "Petits déjeuners à l'école",
        "objectif": "ecole",
        "temps_avant": True,
        "age_min": 3,
        "age_max": 11,
        "existante": True,
        "familles_partenaires": ["maison", "social"],
        "partenaires": "Association des parents d'élèves du Mirail : service des petits déjeuners\n"
        "Centre social Bellefontaine : accueil des familles",
        "budget": 12000,
    },
    {
        "titre": "Orchestre au collège",
        "objectif": "possibles",
        "temps_pendant": True,
        "temps_apres": True,
        "age_min": 11,
        "age_max": 15,
        "familles_partenaires": ["culture"],
        "partenaires": "Conservatoire de Toulouse (cours d'instrument) ; Théâtre Garonne",
        "budget": 30000,
    },
    {
        "titre": "Soirées familles au centre social",
        "objectif": "continuite",
        "temps_apres": True,
        "age_min": 6,
        "age_max": 18,
        "familles_partenaires": ["social"],
        "partenaires": "Centre social Bellefontaine",
        "budget": 5000,
    },
]


def text_of(response) -> str:
    return response.content.decode()


def fiches_set(*, candidature, user, fiches=FICHES):
    services.candidature_update(candidature=candidature, user=user, etape="actions", lignes=fiches)


def jusqu_a_l_avis(*, candidature: Candidature, porteur, agent) -> Candidature:
    """File the candidature (the troïka confirming it as it is), take it in charge, assess every
    criterion and give the opinion."""
    helpers.troika_confirmer(candidature=candidature, user=porteur)
    services.candidature_submit(candidature=candidature, actor=porteur)
    services.candidature_transition(candidature=candidature, to=Etat.EN_INSTRUCTION, actor=agent)
    for critere in candidature.appel.criteres.all():
        EvaluationCritere.objects.create(candidature=candidature, critere=critere, appreciation="conforme", agent=agent)
    Candidature.objects.filter(pk=candidature.pk).update(avis_region="favorable", avis_region_motif="Projet solide.")
    services.candidature_transition(candidature=candidature, to=Etat.AVIS_EMIS, actor=agent)
    candidature.refresh_from_db()
    return candidature


def labelliser(*, candidature: Candidature, agent) -> Candidature:
    services.candidature_transition(
        candidature=candidature, to=Etat.LABELLISEE, actor=agent, message="Un projet ambitieux et partagé."
    )
    candidature.refresh_from_db()
    return candidature


@pytest.fixture
def prete(porteur, candidature, agent_occitanie):
    """A complete candidature of Toulouse with three fiches action, waiting for the ANCT decision."""
    fiches_set(candidature=candidature, user=porteur)
    annee = timezone.localdate().year
    services.candidature_update(
        candidature=candidature,
        user=porteur,
        etape="budget",
        lignes=[{"annee": a, "cofinanceur": "État", "objet": "Actions", "montant": 100000} for a in (annee, annee + 2)],
    )
    return jusqu_a_l_avis(candidature=candidature, porteur=porteur, agent=agent_occitanie)


# --- Reading the partners of a fiche ---------------------------------------------------------


def test_partners_are_read_with_their_roles():
    assert partenaires_lire("CAF : financement ; Médiathèque José Cabanis (ateliers)\n- Mairie, Mission locale") == [
        ("CAF", "financement"),
        ("Médiathèque José Cabanis", "ateliers"),
        ("Mairie", ""),
        ("Mission locale", ""),
    ]


def test_family_is_guessed_from_the_name_among_the_fiche_families():
    tous = Famille.values
    assert famille_deviner("Médiathèque José Cabanis", parmi=tous) == Famille.CULTURE
    assert famille_deviner("Médiateur social du quartier", parmi=tous) == Famille.SOCIAL
    assert famille_deviner("CAF de la Haute-Garonne", parmi=tous) == Famille.ETAT
    assert famille_deviner("Café des parents", parmi=tous) == Famille.MAISON
    assert famille_deviner("Les Amis du Mirail", parmi=tous) is None


# --- A new cité ------------------------------------------------------------------------------


def test_label_creates_a_published_cite_with_the_candidature_territory(prete, agent_national):
    avant = CiteEducative.objects.count()
    candidature = labelliser(candidature=prete, agent=agent_national)

    assert candidature.etat == Etat.LABELLISEE
    assert CiteEducative.objects.count() == avant + 1
    cite = candidature.cite
    assert cite.nom == "Grand Mirail"  # « Cité éducative du » dropped, as the ANCT list names them
    assert cite.publiee and cite.statut == CiteEducative.Statut.LABELLISEE
    assert cite.annee_label == timezone.localdate().year and not cite.annee_label_deduite
    assert set(cite.communes.values_list("code", flat=True)) == {"31555"}
    assert set(cite.qpvs.all()) == set(prete.qpvs.all())
    ecoles = set(prete.etablissements.all()) | {prete.college_chef_de_file}
    assert set(cite.etablissements.all()) == ecoles
    assert cite.college_chef_de_file == prete.college_chef_de_file
    assert cite.fin_financement == datetime.date(timezone.localdate().year + 2, 12, 31)  # the budget's last year

    evenement = cite.evenements.get()
    assert (evenement.type, evenement.date, evenement.reference_decision) == (
        EvenementLabel.Type.LABEL,
        timezone.localdate(),
        prete.reference,
    )

    actions = {a.titre: a for a in cite.actions.prefetch_related("partenaires")}
    assert set(actions) == {f["titre"] for f in FICHES}
    orchestre = actions["Orchestre au collège"]
    assert (orchestre.objectif, orchestre.temps_pendant, orchestre.temps_apres, orchestre.age_min) == (
        "possibles",
        True,
        True,
        11,
    )
    assert orchestre.budget == 30000 and not orchestre.existante
    assert {p.nom for p in orchestre.partenaires.all()} == {"Conservatoire de Toulouse", "Théâtre Garonne"}

    # Typed by the porteur: not public before an agent validates them.
    assert not any(action.valide for action in actions.values())
    liens = {lien.partenaire.nom: lien for lien in cite.liens_partenaires.select_related("partenaire")}
    assert not any(lien.valide for lien in liens.values())
    assert liens["Centre social Bellefontaine"].partenaire.famille == Famille.SOCIAL
    assert liens["Centre social Bellefontaine"].force == LienPartenaire.Force.MOYENNE  # two actions
    assert liens["Centre social Bellefontaine"].role == "accueil des familles"
    assert liens["Association des parents d'élèves du Mirail"].partenaire.famille == Famille.MAISON
    assert liens["Conservatoire de Toulouse"].force == LienPartenaire.Force.FAIBLE
    assert liens["Conservatoire de Toulouse"].role == "cours d'instrument"


def test_labelled_cite_is_on_the_public_pages_and_the_map_at_once(
    client, prete, agent_national, django_capture_on_commit_callbacks
):
    def noms_sur_la_carte() -> set[str]:
        carte = json.loads(client.get(reverse("cites:cites_geojson")).content)
        return {feature["properties"]["nom"] for feature in carte["features"]}

    # The public pages are in the cache before the decision…
    assert 'href="/cites/grand-mirail/"' not in text_of(client.get(reverse("cites:liste"), {"q": "Mirail"}))
    assert "Grand Mirail" not in noms_sur_la_carte()

    with django_capture_on_commit_callbacks(execute=True):
        candidature = labelliser(candidature=prete, agent=agent_national)
    cite = candidature.cite

    # …and show the new cité right after it.
    liste = text_of(client.get(reverse("cites:liste"), {"q": "Mirail"}))
    assert f'href="{cite.get_absolute_url()}"' in liste
    page = text_of(client.get(cite.get_absolute_url()))
    for attendu in ["Toulouse", "Labellisation", f"décision : {prete.reference}"]:
        assert attendu in page, attendu
    # The partners and actions the porteur typed wait for an agent's validation (issue 8).
    for attendu in ["Centre social Bellefontaine", "Conservatoire de Toulouse", "Orchestre au collège"]:
        assert attendu not in page, attendu
    with django_capture_on_commit_callbacks(execute=True):
        contributions_validate(queryset=cite.actions.all(), user=agent_national)
        contributions_validate(queryset=cite.liens_partenaires.all(), user=agent_national)
    page = text_of(client.get(cite.get_absolute_url()))
    for attendu in [
        "Centre social Bellefontaine",
        "Conservatoire de Toulouse",
        "Orchestre au collège",
        "Petits déjeuners à l&#x27;école",
    ]:
        assert attendu in page, attendu
    assert cite.slug == "grand-mirail"
    assert "Grand Mirail" in noms_sur_la_carte()


def test_the_porteur_is_told_where_the_cite_is_published(
    client, porteur, prete, agent_national, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with_cite = labelliser(candidature=prete, agent=agent_national)
    assert any(with_cite.cite.get_absolute_url() in message.body for message in mailoutbox)
    client.force_login(porteur)
    page = text_of(client.get(with_cite.get_absolute_url()))
    assert f'href="{with_cite.cite.get_absolute_url()}"' in page


def test_a_second_call_changes_nothing(prete, agent_national):
    candidature = labelliser(candidature=prete, agent=agent_national)
    comptes = [m.objects.count() for m in (CiteEducative, EvenementLabel, Action, Partenaire, LienPartenaire)]

    resultat = candidature_labelliser(candidature=candidature)

    assert resultat.deja_faite and resultat.cite == candidature.cite
    assert [m.objects.count() for m in (CiteEducative, EvenementLabel, Action, Partenaire, LienPartenaire)] == comptes


def test_a_refused_label_leaves_the_candidature_unchanged(prete, agent_national, agent_occitanie):
    avant = CiteEducative.objects.count()
    with pytest.raises(services.TransitionRefusee):
        services.candidature_transition(candidature=prete, to=Etat.LABELLISEE, actor=agent_occitanie, message="Oui")
    prete.refresh_from_db()
    assert prete.etat == Etat.AVIS_EMIS and prete.cite is None
    assert CiteEducative.objects.count() == avant


@pytest.mark.parametrize("decision", [Etat.REFUSEE, Etat.CLASSEE_SANS_SUITE])
def test_refusal_and_closing_create_no_cite(prete, agent_national, decision):
    avant = (CiteEducative.objects.count(), Action.objects.count(), EvenementLabel.objects.count())
    services.candidature_transition(candidature=prete, to=decision, actor=agent_national, message="Hors critères.")
    prete.refresh_from_db()
    assert prete.etat == decision and prete.cite is None
    assert (CiteEducative.objects.count(), Action.objects.count(), EvenementLabel.objects.count()) == avant


def test_two_cites_with_the_same_name_get_distinct_pages(porteur, appel, agent_occitanie, agent_national, prete):
    premiere = labelliser(candidature=prete, agent=agent_national).cite
    autre = helpers.candidature_complete(user=porteur, appel=appel)
    autre = labelliser(
        candidature=jusqu_a_l_avis(candidature=autre, porteur=porteur, agent=agent_occitanie), agent=agent_national
    )
    assert autre.cite.nom == premiere.nom
    assert autre.cite.slug != premiere.slug


# --- Extending an existing cité --------------------------------------------------------------


@pytest.fixture
def metropole(db):
    helpers.ensure_groupes_et_appels()
    collectivite = services.collectivite_get_or_create_epci(siren="243100518", epci=Epci.objects.get(siren="243100518"))
    user = services.porteur_register(
        email="porteur@toulouse-metropole.fr",
        password=helpers.MOT_DE_PASSE,
        prenom="Sacha",
        nom="Bernard",
        collectivite=collectivite,
    )
    profil = user.profil_porteur
    profil.email_confirme_le = profil.cree_le
    profil.statut = "valide"
    profil.save()
    user.refresh_from_db()
    return user


@pytest.fixture
def extension(metropole, appel, agent_occitanie):
    """Toulouse Métropole asks to extend « Toulouse Grand Mirail » to Blagnac."""
    candidature = services.candidature_create(user=metropole, appel=appel)
    grand_mirail = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    blagnac = Commune.objects.get(code="31069")
    territoire = {
        "candidature": candidature,
        "user": metropole,
        "etape": "territoire",
        "relations": {
            "communes": [Commune.objects.get(code="31555"), blagnac],
            "qpvs": list(Qpv.objects.filter(communes=blagnac, generation=2024)),
        },
    }
    services.candidature_update(**territoire)
    helpers.remplir(candidature=candidature, user=metropole)
    services.candidature_update(**territoire, champs={"titre": "Extension à Blagnac", "cite_etendue": grand_mirail})
    fiches_set(candidature=candidature, user=metropole, fiches=FICHES[:2])
    return jusqu_a_l_avis(candidature=candidature, porteur=metropole, agent=agent_occitanie)


def test_the_porteur_chooses_the_cite_to_extend_in_the_territory_step(client, metropole, appel):
    candidature = services.candidature_create(user=metropole, appel=appel)
    client.force_login(metropole)
    url = reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "territoire"})
    page = text_of(client.get(url))
    assert "étend-elle une cité éducative déjà labellisée" in page
    assert "Toulouse Grand Mirail" in page and "Colomiers" in page
    grand_mirail = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    toulouse = Commune.objects.get(code="31555")
    client.post(url, {"titre": "Extension", "cite_etendue": grand_mirail.pk, "communes": [toulouse.pk]})
    candidature.refresh_from_db()
    assert candidature.cite_etendue == grand_mirail
    assert "Toulouse Grand Mirail" in text_of(client.get(candidature.get_absolute_url()))


def test_extension_adds_to_the_perimeter_with_an_extension_event(
    client, extension, agent_national, django_capture_on_commit_callbacks
):
    grand_mirail = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    client.get(grand_mirail.get_absolute_url())  # in the cache
    avant = CiteEducative.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        candidature = labelliser(candidature=extension, agent=agent_national)

    assert CiteEducative.objects.count() == avant
    assert candidature.cite == grand_mirail
    grand_mirail.refresh_from_db()
    assert grand_mirail.statut == CiteEducative.Statut.ETENDUE
    assert set(grand_mirail.communes.values_list("code", flat=True)) == {"31555", "31069"}
    assert set(Qpv.objects.filter(communes__code="31069", generation=2024)) <= set(grand_mirail.qpvs.all())
    evenement = grand_mirail.evenements.get(type=EvenementLabel.Type.EXTENSION)
    assert evenement.reference_decision == extension.reference
    assert "Communes ajoutées : Blagnac." in evenement.description
    assert grand_mirail.actions.filter(titre="Orchestre au collège").exists()

    page = text_of(client.get(grand_mirail.get_absolute_url()))
    assert "Extension du périmètre" in page and "Blagnac" in page
    # The porteur's new action waits for an agent's validation before it is public (issue 8).
    assert not grand_mirail.actions.get(titre="Orchestre au collège").valide
    assert "Orchestre au collège" not in page


def test_an_anct_import_keeps_the_communes_added_by_an_extension(extension, agent_national, reference_data_dir):
    labelliser(candidature=extension, agent=agent_national)
    cites_import(source=Source(str(reference_data_dir / "cites_educatives" / "citeduc_geom_2024-03-05.geojson")))
    grand_mirail = CiteEducative.objects.get(slug="toulouse-grand-mirail")
    assert set(grand_mirail.communes.values_list("code", flat=True)) == {"31555", "31069"}


def test_an_agent_may_set_the_cite_to_extend_before_the_decision(extension, agent_occitanie, agent_national, porteur):
    colomiers = CiteEducative.objects.get(slug="colomiers")
    candidature_set_cite_etendue(candidature=extension, cite=colomiers, actor=agent_occitanie)
    extension.refresh_from_db()
    assert extension.cite_etendue == colomiers
    with pytest.raises(Exception, match="agent"):
        candidature_set_cite_etendue(candidature=extension, cite=None, actor=porteur)
    labelliser(candidature=extension, agent=agent_national)
    with pytest.raises(Exception, match="ne peut plus changer"):
        candidature_set_cite_etendue(candidature=extension, cite=None, actor=agent_national)

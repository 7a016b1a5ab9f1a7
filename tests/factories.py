"""factory_boy factories (Faker fr_FR) for unit tests: a candidature in any state in one line,
`CandidatureFactory(deposee=True)`, without going through the forms and the services.

End-to-end tests keep building their data through the services (tests/candidatures/helpers.py),
as users would; these factories are for tests of one rule at a time. Reference data (communes,
régions) comes from the real files imported by the migrations and the test set-up.
"""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from candidatures.models import AppelAProjets, Candidature, Collectivite, Etat, ProfilPorteur
from cites.models import Commune

factory.Faker._DEFAULT_LOCALE = "fr_FR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Faker("email", locale="fr_FR")
    username = factory.SelfAttribute("email")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")


class CollectiviteFactory(factory.django.DjangoModelFactory):
    """The collectivité of a commune (Toulouse by default), with its région."""

    class Meta:
        model = Collectivite
        django_get_or_create = ("type", "code")

    class Params:
        commune_code = "31555"

    commune = factory.LazyAttribute(lambda o: Commune.objects.select_related("departement").get(code=o.commune_code))
    type = Collectivite.Type.COMMUNE
    code = factory.SelfAttribute("commune.code")
    nom = factory.SelfAttribute("commune.nom")
    region_id = factory.SelfAttribute("commune.departement.region_id")


class PorteurFactory(factory.django.DjangoModelFactory):
    """A porteur whose address is confirmed and whose account an agent validated."""

    class Meta:
        model = ProfilPorteur

    user = factory.SubFactory(UserFactory)
    collectivite = factory.SubFactory(CollectiviteFactory)
    email_confirme_le = factory.LazyFunction(timezone.now)
    statut = ProfilPorteur.Statut.VALIDE


class CandidatureFactory(factory.django.DjangoModelFactory):
    """A candidature of the permanent call; one trait per state of the workflow."""

    class Meta:
        model = Candidature

    appel = factory.LazyFunction(lambda: AppelAProjets.objects.get(ouvert_toute_annee=True))
    collectivite = factory.SubFactory(CollectiviteFactory)
    cree_par = factory.LazyAttribute(lambda o: PorteurFactory(collectivite=o.collectivite).user)
    titre = factory.Faker("sentence", nb_words=4, locale="fr_FR")
    etat = Etat.BROUILLON
    reference = None
    depose_le = None

    class Params:
        depose = factory.Trait(
            reference=factory.Sequence(lambda n: f"CE-2099-{n:04d}"), depose_le=factory.LazyFunction(timezone.now)
        )
        deposee = factory.Trait(depose=True, etat=Etat.DEPOSEE)
        en_instruction = factory.Trait(depose=True, etat=Etat.EN_INSTRUCTION)
        complements_demandes = factory.Trait(depose=True, etat=Etat.COMPLEMENTS_DEMANDES)
        avis_emis = factory.Trait(depose=True, etat=Etat.AVIS_EMIS)
        labellisee = factory.Trait(depose=True, etat=Etat.LABELLISEE)
        refusee = factory.Trait(depose=True, etat=Etat.REFUSEE)
        retiree = factory.Trait(depose=True, etat=Etat.RETIREE)
        classee_sans_suite = factory.Trait(depose=True, etat=Etat.CLASSEE_SANS_SUITE)

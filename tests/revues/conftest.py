import pytest

from cites.models import CiteEducative, PersonneCite
from revues.models import Question, Questionnaire
from tests.candidatures import helpers


@pytest.fixture(autouse=True)
def _reglages(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "prive"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cite(db):
    return CiteEducative.objects.get(slug="toulouse-grand-mirail")


@pytest.fixture
def personnes(cite, django_user_model):
    """The référent and the three troïka representatives of the cité, each with an account."""
    comptes = {}
    for role, nom in [
        ("referent", "Rémi Référent"),
        ("troika_prefecture", "Pia Préfète"),
        ("troika_education", "Dan Dasen"),
        ("troika_collectivite", "Maud Maire"),
    ]:
        email = f"{role}@exemple.fr"
        user = django_user_model.objects.create_user(
            username=email,
            email=email,
            password=helpers.MOT_DE_PASSE,
            first_name=nom.split()[0],
            last_name=nom.split()[1],
        )
        PersonneCite.objects.create(cite=cite, role=role, nom=nom, email=email, user=user)
        comptes[role] = user
    return comptes


def ensure_questionnaire() -> Questionnaire:
    """After a live-server test flushed the database, recreate what the data migration creates."""
    import importlib

    from django.apps import apps

    if not Questionnaire.objects.filter(annee=2026).exists():
        importlib.import_module("revues.migrations.0002_questionnaire_2026_permissions").creer(apps, None)
        importlib.import_module("revues.migrations.0004_questionnaire_2026_financements").lier(apps, None)
    return Questionnaire.objects.get(annee=2026)


@pytest.fixture
def questionnaire(db):
    return ensure_questionnaire()


def reponses_valides(questionnaire) -> dict:
    valeurs = {
        "Le comité de pilotage (troïka) s'est-il réuni cette année ?": "oui",
        "Nombre de réunions du comité de pilotage": "4",
        "Comment la gouvernance a-t-elle fonctionné ?": "Comité trimestriel, très suivi.",
        "Nombre d'actions menées": "12",
        "Nombre de jeunes touchés (estimation)": "1 500",
        "Actions phares et difficultés rencontrées": "Petits déjeuners à l'école.",
        "La cité a-t-elle échangé avec d'autres cités éducatives ?": "non",
        "Principaux supports de communication": "Lettre trimestrielle.",
        "Dotation de l'État reçue": "425 000",
        "Cofinancement de la collectivité": "400 000,50",
        "Montant dépensé": "700 000",
        "Le fonds de la cité (30 000 €) a-t-il été engagé ?": "entièrement",
        "Démarche d'évaluation et premiers résultats": "Questionnaire aux familles.",
    }
    questions = Question.objects.filter(section__questionnaire=questionnaire)
    return {f"q{q.pk}": valeurs[q.libelle] for q in questions if q.libelle in valeurs}


@pytest.fixture
def agents(db):
    return {
        "occitanie": helpers.agent(email="agent@occitanie.gouv.fr", region="76"),
        "ara": helpers.agent(email="agent@ara.gouv.fr", region="84"),
        "anct": helpers.agent(email="agent@anct.gouv.fr", region=None),
    }

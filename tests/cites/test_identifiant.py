"""The ANCT identifiant of new cités continues the numbering of the open list (cite-001 … cite-208)."""

import pytest

from cites.models import CiteEducative
from cites.services import cite_identifiant_suivant, cite_identifiants_attribuer

pytestmark = pytest.mark.django_db


def test_the_next_identifiant_follows_the_last_of_the_anct_list():
    # The real list (REFERENCE_DATA_DIR) ends at cite-208.
    assert CiteEducative.objects.filter(identifiant="cite-208").exists()
    assert cite_identifiant_suivant() == "cite-209"


def test_the_numbering_skips_nothing_and_ignores_other_shapes():
    CiteEducative.objects.create(nom="Saisie à la main", slug="saisie-a-la-main", identifiant="cite-215")
    CiteEducative.objects.create(nom="Autre format", slug="autre-format", identifiant="CE-9999")
    assert cite_identifiant_suivant() == "cite-216"


def test_the_numbering_goes_past_999_with_four_digits():
    CiteEducative.objects.create(nom="Millième", slug="millieme", identifiant="cite-999")
    assert cite_identifiant_suivant() == "cite-1000"


def test_cites_without_identifiant_get_the_next_numbers_oldest_first():
    premiere = CiteEducative.objects.create(nom="Première sans numéro", slug="premiere-sans-numero")
    seconde = CiteEducative.objects.create(nom="Seconde sans numéro", slug="seconde-sans-numero")
    assert cite_identifiants_attribuer() == ["cite-209", "cite-210"]
    premiere.refresh_from_db()
    seconde.refresh_from_db()
    assert (premiere.identifiant, seconde.identifiant) == ("cite-209", "cite-210")
    assert not CiteEducative.objects.filter(identifiant__isnull=True).exists()

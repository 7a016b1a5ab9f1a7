"""Every e-mail of the portal greets, signs and ends with the portal's address, from one base."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from portal.emails import email_render

MODELES = sorted(
    str(chemin.relative_to(Path(settings.BASE_DIR) / "templates"))
    for chemin in (Path(settings.BASE_DIR) / "templates").glob("*/emails/*.txt")
    if not chemin.name.endswith("_sujet.txt")
)


def test_the_portal_has_its_twenty_seven_e_mails():
    # Issue 13 added the troïka's confirmation request and the co-editors' invitation.
    assert len(MODELES) == 27
    assert "candidatures/emails/troika_confirmation.txt" in MODELES
    assert "candidatures/emails/coedition_invitation.txt" in MODELES


@pytest.mark.parametrize("modele", MODELES)
def test_each_e_mail_has_a_subject_a_greeting_and_the_signature_with_the_address(modele, settings):
    settings.SITE_URL = "https://cites-educatives.example.gouv.fr"
    auteur = get_user_model()(email="agent@anct.gouv.fr", first_name="Anne", last_name="Martin")
    evenement = {"message": "Motifs.", "auteur": auteur}
    contexte = {"evenement": evenement, "uid": "MQ", "token": "jeton", "protocol": "https", "domain": "x"}
    sujet, corps = email_render(template=modele, context=contexte)
    assert sujet and "\n" not in sujet
    assert corps.startswith("Bonjour")
    assert corps.endswith("\n\nLe portail des cités éducatives\nhttps://cites-educatives.example.gouv.fr\n")
    assert corps.count("Le portail des cités éducatives\n") == 1

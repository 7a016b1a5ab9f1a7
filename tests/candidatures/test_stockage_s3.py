"""Private files on S3-compatible object storage (moto's S3 server on a free port): attachments and
receipts go to the bucket, never to the local folder, and come back only through the views that
check who asks — streamed, or by a short-lived signed address with PRIVATE_FILES_REDIRECT."""

import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidatures import services
from tests.candidatures import helpers
from tests.services_locaux import moto_s3, s3_storages


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    with moto_s3(tmp_path_factory.mktemp("moto")) as serveur:
        yield serveur


@pytest.fixture
def stockage_s3(s3, settings):
    settings.STORAGES = s3_storages(s3, settings.STORAGES)
    s3.client().delete_objects(
        Bucket=s3.bucket, Delete={"Objects": [{"Key": cle} for cle in s3.objets()] or [{"Key": "rien"}]}
    )
    return s3


def ajouter(client, candidature, nom, contenu):
    url = reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "pieces"})
    return client.post(url, {"type": "deliberation", "fichier": SimpleUploadedFile(nom, contenu)})


def lire(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reponse:
            return reponse.status, reponse.read()
    except urllib.error.HTTPError as erreur:
        return erreur.code, b""


def test_an_attachment_goes_to_the_bucket_and_comes_back_through_the_view(
    stockage_s3, client, porteur, autre_porteur, appel, settings
):
    candidature = services.candidature_create(user=porteur, appel=appel)
    client.force_login(porteur)
    contenu = helpers.pdf_bytes("Délibération stockée dans le compartiment")
    assert ajouter(client, candidature, "deliberation.pdf", contenu).status_code == 302
    piece = candidature.pieces.get()
    assert stockage_s3.objets() == [f"prive/{piece.fichier.name}"]
    assert not (settings.PRIVATE_MEDIA_ROOT / piece.fichier.name).exists()

    url = reverse("candidatures:piece", kwargs={"pk": candidature.pk, "piece_pk": piece.pk})
    reponse = client.get(url)
    assert reponse.status_code == 200
    assert reponse["Cache-Control"] == "private, no-store"
    assert b"".join(reponse.streaming_content) == contenu

    client.force_login(autre_porteur)
    assert client.get(url).status_code == 404


def test_with_redirects_the_view_gives_a_short_lived_signed_address(stockage_s3, client, porteur, appel, settings):
    settings.PRIVATE_FILES_REDIRECT = True
    settings.PRIVATE_FILES_URL_SECONDS = 60
    candidature = services.candidature_create(user=porteur, appel=appel)
    client.force_login(porteur)
    contenu = helpers.pdf_bytes("Pièce servie par adresse signée")
    ajouter(client, candidature, "deliberation.pdf", contenu)
    piece = candidature.pieces.get()
    reponse = client.get(reverse("candidatures:piece", kwargs={"pk": candidature.pk, "piece_pk": piece.pk}))
    assert reponse.status_code == 302
    adresse = reponse["Location"]
    assert adresse.startswith(stockage_s3.endpoint + "/cites-prive/prive/")
    assert "X-Amz-Expires=60" in adresse and "X-Amz-Signature=" in adresse
    assert lire(adresse) == (200, contenu)
    # Without its signature the object is refused: the bucket serves nothing to whoever asks.
    assert lire(adresse.split("?")[0])[0] == 403


def test_a_missing_object_is_a_404_not_a_500(stockage_s3, client, porteur, appel):
    candidature = services.candidature_create(user=porteur, appel=appel)
    client.force_login(porteur)
    ajouter(client, candidature, "deliberation.pdf", helpers.PDF)
    piece = candidature.pieces.get()
    stockage_s3.client().delete_object(Bucket=stockage_s3.bucket, Key=f"prive/{piece.fichier.name}")
    url = reverse("candidatures:piece", kwargs={"pk": candidature.pk, "piece_pk": piece.pk})
    assert client.get(url).status_code == 404


def test_the_receipt_written_by_its_task_lands_in_the_bucket(
    stockage_s3, client, candidature, porteur, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.candidature_submit(candidature=candidature, actor=porteur)
    candidature.refresh_from_db()
    assert f"prive/recepisses/recepisse-{candidature.reference}.pdf" in stockage_s3.objets()
    client.force_login(porteur)
    reponse = client.get(reverse("candidatures:recepisse", kwargs={"pk": candidature.pk}))
    assert b"".join(reponse.streaming_content).startswith(b"%PDF-")

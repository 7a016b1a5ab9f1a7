"""Private files (attachments, receipts, exports, cités' documents) on S3-compatible object storage.

Used as the `prive` storage when S3_BUCKET is set (portal.settings); the local folder
PRIVATE_MEDIA_ROOT stays the default. Either way a private file has no public address: it is
read back only by the views that check who asks (`fichier_prive_reponse`), which stream it, or,
with PRIVATE_FILES_REDIRECT, answer a redirect to a signed address valid PRIVATE_FILES_URL_SECONDS.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage


class _PrivateStorage(LazyObject):
    """The `prive` storage of settings.STORAGES, looked up when first used (and again after a
    test changed STORAGES): the FileFields keep this object, not one backend chosen at import."""

    def _setup(self):
        self._wrapped = storages["prive"]


prive = _PrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        prive._wrapped = empty


class PrivateS3Storage(S3Storage):
    """A private bucket (or a prefix of one): objects private, names never overwritten."""

    default_acl = None
    file_overwrite = False
    querystring_auth = True

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("Les fichiers privés ne sont servis que par les vues qui vérifient les droits.")

    def url_signee(self, name: str, *, nom: str, content_type: str, as_attachment: bool) -> str:
        """A short-lived signed address of the object, for a user the calling view has checked."""
        parametres = {
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(as_attachment, nom),
            "ResponseCacheControl": "private, no-store",
        }
        return super().url(name, parameters=parametres, expire=settings.PRIVATE_FILES_URL_SECONDS)


def fichier_prive_reponse(fichier, *, nom: str, content_type: str, as_attachment: bool = True):
    """The response that gives a private file to a user already checked by the view: streamed from
    the storage, or a redirect to a signed address when PRIVATE_FILES_REDIRECT is set and the
    storage signs addresses. A missing file is a 404."""
    storage = fichier.storage
    if settings.PRIVATE_FILES_REDIRECT and hasattr(storage, "url_signee"):
        if not storage.exists(fichier.name):
            raise Http404("Fichier introuvable")
        response = HttpResponseRedirect(
            storage.url_signee(fichier.name, nom=nom, content_type=content_type, as_attachment=as_attachment)
        )
    else:
        try:
            handle = fichier.open("rb")
        except FileNotFoundError as exc:
            raise Http404("Fichier introuvable") from exc
        response = FileResponse(handle, as_attachment=as_attachment, filename=nom, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response

"""Private files (attachments, receipts): never under STATIC_ROOT or MEDIA_ROOT, never served directly.

They are read back only through the permission-checked download views. The backend is the
`prive` alias of settings.STORAGES, so production can point it at a private bucket.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """A folder outside the public trees, PRIVATE_MEDIA_ROOT, read from settings when first used."""

    def __init__(self, location=None, **kwargs):
        kwargs.setdefault("base_url", None)
        super().__init__(location=location, **kwargs)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise NotImplementedError("Les fichiers privés ne sont servis que par les vues qui vérifient les droits.")


def private_storage():
    """The `prive` storage, resolved when used: the local folder or the bucket (cites.stockage)."""
    from cites.stockage import prive

    return prive

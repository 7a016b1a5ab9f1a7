"""Receivers that only invalidate the cache of the public pages (no business rule here)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from cites.cache import public_cache_invalidate


def invalidate_public_pages(sender, **kwargs) -> None:
    public_cache_invalidate()


def connect_cache_invalidation(*models, m2m_through=()) -> None:
    for model in models:
        post_save.connect(invalidate_public_pages, sender=model, dispatch_uid=f"cache-save-{model._meta.label}")
        post_delete.connect(invalidate_public_pages, sender=model, dispatch_uid=f"cache-delete-{model._meta.label}")
    for through in m2m_through:
        m2m_changed.connect(invalidate_public_pages, sender=through, dispatch_uid=f"cache-m2m-{through._meta.label}")

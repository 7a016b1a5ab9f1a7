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


def schedule_alerts(sender, instance, **kwargs) -> None:
    """A cité was saved or its communes changed: once committed, look for alerts to send (the
    rules, and the once-only guarantee, are in cites.alertes)."""
    from django.db import transaction

    from cites.tasks import alertes_envoyer

    transaction.on_commit(alertes_envoyer.enqueue)


def connect_alerts(model, *, m2m_through) -> None:
    post_save.connect(schedule_alerts, sender=model, dispatch_uid=f"alertes-save-{model._meta.label}")
    m2m_changed.connect(schedule_alerts, sender=m2m_through, dispatch_uid=f"alertes-m2m-{m2m_through._meta.label}")

"""What other apps add to a cité's public page.

`cites` imports no other app of ours (dependencies point one way: partenaires → cites), yet a
cité's page shows its partner network and its actions. An app that has something to show
registers a context provider in its `AppConfig.ready()`; the detail view merges what each
provider returns into the page's context. The provider's templates are included by
templates/cites/detail.html when their context is present. A provider that read query
parameters of its own and found them invalid says so in `erreurs_requete` (a list of
messages): the page is then answered 400, and not cached.
"""

from collections.abc import Callable

from django.http import HttpRequest

from cites.models import CiteEducative

CiteDetailProvider = Callable[..., dict]

_providers: list[CiteDetailProvider] = []


def cite_detail_register(provider: CiteDetailProvider) -> None:
    """Register `provider(*, request, cite) -> dict` (once, whatever the number of calls)."""
    if provider not in _providers:
        _providers.append(provider)


def cite_detail_extra_context(*, request: HttpRequest, cite: CiteEducative) -> dict:
    context: dict = {}
    for provider in _providers:
        context.update(provider(request=request, cite=cite))
    return context

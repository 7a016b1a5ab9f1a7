"""What other apps add to the public pages of `cites`.

`cites` imports no other app of ours (dependencies point one way: partenaires → cites,
candidatures → partenaires), yet a cité's page shows its partner network and its actions, and
the statistics page the figures of the instruction of candidatures. An app that has something to
show registers a context provider in its `AppConfig.ready()`; the view merges what each provider
returns into the page's context, and the page's template includes the provider's templates when
their context is present.

- `cite_detail_register(provider)`: `provider(*, request, cite) -> dict` for a cité's page
  (`reseau`, `fiches` from partenaires; a provider may give `financement`, a key figure
  {valeur, libelle, detail} shown in the page's header — the money per year of issue 13).
- `statistiques_register(provider)`: `provider(*, request) -> dict` for /statistiques/
  (`instruction` from candidatures).

A cité page's provider that read query parameters of its own and found them invalid says so in
`erreurs_requete` (a list of messages): the page is then answered 400, and not cached.
"""

from collections.abc import Callable

from django.http import HttpRequest

from cites.models import CiteEducative

CiteDetailProvider = Callable[..., dict]
StatistiquesProvider = Callable[..., dict]

_providers: list[CiteDetailProvider] = []
_statistiques_providers: list[StatistiquesProvider] = []


def cite_detail_register(provider: CiteDetailProvider) -> None:
    """Register `provider(*, request, cite) -> dict` (once, whatever the number of calls)."""
    if provider not in _providers:
        _providers.append(provider)


def cite_detail_extra_context(*, request: HttpRequest, cite: CiteEducative) -> dict:
    context: dict = {}
    for provider in _providers:
        context.update(provider(request=request, cite=cite))
    return context


def statistiques_register(provider: StatistiquesProvider) -> None:
    """Register `provider(*, request) -> dict` for the statistics page (once)."""
    if provider not in _statistiques_providers:
        _statistiques_providers.append(provider)


def statistiques_extra_context(*, request: HttpRequest) -> dict:
    context: dict = {}
    for provider in _statistiques_providers:
        context.update(provider(request=request))
    return context

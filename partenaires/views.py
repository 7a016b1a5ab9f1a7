"""Public side of the partners: the directory, and what a cité's page shows of its partners and
actions (a provider registered with `cites.extensions` in `PartenairesConfig.ready`)."""

from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import render

from cites.cache import cache_public_page
from cites.formats import montant
from cites.models import CiteEducative
from partenaires import network, selectors
from partenaires.forms import ActionFilterForm


def euros(value: Decimal | None) -> str:
    """12000 → '12 000 €', 1500.50 → '1 500,50 €' (French typography, cites.formats)."""
    return montant(value)


def cite_detail_context(*, request: HttpRequest, cite: CiteEducative) -> dict:
    """The partner network of `cite` and its fiches action, filtered by the query string."""
    reseau = network.reseau_build(liens=selectors.lien_list_for_cite(cite=cite), cite_nom=cite.nom)
    context: dict = {"reseau": reseau}
    actions = selectors.action_list_for_cite(cite=cite)
    form = ActionFilterForm(request.GET or None)
    filters = form.filters()
    if not actions:
        # No list to filter, but an invalid value is still the client's error (and never cached).
        context["erreurs_requete"] = [error for errors in form.errors.values() for error in errors]
        return context
    resultat = selectors.action_filter(actions=actions, **filters)
    form.show_counts(par_objectif=resultat.par_objectif, par_temps=resultat.par_temps)
    for action in resultat.actions:
        action.budget_affiche = euros(action.budget)
    erreurs = [error for errors in form.errors.values() for error in errors] if form.is_bound else []
    context["fiches"] = {
        "form": form,
        "resultat": resultat,
        "filtres_actifs": any(filters.values()),
        "erreurs": erreurs,
    }
    context["erreurs_requete"] = erreurs
    return context


@cache_public_page
def annuaire(request):
    familles = selectors.partenaire_annuaire()
    return render(
        request,
        "partenaires/annuaire.html",
        {
            "title": "Les partenaires des cités éducatives",
            "breadcrumb_data": {"links": [], "current": "Les partenaires"},
            "familles": familles,
            "nombre": sum(len(famille["partenaires"]) for famille in familles),
        },
    )

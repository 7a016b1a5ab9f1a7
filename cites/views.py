from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from cites import selectors
from cites.cache import cache_public_page
from cites.charts import bar_chart
from cites.extensions import cite_detail_extra_context
from cites.forms import CiteFilterForm, SuggestionForm
from cites.models import CiteEducative, ConventionCadre, RevueProjet, Suggestion
from cites.services import suggestion_create, suggestion_rate_limited

CITES_PAR_PAGE = 20


def _with_pages_list(page):
    """Page numbers for the DSFR pagination: first two, neighbours, last two, "…" between gaps.

    (dsfr.utils.list_pages does the same but loses the order of the numbers.)
    """
    last = page.paginator.num_pages
    numbers = sorted({1, 2, page.number - 1, page.number, page.number + 1, last - 1, last} & set(range(1, last + 1)))
    items = []
    for number in numbers:
        if items and number - items[-1] == 2:
            items.append(number - 1)
        elif items and number - items[-1] > 2:
            items.append("…")
        items.append(number)
    page.pages_list = items
    return page


LIST_FILTERS = ("region", "departement", "annee", "q")


@cache_public_page(params=(*LIST_FILTERS, "page"), uncached_params=("q",))
def cite_list(request):
    filtres_donnes = any(name in request.GET for name in LIST_FILTERS)
    form = CiteFilterForm(request.GET if filtres_donnes else None, choices=selectors.cite_filter_choices())
    if form.is_bound:
        form.is_valid()
    filters = form.filters() if form.is_bound else selectors.CiteListFilters()
    paginator = Paginator(selectors.cite_list_published(filters=filters), CITES_PAR_PAGE)
    try:
        page = _with_pages_list(paginator.page(request.GET.get("page", "1")))
    except InvalidPage:
        pages = paginator.num_pages
        message = f"Cette page de la liste n’existe pas : elle compte {pages} page{'s' if pages > 1 else ''}."
        return page_not_found_message(request, message=message)
    cites = selectors.cite_attach_territoires(cites=page.object_list)
    filtres_actifs = any([filters.region, filters.departement, filters.annee, filters.q])
    erreurs = [error for errors in form.errors.values() for error in errors] if form.is_bound else []
    return render(
        request,
        "cites/liste.html",
        {
            "title": "Les cités éducatives",
            "breadcrumb_data": {"links": [], "current": "Les cités éducatives"},
            "form": form,
            "page_obj": page,
            "cites": cites,
            "nombre": paginator.count,
            "filtres_actifs": filtres_actifs,
            "erreurs_filtres": erreurs,
        },
        # A filter value that names nothing is the client's error: said on the page, never cached.
        status=400 if erreurs else 200,
    )


def page_not_found_message(request, *, message: str):
    """The site's 404 page, with what was not found."""
    return render(
        request,
        "404.html",
        {"title": "Page non trouvée", "breadcrumb_data": {"current": "Page non trouvée"}, "message": message},
        status=404,
    )


@cache_public_page(params=("objectif", "temps"))
def cite_detail(request, slug):
    try:
        cite = selectors.cite_get_published(slug=slug)
    except CiteEducative.DoesNotExist:
        raise Http404("Cité éducative introuvable") from None
    extra = cite_detail_extra_context(request=request, cite=cite)
    return render(
        request,
        "cites/detail.html",
        {
            "title": cite.nom,
            "breadcrumb_data": {
                "links": [{"url": reverse("cites:liste"), "title": "Les cités éducatives"}],
                "current": cite.nom,
            },
            "cite": cite,
            "territoire": selectors.cite_territoire(cite=cite),
            # Partner network and actions (partenaires app), see cites.extensions.
            **extra,
        },
        # A filter of the actions that names nothing: said on the page, never cached.
        status=400 if extra.get("erreurs_requete") else 200,
    )


DOCUMENTS = {"convention": ConventionCadre, "revue": RevueProjet}


def cite_document(request, slug, type, pk):
    """A document of a published cité's history (convention-cadre, revue de projet), only when
    an agent marked it public; it is kept in the private storage and never served otherwise."""
    model = DOCUMENTS.get(type)
    if model is None:
        raise Http404("Document introuvable")
    record = get_object_or_404(
        model.objects.exclude(document=""), pk=pk, cite__slug=slug, cite__publiee=True, document_public=True
    )
    try:
        fichier = record.document.open("rb")
    except FileNotFoundError:
        raise Http404("Document introuvable") from None
    nom = f"{type}-{slug}-{record.date_signature if type == 'convention' else record.annee}.pdf"
    return FileResponse(fichier, content_type="application/pdf", filename=nom)


@cache_public_page
def statistiques(request):
    stats = selectors.statistiques_par_region()
    regions = stats["regions"]
    departements = [
        {**departement, "region": region["nom"]} for region in regions for departement in region["departements"]
    ]
    graphique_regions = bar_chart(
        items=[(region["nom"], region["cites"]) for region in regions],
        title="Nombre de cités éducatives par région",
        description="Diagramme en barres : "
        + " ; ".join(f"{region['nom']} : {region['cites']}" for region in regions)
        + ". Les mêmes chiffres figurent dans le tableau qui suit.",
    )
    graphique_departements = bar_chart(
        items=[
            (f"{dep['code']} — {dep['nom']}", dep["cites"]) for dep in sorted(departements, key=lambda d: d["code"])
        ],
        title="Nombre de cités éducatives par département",
        description=f"Diagramme en barres des {len(departements)} départements qui comptent au moins une cité "
        "éducative ; les mêmes chiffres figurent dans le tableau qui suit.",
        row_height=20,
    )
    return render(
        request,
        "cites/statistiques.html",
        {
            "title": "Statistiques",
            "breadcrumb_data": {"links": [], "current": "Statistiques"},
            "stats": stats,
            "regions": regions,
            "departements": departements,
            "graphique_regions": graphique_regions,
            "graphique_departements": graphique_departements,
        },
    )


def client_address(request) -> str:
    """The client's IP address; behind TRUSTED_PROXIES reverse proxies, the one the outermost
    proxy saw (the last entries of X-Forwarded-For are those the proxies added)."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")


SUGGESTION_MERCI = (
    "Merci ! Votre proposition de correction a bien été transmise. Une personne de l’équipe du portail "
    "l’examinera avant toute modification de la page."
)
SUGGESTION_TROP = (
    "Vous avez envoyé beaucoup de propositions en peu de temps : pour éviter les envois automatiques, "
    "celle-ci n’a pas été enregistrée. Réessayez dans une heure ; votre texte est conservé ci-dessous."
)


@never_cache
def cite_suggestion(request, slug):
    """« Proposer une correction »: the form (GET) and its sending (POST). Never cached: it carries
    the visitor's CSRF token and messages."""
    cite = get_object_or_404(CiteEducative.objects.published(), slug=slug)
    status = 200
    if request.method == "POST":
        form = SuggestionForm(request.POST)
        status = 400
        if form.is_valid():
            if suggestion_rate_limited(client_key=client_address(request), limit=settings.SUGGESTIONS_PER_HOUR):
                form.add_error(None, SUGGESTION_TROP)
                status = 429
            else:
                try:
                    if not form.is_spam:  # a robot filled the honeypot: thank it, record nothing
                        suggestion_create(
                            cite=cite,
                            champ=form.cleaned_data["champ"],
                            message=form.cleaned_data["message"],
                            email=form.cleaned_data["email"],
                        )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    messages.success(request, SUGGESTION_MERCI)
                    return redirect(cite.get_absolute_url())
    else:
        champ = request.GET.get("champ", "")
        form = SuggestionForm(initial={"champ": champ} if champ in Suggestion.Champ.values else None)
    return render(
        request,
        "cites/corriger.html",
        {
            "title": f"Proposer une correction — {cite.nom}",
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("cites:liste"), "title": "Les cités éducatives"},
                    {"url": cite.get_absolute_url(), "title": cite.nom},
                ],
                "current": "Proposer une correction",
            },
            "cite": cite,
            "form": form,
        },
        status=status,
    )

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from cites import selectors
from cites.cache import cache_public_page
from cites.charts import bar_chart
from cites.extensions import cite_detail_extra_context, statistiques_extra_context
from cites.forms import CiteFilterForm, SuggestionForm
from cites.generalisation import generalisation_statistiques
from cites.models import CiteEducative, ConventionCadre, RevueProjet, Suggestion
from cites.services import suggestion_create, suggestion_rate_limited
from cites.stockage import fichier_prive_reponse

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


ECOLES_PAR_PAGE = 20


def _ips(valeur: float | None) -> str:
    return f"{valeur:.1f}".replace(".", ",") if valeur is not None else "—"


def cite_chiffres(*, cite, territoire: dict, financement: dict | None = None) -> list[dict]:
    """The header of key figures of a cité's page, in reading order."""
    nombre_communes = len(cite.communes.all())
    chiffres = [
        {"valeur": nombre_communes, "libelle": f"commune{'s' if nombre_communes > 1 else ''}"},
        {
            "valeur": len(territoire["qpvs"]),
            "libelle": f"quartier{'s' if len(territoire['qpvs']) > 1 else ''} prioritaire"
            f"{'s' if len(territoire['qpvs']) > 1 else ''}",
            "detail": "de la cité" if territoire["perimetre_enregistre"] else "dans ses communes",
        },
    ]
    if territoire["annuaire_charge"]:
        chiffres.append(
            {
                "valeur": f"{territoire['rep_plus']} / {territoire['rep']}",
                "libelle": "écoles et collèges REP+ / REP",
            }
        )
    else:
        chiffres.append({"valeur": "—", "libelle": "écoles REP+ / REP", "detail": "annuaire non chargé"})
    moyennes = territoire["moyennes_departements"]
    chiffres.append(
        {
            "valeur": _ips(territoire["ips_moyen"]),
            "libelle": "IPS moyen des écoles et collèges REP+ et REP",
            "detail": " ; ".join(f"{dep.nom} : {_ips(moyenne.ensemble)}" for dep, moyenne in moyennes),
        }
    )
    chiffres.append(
        {
            "valeur": cite.annee_label or "—",
            "libelle": "année du label",
            "detail": "année déduite" if cite.annee_label_deduite else "",
        }
    )
    if financement:
        chiffres.append(financement)
    else:
        chiffres.append({"valeur": "—", "libelle": "financement", "detail": "non publié pour l’instant"})
    return chiffres


def cite_mini_carte(*, cite, territoire: dict) -> dict:
    """The data of the small map of a cité: its communes and how many QPVs each has."""
    qpvs_par_commune: dict[int, int] = {}
    for qpv in territoire["qpvs"]:
        for commune in qpv.communes.all():
            qpvs_par_commune[commune.pk] = qpvs_par_commune.get(commune.pk, 0) + 1
    return {
        "communes": [
            {
                "nom": commune.nom,
                "code": commune.code,
                "lat": commune.latitude,
                "lon": commune.longitude,
                "qpvs": qpvs_par_commune.get(commune.pk, 0),
            }
            for commune in cite.communes.all()
            if commune.latitude is not None and commune.longitude is not None
        ]
    }


def page_not_found_message(request, *, message: str):
    """The site's 404 page, with what was not found."""
    return render(
        request,
        "404.html",
        {"title": "Page non trouvée", "breadcrumb_data": {"current": "Page non trouvée"}, "message": message},
        status=404,
    )


@cache_public_page(params=("objectif", "temps", "page"))
def cite_detail(request, slug):
    try:
        cite = selectors.cite_get_published(slug=slug)
    except CiteEducative.DoesNotExist:
        raise Http404("Cité éducative introuvable") from None
    territoire = selectors.cite_territoire(cite=cite)
    # Partner network, actions (partenaires app) and, later, money: see cites.extensions.
    extra = cite_detail_extra_context(request=request, cite=cite)
    page_ecoles = _with_pages_list(Paginator(territoire["ecoles"], ECOLES_PAR_PAGE).get_page(request.GET.get("page")))
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
            "territoire": territoire,
            "chiffres": cite_chiffres(cite=cite, territoire=territoire, financement=extra.get("financement")),
            "mini_carte": cite_mini_carte(cite=cite, territoire=territoire),
            "page_obj": page_ecoles,
            "carte_url": reverse("cites:carte") + f"?departement={cite.departements[0].code}"
            if cite.departements
            else reverse("cites:carte"),
            "tuiles_url": settings.MAP_TILES_URL,
            "tuiles_attribution": settings.MAP_TILES_ATTRIBUTION,
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
    nom = f"{type}-{slug}-{record.date_signature if type == 'convention' else record.annee}.pdf"
    return fichier_prive_reponse(record.document, nom=nom, content_type="application/pdf", as_attachment=False)


DEPARTEMENTS_GRAPHIQUE = 15


@cache_public_page
def statistiques(request):
    stats = selectors.statistiques_par_region()
    regions, collectivites = stats["regions"], stats["collectivites"]
    departements = [
        {**departement, "region": region["nom"]}
        for region in [*regions, *collectivites]
        for departement in region["departements"]
    ]
    territoires = [*regions, *collectivites]
    graphique_regions = bar_chart(
        items=[(region["nom"], region["cites"]) for region in territoires],
        title="Nombre de cités éducatives par région",
        description="Diagramme en barres : "
        + " ; ".join(f"{region['nom']} : {region['cites']}" for region in territoires)
        + ". Les mêmes chiffres figurent dans le tableau qui suit.",
    )
    premiers = sorted(departements, key=lambda d: (-d["cites"], d["code"]))[:DEPARTEMENTS_GRAPHIQUE]
    graphique_departements = bar_chart(
        items=[(f"{dep['code']} — {dep['nom']}", dep["cites"]) for dep in premiers],
        title=f"Les {len(premiers)} départements qui comptent le plus de cités éducatives",
        description="Diagramme en barres : "
        + " ; ".join(f"{dep['nom']} ({dep['code']}) : {dep['cites']}" for dep in premiers)
        + f". Les {len(departements)} départements figurent dans le tableau qui suit.",
    )
    annees = selectors.statistiques_par_annee()
    graphique_annees = bar_chart(
        items=[(str(ligne["annee"]), ligne["cites"]) for ligne in annees["annees"]],
        title="Nombre de cités éducatives par année de label",
        description="Diagramme en barres : "
        + " ; ".join(f"{ligne['annee']} : {ligne['cites']}" for ligne in annees["annees"])
        + ". Les mêmes chiffres figurent dans le tableau qui suit.",
    )
    return render(
        request,
        "cites/statistiques.html",
        {
            "title": "Statistiques",
            "breadcrumb_data": {"links": [], "current": "Statistiques"},
            "stats": stats,
            "regions": regions,
            "collectivites": collectivites,
            "departements": departements,
            "annees": annees,
            "generalisation": generalisation_statistiques(),
            "graphique_regions": graphique_regions,
            "graphique_departements": graphique_departements,
            "graphique_annees": graphique_annees,
            # Figures of the instruction of candidatures (candidatures app), see cites.extensions.
            **statistiques_extra_context(request=request),
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

"""« Mon territoire est-il éligible ? » (/eligibilite/), without an account: a commune or an
intercommunality → its QPVs, schools and IPS, the collèges that could lead it, the cités that
already cover it, and the open call's criteria checked by the same functions as a deposit
(`selectors.eligibilite_simuler`). A printable pre-diagnostic (PDF) of the same."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from candidatures import selectors
from candidatures.forms import EligibiliteForm
from candidatures.models import AppelAProjets
from candidatures.prediagnostic import prediagnostic_pdf
from cites.cache import cache_public_page
from cites.search import search_fold_text
from cites.territoire import TerritoireTrouve, territoire_build, territoire_find, territoire_get

TITRE = "Mon territoire est-il éligible ?"


def appel_de_reference() -> tuple[AppelAProjets | None, bool]:
    """The open call whose criteria are simulated (the latest when several are open), else the
    latest call; and whether it is open."""
    ouvert = selectors.appel_list_ouverts().prefetch_related("criteres").first()
    if ouvert is not None:
        return ouvert, True
    return AppelAProjets.objects.prefetch_related("criteres").order_by("-annee", "-pk").first(), False


def simulation_build(*, trouve: TerritoireTrouve) -> dict:
    """Everything the page and the PDF show for a territory."""
    appel, appel_ouvert = appel_de_reference()
    territoire = territoire_build(communes=trouve.communes)
    departements = sorted({commune.departement for commune in trouve.communes}, key=lambda d: d.code)
    return {
        "trouve": trouve,
        "territoire": territoire,
        "appel": appel,
        "appel_ouvert": appel_ouvert,
        "criteres": selectors.eligibilite_simuler(communes=trouve.communes, appel=appel) if appel else [],
        "moyennes": [
            (departement, territoire.moyennes_departements[departement.code])
            for departement in departements
            if departement.code in territoire.moyennes_departements
        ],
        "ips_moyen_prioritaires": territoire.ips_moyen(),
    }


def _depot_url(cle: str) -> str:
    return reverse("candidatures:tableau_de_bord") + "?" + urlencode({"territoire": cle})


# A name typed is free text (each would be a cache entry): only the territory's key is cached.
@cache_public_page(params=("territoire", "cle"), uncached_params=("territoire",))
def eligibilite(request):
    form = EligibiliteForm(request.GET or None)
    context = {
        "title": TITRE,
        "breadcrumb_data": {"links": [], "current": TITRE},
        "form": form,
        "resultats": None,
    }
    status = 200
    trouve = None
    cle = request.GET.get("cle", "").strip()
    if cle:
        trouve = territoire_get(cle=cle[:30])
        if trouve is None:
            form.add_error(None, "Ce territoire est inconnu : cherchez-le à nouveau par son nom ou son code.")
            status = 404
    elif form.is_bound and form.is_valid():
        saisie = form.cleaned_data["territoire"]
        resultats = territoire_find(saisie=saisie)
        exacts = [t for t in resultats if search_fold_text(t.nom) == search_fold_text(saisie.strip())]
        if len(resultats) == 1:
            trouve = resultats[0]
        elif len(exacts) == 1:
            trouve = exacts[0]
            context["autres"] = [t for t in resultats if t.cle != trouve.cle][:5]
        elif resultats:
            context["resultats"] = resultats
        else:
            form.add_error(
                "territoire",
                f"Aucune commune ni intercommunalité ne correspond à « {form.cleaned_data['territoire']} ». "
                "Indiquez le nom d'une commune, son code INSEE à 5 caractères ou le SIREN d'une intercommunalité.",
            )
    elif form.is_bound:
        status = 400
    if trouve is not None:
        context.update(simulation_build(trouve=trouve))
        context["title"] = f"{TITRE} — {trouve.nom}"
        context["depot_url"] = _depot_url(trouve.cle)
        context["pdf_url"] = reverse("eligibilite:pdf") + "?" + urlencode({"cle": trouve.cle})
    return render(request, "candidatures/eligibilite.html", context, status=status)


def eligibilite_pdf(request):
    trouve = territoire_get(cle=request.GET.get("cle", "").strip()[:30])
    if trouve is None:
        raise Http404("Territoire inconnu")
    simulation = simulation_build(trouve=trouve)
    pdf = prediagnostic_pdf(
        **simulation,
        depot_url=request.build_absolute_uri(_depot_url(trouve.cle)),
        page_url=request.build_absolute_uri(reverse("eligibilite:page") + "?" + urlencode({"cle": trouve.cle})),
        genere_le=timezone.now(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pre-diagnostic-{trouve.cle}.pdf"'
    return response

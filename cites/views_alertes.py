"""E-mail alerts (cites.alertes): ask, confirm (double opt-in), unsubscribe in one click. Nothing
personal is ever shown: the same answer whether an address was already subscribed or not."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from cites import alertes
from cites.forms import AlerteForm
from cites.models import Departement
from cites.views import client_address

TITRE = "Être prévenu d’une nouvelle cité éducative"
DEMANDE_RECUE = (
    "C’est noté. Si l’adresse est valide, un courriel de confirmation vient d’y être envoyé : ouvrez le lien qu’il "
    "contient pour activer l’alerte. Sans confirmation, l’adresse est effacée dans 7 jours."
)
TROP = "Trop de demandes d’alerte en peu de temps depuis votre connexion : réessayez dans une heure."


def _breadcrumb(current: str) -> dict:
    if current == TITRE:
        return {"links": [], "current": TITRE}
    return {"links": [{"url": reverse("cites:alertes"), "title": "Alertes"}], "current": current}


@never_cache
def alertes_page(request):
    departements = Departement.objects.order_by("code")
    status = 200
    if request.method == "POST":
        form = AlerteForm(request.POST, departements=departements)
        status = 400
        if form.is_valid():
            if alertes.alerte_rate_limited(client_key=client_address(request), limit=settings.SUGGESTIONS_PER_HOUR):
                form.add_error(None, TROP)
                status = 429
            else:
                if not form.is_spam:
                    alertes.abonnement_demander(
                        email=form.cleaned_data["email"],
                        departement=departements.get(code=form.cleaned_data["departement"]),
                    )
                messages.success(request, DEMANDE_RECUE)
                return redirect("cites:alertes")
    else:
        departement = request.GET.get("departement", "")
        form = AlerteForm(initial={"departement": departement}, departements=departements)
    return render(
        request,
        "cites/alertes.html",
        {"title": TITRE, "breadcrumb_data": _breadcrumb(TITRE), "form": form},
        status=status,
    )


def _jeton_inconnu(request, titre: str):
    return render(
        request,
        "cites/alertes_jeton.html",
        {"title": titre, "breadcrumb_data": _breadcrumb(titre), "abonnement": None},
        status=404,
    )


@never_cache
def alertes_confirmation(request, jeton: str):
    """GET shows a button (a link opened by a mail scanner confirms nothing); POST confirms."""
    titre = "Confirmer l’alerte"
    abonnement = alertes.abonnement_get(jeton=jeton)
    if abonnement is None:
        return _jeton_inconnu(request, titre)
    if request.method == "POST":
        alertes.abonnement_confirmer(abonnement=abonnement)
        messages.success(request, "Votre alerte est activée. Chaque courriel contient un lien pour vous désinscrire.")
        return redirect("cites:alertes")
    return render(
        request,
        "cites/alertes_jeton.html",
        {"title": titre, "breadcrumb_data": _breadcrumb(titre), "abonnement": abonnement, "action": "confirmer"},
    )


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" itself, with no token of ours
@never_cache
def alertes_desinscription(request, jeton: str):
    """One click: a POST unsubscribes (from the mail client or the page's button); GET asks."""
    titre = "Se désinscrire"
    abonnement = alertes.abonnement_get(jeton=jeton)
    if request.method == "POST":
        if abonnement is not None:
            alertes.abonnement_supprimer(abonnement=abonnement)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Désinscription enregistrée.", content_type="text/plain; charset=utf-8")
        messages.success(request, "Vous êtes désinscrit : votre adresse est effacée.")
        return redirect("cites:alertes")
    if abonnement is None:
        return _jeton_inconnu(request, titre)
    return render(
        request,
        "cites/alertes_jeton.html",
        {"title": titre, "breadcrumb_data": _breadcrumb(titre), "abonnement": abonnement, "action": "desinscrire"},
    )

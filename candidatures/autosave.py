"""What the server side of static/js/autosave.js needs, shared by every form that autosaves
(the candidature's steps, the revue de projet): how an autosave is recognised, the 401 in JSON
when the session ended, and the status line the page shows."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone


def est_autosave(request) -> bool:
    """A save sent by the script as the user types (not a click on « Enregistrer »)."""
    return request.headers.get("X-Autosave") == "1" or request.POST.get("autosave") == "1"


def autosave_connexion_requise(vue):
    """login_required, except that an autosave (fetch) whose session ended gets a 401 in JSON,
    so that the page says so at once instead of following a redirect to the log-in page."""

    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.headers.get("X-Autosave") == "1":
                return JsonResponse(
                    {
                        "enregistre": False,
                        "session": False,
                        "message": "Votre session a pris fin : ce que vous tapez est gardé dans ce navigateur. "
                        "Reconnectez-vous pour l'enregistrer.",
                        "connexion": reverse("comptes:connexion") + "?next=" + request.path,
                    },
                    status=401,
                )
            return redirect_to_login(request.get_full_path())
        return vue(request, *args, **kwargs)

    return enveloppe


def message_autosave(erreurs: list[dict]) -> str:
    """The status line under the form: when the draft was saved, and which fields are to correct."""
    heure = timezone.localtime().strftime("%H:%M")
    if not erreurs:
        return f"Brouillon enregistré à {heure}."
    n = len(erreurs)
    libelles = ", ".join(e["libelle"][:1].lower() + e["libelle"][1:] for e in erreurs)
    return f"Brouillon enregistré à {heure} — {n} champ{'s' if n > 1 else ''} à corriger : {libelles}."

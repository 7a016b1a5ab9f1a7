"""Porteurs' accounts: sign-up, e-mail confirmation, log-in/out, password reset (Django's auth views)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from candidatures import permissions, services
from candidatures.forms import ConnexionForm, InscriptionForm, MotDePasseOublieForm, NouveauMotDePasseForm
from candidatures.selectors import adresse_cle
from cites.views import client_address


def _page(titre: str) -> dict:
    return {"title": titre, "breadcrumb_data": {"links": [], "current": titre}}


INSCRIPTION_TROP = (
    "Beaucoup de comptes ont été demandés depuis votre connexion internet : pour éviter les envois "
    "automatiques, celui-ci n'a pas été créé. Réessayez dans une heure ; ce que vous avez saisi est conservé."
)
MOT_DE_PASSE_TROP = "Beaucoup de liens ont été demandés depuis votre connexion internet : réessayez dans une heure."


def inscription(request):
    if request.user.is_authenticated:
        return redirect("candidatures:tableau_de_bord")
    form = InscriptionForm(request.POST or None)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if services.limite_atteinte(
            cle=adresse_cle(adresse=client_address(request), usage="inscription"),
            limite=settings.SIGNUPS_PER_HOUR,
            fenetre=3600,
        ):
            form.add_error(None, INSCRIPTION_TROP)
            return _inscription_page(request, form, status=429)
        try:
            with transaction.atomic():
                if data["type_collectivite"] == "commune":
                    collectivite = services.collectivite_get_or_create_commune(commune=data["commune_obj"])
                else:
                    collectivite = services.collectivite_get_or_create_epci(
                        siren=data["siren"],
                        epci=data.get("epci_obj"),
                        nom=data.get("nom_epci", ""),
                        communes=data.get("communes_obj"),
                    )
                services.porteur_register(
                    email=data["email"],
                    password=data["password1"],
                    prenom=data["prenom"],
                    nom=data["nom"],
                    fonction=data.get("fonction", ""),
                    telephone=data.get("telephone", ""),
                    collectivite=collectivite,
                )
        except ValidationError as exc:
            status = 400
            if hasattr(exc, "error_dict"):
                for champ, erreurs in exc.error_dict.items():
                    form.add_error(champ if champ in form.fields else None, erreurs)
            else:
                form.add_error(None, exc)
        else:
            # The same answer whether the address had an account or not (its owner got an e-mail).
            request.session["inscription_email"] = data["email"]
            return redirect("comptes:inscription_envoyee")
    return _inscription_page(request, form, status=status)


def _inscription_page(request, form, *, status: int):
    return render(
        request, "comptes/inscription.html", {**_page("Créer un compte porteur"), "form": form}, status=status
    )


def inscription_envoyee(request):
    return render(
        request,
        "comptes/inscription_envoyee.html",
        {**_page("Confirmez votre adresse"), "email": request.session.get("inscription_email", "")},
    )


@never_cache
def session_etat(request):
    """For the autosave: is the session still open, and a CSRF token that is valid now (it changes
    at each log-in, so a page opened before a new log-in in another tab gets a fresh one)."""
    return JsonResponse({"connecte": request.user.is_authenticated, "csrf": get_token(request)})


def confirmation(request, token: str):
    try:
        profil = services.porteur_confirm_email(token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if profil.statut == profil.Statut.VALIDE:
            messages.success(request, "Votre adresse est confirmée. Vous pouvez déposer une candidature.")
        else:
            messages.success(
                request,
                "Votre adresse est confirmée. Un agent de votre région doit maintenant valider votre compte ; "
                "vous serez prévenu par courriel.",
            )
    if request.user.is_authenticated:
        return redirect("candidatures:tableau_de_bord")
    return redirect("comptes:connexion")


@login_required
@require_POST
def confirmation_renvoyer(request):
    profil = permissions.profil_porteur(request.user)
    if profil is not None and not profil.email_confirme:
        with transaction.atomic():
            services.porteur_send_confirmation(user=request.user)
        messages.success(request, f"Un nouveau lien de confirmation a été envoyé à {request.user.email}.")
    return redirect("candidatures:tableau_de_bord")


class Connexion(auth_views.LoginView):
    form_class = ConnexionForm
    template_name = "comptes/connexion.html"
    redirect_authenticated_user = True
    extra_context = _page("Se connecter")


class Deconnexion(auth_views.LogoutView):
    next_page = reverse_lazy("portal:accueil")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "Vous êtes déconnecté.")
        return response


class MotDePasseOublie(auth_views.PasswordResetView):
    form_class = MotDePasseOublieForm
    template_name = "comptes/mot_de_passe_oublie.html"
    email_template_name = "comptes/emails/mot_de_passe.txt"
    subject_template_name = "comptes/emails/mot_de_passe_sujet.txt"
    success_url = reverse_lazy("comptes:mot_de_passe_envoye")
    extra_context = _page("Mot de passe oublié")

    def form_valid(self, form):
        if services.limite_atteinte(
            cle=adresse_cle(adresse=client_address(self.request), usage="mot-de-passe"),
            limite=settings.PASSWORD_RESETS_PER_HOUR,
            fenetre=3600,
        ):
            form.add_error(None, MOT_DE_PASSE_TROP)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class MotDePasseEnvoye(auth_views.PasswordResetDoneView):
    template_name = "comptes/mot_de_passe_envoye.html"
    extra_context = _page("Courriel envoyé")


class MotDePasseNouveau(auth_views.PasswordResetConfirmView):
    form_class = NouveauMotDePasseForm
    template_name = "comptes/mot_de_passe_nouveau.html"
    success_url = reverse_lazy("comptes:mot_de_passe_modifie")
    extra_context = _page("Nouveau mot de passe")

    def form_valid(self, form):
        response = super().form_valid(form)
        # A new password lifts the waits of this account, from every address.
        services.connexion_reussie_enregistrer(identifiant=services.email_normalize(form.user.username))
        return response


class MotDePasseModifie(auth_views.PasswordResetCompleteView):
    template_name = "comptes/mot_de_passe_modifie.html"
    extra_context = _page("Mot de passe modifié")

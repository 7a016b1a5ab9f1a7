"""The people of a candidature (issue 13): the porteur's and co-editors' page (troïka, CPO,
principal; ask the troïka to confirm; invite the co-editors), the troïka's confirmation page
reached by a signed link without an account, and the co-editors' invitation page."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from candidatures import permissions, personnes, selectors, troika
from candidatures.forms import CompteCoediteurForm, PersonneCandidatureForm
from candidatures.models import Candidature, PersonneCandidature
from candidatures.workflow.etats import PORTEUR, etat_get

TITRE = "Troïka et co-éditeurs"

AIDES = {
    PersonneCandidature.Role.TROIKA_PREFECTURE: "Le préfet, souvent représenté par le sous-préfet ou le délégué "
    "du préfet chargé de la politique de la ville.",
    PersonneCandidature.Role.TROIKA_EDUCATION: "Le recteur, souvent représenté par le DASEN ou son adjoint.",
    PersonneCandidature.Role.TROIKA_COLLECTIVITE: "Le maire ou le président de l'intercommunalité, ou l'élu "
    "qui le représente.",
    PersonneCandidature.Role.CPO: "Le chef de projet opérationnel de la cité éducative.",
    PersonneCandidature.Role.PRINCIPAL: "Le principal du collège chef de file choisi à l'étape « Écoles ».",
}


def _breadcrumb(candidature: Candidature, current: str) -> dict:
    return {
        "links": [
            {"url": reverse("candidatures:tableau_de_bord"), "title": "Mes candidatures"},
            {"url": candidature.get_absolute_url(), "title": str(candidature)},
        ],
        "current": current,
    }


def _formulaire(personne: PersonneCandidature | None, role: str, data=None) -> PersonneCandidatureForm:
    initial = {"nom": personne.nom, "fonction": personne.fonction, "email": personne.email} if personne else None
    return PersonneCandidatureForm(data, initial=initial, prefix=role)


@login_required
def personnes_page(request, pk: int):
    candidature = selectors.candidature_get_for_user(user=request.user, pk=pk)
    peut_modifier = permissions.can_edit_candidature(request.user, candidature)
    existantes = {p.role: p for p in candidature.personnes.select_related("user")}
    saisi: tuple[str, PersonneCandidatureForm] | None = None  # the form that did not validate
    status = 200
    if request.method == "POST":
        if not peut_modifier:
            messages.error(request, "Cette candidature ne se modifie plus : ses personnes non plus.")
            return redirect("candidatures:personnes", pk=pk)
        action, _, role = request.POST.get("action", "").partition(":")
        personne = existantes.get(role)
        try:
            if action == "enregistrer" and role in PersonneCandidature.ROLES:
                form = _formulaire(personne, role, request.POST)
                if form.is_valid():
                    personnes.personne_save(candidature=candidature, user=request.user, role=role, **form.cleaned_data)
                    messages.success(request, f"{PersonneCandidature.Role(role).label.capitalize()} : enregistré.")
                    return redirect(f"{reverse('candidatures:personnes', kwargs={'pk': pk})}#personne-{role}")
                saisi, status = (role, form), 400
            elif action == "supprimer" and personne is not None:
                personnes.personne_delete(personne=personne, user=request.user)
                messages.success(request, f"{personne.nom} n’est plus indiqué sur la candidature.")
                return redirect("candidatures:personnes", pk=pk)
            elif action == "demander":
                demandes = personnes.troika_demander(candidature=candidature, user=request.user)
                noms = ", ".join(f"{p.nom} ({p.email})" for p in demandes)
                messages.success(request, f"Confirmation demandée par courriel à : {noms}.")
                return redirect(f"{reverse('candidatures:personnes', kwargs={'pk': pk})}#troika")
            elif action == "inviter" and personne is not None:
                personnes.coedition_inviter(personne=personne, user=request.user)
                messages.success(request, f"Invitation envoyée par courriel à {personne.nom} ({personne.email}).")
                return redirect(f"{reverse('candidatures:personnes', kwargs={'pk': pk})}#personne-{role}")
            else:
                messages.error(request, "Action inconnue : rechargez la page et recommencez.")
                return redirect("candidatures:personnes", pk=pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("candidatures:personnes", pk=pk)

    def bloc(role):
        personne = existantes.get(role)
        form = saisi[1] if saisi and saisi[0] == role else _formulaire(personne, role)
        return {
            "role": role,
            "libelle": PersonneCandidature.Role(role).label,
            "aide": AIDES[role],
            "personne": personne,
            "form": form,
        }

    confirmations = troika.troika_confirmations(candidature=candidature)
    context = {
        "title": TITRE,
        "breadcrumb_data": _breadcrumb(candidature, TITRE),
        "candidature": candidature,
        "peut_modifier": peut_modifier,
        "est_porteur": PORTEUR in permissions.roles_on(request.user, candidature),
        "troika": [(bloc(c.role), c) for c in confirmations],
        "coediteurs": [bloc(role) for role in PersonneCandidature.ROLES_COEDITION],
        "a_demander": any(c.personne is not None and not c.confirmee for c in confirmations),
        "requise": candidature.appel.confirmation_troika_requise,
        "erreur": saisi is not None,
    }
    return render(request, "candidatures/personnes.html", context, status=status)


# --- Pages reached by a signed link -------------------------------------------------------------


def _lien_invalide(request, exc: personnes.LienInvalide):
    return render(
        request,
        "candidatures/lien_invalide.html",
        {
            "title": "Lien invalide",
            "breadcrumb_data": {"links": [], "current": "Lien invalide"},
            "message": exc.message,
        },
        status=410 if exc.expire else 400,
    )


def _resume(candidature: Candidature) -> dict:
    return {
        "communes": list(candidature.communes.order_by("nom")),
        "qpvs": list(candidature.qpvs.order_by("code")),
        "actions": list(candidature.fiches_action.values_list("titre", flat=True)),
        "totaux": selectors.budget_totaux(candidature=candidature),
    }


@never_cache
def troika_confirmer(request, token: str):
    """The troïka's representative reads the summary and confirms in the name of their institution."""
    try:
        personne = personnes.troika_personne_from_token(token)
    except personnes.LienInvalide as exc:
        return _lien_invalide(request, exc)
    candidature = personne.candidature
    status = 200
    if request.method == "POST":
        try:
            personne = personnes.troika_confirmer(personne=personne)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 409
        else:
            messages.success(
                request,
                f"Merci : vous avez confirmé la candidature au nom de {troika.INSTITUTIONS[personne.role]}. "
                "Le porteur le voit sur sa candidature.",
            )
            return redirect("troika:confirmer", token=token)
    [etat] = [c for c in troika.troika_confirmations(candidature=candidature) if c.role == personne.role]
    titre = "Confirmer la candidature"
    context = {
        "title": titre,
        "breadcrumb_data": {"links": [], "current": titre},
        "candidature": candidature,
        "personne": personne,
        "institution": troika.INSTITUTIONS[personne.role],
        "etat": etat,
        "ouverte": PORTEUR in etat_get(candidature.etat).modifiable_par,
        **_resume(candidature),
    }
    return render(request, "candidatures/troika_confirmer.html", context, status=status)


@never_cache
def coedition_invitation(request, token: str):
    """The CPO or the principal accepts the invitation: logged in, their account is linked; without
    an account, they create one here (the link sent to their address proves it)."""
    try:
        personne = personnes.coedition_personne_from_token(token)
    except personnes.LienInvalide as exc:
        return _lien_invalide(request, exc)
    candidature = personne.candidature
    compte_existe = get_user_model().objects.filter(username__iexact=personne.email).exists()
    form = None
    status = 200
    if request.user.is_authenticated:
        if request.method == "POST":
            personnes.coedition_accepter(personne=personne, user=request.user)
            messages.success(request, "Invitation acceptée : vous co-éditez maintenant cette candidature.")
            return redirect(candidature)
    elif not compte_existe:
        form = CompteCoediteurForm(request.POST or None, email=personne.email)
        if request.method == "POST":
            if form.is_valid():
                try:
                    user = personnes.coedition_compte_creer(
                        personne=personne,
                        prenom=form.cleaned_data["prenom"],
                        nom=form.cleaned_data["nom"],
                        password=form.cleaned_data["password1"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                    status = 400
                else:
                    login(request, user, backend="candidatures.backends.EmailBackend")
                    messages.success(
                        request, "Votre compte est créé et l’invitation acceptée : vous co-éditez cette candidature."
                    )
                    return redirect(candidature)
            else:
                status = 400
    titre = "Invitation à co-éditer une candidature"
    context = {
        "title": titre,
        "breadcrumb_data": {"links": [], "current": titre},
        "candidature": candidature,
        "personne": personne,
        "form": form,
        "compte_existe": compte_existe,
        "connexion_url": reverse("comptes:connexion") + "?next=" + request.path,
    }
    return render(request, "candidatures/coedition_invitation.html", context, status=status)

"""The porteur's side: dashboard, the multi-step form, summary and deposit, follow-up, downloads."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from candidatures import contenu, instruction, permissions, selectors, services, troika
from candidatures import forms as f
from candidatures.autosave import autosave_connexion_requise, est_autosave, message_autosave
from candidatures.fichiers import FORMATS
from candidatures.models import BrouillonEtape, Candidature, Etat
from candidatures.services import ETAPES_CHAMPS, TransitionRefusee
from candidatures.workflow.etats import COEDITEUR, PORTEUR, etat_get
from candidatures.workflow.transitions import depot_cibles, transition_depot
from cites.stockage import fichier_prive_reponse

TITRE_ESPACE = "Mes candidatures"


@dataclass(frozen=True)
class Etape:
    """A step of candidatures.contenu with the form and the formset the page shows."""

    contenu: contenu.Etape
    form_class: type | None = None
    formset_class: type | None = None

    def __getattr__(self, nom):  # slug, titre, intro, prefixe, ligne_nom, lignes_au_depart
        return getattr(self.contenu, nom)


FORMULAIRES = {
    "territoire": (f.TerritoireForm, None),
    "ecoles": (f.EcolesForm, f.EtablissementHorsFormSet),
    "diagnostic": (f.DiagnosticForm, f.IndicateurFormSet),
    "actions": (None, f.FicheActionFormSet),
    "pilotage": (f.PilotageForm, None),
    "budget": (None, f.LigneBudgetFormSet),
    "communication": (f.CommunicationForm, None),
}
ETAPES = [Etape(e, *FORMULAIRES.get(e.slug, (None, None))) for e in contenu.ETAPES]
ETAPES_PAR_SLUG = {e.slug: e for e in ETAPES}
# The DSFR stepper counts at most 8 steps: the form's 8, the summary comes after them.
ETAPES_FORMULAIRE = [e for e in ETAPES if e.formulaire]


def _breadcrumb(current: str, candidature: Candidature | None = None) -> dict:
    links = [{"url": reverse("candidatures:tableau_de_bord"), "title": TITRE_ESPACE}]
    if candidature is not None:
        links.append({"url": candidature.get_absolute_url(), "title": str(candidature)})
    return {"links": links, "current": current}


# --- Dashboard ------------------------------------------------------------------------------


@login_required
def tableau_de_bord(request):
    user = request.user
    profil = permissions.profil_porteur(user)
    context = {
        "title": TITRE_ESPACE,
        "breadcrumb_data": {"links": [], "current": TITRE_ESPACE},
        "profil": profil,
        "peut_deposer": permissions.can_file(user),
        "est_agent": permissions.is_agent(user),
        "coeditees": list(selectors.candidature_list_coeditees(user=user)),
    }
    if context["peut_deposer"]:
        candidatures = list(selectors.candidature_list_for_collectivite(user=user))
        appels = list(selectors.appel_list_ouverts())
        context.update(
            candidatures=candidatures,
            appels=appels,
            nouvelle_form=f.NouvelleCandidatureForm(appels=selectors.appel_list_ouverts()) if appels else None,
        )
    cle = request.GET.get("territoire", "")
    if cle and profil is not None:
        # Coming from the eligibility simulator: the new draft starts with that territory if it is theirs.
        communes = selectors.territoire_pour_collectivite(cle=cle, collectivite=profil.collectivite)
        context["territoire_cle"] = cle[:30] if communes else ""
        context["territoire_communes"] = communes
        context["territoire_refuse"] = not communes
    return render(request, "candidatures/tableau_de_bord.html", context)


@login_required
@require_POST
def nouvelle(request):
    form = f.NouvelleCandidatureForm(request.POST, appels=selectors.appel_list_ouverts())
    if not form.is_valid():
        messages.error(request, "Choisissez un appel à projets ouvert.")
        return redirect("candidatures:tableau_de_bord")
    communes = None
    if request.POST.get("territoire") and permissions.can_file(request.user):
        communes = selectors.territoire_pour_collectivite(
            cle=request.POST["territoire"], collectivite=request.user.profil_porteur.collectivite
        )
    try:
        candidature = services.candidature_create(
            user=request.user, appel=form.cleaned_data["appel"], communes=communes
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("candidatures:tableau_de_bord")
    messages.success(
        request, "Votre brouillon est créé : chaque étape est enregistrée, vous pouvez revenir à tout moment."
    )
    return redirect("candidatures:etape", pk=candidature.pk, etape=ETAPES[0].slug)


# --- The steps ------------------------------------------------------------------------------


def _etapes_nav(candidature: Candidature, courante: str) -> list[dict]:
    return [
        {
            "numero": i if i <= len(ETAPES_FORMULAIRE) else None,
            "slug": e.slug,
            "titre": e.titre,
            "url": reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": e.slug}),
            "courante": e.slug == courante,
        }
        for i, e in enumerate(ETAPES, start=1)
    ]


def _initial_form(etape: Etape, c: Candidature) -> dict:
    initial = {}
    noms_champs, noms_relations, _ = ETAPES_CHAMPS[etape.slug]
    for nom in noms_champs:
        initial[nom] = getattr(c, Candidature._meta.get_field(nom).attname)  # a foreign key: its id
    for nom in noms_relations:
        initial[nom] = list(getattr(c, nom).values_list("pk", flat=True))
    return initial


def _initial_formset(etape: Etape, c: Candidature) -> list[dict]:
    if etape.slug == "diagnostic":
        return [
            {"categorie": i.categorie, "libelle": i.libelle, "valeur": i.valeur, "annee": i.annee, "source": i.source}
            for i in c.indicateurs.all()
        ]
    if etape.slug == "actions":
        return [f.FicheActionForm.initial_from(fiche) for fiche in c.fiches_action.all()]
    if etape.slug == "ecoles":
        return f.EtablissementHorsForm.initial_from(c.etablissements_hors_referentiel)
    if etape.slug == "budget":
        return [
            {"annee": b.annee, "cofinanceur": b.cofinanceur, "objet": b.objet, "montant": b.montant}
            for b in c.lignes_budget.all()
        ]
    return []


def _build(etape: Etape, c: Candidature, data=None, *, lignes_en_plus: int = 0):
    form = formset = None
    if etape.form_class is not None:
        kwargs = {"candidature": c} if etape.form_class in (f.TerritoireForm, f.EcolesForm) else {}
        if data is None:
            form = etape.form_class(initial=_initial_form(etape, c), **kwargs)
        else:
            form = etape.form_class(data, **kwargs)
    if etape.formset_class is not None:
        if data is None:
            initial = _initial_formset(etape, c)
            if not initial:
                lignes_en_plus += etape.lignes_au_depart - 1  # the formset adds one empty row itself
            initial += [{} for _ in range(lignes_en_plus)]
            formset = etape.formset_class(initial=initial, prefix=etape.prefixe)
        else:
            formset = etape.formset_class(data, prefix=etape.prefixe)
    return form, formset


def _raw(post) -> dict:
    ignores = {"csrfmiddlewaretoken", "action", "autosave"}
    return {k: post.getlist(k) for k in post if k not in ignores}


def _ancre(champ) -> str:
    """The id a link to this field points at (DSFR wraps checkboxes and radios in a fieldset)."""
    widget = champ.field.widget
    if isinstance(widget, f.forms.CheckboxSelectMultiple):
        return f"checkboxes-{champ.auto_id}"
    if isinstance(widget, f.forms.RadioSelect):
        return f"radio-{champ.auto_id}"
    return champ.auto_id


def _erreurs_form(form, prefixe_libelle: str = "") -> list[dict]:
    erreurs = []
    for nom, messages_champ in form.errors.items():
        if nom in form.fields:
            champ = form[nom]
            libelle = str(champ.label)
            ancre = _ancre(champ)
        else:
            libelle, ancre = "Ensemble de l'étape", ""
        if prefixe_libelle:
            libelle = f"{prefixe_libelle} : {libelle[:1].lower()}{libelle[1:]}"
        erreurs.append({"id": ancre, "libelle": libelle, "message": " ".join(messages_champ)})
    return erreurs


def _erreurs(etape: Etape, form, formset) -> list[dict]:
    """Every field of the step that did not validate: its id (for links), its label, the message."""
    erreurs = _erreurs_form(form) if form is not None else []
    if formset is not None:
        for numero, ligne in enumerate(formset.forms, start=1):
            erreurs.extend(_erreurs_form(ligne, f"{etape.ligne_nom} {numero}"))
        for message in formset.non_form_errors():
            erreurs.append({"id": f"{etape.prefixe}-lignes", "libelle": etape.ligne_nom, "message": message})
    return erreurs


def _save(etape: Etape, c: Candidature, user, form, formset, *, saisie: dict) -> list[dict]:
    """Store every valid field and row of the step; keep the invalid ones as typed. Returns the errors."""
    _, noms_relations, _ = ETAPES_CHAMPS[etape.slug]
    champs, relations = {}, {}
    if form is not None:
        form.is_valid()
        # Django leaves out of cleaned_data every field that did not validate: the others are stored.
        for nom, valeur in form.cleaned_data.items():
            (relations if nom in noms_relations else champs)[nom] = valeur
    lignes = None
    if formset is not None and not formset.management_form.is_valid():
        formset = None  # a POST without the rows (not from the page): the rows stay as they are
    if formset is not None:
        formset.is_valid()
        lignes = f.ligne_rows(formset)
    if etape.slug == "ecoles" and lignes is not None:
        # Schools outside the reference data: rows on the page, lines of one text field in the database.
        champs["etablissements_hors_referentiel"] = "\n".join(f.EtablissementHorsForm.ligne(r) for r in lignes)
        lignes = None
    erreurs = _erreurs(etape, form, formset)
    services.candidature_update(
        candidature=c,
        user=user,
        etape=etape.slug,
        champs=champs,
        relations=relations,
        lignes=lignes,
        saisie=saisie,
        erreurs=erreurs,
    )
    return erreurs


def _fragments(request, candidature: Candidature, etape_def: Etape) -> dict:
    """Parts of the step page that follow what is stored (sent back to the autosave to be replaced)."""
    from django.template.loader import render_to_string

    fragments = {}
    contexte = _contexte_etape(candidature, etape_def)
    if "totaux" in contexte:
        fragments["totaux-budget"] = render_to_string(
            "candidatures/_budget_totaux.html", {"totaux": contexte["totaux"]}, request=request
        )
    if "eligibilite" in contexte:
        fragments["eligibilite"] = render_to_string(
            "candidatures/_eligibilite_etape.html", {"eligibilite": contexte["eligibilite"]}, request=request
        )
    return fragments


@autosave_connexion_requise
def etape(request, pk: int, etape: str):
    etape_def = ETAPES_PAR_SLUG.get(etape)
    if etape_def is None:
        raise Http404("Étape inconnue")
    candidature = selectors.candidature_get_for_user(user=request.user, pk=pk)
    autosave = est_autosave(request)
    if not permissions.can_edit_candidature(request.user, candidature):
        if autosave:
            return JsonResponse(
                {
                    "enregistre": False,
                    "message": f"Cette candidature est « {candidature.get_etat_display()} » : elle ne se modifie plus.",
                },
                status=409,
            )
        if PORTEUR not in etat_get(candidature.etat).modifiable_par:
            messages.info(
                request, f"Cette candidature est « {candidature.get_etat_display()} » : elle ne se modifie plus."
            )
        return redirect(candidature)
    if etape_def.slug == "pieces":
        return _etape_pieces(request, candidature, etape_def)
    if etape_def.slug == "recapitulatif":
        return _etape_recapitulatif(request, candidature, etape_def)

    brouillon_restaure = False
    erreurs: list[dict] = []
    if request.method == "POST":
        form, formset = _build(etape_def, candidature, request.POST)
        try:
            erreurs = _save(etape_def, candidature, request.user, form, formset, saisie=_raw(request.POST))
        except ValidationError as exc:
            if autosave:
                return JsonResponse({"enregistre": False, "message": " ".join(exc.messages)}, status=409)
            messages.error(request, " ".join(exc.messages))
            return redirect(candidature)
        if autosave:
            candidature.refresh_from_db()
            return JsonResponse(
                {
                    "enregistre": True,
                    "erreurs": erreurs,
                    "message": message_autosave(erreurs),
                    "fragments": _fragments(request, candidature, etape_def),
                }
            )
        if not erreurs:
            messages.success(request, f"Étape « {etape_def.titre} » enregistrée.")
            action = request.POST.get("action")
            if action == "continuer":
                suivante = ETAPES[ETAPES.index(etape_def) + 1]
                return redirect("candidatures:etape", pk=candidature.pk, etape=suivante.slug)
            url = reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": etape_def.slug})
            if action == "ajouter-ligne" and formset is not None:
                # The page always ends with an empty row; one more only if the porteur left it empty.
                vide = any(ligne.cleaned_data is not None and ligne.est_vide() for ligne in formset.forms)
                return redirect(f"{url}{'?lignes=1' if vide else ''}#{etape_def.prefixe}-lignes")
            return redirect(url)
        candidature.refresh_from_db()
    else:
        brouillon = BrouillonEtape.objects.filter(candidature=candidature, etape=etape_def.slug).first()
        if brouillon is not None:
            form, formset = _build(etape_def, candidature, MultiValueDict(brouillon.donnees))
            if form is not None:
                form.is_valid()
            if formset is not None:
                formset.is_valid()
            erreurs = _erreurs(etape_def, form, formset)
            brouillon_restaure = True
        else:
            lignes_en_plus = 1 if request.GET.get("lignes") == "1" else 0
            form, formset = _build(etape_def, candidature, lignes_en_plus=lignes_en_plus)
    return _render_etape(
        request,
        candidature,
        etape_def,
        form=form,
        formset=formset,
        brouillon_restaure=brouillon_restaure,
        liste_erreurs=erreurs,
        erreurs=len(erreurs),
    )


def _contexte_etape(candidature: Candidature, etape_def: Etape) -> dict:
    context = {}
    if etape_def.slug == "territoire":
        context["communes_sans_qpv"] = selectors.communes_sans_qpv_reference(
            communes=selectors.collectivite_communes(collectivite=candidature.collectivite)
        )
        context["eligibilite"] = selectors.candidature_verification_etape(
            candidature=candidature, verifications=[selectors.Critere.Verification.QPV]
        )
    if etape_def.slug == "ecoles":
        context["communes_sans_ecoles"] = selectors.communes_sans_etablissements(communes=candidature.communes.all())
        context["sans_communes"] = not candidature.communes.exists()
        context["eligibilite"] = selectors.candidature_verification_etape(
            candidature=candidature,
            verifications=[
                selectors.Critere.Verification.CHEF_DE_FILE,
                selectors.Critere.Verification.REP,
                selectors.Critere.Verification.IPS,
            ],
        )
    if etape_def.slug == "budget":
        context["totaux"] = selectors.budget_totaux(candidature=candidature)
    return context


def _render_etape(request, candidature, etape_def, **extra):
    index = ETAPES.index(etape_def)
    total = len(ETAPES_FORMULAIRE)
    dans_stepper = etape_def in ETAPES_FORMULAIRE
    context = {
        "title": f"{etape_def.titre} — étape {index + 1} sur {total}" if dans_stepper else etape_def.titre,
        "breadcrumb_data": _breadcrumb(etape_def.titre, candidature),
        "candidature": candidature,
        "etape": etape_def,
        "etapes": _etapes_nav(candidature, etape_def.slug),
        "stepper": {
            "current_step_id": index + 1,
            "current_step_title": etape_def.titre,
            "next_step_title": ETAPES[index + 1].titre if index + 1 < len(ETAPES) else "",
            "total_steps": total,
            "heading_tag": "h1",
        }
        if dans_stepper
        else None,
        "precedente": ETAPES[index - 1] if index > 0 else None,
        "suivante": ETAPES[index + 1] if index + 1 < len(ETAPES) else None,
        "session_url": reverse("comptes:session"),
        **_contexte_etape(candidature, etape_def),
        **extra,
    }
    return render(request, "candidatures/etape.html", context)


def _etape_pieces(request, candidature, etape_def):
    form = f.PieceForm()
    if request.method == "POST":
        form = f.PieceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                piece = services.piece_add(
                    candidature=candidature,
                    user=request.user,
                    type=form.cleaned_data["type"],
                    fichier=form.cleaned_data["fichier"],
                )
            except ValidationError as exc:
                form.add_error("fichier", exc)
            else:
                messages.success(request, f"Pièce « {piece.nom} » ajoutée.")
                return redirect("candidatures:etape", pk=candidature.pk, etape=etape_def.slug)
    return _render_etape(request, candidature, etape_def, piece_form=form, pieces=list(candidature.pieces.all()))


def _coediteur_seulement(user, candidature: Candidature) -> bool:
    """A co-editor (CPO, principal) who is not a porteur: the page says deposit and withdrawal are not theirs."""
    roles = permissions.roles_on(user, candidature)
    return COEDITEUR in roles and PORTEUR not in roles


def _etape_recapitulatif(request, candidature, etape_def):
    bilan = selectors.candidature_bilan(candidature=candidature)
    depot = transition_depot(source=candidature.etat)
    demande = None
    if candidature.etat == Etat.COMPLEMENTS_DEMANDES:
        demande = candidature.evenements.filter(etat_apres=Etat.COMPLEMENTS_DEMANDES).order_by("-date").first()
    return _render_etape(
        request,
        candidature,
        etape_def,
        bilan=bilan,
        confirmations=troika.troika_confirmations(candidature=candidature),
        coediteur=_coediteur_seulement(request.user, candidature),
        appel_ouvert=selectors.appel_est_ouvert(appel=candidature.appel),
        peut_deposer=depot is not None and permissions.can_transition(request.user, candidature, depot.cible),
        redepot=candidature.etat == Etat.COMPLEMENTS_DEMANDES,
        demande=demande,
        lien_etapes=True,
    )


# --- Deposit, withdrawal, follow-up ---------------------------------------------------------


@login_required
@require_POST
def deposer(request, pk: int):
    candidature = selectors.candidature_get_for_user(user=request.user, pk=pk)
    try:
        candidature = services.candidature_submit(candidature=candidature, actor=request.user)
    except TransitionRefusee as exc:
        candidature.refresh_from_db()
        if candidature.etat in depot_cibles() and candidature.reference:
            # A second click, or another porteur was quicker: it is filed once.
            messages.info(request, f"Cette candidature est déjà déposée (référence {candidature.reference}).")
            return redirect(candidature)
        messages.error(request, " ".join([exc.message, *exc.problemes]))
        return redirect("candidatures:etape", pk=candidature.pk, etape="recapitulatif")
    messages.success(
        request,
        f"Votre candidature est déposée sous la référence {candidature.reference}. "
        "Un accusé de réception vous a été envoyé par courriel ; le récépissé est téléchargeable ci-dessous.",
    )
    return redirect(candidature)


@login_required
def retirer(request, pk: int):
    candidature = selectors.candidature_get_for_user(user=request.user, pk=pk)
    if not permissions.can_transition(request.user, candidature, Etat.RETIREE):
        if _coediteur_seulement(request.user, candidature):
            messages.error(request, f"Le retrait est réservé aux porteurs de {candidature.collectivite.nom}.")
        else:
            messages.error(request, "Cette candidature ne peut plus être retirée.")
        return redirect(candidature)
    form = f.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidature_transition(
                candidature=candidature, to=Etat.RETIREE, actor=request.user, message=form.cleaned_data["message"]
            )
        except TransitionRefusee as exc:
            messages.error(request, " ".join([exc.message, *exc.problemes]))
        else:
            messages.success(request, "La candidature est retirée.")
        return redirect(candidature)
    return render(
        request,
        "candidatures/retirer.html",
        {
            "title": "Retirer la candidature",
            "breadcrumb_data": _breadcrumb("Retirer", candidature),
            "candidature": candidature,
            "form": form,
        },
    )


@login_required
def detail(request, pk: int):
    candidature = selectors.candidature_get_for_user(user=request.user, pk=pk)
    user = request.user
    evenements = list(selectors.candidature_evenements(candidature=candidature))
    peut_modifier = permissions.can_edit_candidature(user, candidature)
    demande = None
    if candidature.etat == Etat.COMPLEMENTS_DEMANDES:
        demande = next((e for e in reversed(evenements) if e.etat_apres == Etat.COMPLEMENTS_DEMANDES), None)
    return render(
        request,
        "candidatures/detail.html",
        {
            "title": f"Candidature {candidature}",
            "breadcrumb_data": _breadcrumb(str(candidature)),
            "candidature": candidature,
            "evenements": evenements,
            # The changes of state and the troïka's confirmations, oldest first.
            "historique": sorted(
                [*evenements, *selectors.troika_confirmations_historique(candidature=candidature)],
                key=lambda e: e.date,
            ),
            "fil": selectors.candidature_fil(candidature=candidature),
            "peut_ecrire": permissions.can_message_candidature(user, candidature),
            "message_form": f.MessageAgentsForm(),
            "demande": demande,
            "peut_modifier": peut_modifier,
            "lien_etapes": peut_modifier,
            "peut_retirer": permissions.can_transition(user, candidature, Etat.RETIREE),
            "finale": etat_get(candidature.etat).final,
            "bilan": selectors.candidature_bilan(candidature=candidature),
            "confirmations": troika.troika_confirmations(candidature=candidature),
            "coediteur": _coediteur_seulement(user, candidature),
            "totaux": selectors.budget_totaux(candidature=candidature),
            "pieces": list(candidature.pieces.all()),
        },
    )


@login_required
@require_POST
def message_envoyer(request, pk: int):
    """The porteur writes to the agents of their candidature (the thread of the instruction)."""
    candidature = selectors.candidature_get_for_user(user=request.user, pk=pk)
    form = f.MessageAgentsForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Écrivez votre message avant de l'envoyer.")
        return redirect(candidature)
    fichier = form.cleaned_data.get("fichier")
    try:
        instruction.message_send(
            candidature=candidature,
            user=request.user,
            texte=form.cleaned_data["texte"],
            fichiers=[fichier] if fichier else [],
        )
    except ValidationError as exc:
        messages.error(request, "Le message n'est pas envoyé : " + " ".join(exc.messages))
    else:
        messages.success(request, "Votre message est envoyé ; les agents qui instruisent la candidature sont prévenus.")
    return redirect(f"{candidature.get_absolute_url()}#messages")


def _download(fichier, *, nom: str, content_type: str):
    return fichier_prive_reponse(fichier, nom=nom, content_type=content_type)


@login_required
def piece_telecharger(request, pk: int, piece_pk: int):
    piece = selectors.piece_get_for_user(user=request.user, candidature_pk=pk, pk=piece_pk)
    return _download(piece.fichier, nom=piece.nom, content_type=FORMATS[piece.format][0])


@login_required
@require_POST
def piece_supprimer(request, pk: int, piece_pk: int):
    piece = selectors.piece_get_for_user(user=request.user, candidature_pk=pk, pk=piece_pk)
    try:
        services.piece_delete(piece=piece, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Pièce « {piece.nom} » supprimée.")
    return redirect("candidatures:etape", pk=pk, etape="pieces")


@login_required
def message_piece_telecharger(request, pk: int, piece_pk: int):
    piece = selectors.piece_message_get_for_user(user=request.user, candidature_pk=pk, pk=piece_pk)
    return _download(piece.fichier, nom=piece.nom, content_type=FORMATS[piece.format][0])


@login_required
def recepisse(request, pk: int):
    candidature = selectors.candidature_get_for_user(user=request.user, pk=pk)
    if not candidature.recepisse:
        raise Http404("Pas encore de récépissé")
    return _download(
        candidature.recepisse, nom=f"recepisse-{candidature.reference}.pdf", content_type="application/pdf"
    )

"""The revue de projet online: référents fill it, the troïka validates it, the région then the
ANCT review it; the national synthesis (agents: CSV) and its public aggregates."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from candidatures import permissions
from candidatures import selectors as candidatures_selectors
from candidatures.autosave import autosave_connexion_requise, est_autosave, message_autosave
from candidatures.selectors import appel_list_ouverts
from cites.formats import texte_tableur
from cites.models import CiteEducative, PersonneCite
from revues import renouvellement as renouvellements
from revues import selectors, services
from revues.models import Etat, Question, Questionnaire, Revue
from revues.workflow import ETATS, REFERENT, TROIKA, TransitionRefusee, revue_transition, transitions_possibles


def _revue_for(request, pk: int) -> tuple[Revue, set[str]]:
    revue = get_object_or_404(Revue.objects.select_related("cite", "questionnaire"), pk=pk)
    roles = selectors.revue_roles(user=request.user, revue=revue)
    if not roles:
        raise Http404("Revue introuvable")
    return revue, roles


@login_required
def liste(request):
    mes_cites = CiteEducative.objects.filter(
        personnes__user=request.user, personnes__actif=True, personnes__role__in=PersonneCite.ROLES_REFERENTS
    ).distinct()
    ouverts = list(Questionnaire.objects.filter(ouvert=True))
    revues = list(selectors.revue_list_for_user(user=request.user))
    existantes = {(r.cite_id, r.questionnaire_id) for r in revues}
    a_commencer = [(cite, q) for cite in mes_cites for q in ouverts if (cite.pk, q.pk) not in existantes]
    return render(
        request,
        "revues/liste.html",
        {
            "title": "Revues de projet",
            "breadcrumb_data": {"current": "Revues de projet"},
            "revues": [(r, ETATS[r.etat]) for r in revues],
            "a_commencer": a_commencer,
            "renouvelables": renouvellements.cite_list_renouvelables(user=request.user),
        },
    )


@login_required
@require_POST
def commencer(request, cite_pk: int, questionnaire_pk: int):
    # Active référents only (a person replaced at a renewal is kept, inactive); distinct: one account
    # may hold two roles of the cité (the porteur référent who is also its CPO).
    cite = get_object_or_404(
        CiteEducative.objects.filter(
            personnes__user=request.user, personnes__actif=True, personnes__role__in=PersonneCite.ROLES_REFERENTS
        ).distinct(),
        pk=cite_pk,
    )
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_pk, ouvert=True)
    revue = services.revue_get_or_create(cite=cite, questionnaire=questionnaire)
    return redirect("revues:detail", pk=revue.pk)


def _contexte(request, revue: Revue, roles: set[str], *, saisies: dict | None = None, erreurs: list | None = None):
    reponses = {r.question_id: r for r in revue.reponses.all()}
    sections = []
    for section in revue.questionnaire.sections.prefetch_related("questions"):
        lignes = []
        for question in section.questions.all():
            reponse = reponses.get(question.pk)
            valeur = (saisies or {}).get(f"q{question.pk}", reponse.valeur if reponse else "")
            lignes.append({"question": question, "reponse": reponse, "valeur": valeur})
        sections.append((section, lignes))
    etat = ETATS[revue.etat]
    validations = {v.institution: v for v in revue.validations.select_related("valide_par")}
    return {
        "title": f"Revue de projet {revue.questionnaire.annee} — {revue.cite.nom}",
        "breadcrumb_data": {
            "links": [{"url": reverse("revues:liste"), "title": "Revues de projet"}],
            "current": f"{revue.cite.nom} — {revue.questionnaire.annee}",
        },
        "revue": revue,
        "etat": etat,
        "sections": sections,
        "modifiable": REFERENT in roles and REFERENT in etat.modifiable_par,
        # The référents transmit from the form itself (their answers saved on the way).
        "transitions": [t for t in transitions_possibles(revue=revue, roles=roles) if t.cible != Etat.TRANSMISE],
        "peut_valider": TROIKA in roles
        and revue.etat == "transmise"
        and any(i not in validations for i in selectors.troika_institutions(user=request.user, revue=revue)),
        "validations": [
            (value, label, validations.get(value)) for value, label in revue.validations.model.Institution.choices
        ],
        "evenements": revue.evenements.select_related("auteur__profil_agent__region"),
        "problemes": selectors.revue_problemes(revue=revue) if REFERENT in roles else [],
        "erreurs": erreurs or [],
        "types": Question.Type,
        "session_url": reverse("comptes:session"),
    }


def _autosave(request, revue: Revue, roles: set[str]) -> JsonResponse:
    """What static/js/autosave.js sends as the référent types: every answer is stored, the invalid
    ones as typed with their error (files wait for « Enregistrer »); the page is told what to fix."""
    if REFERENT not in roles:
        return JsonResponse(
            {"enregistre": False, "message": "Seuls les référents de la cité remplissent la revue."}, status=409
        )
    try:
        services.reponses_save(revue=revue, user=request.user, donnees=request.POST)
    except ValidationError as erreur:
        return JsonResponse({"enregistre": False, "message": " ".join(erreur.messages)}, status=409)
    erreurs = selectors.revue_erreurs(revue=revue)
    problemes = render_to_string(
        "revues/_problemes.html", {"problemes": selectors.revue_problemes(revue=revue)}, request=request
    )
    return JsonResponse(
        {
            "enregistre": True,
            "erreurs": erreurs,
            "message": message_autosave(erreurs),
            "fragments": {"revue-problemes": problemes},
        }
    )


@autosave_connexion_requise
def detail(request, pk: int):
    revue, roles = _revue_for(request, pk)
    if request.method == "POST" and est_autosave(request):
        return _autosave(request, revue, roles)
    status = 200
    erreurs = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "enregistrer":
                services.reponses_save(revue=revue, user=request.user, donnees=request.POST, fichiers=request.FILES)
                messages.success(request, "Réponses enregistrées.")
                return redirect("revues:detail", pk=revue.pk)
            if action == "valider":
                services.revue_valider(revue=revue, user=request.user)
                messages.success(request, "Validation enregistrée au nom de votre institution.")
                return redirect("revues:detail", pk=revue.pk)
            if action in ("transition", "transmettre"):
                # Transmitting saves what the form holds first: nothing typed is lost on the way.
                if REFERENT in roles and REFERENT in ETATS[revue.etat].modifiable_par:
                    services.reponses_save(revue=revue, user=request.user, donnees=request.POST, fichiers=request.FILES)
                revue_transition(
                    revue=revue,
                    cible=Etat.TRANSMISE if action == "transmettre" else request.POST.get("cible", ""),
                    actor=request.user,
                    roles=roles,
                    message=request.POST.get("message", ""),
                )
                messages.success(request, f"La revue est maintenant « {ETATS[revue.etat].libelle} ».")
                return redirect("revues:detail", pk=revue.pk)
            raise ValidationError("Action inconnue.")
        except PermissionDenied:
            raise Http404("Revue introuvable") from None
        except (ValidationError, KeyError) as erreur:
            erreurs = erreur.messages if isinstance(erreur, ValidationError) else ["État inconnu."]
            status = 409 if isinstance(erreur, TransitionRefusee) else 400
    saisies = {k: v for k, v in request.POST.items() if k.startswith("q")} if request.method == "POST" else None
    return render(
        request, "revues/detail.html", _contexte(request, revue, roles, saisies=saisies, erreurs=erreurs), status=status
    )


def _questionnaire(annee: int) -> Questionnaire:
    return get_object_or_404(Questionnaire, annee=annee)


def synthese_publique(request, annee: int):
    """The public aggregates of the revues accepted by the ANCT: numbers, amounts and choices only."""
    questionnaire = _questionnaire(annee)
    agregats = [
        a for a in selectors.synthese(questionnaire=questionnaire) if a.question.type not in ("texte", "fichier")
    ]
    return render(
        request,
        "revues/synthese.html",
        {
            "title": f"Revues de projet {annee} : synthèse nationale",
            "breadcrumb_data": {"current": f"Synthèse des revues de projet {annee}"},
            "questionnaire": questionnaire,
            "agregats": agregats,
            "nombre_revues": questionnaire.revues.filter(etat="acceptee").count(),
        },
    )


COLONNES_SYNTHESE = ["section", "question", "type", "region", "reponses", "somme", "moyenne", "distribution"]


def _lignes_synthese(questionnaire) -> list[list]:
    lignes = []
    for a in selectors.synthese(questionnaire=questionnaire):
        distribution = " ; ".join(f"{choix} : {n}" for choix, n in a.distribution)
        lignes.append(
            [
                a.question.section.titre,
                a.question.libelle,
                a.question.type,
                "France entière",
                a.reponses,
                a.somme,
                a.moyenne,
                distribution,
            ]
        )
        for region, n, somme in a.par_region:
            lignes.append([a.question.section.titre, a.question.libelle, a.question.type, region, n, somme, None, ""])
    return lignes


@login_required
def synthese_xlsx(request, annee: int):
    """Agents: the same synthesis as a spreadsheet (texts written as text, amounts as numbers)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from candidatures.exports import XLSX_TYPE

    if not permissions.is_agent(request.user):
        raise Http404("Page introuvable")
    questionnaire = _questionnaire(annee)
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(f"Revues {annee}")
    feuille.append(COLONNES_SYNTHESE)
    for ligne in _lignes_synthese(questionnaire):
        cellules = []
        for valeur in ligne:
            cellule = WriteOnlyCell(feuille, value=valeur)
            if isinstance(valeur, str):
                cellule.data_type = "s"  # never a formula
            cellules.append(cellule)
        feuille.append(cellules)
    buffer = io.BytesIO()
    classeur.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="synthese-revues-{annee}.xlsx"'
    return response


@login_required
def synthese_csv(request, annee: int):
    """Agents: the synthesis per question and per région, as CSV (`;`, UTF-8 with BOM)."""
    if not permissions.is_agent(request.user):
        raise Http404("Page introuvable")
    questionnaire = _questionnaire(annee)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLONNES_SYNTHESE)
    for a in selectors.synthese(questionnaire=questionnaire):
        distribution = " ; ".join(f"{choix} : {n}" for choix, n in a.distribution)
        writer.writerow(
            [
                texte_tableur(a.question.section.titre),
                texte_tableur(a.question.libelle),
                a.question.type,
                "France entière",
                a.reponses,
                a.somme if a.somme is not None else "",
                a.moyenne if a.moyenne is not None else "",
                texte_tableur(distribution),
            ]
        )
        for region, n, somme in a.par_region:
            writer.writerow(
                [
                    texte_tableur(a.question.section.titre),
                    texte_tableur(a.question.libelle),
                    a.question.type,
                    region,
                    n,
                    somme if somme is not None else "",
                    "",
                    "",
                ]
            )
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="synthese-revues-{annee}.csv"'
    return response


@login_required
@require_POST
def renouvellement(request, cite_pk: int):
    """A porteur prepares the renewal of a cité of their collectivité: a draft pre-filled from it."""
    cite = get_object_or_404(CiteEducative.objects.published(), pk=cite_pk)
    appel = appel_list_ouverts().first()
    if appel is None:
        messages.error(request, "Aucun appel à projets n'est ouvert : le renouvellement ne peut pas être déposé.")
        return redirect("revues:liste")
    try:
        candidature = renouvellements.candidature_renouvellement_create(user=request.user, cite=cite, appel=appel)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect("revues:liste")
    messages.success(request, f"Brouillon de renouvellement créé à partir de {cite.nom} : vérifiez chaque étape.")
    return redirect("candidatures:etape", pk=candidature.pk, etape="territoire")


@login_required
def differences(request, pk: int):
    """Agents: what a renewal changes from the cité as labelled."""
    if not permissions.is_agent(request.user):
        raise Http404("Page introuvable")
    candidature = get_object_or_404(
        candidatures_selectors.candidature_list_for_agent(user=request.user).select_related("renouvellement_de"), pk=pk
    )
    if candidature.renouvellement_de is None:
        raise Http404("Cette candidature n'est pas un renouvellement")
    return render(
        request,
        "revues/differences.html",
        {
            "title": f"Renouvellement de {candidature.renouvellement_de.nom} : ce qui change",
            "breadcrumb_data": {"current": "Ce qui change depuis le label"},
            "candidature": candidature,
            "differences": renouvellements.renouvellement_differences(candidature=candidature),
        },
    )

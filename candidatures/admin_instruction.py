"""The instruction back office in the Django admin: the agents' candidature list (filters, counts
per state, bulk actions, CSV and XLSX exports), one instruction screen per candidature, and the
agents' dashboard.

Every rule lives elsewhere: who sees what in candidatures.selectors (querysets scoped to the
user, so that anything out of scope answers 404), who may do what in candidatures.permissions,
changes of state in services.candidature_transition, the rest of the instruction in
candidatures.instruction.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from candidatures import exports, instruction, permissions, selectors, services, troika
from candidatures.models import Candidature, Etat, EvaluationCritere, Export, PersonneCandidature, Verifications
from candidatures.services import TransitionRefusee
from candidatures.workflow.etats import AGENTS, etat_get
from candidatures.workflow.transitions import transitions_from
from cites.models import Departement, Region
from cites.stockage import fichier_prive_reponse

BADGES_VERIFICATIONS = {
    Verifications.CONFORME: "success",
    Verifications.DONNEES_ABSENTES: "warning",
    Verifications.NON_CONFORME: "error",
}
REFERENCE_RE = re.compile(r"^CE-\d{4}-\d{4,}$", re.IGNORECASE)


def badge(libelle: str, variante: str = "") -> str:
    return format_html('<span class="badge{}">{}</span>', f" badge--{variante}" if variante else "", libelle)


def badge_etat(candidature: Candidature) -> str:
    return badge(candidature.get_etat_display(), etat_get(candidature.etat).badge)


def badge_verifications(candidature: Candidature) -> str:
    if not candidature.verifications:
        return badge("non calculées")
    return badge(candidature.get_verifications_display(), BADGES_VERIFICATIONS[candidature.verifications])


def _nom(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


# --- Filters --------------------------------------------------------------------------------


class EtatFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    A_INSTRUIRE = "a_instruire"

    def lookups(self, request, model_admin):
        return [
            (self.A_INSTRUIRE, "à instruire (déposée, en instruction, avis émis)"),
            *[(etat.value, etat.label) for etat in Etat if etat_get(etat).visible_par & AGENTS],
        ]

    def queryset(self, request, queryset):
        if self.value() == self.A_INSTRUIRE:
            return queryset.filter(etat__in=selectors.ETATS_ATTENTE_AGENTS)
        return queryset.filter(etat=self.value()) if self.value() else queryset


class EcheanceFilter(admin.SimpleListFilter):
    title = "échéance d'instruction"
    parameter_name = "echeance"

    def lookups(self, request, model_admin):
        return [("depassee", "dépassée"), ("7_jours", "dans les 7 jours")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "depassee":
            return selectors.candidature_list_en_retard(queryset=queryset, today=today)
        if self.value() == "7_jours":
            return queryset.filter(
                etat__in=selectors.ETATS_ATTENTE_AGENTS,
                echeance_instruction__gte=today,
                echeance_instruction__lte=today + timedelta(days=7),
            )
        return queryset


class RegionFilter(admin.SimpleListFilter):
    """Shown to national agents only: a regional agent's list holds one région."""

    title = "région"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        if not permissions.is_agent_national(request.user):
            return []
        return list(Region.objects.order_by("nom").values_list("code", "nom"))

    def queryset(self, request, queryset):
        return queryset.filter(collectivite__region__code=self.value()) if self.value() else queryset


class DepartementFilter(admin.SimpleListFilter):
    """Candidatures with at least one commune in the département (intercommunalités included)."""

    title = "département"
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        departements = selectors.scope_region(
            Departement.objects.order_by("code"), user=request.user, champ="region_id"
        )
        return [(code, f"{code} — {nom}") for code, nom in departements.values_list("code", "nom")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        communes = Candidature.communes.through.objects.filter(
            candidature_id=OuterRef("pk"), commune__departement__code=self.value()
        )
        return queryset.filter(Exists(communes))


class InstructeurFilter(admin.SimpleListFilter):
    title = "agent instructeur"
    parameter_name = "instructeur"

    def lookups(self, request, model_admin):
        agents = [(str(u.pk), _nom(u)) for u in selectors.agent_list_for_user(user=request.user)]
        return [("moi", "moi"), ("aucun", "non attribuée"), *agents]

    def queryset(self, request, queryset):
        valeur = self.value()
        if valeur == "moi":
            return queryset.filter(instructeur=request.user)
        if valeur == "aucun":
            return queryset.filter(instructeur__isnull=True)
        if valeur and valeur.isdigit():
            return queryset.filter(instructeur_id=int(valeur))
        return queryset


# --- The admin ------------------------------------------------------------------------------


class CandidatureAdmin(admin.ModelAdmin):
    """Agents see the candidatures of their scope; nothing is edited through a model form: the
    instruction screen (change_view) calls the services."""

    list_display = [
        "reference",
        "titre_court",
        "collectivite_nom",
        "region",
        "appel_annee",
        "etat_badge",
        "verifications_badge",
        "instructeur_nom",
        "depose_court",
        "echeance",
        "attente",
    ]
    list_display_links = ["reference"]
    list_filter = [
        ("appel", admin.RelatedOnlyFieldListFilter),
        RegionFilter,
        DepartementFilter,
        EtatFilter,
        EcheanceFilter,
        "verifications",
        InstructeurFilter,
    ]
    # get_search_results below: an exact reference goes straight to it, communes through EXISTS.
    search_fields = ["reference", "titre", "collectivite__nom", "collectivite__code"]
    search_help_text = "Référence, nom du projet, collectivité ou commune (nom ou code INSEE)."
    list_per_page = 50
    show_full_result_count = False
    ordering = ["-depose_le", "-pk"]
    actions = ["prendre_en_charge", "attribuer", "exporter_csv", "exporter_xlsx"]
    change_list_template = "admin/candidatures/candidature/change_list.html"

    class Media:
        css = {"all": ["candidatures/admin.css"]}

    # Permissions: model permissions of the groups, and the role on top of them.

    def has_module_permission(self, request):
        return permissions.is_agent(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        if not permissions.is_agent(request.user) or not super().has_view_permission(request, obj):
            return False
        return obj is None or permissions.can_instruct_candidature(request.user, obj)

    def has_instruct_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and request.user.has_perm("candidatures.change_candidature")

    def has_add_permission(self, request):
        return False  # porteurs file candidatures on the portal

    def has_change_permission(self, request, obj=None):
        return False  # the instruction screen does not edit the porteur's content

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return selectors.candidature_list_admin(user=request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Candidature introuvable")
        return obj

    def get_search_results(self, request, queryset, search_term):
        """An exact reference (« CE-2025-0042 ») is looked up by its unique index alone; any other
        term searches reference, project, collectivité and communes (name or INSEE code), the
        communes through EXISTS, so the list never needs DISTINCT."""
        terme = " ".join(search_term.split())
        if not terme:
            return queryset, False
        if REFERENCE_RE.match(terme):
            return queryset.filter(reference=terme.upper()), False
        for mot in terme.split(" "):
            communes = Candidature.communes.through.objects.filter(candidature_id=OuterRef("pk")).filter(
                Q(commune__nom__icontains=mot) | Q(commune__code=mot)
            )
            queryset = queryset.filter(
                Q(reference__icontains=mot)
                | Q(titre__icontains=mot)
                | Q(collectivite__nom__icontains=mot)
                | Q(collectivite__code=mot)
                | Exists(communes)
            )
        return queryset, False

    # Columns: everything comes from the one query of get_queryset.

    @admin.display(description="projet", ordering="titre")
    def titre_court(self, obj):
        return obj.titre[:50] + ("…" if len(obj.titre) > 50 else "")

    @admin.display(description="collectivité (dépt)", ordering="collectivite__nom")
    def collectivite_nom(self, obj):
        commune = obj.collectivite.commune
        departement = commune.departement.code if commune is not None else "EPCI"
        return f"{obj.collectivite.nom} ({departement})"

    @admin.display(description="région", ordering="collectivite__region__nom")
    def region(self, obj):
        return obj.collectivite.region.nom if obj.collectivite.region else "—"

    @admin.display(description="appel", ordering="appel__annee")
    def appel_annee(self, obj):
        return obj.appel.annee

    @admin.display(description="état", ordering="etat")
    def etat_badge(self, obj):
        return badge_etat(obj)

    @admin.display(description="vérifications", ordering="verifications")
    def verifications_badge(self, obj):
        return badge_verifications(obj)

    @admin.display(description="instructeur", ordering="instructeur__last_name")
    def instructeur_nom(self, obj):
        return _nom(obj.instructeur) or "—"

    def get_list_display(self, request):
        """A regional agent's list holds one région: no column for it (the list fits 1,366 px)."""
        colonnes = list(super().get_list_display(request))
        if not permissions.is_agent_national(request.user):
            colonnes.remove("region")
        return colonnes

    @admin.display(description="déposée le", ordering="depose_le")
    def depose_court(self, obj):
        return date_format(timezone.localtime(obj.depose_le), "d/m/Y") if obj.depose_le else "—"

    @admin.display(description="échéance", ordering="echeance_instruction")
    def echeance(self, obj):
        if obj.echeance_instruction is None:
            return "—"
        texte = date_format(obj.echeance_instruction, "d/m/Y")
        if obj.etat in selectors.ETATS_ATTENTE_AGENTS and obj.echeance_instruction < timezone.localdate():
            return format_html('<span class="en-retard">{} {}</span>', texte, badge("en retard", "error"))
        return texte

    @admin.display(description="sans changement depuis", ordering="dernier_changement")
    def attente(self, obj):
        etat = etat_get(obj.etat)
        if etat.final or obj.dernier_changement is None:
            return "—"
        jours = (timezone.now() - obj.dernier_changement).days
        texte = f"{jours} j"
        if etat.attente & AGENTS and jours > settings.CANDIDATURES_ATTENTE_JOURS:
            return badge(texte, "warning")
        return texte

    # The list: counts per state, exports of the filtered list.

    def changelist_view(self, request, extra_context=None):
        scope = self.get_queryset(request)
        url = reverse("admin:candidatures_candidature_changelist")
        compteurs = selectors.candidature_compte_par_etat(queryset=scope)
        for compteur in compteurs:
            # A state chip keeps the other filters and the search (only the page starts again).
            parametres = request.GET.copy()
            parametres.pop("p", None)
            parametres["etat"] = compteur["etat"]
            compteur["url"] = f"{url}?{parametres.urlencode()}"
            compteur["courant"] = request.GET.get("etat") == compteur["etat"]
        requete = self._filtres(request)
        contexte = {
            "title": "Candidatures à instruire",
            "compteurs": compteurs,
            "total_scope": sum(c["nombre"] for c in compteurs),
            "url_export_csv": reverse("admin:candidatures_candidature_export_csv") + (f"?{requete}" if requete else ""),
            "url_export_xlsx": reverse("admin:candidatures_candidature_export_xlsx")
            + (f"?{requete}" if requete else ""),
            "url_tableau_de_bord": reverse("admin:candidatures_candidature_tableau_de_bord"),
            "url_mes_exports": reverse("admin:candidatures_candidature_mes_exports"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, contexte)

    def get_urls(self):
        vue = self.admin_site.admin_view
        return [
            path("export.csv", vue(self.export_csv_view), name="candidatures_candidature_export_csv"),
            path("export.xlsx", vue(require_POST(self.export_xlsx_view)), name="candidatures_candidature_export_xlsx"),
            path("mes-exports/", vue(self.mes_exports_view), name="candidatures_candidature_mes_exports"),
            path(
                "mes-exports/<int:pk>/",
                vue(self.export_telecharger_view),
                name="candidatures_candidature_export_telecharger",
            ),
            path("tableau-de-bord/", vue(self.tableau_de_bord_view), name="candidatures_candidature_tableau_de_bord"),
            *super().get_urls(),
        ]

    def _filtered(self, request):
        """The list as the agent filtered, searched and sorted it, within their scope."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters as exc:
            raise Http404("Filtre inconnu") from exc

    @staticmethod
    def _nom_export() -> str:
        return f"candidatures-{timezone.localtime():%Y-%m-%d-%H%M}"

    @staticmethod
    def _filtres(request) -> str:
        filtres = request.GET.copy()
        for cle in ("p", "e", "_changelist_filters"):
            filtres.pop(cle, None)
        return filtres.urlencode()

    def export_csv_view(self, request):
        return exports.export_csv_response(queryset=self._filtered(request), nom=self._nom_export())

    def _export_demande(self, request, *, filtres: str = "", selection: list[int] | None = None):
        services.export_request(
            agent=request.user, format="xlsx", nom=self._nom_export(), filtres=filtres, selection=selection
        )
        self.message_user(
            request,
            "Votre export XLSX est en préparation : il apparaît ci-dessous dès qu'il est prêt, "
            "et vous recevez un courriel.",
            messages.SUCCESS,
        )
        return redirect("admin:candidatures_candidature_mes_exports")

    def export_xlsx_view(self, request):
        """A workbook of any size is built in the background (POST: it creates an export)."""
        self._filtered(request)  # the filters are checked now: 404 on an unknown one
        return self._export_demande(request, filtres=self._filtres(request))

    def mes_exports_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "title": "Mes exports",
            "exports": list(Export.objects.filter(agent=request.user)[:100]),
            "jours": settings.EXPORTS_CONSERVATION_JOURS,
            "url_liste": reverse("admin:candidatures_candidature_changelist"),
        }
        return TemplateResponse(request, "admin/candidatures/candidature/mes_exports.html", contexte)

    def export_telecharger_view(self, request, pk: int):
        """Only the agent who asked for it downloads an export; anyone else gets 404."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = Export.objects.filter(pk=pk, agent=request.user, statut=Export.Statut.PRET).first()
        if export is None or not export.fichier:
            raise Http404("Export introuvable")
        types = {"xlsx": exports.XLSX_TYPE, "csv": "text/csv; charset=utf-8"}
        # Streamed from the private storage, or a short-lived signed address (cites.stockage).
        return fichier_prive_reponse(
            export.fichier, nom=f"{export.nom}.{export.format}", content_type=types[export.format]
        )

    # Bulk actions.

    @admin.action(description="Prendre en charge les candidatures sélectionnées", permissions=["instruct"])
    def prendre_en_charge(self, request, queryset):
        reussies = []
        for candidature in queryset:
            try:
                instruction.candidature_take_charge(candidature=candidature, agent=request.user)
            except (TransitionRefusee, ValidationError) as exc:
                texte = str(exc) if isinstance(exc, TransitionRefusee) else " ".join(exc.messages)
                self.message_user(request, f"{candidature} : {texte}", messages.ERROR)
            else:
                reussies.append(candidature.reference)
        if reussies:
            self.message_user(
                request,
                f"{len(reussies)} candidature(s) prise(s) en charge : {', '.join(reussies)}. "
                "Les porteurs sont prévenus par courriel.",
                messages.SUCCESS,
            )

    @admin.action(description="Attribuer les candidatures sélectionnées à un agent…", permissions=["instruct"])
    def attribuer(self, request, queryset):
        """Bulk assignment: an intermediate page chooses the agent among those allowed on every
        selected candidature; confirming assigns each one through instruction.candidature_assign."""
        candidatures = list(queryset.select_related("collectivite", "instructeur"))
        possibles = selectors.instructeur_list_for_candidatures(candidatures=candidatures)
        erreur = ""
        if request.POST.get("confirmer"):
            valeur = request.POST.get("instructeur", "")
            instructeur = possibles.filter(pk=int(valeur)).first() if valeur.isdigit() else None
            if instructeur is None:
                erreur = "Choisissez l'agent à qui confier les candidatures, dans la liste."
            else:
                reussies = []
                for candidature in candidatures:
                    try:
                        instruction.candidature_assign(
                            candidature=candidature, agent=request.user, instructeur=instructeur
                        )
                    except ValidationError as exc:
                        self.message_user(request, f"{candidature} : {' '.join(exc.messages)}", messages.ERROR)
                    else:
                        reussies.append(candidature.reference)
                if reussies:
                    self.message_user(
                        request,
                        f"{len(reussies)} candidature(s) confiée(s) à {_nom(instructeur)} : {', '.join(reussies)}.",
                        messages.SUCCESS,
                    )
                return None
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Attribuer des candidatures à un agent",
            "candidatures": candidatures,
            "agents": [(u.pk, f"{_nom(u)} ({u.email})" if u.get_full_name() else u.email) for u in possibles],
            "erreur": erreur,
            "choisi": request.POST.get("instructeur", ""),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/candidatures/candidature/attribuer.html", contexte, status=400 if erreur else 200
        )

    @admin.action(description="Exporter les candidatures sélectionnées (CSV)", permissions=["view"])
    def exporter_csv(self, request, queryset):
        return exports.export_csv_response(queryset=queryset, nom=self._nom_export())

    @admin.action(description="Exporter les candidatures sélectionnées (XLSX)", permissions=["view"])
    def exporter_xlsx(self, request, queryset):
        if request.POST.get("select_across") == "1":  # « select all »: the list as filtered
            return self._export_demande(request, filtres=self._filtres(request))
        return self._export_demande(request, selection=list(queryset.order_by().values_list("pk", flat=True)))

    # The instruction screen.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        candidature = self.get_object(request, object_id)
        if not self.has_view_permission(request, candidature):
            raise Http404("Candidature introuvable")
        if request.method == "POST":
            if not self.has_instruct_permission(request, candidature):
                raise PermissionDenied
            return self._post(request, candidature)
        return self._render(request, candidature)

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, object_id)  # 404 out of scope
        return super().history_view(request, object_id, extra_context)

    def _post(self, request, candidature):
        action = request.POST.get("action", "")
        traitements = {
            "transition": self._post_transition,
            "evaluations": self._post_evaluations,
            "attribuer": self._post_attribuer,
            "note": self._post_note,
            "message": self._post_message,
        }
        traitement = traitements.get(action)
        if traitement is None:
            messages.error(request, "Action inconnue : rien n'a été modifié.")
            return redirect(request.path)
        try:
            succes = traitement(request, candidature)
        except TransitionRefusee as exc:
            erreur = {"action": action, "message": exc.message, "problemes": exc.problemes}
        except ValidationError as exc:
            erreur = {"action": action, "message": " ".join(exc.messages), "problemes": []}
        else:
            messages.success(request, succes)
            return redirect(request.path)
        candidature = self.get_object(request, str(candidature.pk))
        return self._render(request, candidature, saisie=request.POST, erreur=erreur, status=409)

    @staticmethod
    def _evenement_vu(request) -> int | None:
        valeur = request.POST.get("evenement_vu", "")
        return int(valeur) if valeur.isdigit() else None

    def _post_transition(self, request, candidature) -> str:
        cible = request.POST.get("cible", "")
        vu = self._evenement_vu(request)
        message = request.POST.get("message", "")
        if cible == Etat.EN_INSTRUCTION and candidature.etat == Etat.DEPOSEE:
            instruction.candidature_take_charge(candidature=candidature, agent=request.user, evenement_vu=vu)
            return "Vous instruisez cette candidature ; le porteur en est prévenu par courriel."
        if cible == Etat.AVIS_EMIS:
            instruction.candidature_give_opinion(
                candidature=candidature,
                agent=request.user,
                avis=request.POST.get("avis", ""),
                motif=request.POST.get("motif", ""),
                evenement_vu=vu,
            )
            return "L'avis de la région est émis : la décision revient à l'ANCT."
        if cible == Etat.LABELLISEE and permissions.can_transition(request.user, candidature, cible):
            services.candidature_label_decide(
                candidature=candidature,
                actor=request.user,
                message=message,
                cite_etendue=self._cite_choisie(request, candidature),
                evenement_vu=vu,
            )
            candidature.refresh_from_db(fields=["cite"])
            cite = candidature.cite
            if candidature.renouvellement_de_id:
                return (
                    f"La candidature est labellisée : le label de la cité éducative « {cite.nom} » "
                    f"({cite.identifiant}) est renouvelé. Le porteur en est prévenu par courriel."
                )
            return (
                f"La candidature est labellisée : cité éducative « {cite.nom} » ({cite.identifiant}). "
                "Le porteur en est prévenu par courriel."
            )
        if cible not in Etat.values:
            raise TransitionRefusee("Choisissez une action.")
        services.candidature_transition(
            candidature=candidature, to=cible, actor=request.user, message=message, evenement_vu=vu
        )
        return f"La candidature est maintenant « {Etat(cible).label} » ; le porteur en est prévenu par courriel."

    @staticmethod
    def _cite_choisie(request, candidature):
        """« nouvelle »: a new cité; a cité's id: extend it (one the decision offers). A renewal
        offers no choice: its label renews the cité it names."""
        if candidature.renouvellement_de_id:
            return None
        valeur = request.POST.get("cite_choix", "")
        if valeur == "nouvelle":
            return None
        if valeur.isdigit():
            for cite in selectors.cite_choix_decision(candidature=candidature)["cites"]:
                if cite.pk == int(valeur):
                    return cite
        raise TransitionRefusee("Choisissez de créer une nouvelle cité éducative ou la cité à étendre.")

    def _post_evaluations(self, request, candidature) -> str:
        saisies = []
        for critere in candidature.appel.criteres.all():
            saisies.append(
                (
                    critere,
                    request.POST.get(f"appreciation_{critere.pk}", ""),
                    request.POST.get(f"commentaire_{critere.pk}", ""),
                )
            )
        n = instruction.evaluations_save(candidature=candidature, agent=request.user, saisies=saisies)
        return f"Évaluation enregistrée ({n} critère(s) modifié(s))." if n else "Aucun changement dans l'évaluation."

    def _post_attribuer(self, request, candidature) -> str:
        valeur = request.POST.get("instructeur", "")
        instructeur = None
        if valeur:
            if valeur.isdigit():
                instructeurs = selectors.instructeur_list_for_candidature(candidature=candidature)
                instructeur = instructeurs.filter(pk=int(valeur)).first()
            if instructeur is None:
                raise ValidationError("Choisissez un agent de la région de la candidature ou un agent national.")
        instruction.candidature_assign(candidature=candidature, agent=request.user, instructeur=instructeur)
        return f"Candidature confiée à {_nom(instructeur)}." if instructeur else "Plus aucun agent n'est désigné."

    def _post_note(self, request, candidature) -> str:
        instruction.note_add(candidature=candidature, agent=request.user, texte=request.POST.get("texte", ""))
        return "Note interne ajoutée (invisible pour le porteur)."

    def _post_message(self, request, candidature) -> str:
        instruction.message_send(candidature=candidature, user=request.user, texte=request.POST.get("texte", ""))
        return "Message envoyé ; les porteurs en sont prévenus par courriel."

    def _actions(self, request, candidature) -> list[dict]:
        """The transitions this agent may take now, grouped as the screen shows them."""
        roles = permissions.agent_roles_on(request.user, candidature)
        possibles = [t for t in transitions_from(source=candidature.etat) if t.roles & roles]
        actions = []
        decisions = [t for t in possibles if etat_get(t.cible).decision]
        for t in possibles:
            if etat_get(t.cible).decision:
                continue
            if t.cible == Etat.EN_INSTRUCTION:
                actions.append({"type": "prise_en_charge", "transition": t})
            elif t.cible == Etat.COMPLEMENTS_DEMANDES:
                actions.append({"type": "complements", "transition": t})
            elif t.cible == Etat.AVIS_EMIS:
                actions.append({"type": "avis", "transition": t})
        if decisions:
            actions.append({"type": "decision", "choix": [(t.cible, t.libelle) for t in decisions]})
        return actions

    def _render(self, request, candidature, *, saisie=None, erreur=None, status=200):
        user = request.user
        bilan = selectors.candidature_bilan(candidature=candidature)
        evaluations = {e.critere_id: e for e in candidature.evaluations.select_related("agent")}
        grille = []
        for bilan_critere in bilan.criteres:
            critere = bilan_critere.critere
            evaluation = evaluations.get(critere.pk)
            if saisie is not None and saisie.get("action") == "evaluations":
                appreciation = saisie.get(f"appreciation_{critere.pk}", "")
                commentaire = saisie.get(f"commentaire_{critere.pk}", "")
            else:
                appreciation = evaluation.appreciation if evaluation else ""
                commentaire = evaluation.commentaire if evaluation else ""
            grille.append(
                {
                    "critere": critere,
                    "bilan": bilan_critere,
                    "evaluation": evaluation,
                    "appreciation": appreciation,
                    "commentaire": commentaire,
                }
            )
        requis = [ligne for ligne in grille if ligne["critere"].evaluation_requise]
        non_evalues = [ligne["critere"].numero for ligne in requis if ligne["evaluation"] is None]
        indicateurs = [ligne["critere"].numero for ligne in grille if not ligne["critere"].evaluation_requise]
        dernier = candidature.evenements.order_by("-date", "-pk").first()
        peut_instruire = self.has_instruct_permission(request, candidature)
        actions = self._actions(request, candidature) if peut_instruire else []
        peut_labelliser = any(
            a["type"] == "decision" and any(cible == Etat.LABELLISEE for cible, _ in a["choix"]) for a in actions
        )
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "title": f"Instruction de la candidature {candidature.reference}",
            "subtitle": candidature.titre,
            "candidature": candidature,
            "original": candidature,
            "has_view_permission": True,
            "etat_badge": badge_etat(candidature),
            "verifications_badge": badge_verifications(candidature),
            "bilan": bilan,
            "totaux": selectors.budget_totaux(candidature=candidature),
            "pieces": list(candidature.pieces.all()),
            "confirmations": troika.troika_confirmations(candidature=candidature),
            "coediteurs": list(
                candidature.personnes.filter(role__in=PersonneCandidature.ROLES_COEDITION, confirme_le__isnull=False)
            ),
            "grille": grille,
            "appreciations": EvaluationCritere.Appreciation.choices,
            "non_evalues": non_evalues,
            "requis_evalues": len(requis) - len(non_evalues),
            "requis_total": len(requis),
            "indicateurs": indicateurs,
            "avis_choix": Candidature.Avis.choices,
            "actions": actions,
            "choix_cite": (
                selectors.cite_choix_decision(candidature=candidature)
                if peut_labelliser and not candidature.renouvellement_de_id
                else None
            ),
            "renouvellement_decision": candidature.renouvellement_de if peut_labelliser else None,
            "cite_saisie": saisie.get("cite_choix", "") if saisie is not None else "",
            "evenement_vu": dernier.pk if dernier else "",
            "peut_instruire": peut_instruire,
            "peut_evaluer": peut_instruire and permissions.can_assess_candidature(user, candidature),
            "peut_attribuer": peut_instruire and permissions.can_assign_candidature(user, candidature),
            "instructeurs": list(selectors.instructeur_list_for_candidature(candidature=candidature)),
            "peut_ecrire": peut_instruire and permissions.can_message_candidature(user, candidature),
            "notes": list(candidature.notes_agents.select_related("auteur__profil_agent__region")),
            "fil": selectors.candidature_fil(candidature=candidature),
            "chronologie": selectors.candidature_chronologie(candidature=candidature),
            "saisie": saisie if saisie is not None else {},
            "erreur": erreur,
            "url_liste": reverse("admin:candidatures_candidature_changelist"),
        }
        return TemplateResponse(request, "admin/candidatures/candidature/instruction.html", contexte, status=status)

    # The dashboard.

    @staticmethod
    def _perimetre(user) -> str:
        if permissions.is_agent_national(user):
            return "toutes les régions"
        region = Region.objects.filter(pk=permissions.agent_region_id(user)).first()
        return f"région {region.nom}" if region else ""

    def tableau_de_bord_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        user = request.user
        annee_courante = timezone.localdate().year
        annee = request.GET.get("annee", "")
        annee = int(annee) if annee.isdigit() and 2019 <= int(annee) <= annee_courante else annee_courante
        jours = settings.CANDIDATURES_ATTENTE_JOURS
        en_attente = selectors.candidature_list_en_attente(user=user, jours=jours)
        maintenant = timezone.now()
        attente = [
            {"candidature": c, "jours": (maintenant - c.dernier_changement).days, "etat_badge": badge_etat(c)}
            for c in en_attente[:100]
        ]
        mois = selectors.activite_annuelle(user=user, annee=annee)
        contexte = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "title": "Tableau de bord de l'instruction",
            "perimetre": self._perimetre(user),
            "stats": selectors.candidature_stats_par_region(user=user),
            "attente": attente,
            "attente_total": en_attente.count() if len(attente) == 100 else len(attente),
            "jours": jours,
            "annee": annee,
            "annees": list(range(annee_courante, 2018, -1)),
            "mois": mois,
            "graphique": graphique_activite(mois=mois, annee=annee),
            "url_liste": reverse("admin:candidatures_candidature_changelist"),
        }
        return TemplateResponse(request, "admin/candidatures/candidature/tableau_de_bord.html", contexte)


def candidature_list_filtree(*, agent, filtres: str = "", selection: list[int] | None = None):
    """The agent's list as it was filtered, searched and sorted (its query string), or the
    candidatures they selected, within their scope today: what a background export writes."""
    if selection is not None:
        return selectors.candidature_list_admin(user=agent).filter(pk__in=selection).order_by("-depose_le", "-pk")
    request = HttpRequest()  # the list's own request, replayed out of the HTTP cycle
    request.method = "GET"
    request.path = request.path_info = reverse("admin:candidatures_candidature_changelist")
    request.GET = QueryDict(filtres)
    request.user = agent
    model_admin = admin.site.get_model_admin(Candidature)
    if not model_admin.has_view_permission(request):
        raise PermissionDenied("Cet agent ne voit plus les candidatures.")
    return model_admin.get_changelist_instance(request).queryset


# --- The chart of the year's activity -------------------------------------------------------

SERIES = [("depots", "dépôts"), ("decisions", "décisions")]


def graphique_activite(*, mois: list[dict], annee: int) -> dict:
    """Vertical bars per month, two series side by side; geometry for an SVG drawn by the template."""
    largeur_mois, barre, hauteur_trace, marge_haut, marge_bas, marge_gauche = 56, 20, 180, 16, 40, 36
    plus_grand = max((m[cle] for m in mois for cle, _ in SERIES), default=0) or 1
    barres = []
    for i, m in enumerate(mois):
        x0 = marge_gauche + i * largeur_mois + 6
        for j, (cle, libelle) in enumerate(SERIES):
            valeur = m[cle]
            hauteur = round(hauteur_trace * valeur / plus_grand, 1)
            x = x0 + j * (barre + 2)
            y = marge_haut + hauteur_trace - hauteur
            barres.append(
                {
                    "serie": cle,
                    "x": x,
                    "y": y,
                    "hauteur": hauteur,
                    "valeur": valeur,
                    "texte_x": x + barre / 2,
                    "texte_y": y - 3,
                    "titre": f"{m['libelle']} {annee} : {valeur} {libelle}",
                }
            )
    total = {cle: sum(m[cle] for m in mois) for cle, _ in SERIES}
    return {
        "largeur": marge_gauche + 12 * largeur_mois + 10,
        "hauteur": marge_haut + hauteur_trace + marge_bas,
        "barre": barre,
        "base_y": marge_haut + hauteur_trace,
        "axe_x1": marge_gauche,
        "axe_x2": marge_gauche + 12 * largeur_mois,
        "etiquettes": [
            {"x": marge_gauche + (i + 0.5) * largeur_mois, "libelle": m["libelle"]} for i, m in enumerate(mois)
        ],
        "etiquette_y": marge_haut + hauteur_trace + 18,
        "legende_y": marge_haut + hauteur_trace + 34,
        "barres": barres,
        "titre": f"Activité de l'instruction en {annee}, par mois",
        "description": f"{total['depots']} dépôts et {total['decisions']} décisions sur l'année ; "
        "les chiffres de chaque mois sont dans le tableau qui suit.",
    }

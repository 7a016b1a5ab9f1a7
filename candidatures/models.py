"""Accounts of porteurs and agents, calls for projects, candidatures and their history.

The state of a candidature changes only through `services.candidature_transition`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from candidatures import acteurs
from candidatures.contenu import ELEMENTS
from candidatures.storage import private_storage
from candidatures.workflow.etats import (
    AGENT_NATIONAL,
    AGENT_REGIONAL,
    AGENTS,
    COEDITEUR,
    PORTEUR,
    TOUS,
    Etat,
    etats_ou,
)
from cites.formats import montant
from cites.models import CiteEducative, Commune, Epci, Etablissement, PersonneCite, Qpv, Region
from partenaires.models import Objectif


class Horodate(models.Model):
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


# --- Accounts -------------------------------------------------------------------------------


class Collectivite(Horodate):
    """The commune or intercommunality on whose behalf porteurs file candidatures."""

    class Type(models.TextChoices):
        COMMUNE = "commune", "commune"
        EPCI = "epci", "intercommunalité (EPCI)"

    type = models.CharField(max_length=10, choices=Type.choices)
    code = models.CharField("code INSEE ou SIREN", max_length=9)
    nom = models.CharField(max_length=200)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="collectivites")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="collectivites")
    communes = models.ManyToManyField(
        Commune, related_name="collectivites_membres", blank=True, verbose_name="communes du périmètre"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="collectivites", verbose_name="région", null=True
    )

    class Meta:
        ordering = ["nom"]
        verbose_name = "collectivité"
        constraints = [
            models.UniqueConstraint(fields=["type", "code"], name="collectivite_type_code_unique"),
            models.CheckConstraint(
                condition=models.Q(type="commune", commune__isnull=False, epci__isnull=True)
                | models.Q(type="epci", commune__isnull=True),
                name="collectivite_commune_ou_epci",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"


class ProfilPorteur(Horodate):
    """A porteur's account: which collectivité they act for, and where its validation stands."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "en attente de validation"
        VALIDE = "valide", "validé"
        REFUSE = "refuse", "refusé"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profil_porteur")
    collectivite = models.ForeignKey(Collectivite, on_delete=models.PROTECT, related_name="porteurs")
    fonction = models.CharField(max_length=200, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email_confirme_le = models.DateTimeField("adresse confirmée le", null=True, blank=True)
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE, db_index=True)
    statut_modifie_le = models.DateTimeField("validé ou refusé le", null=True, blank=True)
    statut_modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé ou refusé par",
    )
    motif_refus = models.TextField("motif du refus", blank=True)
    # An erasure request honoured (services.porteur_anonymise): the account stays, emptied.
    anonymise_le = models.DateTimeField("anonymisé le", null=True, blank=True)
    anonymise_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="anonymisé par",
    )

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = "compte porteur"
        verbose_name_plural = "comptes porteurs"

    def __str__(self) -> str:
        return f"{acteurs.auteur_nom(self.user)} — {self.collectivite.nom}"

    @property
    def email_confirme(self) -> bool:
        return self.email_confirme_le is not None


class Institution(models.TextChoices):
    """The State institutions whose agents instruct candidatures and follow the cités."""

    PREFECTURE = "prefecture", "préfecture"
    RECTORAT = "rectorat", "rectorat / DSDEN"
    DRAJES = "drajes", "DRAJES"
    ANCT = "anct", "ANCT"


class ProfilAgent(models.Model):
    """Attaches a regional agent to their région (national agents have none) and institution."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profil_agent")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="agents", verbose_name="région"
    )
    institution = models.CharField(
        max_length=12,
        choices=Institution.choices,
        blank=True,
        help_text="Montrée dans les historiques et les messages (« Camille Martin, DRAJES Occitanie »).",
    )
    service = models.CharField(
        max_length=200, blank=True, help_text="Le service précis : délégué du préfet, DASEN, chargé de mission…"
    )

    class Meta:
        verbose_name = "profil agent"
        verbose_name_plural = "profils agents"

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.email} — {self.region or 'national'}"

    @property
    def institution_libelle(self) -> str:
        """« DRAJES Occitanie », « préfecture Île-de-France », « ANCT »: what histories and messages show."""
        if not self.institution:
            return self.service or ("agent national" if self.region_id is None else f"agent, {self.region.nom}")
        libelle = self.get_institution_display()
        if self.institution != Institution.ANCT and self.region_id is not None:
            libelle = f"{libelle} {self.region.nom}"
        return libelle


def agent_signature(user) -> str:
    """A person as histories and messages show them: « Camille Martin (DRAJES Occitanie) » for an
    agent, the name alone for a porteur, « compte supprimé » for a deleted or anonymised account
    (acteurs.auteur_nom, the one rule). Reads `user.profil_agent` (select_related it)."""
    nom = acteurs.auteur_nom(user)
    if user is None or acteurs.user_is_anonymised(user):
        return nom
    try:
        profil = user.profil_agent
    except ProfilAgent.DoesNotExist:
        return nom
    return f"{nom} ({profil.institution_libelle})"


def agent_institution(user) -> str:
    """Only the institution (what a porteur sees of the agent who wrote): « DRAJES Occitanie »."""
    try:
        return user.profil_agent.institution_libelle if user is not None else ""
    except ProfilAgent.DoesNotExist:
        return ""


# --- Calls for projects ---------------------------------------------------------------------


class AppelAProjets(Horodate):
    annee = models.PositiveSmallIntegerField("année")
    titre = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    ouvert_toute_annee = models.BooleanField("ouvert toute l'année", default=False)
    date_ouverture = models.DateTimeField("ouverture", null=True, blank=True)
    date_cloture = models.DateTimeField("clôture", null=True, blank=True)
    delai_instruction_jours = models.PositiveSmallIntegerField(
        "délai d'instruction (jours)",
        default=60,
        help_text="Jours entre le dépôt d'une candidature et l'échéance de son instruction.",
    )
    # A rule of the call (rules are data): the 2024 open call asks the troïka to confirm first.
    confirmation_troika_requise = models.BooleanField(
        "confirmation de la troïka requise avant dépôt",
        default=False,
        help_text="Le représentant de chacune des trois institutions (préfecture, Éducation nationale, "
        "collectivité) confirme la candidature telle qu'elle est avant que le porteur puisse la déposer.",
    )

    class Meta:
        ordering = ["-annee", "titre"]
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ouvert_toute_annee=True)
                | models.Q(
                    date_ouverture__isnull=False,
                    date_cloture__isnull=False,
                    date_cloture__gt=models.F("date_ouverture"),
                ),
                name="appel_dates_ou_toute_annee",
            ),
        ]

    def __str__(self) -> str:
        return self.titre


class Critere(models.Model):
    """One eligibility criterion of a call: rules are data, so a call can relax them."""

    class Verification(models.TextChoices):
        AUCUNE = "", "aucune (appréciée par les agents)"
        QPV = "qpv", "au moins un QPV sur les communes (données de référence)"
        REP = "rep", "au moins une école REP ou REP+ (annuaire de l'éducation)"
        CHEF_DE_FILE = "chef_de_file", "un collège chef de file (annuaire de l'éducation)"
        IPS = "ips", "IPS des écoles face à la moyenne du département (DEPP)"

    class Mode(models.TextChoices):
        BLOQUANT = "bloquant", "bloquant : empêche le dépôt s'il n'est pas rempli"
        INDICATEUR = "indicateur", "indicateur : montré au porteur et aux agents, sans empêcher le dépôt"

    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="criteres")
    numero = models.PositiveSmallIntegerField("numéro")
    libelle = models.CharField("libellé", max_length=300)
    description = models.TextField(blank=True)
    verification = models.CharField(
        "vérification automatique", max_length=12, choices=Verification.choices, blank=True, default=""
    )
    mode = models.CharField(
        "effet de la vérification automatique",
        max_length=10,
        choices=Mode.choices,
        default=Mode.BLOQUANT,
        help_text="Une vérification bloquante empêche le dépôt ; un indicateur est seulement montré.",
    )
    champs_requis = models.JSONField(
        "éléments requis",
        default=list,
        blank=True,
        help_text="Clés des éléments de la candidature à remplir (voir candidatures.selectors.ELEMENTS).",
    )

    class Meta:
        ordering = ["appel", "numero"]
        verbose_name = "critère"
        constraints = [models.UniqueConstraint(fields=["appel", "numero"], name="critere_appel_numero_unique")]

    def __str__(self) -> str:
        return f"{self.numero}. {self.libelle}"

    @property
    def indicateur(self) -> bool:
        return self.mode == self.Mode.INDICATEUR

    @property
    def evaluation_requise(self) -> bool:
        """An indicator is only shown (2024 rules: REP/REP+, IPS): agents may assess it, but the
        région's opinion does not wait for it. Every other criterion must be assessed first."""
        return not self.indicateur

    def clean(self):
        inconnus = [cle for cle in self.champs_requis or [] if cle not in ELEMENTS]
        if not isinstance(self.champs_requis, list) or inconnus:
            raise ValidationError(
                {
                    "champs_requis": "Éléments inconnus : "
                    + ", ".join(map(str, inconnus or [self.champs_requis]))
                    + ". Éléments possibles : "
                    + ", ".join(ELEMENTS)
                    + "."
                }
            )


# --- Candidatures ---------------------------------------------------------------------------


class Verifications(models.TextChoices):
    CONFORME = "conforme", "vérifiées"
    DONNEES_ABSENTES = "donnees_absentes", "données absentes : à apprécier"
    NON_CONFORME = "non_conforme", "non conformes"


class CandidatureQuerySet(models.QuerySet):
    """Querysets derived from the state records of candidatures.workflow.etats."""

    def en_attente_agents(self):
        """Candidatures whose next move is an agent's (compléments demandés waits for the porteur)."""
        return self.filter(etat__in=etats_ou(lambda e: bool(e.attente & AGENTS)))

    def decidees(self):
        return self.filter(etat__in=etats_ou(lambda e: e.decision))

    def visibles_agents(self):
        """What agents may see at all (drafts belong to the porteurs alone)."""
        return self.filter(etat__in=etats_ou(lambda e: bool(e.visible_par & AGENTS)))

    def visibles_par(self, user, *, roles: frozenset[str] | None = None):
        """Every candidature `user` may see, so that get_object_or_404 on it answers 404 for the
        others: for each role the user holds, the states that role sees (the state records'
        `visible_par`) within that role's reach (a porteur: their collectivité's; an agent: their
        région's, all for national agents, acteurs.region_filtre). `roles` keeps only some of them
        (roles=AGENTS: the agents' screens, without a porteur's own drafts)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        roles = TOUS if roles is None else roles
        portees = {}  # role held → what it reaches
        if PORTEUR in roles and acteurs.can_file(user):
            portees[PORTEUR] = models.Q(collectivite_id=user.profil_porteur.collectivite_id)
        if COEDITEUR in roles:
            portees[COEDITEUR] = models.Q(
                pk__in=PersonneCandidature.objects.coedition_de(user).values("candidature_id")
            )
        region = acteurs.region_filtre(user, "collectivite__region_id") if roles & AGENTS else None
        if region is not None:
            agent = AGENT_NATIONAL if acteurs.is_agent_national(user) else AGENT_REGIONAL
            if agent in roles:
                portees[agent] = region
        visible = models.Q(pk__in=[])
        for role, portee in portees.items():
            visible |= models.Q(etat__in=etats_ou(lambda e, role=role: role in e.visible_par)) & portee
        return self.filter(visible)


class Candidature(Horodate):
    class Avis(models.TextChoices):
        FAVORABLE = "favorable", "favorable"
        DEFAVORABLE = "defavorable", "défavorable"

    appel = models.ForeignKey(AppelAProjets, on_delete=models.PROTECT, related_name="candidatures")
    collectivite = models.ForeignKey(Collectivite, on_delete=models.PROTECT, related_name="candidatures")
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="candidatures_creees"
    )
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.BROUILLON, db_index=True)
    reference = models.CharField("référence", max_length=20, unique=True, null=True, blank=True)
    # The first deposit: a re-deposit (after a request for more information) has its own date.
    depose_le = models.DateTimeField("déposée le", null=True, blank=True)
    redepose_le = models.DateTimeField("déposée à nouveau le", null=True, blank=True)
    # The last change of state, written by services.candidature_transition: the agents' lists
    # sort and filter on it without reading the history.
    dernier_changement = models.DateTimeField("dernier changement d'état", null=True, blank=True)
    # Set at the first deposit from the call's delay: the list highlights the candidatures past it.
    echeance_instruction = models.DateField("échéance de l'instruction", null=True, blank=True)
    recepisse = models.FileField("récépissé", storage=private_storage, upload_to="recepisses/", blank=True)

    # 1. Territory
    titre = models.CharField("nom du projet", max_length=200, blank=True)
    cite_etendue = models.ForeignKey(
        CiteEducative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidatures_extension",
        verbose_name="cité éducative étendue",
        help_text="Quand la candidature étend le périmètre d'une cité déjà labellisée.",
    )
    renouvellement_de = models.ForeignKey(
        CiteEducative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidatures_renouvellement",
        verbose_name="renouvellement de la cité",
        help_text="Quand la candidature demande le renouvellement du label d'une cité (pré-remplie depuis elle).",
    )
    # Set by the label decision: the cité the candidature created or extended.
    cite = models.ForeignKey(
        CiteEducative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidatures",
        verbose_name="cité éducative créée ou étendue",
    )
    communes = models.ManyToManyField(Commune, related_name="candidatures", blank=True)
    qpvs = models.ManyToManyField(Qpv, related_name="candidatures", blank=True, verbose_name="QPV")
    # 2. Schools
    etablissements = models.ManyToManyField(
        Etablissement, related_name="candidatures", blank=True, verbose_name="écoles et collèges"
    )
    college_chef_de_file = models.ForeignKey(
        Etablissement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidatures_chef_de_file",
        verbose_name="collège chef de file",
    )
    college_chef_de_file_autre = models.CharField(
        "collège chef de file (s'il n'est pas proposé)", max_length=300, blank=True
    )
    etablissements_hors_referentiel = models.TextField("établissements absents des données de référence", blank=True)
    # 3. Diagnosis (indicators are rows of Indicateur)
    diagnostic = models.TextField(blank=True)
    # 5–6. Steering
    troika_prefecture = models.CharField("préfecture (troïka)", max_length=300, blank=True)
    troika_education = models.CharField("Éducation nationale (troïka)", max_length=300, blank=True)
    troika_collectivite = models.CharField("collectivité (troïka)", max_length=300, blank=True)
    chef_de_projet_nom = models.CharField("chef de projet", max_length=200, blank=True)
    chef_de_projet_email = models.EmailField("adresse du chef de projet", blank=True)
    chef_de_projet_telephone = models.CharField("téléphone du chef de projet", max_length=30, blank=True)
    gouvernance = models.TextField("qui fait quoi", blank=True)
    # 7. Resources
    actions_ressources = models.TextField("actions ressources existantes", blank=True)
    actions_complementaires = models.TextField("actions complémentaires", blank=True)
    # 9. Communication and evaluation
    plan_communication = models.TextField("plan de communication", blank=True)
    demarche_evaluation = models.TextField("démarche d'évaluation", blank=True)

    # Instruction (issue 4 builds the screens on these)
    avis_region = models.CharField("avis de la région", max_length=12, choices=Avis.choices, blank=True)
    avis_region_motif = models.TextField("motif de l'avis", blank=True)
    instructeur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidatures_instruites",
        verbose_name="agent instructeur",
    )
    # Overall result of the automatic checks (criteria 1–2), stored at each deposit so that the
    # agents' list filters on it without computing it row by row.
    verifications = models.CharField(
        "vérifications automatiques", max_length=16, choices=Verifications.choices, blank=True, db_index=True
    )

    objects = CandidatureQuerySet.as_manager()

    class Meta:
        ordering = ["-modifie_le"]
        verbose_name = "candidature"
        # What the agents' list and dashboard sort and filter by (the list's default order is
        # « -depose_le, -pk »; « sans changement depuis » filters waiting states on the date).
        indexes = [
            models.Index(fields=["-depose_le", "-id"], name="cand_depot_idx"),
            models.Index(fields=["etat", "dernier_changement"], name="cand_etat_changement_idx"),
            models.Index(fields=["dernier_changement"], name="cand_changement_idx"),
            models.Index(fields=["appel", "etat"], name="cand_appel_etat_idx"),
            models.Index(fields=["etat", "echeance_instruction"], name="cand_etat_echeance_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(etat__in=["brouillon", "retiree"])
                | models.Q(reference__isnull=False, depose_le__isnull=False),
                name="candidature_deposee_a_une_reference",
            ),
        ]

    def __str__(self) -> str:
        # Named by its territory and its call, never by a database id (select the collectivité and the call).
        if self.reference:
            return self.reference
        return f"Brouillon {self.collectivite.nom} — {self.appel.titre}"

    def get_absolute_url(self) -> str:
        return reverse("candidatures:detail", kwargs={"pk": self.pk})


class CompteurReference(models.Model):
    """Last number given for a year: references are CE-<year>-<number>, gapless per year."""

    annee = models.PositiveSmallIntegerField("année", unique=True)
    dernier = models.PositiveIntegerField("dernier numéro", default=0)

    class Meta:
        verbose_name = "compteur de références"

    def __str__(self) -> str:
        return f"{self.annee} : {self.dernier}"


class Indicateur(models.Model):
    class Categorie(models.TextChoices):
        SCOLAIRE = "scolaire", "scolaire"
        SOCIAL = "social", "social"
        ECONOMIQUE = "economique", "économique"

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="indicateurs")
    ordre = models.PositiveSmallIntegerField(default=0)
    categorie = models.CharField("catégorie", max_length=12, choices=Categorie.choices)
    libelle = models.CharField("indicateur", max_length=300)
    valeur = models.CharField(max_length=100)
    annee = models.PositiveSmallIntegerField("année", null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["candidature", "ordre"]
        verbose_name = "indicateur"

    def __str__(self) -> str:
        return f"{self.libelle} : {self.valeur}"


class FicheAction(models.Model):
    """An action of the candidature; the same shape as partenaires.Action of a labelled cité."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="fiches_action")
    ordre = models.PositiveSmallIntegerField(default=0)
    titre = models.CharField(max_length=250)
    objectif = models.CharField(max_length=12, choices=Objectif.choices, blank=True)
    temps_avant = models.BooleanField("avant la classe", default=False)
    temps_pendant = models.BooleanField("pendant la classe", default=False)
    temps_apres = models.BooleanField("après la classe", default=False)
    age_min = models.PositiveSmallIntegerField("âge minimal", null=True, blank=True)
    age_max = models.PositiveSmallIntegerField("âge maximal", null=True, blank=True)
    existante = models.BooleanField("action existante", default=False)
    familles_partenaires = models.JSONField("familles de partenaires", default=list, blank=True)
    partenaires = models.TextField("partenaires", blank=True)
    budget = models.DecimalField("budget (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.TextField(blank=True)
    indicateurs = models.TextField("indicateurs de suivi", blank=True)

    class Meta:
        ordering = ["candidature", "ordre"]
        verbose_name = "fiche action"
        verbose_name_plural = "fiches action"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(age_min__isnull=True) | models.Q(age_min__lte=25))
                & (models.Q(age_max__isnull=True) | models.Q(age_max__lte=25)),
                name="fiche_action_ages_0_25",
            ),
        ]

    def __str__(self) -> str:
        return self.titre

    @property
    def temps(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.temps_avant, "avant la classe"),
                (self.temps_pendant, "pendant la classe"),
                (self.temps_apres, "après la classe"),
            )
            if flag
        ]


class LigneBudget(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="lignes_budget")
    ordre = models.PositiveSmallIntegerField(default=0)
    annee = models.PositiveSmallIntegerField("année")
    cofinanceur = models.CharField(max_length=200)
    objet = models.CharField(max_length=300, blank=True)
    montant = models.DecimalField("montant (€)", max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["candidature", "annee", "ordre"]
        verbose_name = "ligne de budget"
        verbose_name_plural = "lignes de budget"
        constraints = [models.CheckConstraint(condition=models.Q(montant__gte=0), name="ligne_budget_montant_positif")]

    def __str__(self) -> str:
        return f"{self.annee} — {self.cofinanceur} : {montant(self.montant)}"


class PieceJointe(models.Model):
    """A file attached to the candidature; `empreinte` (SHA-256 of the content) refuses the same file twice."""

    class Type(models.TextChoices):
        DELIBERATION = "deliberation", "délibération du conseil"
        BUDGET = "budget", "tableau budgétaire"
        LETTRE = "lettre", "lettre d'engagement"
        AUTRE = "autre", "autre document"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        ODS = "ods", "tableur OpenDocument (ODS)"
        XLSX = "xlsx", "tableur Excel (XLSX)"
        DOCX = "docx", "document Word (DOCX)"

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="pieces")
    type = models.CharField(max_length=15, choices=Type.choices)
    fichier = models.FileField(storage=private_storage, upload_to="pieces/%Y/%m/")
    nom = models.CharField("nom du fichier", max_length=255)
    format = models.CharField(max_length=5, choices=Format.choices)
    taille = models.PositiveIntegerField("taille (octets)")
    empreinte = models.CharField("empreinte SHA-256", max_length=64, blank=True, db_index=True)
    ajoute_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ajoute_le = models.DateTimeField("ajoutée le", auto_now_add=True)

    class Meta:
        ordering = ["type", "ajoute_le"]
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"

    def __str__(self) -> str:
        return self.nom


class PersonneCandidatureQuerySet(models.QuerySet):
    def coedition_de(self, user):
        """The co-editions `user` accepted: the one rule of the role COEDITEUR (permissions.roles_on,
        Candidature.objects.visibles_par)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user=user, role__in=PersonneCandidature.ROLES_COEDITION, confirme_le__isnull=False)


class PersonneCandidature(Horodate):
    """Someone the candidature names (issue 13, « troïka as people »): the representative of each
    troïka institution, who confirms the candidature before its deposit (when the call requires it),
    and the CPO and the principal of the collège chef de file, invited as co-editors. Roles are the
    cité's (cites.PersonneCite.Role), so that a renewal copies them and a label could carry them.
    Their professional e-mail is private: shown to the porteurs, co-editors and agents only.

    For a troïka representative, `confirme_le` and `empreinte` say what they confirmed: the
    fingerprint of the candidature's content at that moment (candidatures.troika). For a
    co-editor, `confirme_le` is when they accepted the invitation and `user` the account linked."""

    Role = PersonneCite.Role
    ROLES_TROIKA = PersonneCite.ROLES_TROIKA
    ROLES_COEDITION = (PersonneCite.Role.CPO, PersonneCite.Role.PRINCIPAL)
    ROLES = (*ROLES_TROIKA, *ROLES_COEDITION)

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="personnes")
    role = models.CharField("rôle", max_length=20, choices=[(r.value, r.label) for r in ROLES])
    nom = models.CharField("prénom et nom", max_length=200)
    fonction = models.CharField(max_length=200, blank=True, help_text="Par exemple : sous-préfète à la ville, DASEN.")
    email = models.EmailField("adresse électronique professionnelle", help_text="Jamais publiée.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidatures_personnes",
        verbose_name="compte sur le portail",
    )
    demande_le = models.DateTimeField("confirmation ou invitation demandée le", null=True, blank=True)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirme_le = models.DateTimeField("confirmée ou acceptée le", null=True, blank=True)
    empreinte = models.CharField("empreinte du contenu confirmé", max_length=64, blank=True)

    objects = PersonneCandidatureQuerySet.as_manager()

    class Meta:
        ordering = ["candidature", "role"]
        verbose_name = "personne de la candidature"
        verbose_name_plural = "personnes des candidatures (troïka, CPO, principal)"
        constraints = [
            models.UniqueConstraint(fields=["candidature", "role"], name="personne_candidature_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.nom} — {self.get_role_display()}"

    @property
    def troika(self) -> bool:
        return self.role in self.ROLES_TROIKA

    @property
    def coediteur(self) -> bool:
        return self.role in self.ROLES_COEDITION


class BrouillonEtape(models.Model):
    """What a porteur typed on a step that did not validate yet: restored when they come back."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="brouillons")
    etape = models.CharField("étape", max_length=30)
    donnees = models.JSONField("données saisies", default=dict)
    # [{"id": "id_chef_de_projet_email", "libelle": "…", "message": "…"}]: the fields of the step
    # that did not validate (their valid neighbours are stored on the candidature).
    erreurs = models.JSONField("champs à corriger", default=list, blank=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "saisie non validée"
        verbose_name_plural = "saisies non validées"
        constraints = [models.UniqueConstraint(fields=["candidature", "etape"], name="brouillon_etape_unique")]

    def __str__(self) -> str:
        return f"{self.candidature} — {self.etape}"


class EvenementCandidature(models.Model):
    """One row of a candidature's history: a change of state (who, when, from, to, message)."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="evenements")
    date = models.DateTimeField(auto_now_add=True, db_index=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    etat_avant = models.CharField("état avant", max_length=20, choices=Etat.choices, blank=True)
    etat_apres = models.CharField("état après", max_length=20, choices=Etat.choices)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = "événement"
        verbose_name_plural = "historique"

    def __str__(self) -> str:
        return f"{self.get_etat_avant_display() or '—'} → {self.get_etat_apres_display()}"


class EvaluationCritere(Horodate):
    """An agent's assessment of one criterion of the candidature's call."""

    class Appreciation(models.TextChoices):
        CONFORME = "conforme", "conforme"
        PARTIEL = "partiel", "partiellement conforme"
        NON_CONFORME = "non_conforme", "non conforme"

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="evaluations")
    critere = models.ForeignKey(Critere, on_delete=models.PROTECT, related_name="evaluations")
    appreciation = models.CharField("appréciation", max_length=15, choices=Appreciation.choices)
    commentaire = models.TextField(blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["critere__numero"]
        verbose_name = "évaluation d'un critère"
        verbose_name_plural = "évaluations des critères"
        constraints = [
            models.UniqueConstraint(fields=["candidature", "critere"], name="evaluation_candidature_critere_unique")
        ]

    def __str__(self) -> str:
        return f"{self.critere} : {self.get_appreciation_display()}"


# --- Instruction ----------------------------------------------------------------------------


class NoteAgent(models.Model):
    """A private note between agents: never shown to the porteurs."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="notes_agents")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    texte = models.TextField()
    cree_le = models.DateTimeField("écrite le", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["cree_le", "pk"]
        verbose_name = "note interne"
        verbose_name_plural = "notes internes"

    def __str__(self) -> str:
        return f"Note du {self.cree_le:%d/%m/%Y} sur {self.candidature}"


class MessageCandidature(models.Model):
    """A message of the thread between the agents and the porteurs of a candidature."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="messages")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    de_agent = models.BooleanField("écrit par un agent")
    texte = models.TextField("message")
    envoye_le = models.DateTimeField("envoyé le", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["envoye_le", "pk"]
        verbose_name = "message"
        verbose_name_plural = "messages"

    def __str__(self) -> str:
        return f"Message du {self.envoye_le:%d/%m/%Y %H:%M} sur {self.candidature}"


class PieceMessage(models.Model):
    """A file attached to a message of the thread (same checks as the candidature's attachments)."""

    message = models.ForeignKey(MessageCandidature, on_delete=models.CASCADE, related_name="pieces")
    fichier = models.FileField(storage=private_storage, upload_to="messages/%Y/%m/")
    nom = models.CharField("nom du fichier", max_length=255)
    format = models.CharField(max_length=5, choices=PieceJointe.Format.choices)
    taille = models.PositiveIntegerField("taille (octets)")
    empreinte = models.CharField("empreinte SHA-256", max_length=64, blank=True)

    class Meta:
        ordering = ["message", "pk"]
        verbose_name = "pièce jointe d'un message"
        verbose_name_plural = "pièces jointes des messages"

    def __str__(self) -> str:
        return self.nom


class CompteurTentatives(models.Model):
    """Attempts counted in the database, shared by every application server: failed log-ins per
    account and client address, per address alone, sign-ups and password resets per address.
    `cle` is "<kind>:<sha256>", never the address or the e-mail in clear."""

    cle = models.CharField(max_length=80, unique=True)
    nombre = models.PositiveIntegerField(default=0)
    debut = models.DateTimeField("début de la fenêtre")
    bloque_jusqu_a = models.DateTimeField("bloqué jusqu'à", null=True, blank=True)

    class Meta:
        verbose_name = "compteur de tentatives"
        verbose_name_plural = "compteurs de tentatives"

    def __str__(self) -> str:
        return f"{self.cle} : {self.nombre}"


class RappelInstruction(models.Model):
    """A reminder e-mail sent to the agent in charge of an overdue candidature: one a day at most."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="rappels")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    date = models.DateField("jour du rappel")
    envoye_le = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = "rappel d'instruction"
        verbose_name_plural = "rappels d'instruction"
        constraints = [models.UniqueConstraint(fields=["candidature", "date"], name="rappel_candidature_jour_unique")]

    def __str__(self) -> str:
        return f"Rappel du {self.date:%d/%m/%Y} sur {self.candidature}"


class JournalInstruction(models.Model):
    """Changes of the instruction besides changes of state, notes and messages (who, when, what)."""

    class Type(models.TextChoices):
        ATTRIBUTION = "attribution", "attribution"
        EVALUATION = "evaluation", "évaluation d'un critère"
        AVIS = "avis", "avis de la région"

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="journal")
    date = models.DateTimeField(auto_now_add=True, db_index=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    type = models.CharField(max_length=12, choices=Type.choices)
    description = models.TextField()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = "entrée du journal d'instruction"
        verbose_name_plural = "journal d'instruction"

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.description[:60]}"


class Export(models.Model):
    """An export of the agents' list built in the background (XLSX, or any export too long for a
    request), offered to its agent alone on « Mes exports », deleted after
    EXPORTS_CONSERVATION_JOURS days (services.exports_purger)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "en attente"
        EN_COURS = "en_cours", "en cours"
        PRET = "pret", "prêt"
        ECHEC = "echec", "échec"

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports_candidatures")
    format = models.CharField(max_length=4, choices=Format.choices)
    # What the list showed: its query string (filters, search, sort) or the selected candidatures.
    filtres = models.CharField("filtres de la liste", max_length=2000, blank=True)
    selection = models.JSONField("candidatures sélectionnées", null=True, blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.EN_ATTENTE)
    nom = models.CharField("nom du fichier", max_length=100)
    fichier = models.FileField(storage=private_storage, upload_to="exports/%Y/%m/", blank=True)
    nombre_lignes = models.PositiveIntegerField("lignes", null=True, blank=True)
    taille = models.PositiveBigIntegerField("taille (octets)", null=True, blank=True)
    erreur = models.TextField(blank=True)
    cree_le = models.DateTimeField("demandé le", auto_now_add=True, db_index=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        ordering = ["-cree_le", "-pk"]
        verbose_name = "export de candidatures"
        verbose_name_plural = "exports de candidatures"

    def __str__(self) -> str:
        return f"{self.nom}.{self.format}"

"""Territory reference data (INSEE COG, QPV, annuaire de l'éducation) and the labelled cités."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cites.search import search_fold_text


class Source(models.Model):
    """Where a reference row comes from: file or URL, and the date of the import."""

    source = models.CharField("source", max_length=300, blank=True)
    importe_le = models.DateTimeField("importé le", null=True, blank=True)

    class Meta:
        abstract = True


class Region(Source):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField(max_length=100)

    class Meta:
        ordering = ["nom"]
        verbose_name = "région"

    def __str__(self) -> str:
        return self.nom


class Departement(Source):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"


class Commune(Source):
    code = models.CharField("code INSEE", max_length=5, unique=True)
    nom = models.CharField(max_length=150, db_index=True)
    # `nom` folded by cites.search.search_fold_text: searched through a trigram index on PostgreSQL.
    nom_recherche = models.CharField("nom pour la recherche", max_length=150, blank=True, editable=False)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    population = models.PositiveIntegerField(null=True, blank=True)
    siren = models.CharField(max_length=9, blank=True)
    # Centroid (WGS84) where an open-data file gives it (ANCT QPV and cités files): places the
    # cités and the 2024 QPVs on the map.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["nom", "code"]
        verbose_name = "commune"

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"

    def save(self, *args, **kwargs):
        # A derived column, like a slug: kept in step with `nom` on every save (bulk writes set it).
        self.nom_recherche = search_fold_text(self.nom) or ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "nom" in update_fields:
            kwargs["update_fields"] = {*update_fields, "nom_recherche"}
        super().save(*args, **kwargs)


class CommuneRattachee(Source):
    """A code that is not a current commune but resolves to one.

    Communes déléguées and associées (parent: `chefLieu`) and the municipal
    arrondissements of Paris, Lyon and Marseille (parent: `commune`).
    """

    class Type(models.TextChoices):
        DELEGUEE = "commune-deleguee", "commune déléguée"
        ASSOCIEE = "commune-associee", "commune associée"
        ARRONDISSEMENT = "arrondissement-municipal", "arrondissement municipal"

    code = models.CharField("code INSEE", max_length=5, unique=True)
    nom = models.CharField(max_length=150)
    type = models.CharField(max_length=30, choices=Type.choices)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="rattachees")

    class Meta:
        ordering = ["code"]
        verbose_name = "commune rattachée"
        verbose_name_plural = "communes rattachées (déléguées, associées, arrondissements)"

    def __str__(self) -> str:
        return f"{self.nom} ({self.code}) → {self.commune.code}"


class Epci(Source):
    """Intercommunality (établissement public de coopération intercommunale)."""

    siren = models.CharField("SIREN", max_length=9, unique=True)
    nom = models.CharField(max_length=200)
    type = models.CharField(max_length=10, blank=True)
    communes = models.ManyToManyField(Commune, related_name="epcis", blank=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = "intercommunalité (EPCI)"
        verbose_name_plural = "intercommunalités (EPCI)"

    def __str__(self) -> str:
        return f"{self.nom} ({self.siren})"


class Qpv(Source):
    """Quartier prioritaire de la politique de la ville."""

    code = models.CharField("code officiel", max_length=10, unique=True)
    nom = models.CharField(max_length=200)
    generation = models.PositiveSmallIntegerField(
        "génération", default=2024, help_text="2015 (codes QPxxxyyy) ou 2024 (codes QNxxxyyZ)."
    )
    communes = models.ManyToManyField(Commune, related_name="qpvs", blank=True)
    contour = models.JSONField("contour (géométrie GeoJSON)", null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "QPV"
        verbose_name_plural = "QPV"

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"


class EducationPrioritaire(models.TextChoices):
    REP = "REP", "REP"
    REP_PLUS = "REP+", "REP+"
    AUCUNE = "", "hors éducation prioritaire"


class Etablissement(Source):
    """A school (école, collège, lycée…) of the annuaire de l'éducation, keyed by its UAI."""

    class Statut(models.TextChoices):
        PUBLIC = "public", "public"
        PRIVE = "prive", "privé"

    uai = models.CharField("UAI", max_length=8, unique=True)
    nom = models.CharField(max_length=250)
    type = models.CharField("type d'établissement", max_length=60, db_index=True)
    nature = models.CharField("nature", max_length=120, blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="etablissements")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    education_prioritaire = models.CharField(
        "éducation prioritaire", max_length=4, choices=EducationPrioritaire.choices, blank=True, db_index=True
    )
    qpvs = models.ManyToManyField(Qpv, through="EtablissementQpv", related_name="etablissements", blank=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = "établissement"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(education_prioritaire__in=["REP", "REP+", ""]),
                name="etablissement_education_prioritaire_valide",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.uai})"


class EtablissementQpv(models.Model):
    """A school placed in (polygon) or near (same commune) a QPV, with the method used."""

    class Methode(models.TextChoices):
        POLYGONE = "polygone", "dans le contour du QPV"
        COMMUNE = "commune", "dans une commune du QPV"

    etablissement = models.ForeignKey(Etablissement, on_delete=models.CASCADE)
    qpv = models.ForeignKey(Qpv, on_delete=models.CASCADE)
    methode = models.CharField("méthode", max_length=10, choices=Methode.choices)

    class Meta:
        verbose_name = "placement d'un établissement dans un QPV"
        verbose_name_plural = "placements des établissements dans les QPV"
        constraints = [models.UniqueConstraint(fields=["etablissement", "qpv"], name="etablissement_qpv_unique")]

    def __str__(self) -> str:
        return f"{self.etablissement_id} → {self.qpv_id} ({self.get_methode_display()})"


class IndicePositionSociale(Source):
    """The social position index (IPS) of a school for one rentrée (DEPP open data), keyed by UAI.

    Kept whether or not the annuaire holds the school: the IPS files are national, the annuaire
    imported only covers some régions, and the cité page and the eligibility simulator show the
    IPS of the schools of any commune. `code_commune` is the file's code (an arrondissement of
    Paris, Lyon or Marseille keeps its own code, 69388 for Lyon 8e); `commune` the current commune
    it resolves to (None for the few merged communes the COG no longer knows).
    """

    class Niveau(models.TextChoices):
        ECOLE = "ecole", "école"
        COLLEGE = "college", "collège"

    class Secteur(models.TextChoices):
        PUBLIC = "public", "public"
        PRIVE = "prive", "privé sous contrat"

    uai = models.CharField("UAI", max_length=8)
    rentree = models.PositiveSmallIntegerField(
        "rentrée scolaire", help_text="Année de la rentrée : 2022 pour 2022-2023."
    )
    niveau = models.CharField(max_length=8, choices=Niveau.choices)
    nom = models.CharField(max_length=250)
    code_commune = models.CharField("code commune (fichier)", max_length=5)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="indices_position_sociale", null=True, blank=True
    )
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="indices_position_sociale")
    secteur = models.CharField(max_length=8, choices=Secteur.choices)
    effectifs = models.PositiveIntegerField(null=True, blank=True)
    ips = models.FloatField("IPS")
    ecart_type = models.FloatField("écart-type de l'IPS", null=True, blank=True)

    class Meta:
        ordering = ["uai", "rentree"]
        verbose_name = "indice de position sociale (IPS)"
        verbose_name_plural = "indices de position sociale (IPS)"
        constraints = [models.UniqueConstraint(fields=["uai", "rentree"], name="ips_uai_rentree_unique")]
        indexes = [models.Index(fields=["departement", "niveau", "rentree"], name="ips_departement_niveau")]

    def __str__(self) -> str:
        return f"{self.nom} ({self.uai}) : {self.ips} en {self.rentree}-{self.rentree + 1}"


class CiteEducativeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publiee=True)


class CiteEducative(Source):
    class Statut(models.TextChoices):
        LABELLISEE = "labellisee", "labellisée"
        PROLONGEE = "prolongee", "prolongée"
        ETENDUE = "etendue", "étendue"
        RENOUVELEE = "renouvelee", "renouvelée"
        TERMINEE = "terminee", "arrivée à terme"

    identifiant = models.CharField(
        "identifiant ANCT", max_length=20, unique=True, null=True, blank=True, help_text="Par exemple cite-050."
    )
    nom = models.CharField(max_length=200)
    # `nom` folded by cites.search.search_fold_text: searched through a trigram index on PostgreSQL.
    nom_recherche = models.CharField("nom pour la recherche", max_length=200, blank=True, editable=False)
    slug = models.SlugField(max_length=220, unique=True)
    communes = models.ManyToManyField(Commune, related_name="cites", blank=True)
    qpvs = models.ManyToManyField(Qpv, related_name="cites", blank=True, verbose_name="QPV")
    etablissements = models.ManyToManyField(Etablissement, related_name="cites", blank=True)
    college_chef_de_file = models.ForeignKey(
        Etablissement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cites_chef_de_file",
        verbose_name="collège chef de file",
    )
    annee_label = models.PositiveSmallIntegerField("année du label", null=True, blank=True)
    annee_label_deduite = models.BooleanField(
        "année déduite",
        default=False,
        help_text="Cochée quand l'année vient de l'identifiant ANCT et non d'une décision connue.",
    )
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.LABELLISEE)
    fin_financement = models.DateField("fin de la période de financement", null=True, blank=True)
    contact_email = models.EmailField("adresse de contact (fonctionnelle)", blank=True)
    publiee = models.BooleanField("publiée", default=True)
    # When the cité entered the portal: the e-mail alerts announce those that came after a subscription.
    publiee_le = models.DateTimeField("ajoutée au portail le", default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = CiteEducativeQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        verbose_name = "cité éducative"
        verbose_name_plural = "cités éducatives"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annee_label__isnull=True) | models.Q(annee_label__gte=2019),
                name="cite_annee_label_depuis_2019",
            )
        ]

    def __str__(self) -> str:
        return self.nom

    def save(self, *args, **kwargs):
        # A derived column, like a slug: kept in step with `nom` on every save (admin, label decision).
        self.nom_recherche = search_fold_text(self.nom) or ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "nom" in update_fields:
            kwargs["update_fields"] = {*update_fields, "nom_recherche"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cites:detail", kwargs={"slug": self.slug})


class EvenementLabel(models.Model):
    """A step of a cité's label history: label, extension, prolongation, renewal, end."""

    class Type(models.TextChoices):
        LABEL = "label", "labellisation"
        EXTENSION = "extension", "extension du périmètre"
        PROLONGATION = "prolongation", "prolongation"
        RENOUVELLEMENT = "renouvellement", "renouvellement du label"
        FIN = "fin", "fin du label"

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="evenements")
    type = models.CharField(max_length=15, choices=Type.choices)
    annee = models.PositiveSmallIntegerField("année")
    date = models.DateField(null=True, blank=True, help_text="Date de la décision, quand elle est connue.")
    reference_decision = models.CharField("référence de la décision", max_length=200, blank=True)
    description = models.TextField(blank=True)
    fin_financement = models.DateField(
        "fin du financement décidée",
        null=True,
        blank=True,
        help_text="Pour une prolongation ou un renouvellement : la nouvelle fin de la période de financement.",
    )
    communes = models.ManyToManyField(
        Commune,
        related_name="evenements_label",
        blank=True,
        verbose_name="communes ajoutées",
        help_text="Pour une extension : les communes ajoutées au périmètre (les imports de la liste ANCT les "
        "conservent).",
    )

    class Meta:
        ordering = ["annee", "date", "pk"]
        verbose_name = "événement du label"
        verbose_name_plural = "historique du label"

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.annee}"


def documents_storage():
    """Documents of the cités (conventions, revues de projet): in the private storage, outside
    every public folder. The public page links only to those marked public, served by
    `views.cite_document` once it has checked that the cité is published."""
    from cites.stockage import prive

    return prive


class ConventionCadre(models.Model):
    """The convention-cadre signed by the State and the collectivité after the label."""

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="conventions")
    date_signature = models.DateField("date de signature")
    description = models.TextField("objet", blank=True, help_text="Par exemple : convention initiale, avenant n° 1.")
    document = models.FileField(
        "convention signée (PDF)", storage=documents_storage, upload_to="cites/conventions/%Y/", blank=True
    )
    document_public = models.BooleanField(
        "document publié",
        default=True,
        help_text="Une convention signée est un document administratif communicable : elle est publiée sur la "
        "page de la cité, sauf décision contraire.",
    )
    enregistre_le = models.DateTimeField("enregistrée le", auto_now_add=True)
    enregistre_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date_signature", "pk"]
        verbose_name = "convention-cadre"
        verbose_name_plural = "conventions-cadres"

    def __str__(self) -> str:
        return f"Convention-cadre du {self.date_signature:%d/%m/%Y} — {self.cite}"


class RevueProjet(models.Model):
    """The yearly revue de projet of a cité: its date, a summary and the document presented."""

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="revues")
    annee = models.PositiveSmallIntegerField("année")
    date = models.DateField()
    resume = models.TextField("synthèse")
    document = models.FileField(
        "document de la revue (PDF)", storage=documents_storage, upload_to="cites/revues/%Y/", blank=True
    )
    document_public = models.BooleanField(
        "document publié",
        default=False,
        help_text="Cochez pour le publier sur la page de la cité (vérifiez qu'il ne contient pas de données "
        "personnelles). La synthèse est toujours publiée.",
    )
    enregistre_le = models.DateTimeField("enregistrée le", auto_now_add=True)
    enregistre_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["annee", "pk"]
        verbose_name = "revue de projet"
        verbose_name_plural = "revues de projet"
        constraints = [models.UniqueConstraint(fields=["cite", "annee"], name="revue_projet_une_par_an")]

    def __str__(self) -> str:
        return f"Revue de projet {self.annee} — {self.cite}"


class Suggestion(models.Model):
    """A correction suggested by the public on a cité's page, waiting for an agent."""

    class Champ(models.TextChoices):
        NOM = "nom", "Nom de la cité"
        COMMUNES = "communes", "Communes ou quartiers"
        ANNEE = "annee", "Année du label"
        ETABLISSEMENTS = "etablissements", "Écoles et collèges"
        PARTENAIRES = "partenaires", "Partenaires et actions"
        CONTACT = "contact", "Contact"
        AUTRE = "autre", "Autre"

    class Statut(models.TextChoices):
        NOUVELLE = "nouvelle", "nouvelle"
        TRAITEE = "traitee", "traitée"
        REJETEE = "rejetee", "rejetée"

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="suggestions")
    champ = models.CharField("élément concerné", max_length=20, choices=Champ.choices)
    message = models.TextField()
    email = models.EmailField("adresse électronique", blank=True, help_text="Jamais affichée publiquement.")
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.NOUVELLE, db_index=True)
    reponse = models.TextField("réponse de l'agent", blank=True)
    cree_le = models.DateTimeField("reçue le", auto_now_add=True)
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="traitée par",
    )

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = "proposition de correction"
        verbose_name_plural = "propositions de correction"

    def __str__(self) -> str:
        return f"{self.get_champ_display()} — {self.cite}"


class Abonnement(models.Model):
    """An e-mail alert a visitor asked for (double opt-in): never shown, deleted on unsubscribing."""

    class Sujet(models.TextChoices):
        NOUVELLE_CITE = "nouvelle_cite", "une nouvelle cité éducative dans mon département"
        # Sent once the yearly synthesis of the revues de projet exists (issue 13).
        NOUVELLE_SYNTHESE = "nouvelle_synthese", "une nouvelle synthèse des revues de projet"

    email = models.EmailField("adresse électronique")
    departement = models.ForeignKey(Departement, on_delete=models.CASCADE, related_name="abonnements")
    sujet = models.CharField(max_length=20, choices=Sujet.choices, default=Sujet.NOUVELLE_CITE)
    jeton = models.CharField(
        max_length=64, unique=True, help_text="Dans les liens de confirmation et de désinscription."
    )
    cree_le = models.DateTimeField("demandé le", auto_now_add=True)
    confirme_le = models.DateTimeField("confirmé le", null=True, blank=True)

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = "abonnement aux alertes"
        verbose_name_plural = "abonnements aux alertes"
        constraints = [
            models.UniqueConstraint(fields=["email", "departement", "sujet"], name="abonnement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_sujet_display()} — {self.departement}"


class AlerteEnvoi(models.Model):
    """What an alert announced to a subscriber, once: `cle` names it (cite-<pk>, synthese-<year>)."""

    abonnement = models.ForeignKey(Abonnement, on_delete=models.CASCADE, related_name="envois")
    cle = models.CharField(max_length=50)
    envoye_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "alerte envoyée"
        verbose_name_plural = "alertes envoyées"
        constraints = [models.UniqueConstraint(fields=["abonnement", "cle"], name="alerte_envoi_unique")]

    def __str__(self) -> str:
        return f"{self.cle} → abonnement {self.abonnement_id}"


# --- Money per cité and per year (issue 13) ---------------------------------------------------


class FinancementAnnuel(models.Model):
    """What a cité received and spent in a year: the State's dotation (programme 147), the fonds
    de la cité (30 k€, 2 × 15 k€, held by the collège chef de file), the collectivité's co-funding,
    other funding, and what was spent. Entered by agents; public (open data)."""

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="financements")
    annee = models.PositiveSmallIntegerField("année")
    dotation_etat = models.DecimalField(
        "dotation de l'État (programme 147)", max_digits=12, decimal_places=2, default=0
    )
    fonds_cite = models.DecimalField(
        "fonds de la cité",
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text="30 000 € par an, versés en 2 × 15 000 €.",
    )
    cofinancement = models.DecimalField("cofinancement de la collectivité", max_digits=12, decimal_places=2, default=0)
    autres = models.DecimalField("autres financements", max_digits=12, decimal_places=2, default=0)
    depenses = models.DecimalField(
        "dépenses réalisées",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Vide : pas encore connues.",
    )
    commentaire = models.TextField(blank=True, help_text="Public : source du montant, précision.")
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["cite__nom", "annee"]
        verbose_name = "financement annuel"
        verbose_name_plural = "financements annuels"
        constraints = [
            models.UniqueConstraint(fields=["cite", "annee"], name="financement_cite_annee_unique"),
            models.CheckConstraint(condition=models.Q(annee__gte=2019), name="financement_annee_depuis_2019"),
            models.CheckConstraint(
                condition=models.Q(dotation_etat__gte=0, fonds_cite__gte=0, cofinancement__gte=0, autres__gte=0)
                & (models.Q(depenses__isnull=True) | models.Q(depenses__gte=0)),
                name="financement_montants_positifs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cite} — {self.annee}"

    @property
    def total(self):
        return self.dotation_etat + self.fonds_cite + self.cofinancement + self.autres


# --- The people of a cité and its deadlines (issue 13) ---------------------------------------


class PersonneCite(models.Model):
    """Someone who runs a cité: its référents, the chef de projet opérationnel (CPO), the principal
    of the collège chef de file, and the troïka's representatives (préfet, recteur/DASEN, maire or
    EPCI president). Their professional e-mail is private: never on a public page or in the open
    data; it receives the reminders of the cité's deadlines."""

    class Role(models.TextChoices):
        REFERENT = "referent", "référent de la cité"
        CPO = "cpo", "chef de projet opérationnel (CPO)"
        PRINCIPAL = "principal", "principal du collège chef de file"
        TROIKA_PREFECTURE = "troika_prefecture", "troïka : représentant du préfet"
        TROIKA_EDUCATION = "troika_education", "troïka : représentant du recteur (DASEN)"
        TROIKA_COLLECTIVITE = "troika_collectivite", "troïka : représentant du maire ou du président de l'EPCI"

    # Who receives the reminders of the deadlines; who may edit the revue (co-editors).
    ROLES_REFERENTS = (Role.REFERENT, Role.CPO, Role.PRINCIPAL)
    ROLES_TROIKA = (Role.TROIKA_PREFECTURE, Role.TROIKA_EDUCATION, Role.TROIKA_COLLECTIVITE)

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="personnes")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    nom = models.CharField("prénom et nom", max_length=200)
    fonction = models.CharField(max_length=200, blank=True, help_text="Par exemple : sous-préfète à la ville, DASEN.")
    email = models.EmailField("adresse électronique professionnelle", help_text="Jamais publiée.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roles_cites",
        verbose_name="compte sur le portail",
    )
    actif = models.BooleanField(default=True)

    class Meta:
        ordering = ["cite", "role", "nom"]
        verbose_name = "personne de la cité"
        verbose_name_plural = "personnes des cités (référents, CPO, troïka)"

    def __str__(self) -> str:
        return f"{self.nom} — {self.get_role_display()}"


class Echeance(models.Model):
    """A deadline of a cité: computed from its label (cites.echeances), editable by agents (then
    kept as typed), done when an agent marks it so."""

    class Type(models.TextChoices):
        CONVENTION = "convention", "signature de la convention-cadre"
        PROTOCOLE = "protocole", "protocole d'évaluation"
        REVUE = "revue", "revue de projet annuelle"
        FIN_FINANCEMENT = "fin_financement", "fin de la période de financement"
        RENOUVELLEMENT = "renouvellement", "candidature au renouvellement"

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="echeances")
    type = models.CharField(max_length=16, choices=Type.choices)
    annee = models.PositiveSmallIntegerField("année", help_text="L'année de la revue ; l'année du label sinon.")
    date = models.DateField("échéance")
    debut = models.DateField("ouverture", null=True, blank=True, help_text="Pour une fenêtre : le renouvellement.")
    modifiee = models.BooleanField(
        "modifiée par un agent", default=False, help_text="Une date modifiée n'est plus recalculée."
    )
    faite_le = models.DateField("faite le", null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "cite__nom"]
        verbose_name = "échéance"
        constraints = [
            models.UniqueConstraint(fields=["cite", "type", "annee"], name="echeance_cite_type_annee_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cite} — {self.get_type_display()} ({self.date:%d/%m/%Y})"


class RappelEnvoi(models.Model):
    """A reminder sent for a deadline: one per (deadline, step, date), so none is sent twice and a
    moved deadline re-arms its reminders."""

    echeance = models.ForeignKey(Echeance, on_delete=models.CASCADE, related_name="rappels")
    cle = models.CharField(max_length=30)
    destinataires = models.TextField(blank=True)
    envoye_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-envoye_le"]
        verbose_name = "rappel envoyé"
        verbose_name_plural = "rappels envoyés"
        constraints = [models.UniqueConstraint(fields=["echeance", "cle"], name="rappel_echeance_cle_unique")]

    def __str__(self) -> str:
        return f"{self.echeance} — {self.cle}"

"""Partners and the network around the schools of each cité."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cites.models import CiteEducative


class Famille(models.TextChoices):
    MAISON = "maison", "La maison (parents, familles, voisins)"
    ETAT = "etat", "Services de l'État (CAF, préfecture…)"
    CULTURE = "culture", "Lieux culturels (médiathèque, médiateur numérique, salle de spectacle…)"
    COLLECTIVITES = "collectivites", "Collectivités locales (mairie, conseil régional…)"
    QUARTIER = "quartier", "Services du quartier (médecin, santé, commerçants…)"
    SOCIAL = "social", "Espaces sociaux (mission locale, médiateur social…)"
    ENTREPRISES = "entreprises", "Entreprises (maîtres de stage, tuteurs, mentors, parrains)"


class Partenaire(models.Model):
    nom = models.CharField(max_length=200)
    famille = models.CharField(max_length=20, choices=Famille.choices, db_index=True)
    description = models.TextField(blank=True)
    site_web = models.URLField("site web", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["nom"]
        verbose_name = "partenaire"
        constraints = [models.UniqueConstraint(fields=["nom", "famille"], name="partenaire_nom_famille_unique")]

    def __str__(self) -> str:
        return self.nom


class Validation(models.Model):
    """Published only once an agent has validated it. What an agent enters is valid at once;
    what comes from a porteur (a labelled candidature's partners and fiches action) waits."""

    valide = models.BooleanField(
        "validé et publié",
        default=True,
        db_index=True,
        help_text="Décoché tant qu'un agent n'a pas relu ce qu'un porteur a saisi : rien n'est publié avant.",
    )
    valide_le = models.DateTimeField("validé le", null=True, blank=True, editable=False)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="validé par",
    )

    class Meta:
        abstract = True


class LienPartenaire(Validation):
    """A partner's tie to a cité: how strong (1 to 3) and what it does there."""

    class Force(models.IntegerChoices):
        FAIBLE = 1, "ponctuelle"
        MOYENNE = 2, "régulière"
        FORTE = 3, "forte"

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="liens_partenaires")
    partenaire = models.ForeignKey(Partenaire, on_delete=models.CASCADE, related_name="liens")
    force = models.PositiveSmallIntegerField(choices=Force.choices, default=Force.MOYENNE)
    role = models.CharField("rôle", max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partenaire__famille", "-force", "partenaire__nom"]
        verbose_name = "lien partenaire"
        verbose_name_plural = "liens partenaires"
        constraints = [
            models.UniqueConstraint(fields=["cite", "partenaire"], name="lien_partenaire_unique"),
            models.CheckConstraint(condition=models.Q(force__gte=1, force__lte=3), name="lien_partenaire_force_1_3"),
        ]

    def __str__(self) -> str:
        return f"{self.partenaire} — {self.cite}"


class Objectif(models.TextChoices):
    ECOLE = "ecole", "Conforter le rôle de l'école"
    CONTINUITE = "continuite", "Promouvoir la continuité éducative entre l'école et le hors-murs"
    POSSIBLES = "possibles", "Ouvrir le champ des possibles"


class TempsEducatif(models.TextChoices):
    AVANT = "avant", "avant la classe"
    PENDANT = "pendant", "pendant la classe"
    APRES = "apres", "après la classe"


class Action(Validation):
    """A fiche action of a labelled cité, shown on its public page."""

    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="actions")
    titre = models.CharField(max_length=250)
    objectif = models.CharField(max_length=12, choices=Objectif.choices)
    temps_avant = models.BooleanField("avant la classe", default=False)
    temps_pendant = models.BooleanField("pendant la classe", default=False)
    temps_apres = models.BooleanField("après la classe", default=False)
    age_min = models.PositiveSmallIntegerField("âge minimal", default=0)
    age_max = models.PositiveSmallIntegerField("âge maximal", default=25)
    existante = models.BooleanField("action existante", default=False, help_text="Sinon, action nouvelle.")
    budget = models.DecimalField("budget (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.TextField(blank=True)
    indicateurs = models.TextField("indicateurs de suivi", blank=True)
    partenaires = models.ManyToManyField(Partenaire, related_name="actions", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["objectif", "titre"]
        verbose_name = "fiche action"
        verbose_name_plural = "fiches action"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__lte=models.F("age_max"), age_max__lte=25),
                name="action_ages_0_25",
            ),
            models.CheckConstraint(
                condition=models.Q(temps_avant=True) | models.Q(temps_pendant=True) | models.Q(temps_apres=True),
                name="action_au_moins_un_temps",
            ),
        ]

    def __str__(self) -> str:
        return self.titre

    @property
    def temps(self) -> list[str]:
        return [label for value, label in TempsEducatif.choices if getattr(self, f"temps_{value}")]

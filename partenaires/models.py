"""Partners and the network around the schools of each cité."""

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


class LienPartenaire(models.Model):
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

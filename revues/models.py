"""The yearly revue de projet of a cité (issue 13): a questionnaire per year kept as data
(sections, questions), the answers of the cité's référents, the validations of the three troïka
institutions, the reviews of the région then the ANCT, and the history of its states.

Dependencies: revues → candidatures → partenaires → cites. The state of a revue changes only
through `revues.workflow.revue_transition`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from candidatures.storage import private_storage
from cites.models import CiteEducative, PersonneCite


class Questionnaire(models.Model):
    """The questions of one year's revue, edited by a national agent in the admin (no deploy)."""

    annee = models.PositiveSmallIntegerField("année", unique=True)
    titre = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    ouvert = models.BooleanField("ouvert à la saisie", default=True)

    class Meta:
        ordering = ["-annee"]
        verbose_name = "questionnaire de revue de projet"
        verbose_name_plural = "questionnaires de revue de projet"

    def __str__(self) -> str:
        return self.titre


class Section(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    ordre = models.PositiveSmallIntegerField(default=0)
    titre = models.CharField(max_length=200)

    class Meta:
        ordering = ["questionnaire", "ordre", "pk"]

    def __str__(self) -> str:
        return self.titre


class Question(models.Model):
    class Type(models.TextChoices):
        TEXTE = "texte", "texte"
        NOMBRE = "nombre", "nombre"
        MONTANT = "montant", "montant (€)"
        CHOIX = "choix", "choix dans une liste"
        FICHIER = "fichier", "fichier (PDF)"

    class Financement(models.TextChoices):
        """The amounts of cites.FinancementAnnuel an answer may fill (its field names)."""

        DOTATION_ETAT = "dotation_etat", "dotation de l'État (programme 147)"
        FONDS_CITE = "fonds_cite", "fonds de la cité"
        COFINANCEMENT = "cofinancement", "cofinancement de la collectivité"
        AUTRES = "autres", "autres financements"
        DEPENSES = "depenses", "dépenses réalisées"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    ordre = models.PositiveSmallIntegerField(default=0)
    libelle = models.CharField("libellé", max_length=300)
    aide = models.CharField(max_length=300, blank=True)
    type = models.CharField(max_length=8, choices=Type.choices, default=Type.TEXTE)
    choix = models.JSONField(default=list, blank=True, help_text='Pour un choix : la liste, ["oui", "non"].')
    obligatoire = models.BooleanField(default=True)
    financement = models.CharField(
        "reporté dans les financements de la cité",
        max_length=16,
        choices=Financement.choices,
        blank=True,
        help_text="Pour un montant : quand l'ANCT accepte la revue, la réponse complète ce montant des financements "
        "de la cité pour l'année du questionnaire, s'il n'a pas déjà été saisi par un agent.",
    )

    class Meta:
        ordering = ["section__ordre", "section_id", "ordre", "pk"]

    def __str__(self) -> str:
        return self.libelle

    def clean(self):
        if self.type == self.Type.CHOIX and (
            not isinstance(self.choix, list) or len(self.choix) < 2 or not all(isinstance(c, str) for c in self.choix)
        ):
            raise ValidationError({"choix": "Une question à choix demande une liste d'au moins deux libellés."})
        if self.financement and self.type != self.Type.MONTANT:
            raise ValidationError(
                {"financement": "Seule une question de type montant peut compléter les financements."}
            )
        if self.financement and self.section_id:
            autres = Question.objects.filter(
                section__questionnaire_id=self.section.questionnaire_id, financement=self.financement
            ).exclude(pk=self.pk)
            if autres.exists():
                raise ValidationError(
                    {
                        "financement": f"« {autres.first().libelle} » complète déjà ce montant "
                        f"({self.get_financement_display()}) : une seule question par montant."
                    }
                )


class Etat(models.TextChoices):
    BROUILLON = "brouillon", "en cours de saisie"
    TRANSMISE = "transmise", "en validation par la troïka"
    VALIDEE = "validee", "validée par la troïka, à revoir par la région"
    VUE_REGION = "vue_region", "revue par la région, à revoir par l'ANCT"
    RENVOYEE = "renvoyee", "renvoyée aux référents"
    ACCEPTEE = "acceptee", "acceptée par l'ANCT"


class Revue(models.Model):
    cite = models.ForeignKey(CiteEducative, on_delete=models.CASCADE, related_name="revues_en_ligne")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="revues")
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.BROUILLON, db_index=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-questionnaire__annee", "cite__nom"]
        verbose_name = "revue de projet en ligne"
        verbose_name_plural = "revues de projet en ligne"
        constraints = [models.UniqueConstraint(fields=["cite", "questionnaire"], name="revue_cite_questionnaire")]

    def __str__(self) -> str:
        return f"{self.cite} — revue {self.questionnaire.annee}"


class Reponse(models.Model):
    """What a référent typed, kept as typed (`valeur`) even when invalid (`erreur` says why)."""

    revue = models.ForeignKey(Revue, on_delete=models.CASCADE, related_name="reponses")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reponses")
    valeur = models.TextField(blank=True)
    nombre = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    erreur = models.CharField(max_length=300, blank=True)
    fichier = models.FileField(storage=private_storage, upload_to="revues/", blank=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["revue", "question"], name="reponse_revue_question")]

    def __str__(self) -> str:
        return f"{self.revue} — {self.question}"


class ValidationTroika(models.Model):
    """One troïka institution's validation of a revue."""

    class Institution(models.TextChoices):
        PREFECTURE = PersonneCite.Role.TROIKA_PREFECTURE.value, "préfecture"
        EDUCATION = PersonneCite.Role.TROIKA_EDUCATION.value, "Éducation nationale (DASEN)"
        COLLECTIVITE = PersonneCite.Role.TROIKA_COLLECTIVITE.value, "collectivité"

    revue = models.ForeignKey(Revue, on_delete=models.CASCADE, related_name="validations")
    institution = models.CharField(max_length=20, choices=Institution.choices)
    valide_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    valide_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["revue", "institution"], name="validation_revue_institution")]

    def __str__(self) -> str:
        return f"{self.revue} — {self.get_institution_display()}"


class EvenementRevue(models.Model):
    revue = models.ForeignKey(Revue, on_delete=models.CASCADE, related_name="evenements")
    etat_avant = models.CharField(max_length=12, choices=Etat.choices, blank=True)
    etat_apres = models.CharField(max_length=12, choices=Etat.choices)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    date = models.DateTimeField(auto_now_add=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.revue} — {self.etat_avant} → {self.etat_apres}"

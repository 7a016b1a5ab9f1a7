"""API of the partners and fiches action of the published cités (read-only, thin)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cites.api.filters import unknown_value_error
from cites.api.views import PublicReadOnlyViewSet
from cites.models import CiteEducative
from partenaires import selectors
from partenaires.models import Action, Famille, LienPartenaire, Objectif, Partenaire, TempsEducatif

# --- Filters --------------------------------------------------------------------------------


class CiteSlugField(forms.CharField):
    """The slug of a published cité (one query), else a French error."""

    def clean(self, value):
        value = super().clean((value or "").strip())
        if value and not CiteEducative.objects.published().filter(slug=value).exists():
            raise unknown_value_error(
                "Cité inconnue : « {valeur} ». Indiquez l'identifiant (slug) d'une cité publiée, "
                "tel qu'il figure dans /api/cites/.",
                value,
                length=60,
            )
        return value


class CiteSlugFilter(django_filters.CharFilter):
    field_class = CiteSlugField


CITE_HELP = "Identifiant (slug) d'une cité publiée, ex. toulouse."


class PartenaireFilterSet(django_filters.FilterSet):
    famille = django_filters.ChoiceFilter(
        choices=Famille.choices,
        help_text="Famille du partenaire.",
        error_messages={"invalid_choice": "Famille inconnue : « %(value)s »."},
    )
    cite = CiteSlugFilter(method="filter_cite", help_text=CITE_HELP)

    class Meta:
        model = Partenaire
        fields = ["famille", "cite"]

    def filter_cite(self, queryset, name, value):
        # Through a validated link only: a link a porteur entered is not public before an agent's check.
        return queryset.filter(
            Exists(LienPartenaire.objects.filter(partenaire=OuterRef("pk"), cite__slug=value, valide=True))
        )


class ActionFilterSet(django_filters.FilterSet):
    cite = CiteSlugFilter(field_name="cite__slug", help_text=CITE_HELP)
    objectif = django_filters.ChoiceFilter(
        choices=Objectif.choices,
        help_text="Objectif de l'action.",
        error_messages={"invalid_choice": "Objectif inconnu : « %(value)s »."},
    )
    temps = django_filters.ChoiceFilter(
        choices=TempsEducatif.choices,
        method="filter_temps",
        help_text="Temps éducatif : avant, pendant ou après la classe.",
        error_messages={"invalid_choice": "Temps éducatif inconnu : « %(value)s ». Indiquez avant, pendant ou apres."},
    )

    class Meta:
        model = Action
        fields = ["cite", "objectif", "temps"]

    def filter_temps(self, queryset, name, value):
        return queryset.filter(**{f"temps_{value}": True})


# --- Serializers ----------------------------------------------------------------------------


class CiteCourteSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    nom = serializers.CharField(read_only=True)


class LienSerializer(serializers.Serializer):
    cite = CiteCourteSerializer(read_only=True)
    force = serializers.IntegerField(read_only=True, help_text="Force du lien, de 1 (ponctuel) à 3 (fort).")
    force_libelle = serializers.CharField(source="get_force_display", read_only=True)
    role = serializers.CharField(read_only=True)


class PartenaireSerializer(serializers.ModelSerializer):
    famille_libelle = serializers.CharField(source="get_famille_display", read_only=True)
    cites = LienSerializer(source="liens_publics", many=True, read_only=True)

    class Meta:
        model = Partenaire
        fields = ["id", "nom", "famille", "famille_libelle", "description", "site_web", "cites"]
        read_only_fields = fields


class PartenaireCourtSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partenaire
        fields = ["id", "nom", "famille"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    cite = CiteCourteSerializer(read_only=True)
    objectif_libelle = serializers.CharField(source="get_objectif_display", read_only=True)
    temps = serializers.SerializerMethodField(help_text="Temps éducatifs : avant, pendant, apres.")
    partenaires = PartenaireCourtSerializer(many=True, read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "titre",
            "cite",
            "objectif",
            "objectif_libelle",
            "temps",
            "age_min",
            "age_max",
            "existante",
            "budget",
            "description",
            "indicateurs",
            "partenaires",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TempsEducatif.choices)))
    def get_temps(self, action) -> list[str]:
        return [value for value in TempsEducatif.values if getattr(action, f"temps_{value}")]


# --- Views ----------------------------------------------------------------------------------


class PartenaireViewSet(PublicReadOnlyViewSet):
    """Les partenaires des cités publiées, avec la force et le rôle de chaque lien."""

    serializer_class = PartenaireSerializer
    filterset_class = PartenaireFilterSet

    def get_queryset(self):
        return selectors.partenaire_list_public()


class ActionViewSet(PublicReadOnlyViewSet):
    """Les fiches action des cités publiées."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet

    def get_queryset(self):
        return selectors.action_list_public()


routes = [
    ("partenaires", PartenaireViewSet, "partenaire"),
    ("actions", ActionViewSet, "action"),
]

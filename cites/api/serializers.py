"""Read-only representations of the API. They only read what the view's queryset prefetched."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cites.models import CiteEducative, Commune, Etablissement, Qpv


class TerritoireSerializer(serializers.Serializer):
    """A région, a département or a commune: its INSEE code and its name."""

    code = serializers.CharField(read_only=True)
    nom = serializers.CharField(read_only=True)


class CiteSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Adresse de la fiche publique de la cité.")
    communes = TerritoireSerializer(many=True, read_only=True)
    departements = serializers.SerializerMethodField()
    regions = serializers.SerializerMethodField()
    statut_libelle = serializers.CharField(source="get_statut_display", read_only=True)

    class Meta:
        model = CiteEducative
        fields = [
            "identifiant",
            "slug",
            "nom",
            "url",
            "annee_label",
            "annee_label_deduite",
            "statut",
            "statut_libelle",
            "communes",
            "departements",
            "regions",
        ]
        read_only_fields = fields

    def get_url(self, cite) -> str:
        request = self.context.get("request")
        path = cite.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(TerritoireSerializer(many=True))
    def get_departements(self, cite):
        departements = {commune.departement.code: commune.departement for commune in cite.communes.all()}
        return [{"code": code, "nom": departements[code].nom} for code in sorted(departements)]

    @extend_schema_field(TerritoireSerializer(many=True))
    def get_regions(self, cite):
        regions = {
            commune.departement.region.code: commune.departement.region.nom
            for commune in cite.communes.all()
            if commune.departement.region is not None
        }
        return [{"code": code, "nom": nom} for code, nom in sorted(regions.items(), key=lambda item: item[1])]


class CommuneSerializer(serializers.ModelSerializer):
    departement = TerritoireSerializer(read_only=True)
    region = TerritoireSerializer(source="departement.region", read_only=True, allow_null=True)

    class Meta:
        model = Commune
        fields = ["code", "nom", "departement", "region", "population", "latitude", "longitude"]
        read_only_fields = fields


class QpvSerializer(serializers.ModelSerializer):
    communes = TerritoireSerializer(many=True, read_only=True)

    class Meta:
        model = Qpv
        fields = ["code", "nom", "generation", "communes", "latitude", "longitude"]
        read_only_fields = fields


class EtablissementSerializer(serializers.ModelSerializer):
    commune = TerritoireSerializer(read_only=True)
    education_prioritaire = serializers.CharField(
        read_only=True, help_text="« REP », « REP+ » ou vide (hors éducation prioritaire)."
    )
    statut = serializers.ChoiceField(
        choices=Etablissement.Statut.choices,
        allow_blank=True,
        read_only=True,
        help_text="« public », « prive », ou vide quand l'annuaire ne le dit pas.",
    )

    class Meta:
        model = Etablissement
        fields = [
            "uai",
            "nom",
            "type",
            "nature",
            "statut",
            "commune",
            "latitude",
            "longitude",
            "education_prioritaire",
        ]
        read_only_fields = fields

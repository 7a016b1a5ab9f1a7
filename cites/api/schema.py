"""The OpenAPI schema says what the API answers when it refuses a request (drf-spectacular hook),
and that an empty query parameter is allowed (it filters nothing).

Every operation may answer 400 (bad filter or parameter, NUL byte), 404 (unknown object or
page) and 429 (too many requests), always with the one error body of cites.api.exceptions.
"""

from django.conf import settings
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

ERREUR = {
    "type": "object",
    "description": "Corps de toutes les réponses d'erreur de l'API.",
    "properties": {
        "erreur": {"type": "string", "description": "Ce qui ne va pas, en une phrase en français."},
        "details": {
            "type": "object",
            "nullable": True,
            "additionalProperties": {},
            "description": '400 : les messages par paramètre ({"region": ["Région inconnue…"]}) ; '
            '429 : {"attente_secondes": N} ; sinon null.',
        },
    },
    "required": ["erreur", "details"],
}

REPONSES = {
    "400": "Paramètre invalide (filtre inconnu, valeur trop longue, caractère nul…).",
    "404": "Objet ou page de résultats introuvable.",
    "429": "Trop de requêtes pour un client anonyme : réessayez après le délai indiqué.",
}


def postprocess_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Erreur"] = ERREUR
    reference = {"$ref": "#/components/schemas/Erreur"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    # `?region=` (empty) is no filter at all, as django-filter reads it; `?page=` is page 1.
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for status, description in REPONSES.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result


class SchemaView(SpectacularAPIView):
    """/api/schema/: the schema only changes with the code, so it is generated once per process and
    language, then rendered in the format asked for (YAML, or JSON with ?format=json)."""

    _schemas: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        language = translation.get_language()
        key = (version, language)
        schema = self._schemas.get(key)
        if schema is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            schema = generator.get_schema(request=request, public=self.serve_public)
            if language in dict(settings.LANGUAGES):  # never one entry per made-up ?lang=
                self._schemas[key] = schema
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )

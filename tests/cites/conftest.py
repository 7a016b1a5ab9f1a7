import pytest

from cites.imports.geometrie import commune_coordonnees_import
from cites.imports.readers import Source
from cites.models import Commune


def communes_place(directory) -> None:
    """Commune centroids for the map, unless `import_referentiels` already set them."""
    if not Commune.objects.exclude(latitude=None).exists():
        commune_coordonnees_import(
            qpv_source=Source(str(directory / "qpv" / "centroide-4326_qpv.geojson")),
            cites_source=Source(str(directory / "cites_educatives" / "citeduc_geom_2024-03-05.geojson")),
        )


@pytest.fixture(scope="session")
def communes_placees(django_db_setup, django_db_blocker):
    from tests.conftest import reference_dir

    with django_db_blocker.unblock():
        communes_place(reference_dir())

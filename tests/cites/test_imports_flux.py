"""Imports that never damage data (issue 8 item 8) and read their files as a stream (issue 10).

Small files written here in tmp_path; the reference data of the session is already loaded.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cites.imports.importers import etablissements_import
from cites.imports.readers import Source
from cites.models import CiteEducative, Etablissement
from cites.services import cite_set_annee_label

pytestmark = pytest.mark.django_db

ENTETE = (
    "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;Code_commune;"
    "Appartenance_Education_Prioritaire;latitude;longitude;libelle_nature\n"
)
CITES_FILE = "cites_educatives/citeduc_geom_2024-03-05.geojson"


def run(command: str, *args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def _ecole_existante() -> Etablissement:
    ecole = Etablissement.objects.exclude(latitude=None).exclude(nature="").order_by("uai").first()
    assert ecole is not None
    return ecole


def test_row_with_fewer_fields_is_rejected_with_its_line_and_changes_nothing(tmp_path):
    ecole = _ecole_existante()
    avant = (ecole.nom, ecole.nature, ecole.latitude, ecole.longitude, ecole.type)
    fichier = tmp_path / "annuaire.csv"
    fichier.write_text(
        ENTETE
        + "0319999Z;École neuve;Ecole;Public;31555;;43.6;1.44;ECOLE ELEMENTAIRE\n"
        + f"{ecole.uai};Nom changé;Ecole;Public\n",
        encoding="utf-8",
    )
    out, _err = run("import_etablissements", str(fichier))
    assert "Établissements : 1 créé(s), 0 mis à jour, 0 inchangé(s), 1 rejeté(s)" in out
    assert "ligne 3 : 4 champs au lieu de 9 ; ligne ignorée, aucune donnée modifiée" in out
    ecole.refresh_from_db()
    assert (ecole.nom, ecole.nature, ecole.latitude, ecole.longitude, ecole.type) == avant
    assert Etablissement.objects.get(uai="0319999Z").nom == "École neuve"


def test_file_cut_mid_line_rejects_the_cut_line_and_blanks_nothing(tmp_path):
    ecole = _ecole_existante()
    avant = (ecole.nom, ecole.nature, ecole.latitude, ecole.longitude)
    fichier = tmp_path / "annuaire.csv"
    # The transfer stopped in the middle of the last line: no nature, no coordinates, no line break.
    fichier.write_text(ENTETE + f"{ecole.uai};{ecole.nom};{ecole.type};Public;{ecole.commune.code};", encoding="utf-8")
    out, _err = run("import_etablissements", str(fichier))
    assert "Établissements : 0 créé(s), 0 mis à jour, 0 inchangé(s), 1 rejeté(s)" in out
    assert (
        "ligne 2 : 6 champs au lieu de 9 : le fichier est coupé au milieu de cette ligne ; "
        "ligne ignorée, aucune donnée modifiée"
    ) in out
    ecole.refresh_from_db()
    assert (ecole.nom, ecole.nature, ecole.latitude, ecole.longitude) == avant


def test_ips_row_with_fewer_fields_is_rejected(tmp_path):
    fichier = tmp_path / "fr-en-ips-ecoles.csv"
    fichier.write_text(
        "rentree_scolaire;academie;code_du_departement;departement;uai;nom_de_l_etablissment;code_insee_de_la_commune;"
        "nom_de_la_commune;secteur;effectifs;ips;ecart_type_de_l_ips\n"
        "2022-2023;TOULOUSE;031;HAUTE-GARONNE;0310001A\n",
        encoding="utf-8",
    )
    out, _err = run("import_ips", str(fichier))
    assert "ligne 2 : 5 champs au lieu de 12 ; ligne ignorée, aucune donnée modifiée" in out


def test_a_quoted_line_break_keeps_the_line_numbers_right(tmp_path):
    fichier = tmp_path / "annuaire.csv"
    fichier.write_text(
        ENTETE + '0319998Y;"École\nsur deux lignes";Ecole;Public;31555;;43.6;1.44;ECOLE\n' + "0319997X;Courte\n",
        encoding="utf-8",
    )
    out, _err = run("import_etablissements", str(fichier))
    assert "ligne 4 : 2 champs au lieu de 9 ; ligne ignorée, aucune donnée modifiée" in out


def test_annuaire_is_read_as_a_stream(tmp_path):
    """The reader hands rows over one by one: the first comes before the file is read to its end."""
    fichier = tmp_path / "annuaire.csv"
    lignes = "".join(f"98{n:05d}A;École {n};Ecole;Public;31555;;43.6;1.44;ECOLE\n" for n in range(3000))
    fichier.write_text(ENTETE + lignes, encoding="utf-8")
    from cites.imports.readers import csv_read

    lu = csv_read(source=Source(str(fichier)), required=[])
    numero, premiere = next(lu.lignes)
    assert (numero, premiere["Nom_etablissement"]) == (2, "École 0")
    resultat = etablissements_import(source=Source(str(fichier)))
    assert (resultat.crees, resultat.rejetes) == (3000, 0)


def test_import_referentiels_strict_fails_when_a_source_is_missing(reference_data_dir, tmp_path):
    (tmp_path / "cog").symlink_to(reference_data_dir / "cog")
    (tmp_path / "cites_educatives").mkdir()
    (tmp_path / CITES_FILE).symlink_to(reference_data_dir / CITES_FILE)
    with pytest.raises(CommandError) as erreur:
        run("import_referentiels", dir=str(tmp_path), strict=True)
    assert str(erreur.value) == (
        "4 source(s) non importée(s) : --strict demande que toutes le soient (code de sortie non nul)."
    )
    # Without --strict (make run) the same folder is fine: the portal starts with what it has.
    out, err = run("import_referentiels", dir=str(tmp_path))
    assert "4 source(s) non importée(s) : le portail fonctionne avec les données disponibles." in err
    assert CiteEducative.objects.count() == 208


def test_corrected_by_an_agent_is_said_only_for_corrected_cites(reference_data_dir):
    out, _err = run("import_cites", str(reference_data_dir / CITES_FILE))
    assert "208 cités lues ; année du label déduite de l'identifiant pour 208\n" in out
    assert "corrigée" not in out

    cite_set_annee_label(cite=CiteEducative.objects.get(identifiant="cite-050"), annee=2020)
    out, _err = run("import_cites", str(reference_data_dir / CITES_FILE))
    assert (
        "208 cités lues ; année du label déduite de l'identifiant pour 207, "
        "corrigée par un agent et conservée pour 1 : cite-050 (2020)\n"
    ) in out

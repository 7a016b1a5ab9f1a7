"""Imports of the real reference data (../shared/data), their idempotence and their errors.

The session fixture (tests/conftest.py) has already run `import_referentiels` on the real
files: the first tests check what it loaded; the others re-import single files, broken ones
written to tmp_path among them.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from cites.imports.mappers import annee_label_deduce
from cites.models import (
    CiteEducative,
    Commune,
    CommuneRattachee,
    Etablissement,
    EtablissementQpv,
    EvenementLabel,
    Qpv,
)
from cites.services import cite_set_annee_label

pytestmark = pytest.mark.django_db

CITES_FILE = "cites_educatives/citeduc_geom_2024-03-05.geojson"
QPV_FILE = "qpv/centroide-4326_qpv.geojson"
OCCITANIE_FILE = "annuaire_education/fr-en-annuaire-education_occitanie_2024-11.csv"
VAL_DE_MARNE_FILE = "annuaire_education/fr-en-annuaire-education_94-ecoles_2026-05.csv"


def run(command: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def summary_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if " créé(s), " in line]


# --- What the session import loaded ----------------------------------------------------------


def test_cog_loaded_with_codes_that_resolve_to_current_communes():
    assert Commune.objects.count() == 34969
    assert CommuneRattachee.objects.count() == 2105 + 471 + 45
    # Paris, Lyon and Marseille arrondissements resolve to their city.
    parents = dict(
        CommuneRattachee.objects.filter(code__in=["75113", "69385", "13201"]).values_list("code", "commune__code")
    )
    assert parents == {"75113": "75056", "69385": "69123", "13201": "13055"}
    # A commune déléguée resolves to its chef-lieu (Code_commune 12076 in the Occitanie annuaire).
    deleguee = CommuneRattachee.objects.get(code="12076")
    assert deleguee.type == CommuneRattachee.Type.DELEGUEE
    assert Commune.objects.get(code="75056").departement.region.code == "11"


def test_cites_loaded_with_communes_and_deduced_years():
    assert CiteEducative.objects.count() == 208
    assert Commune.objects.filter(cites__isnull=False).distinct().count() == 219
    par_annee = dict(
        CiteEducative.objects.values("annee_label").annotate(n=Count("pk")).values_list("annee_label", "n")
    )
    assert par_annee == {2019: 80, 2021: 46, 2022: 74, 2023: 8}
    assert not CiteEducative.objects.filter(annee_label_deduite=False).exists()

    nancy = CiteEducative.objects.get(identifiant="cite-050")
    assert nancy.nom == "Nancy / Laxou / Maxéville"
    assert set(nancy.communes.values_list("code", flat=True)) == {"54304", "54357", "54395"}
    assert nancy.slug == "nancy-laxou-maxeville"
    assert nancy.source == "citeduc_geom_2024-03-05.geojson" and nancy.importe_le is not None
    # Several cités in one feature each get the feature's communes.
    marseille = CiteEducative.objects.filter(communes__code="13055")
    assert marseille.count() >= 2
    assert marseille.filter(nom="Marseille Centre ville").exists()
    # One label event per cité, in step with the deduced year.
    assert EvenementLabel.objects.filter(type=EvenementLabel.Type.LABEL).count() == 208
    assert list(nancy.evenements.values_list("type", "annee")) == [("label", 2019)]
    # Slugs are unique and usable in URLs.
    assert CiteEducative.objects.values("slug").distinct().count() == 208


@pytest.mark.parametrize(
    ("identifiant", "annee"),
    [("cite-001", 2019), ("cite-080", 2019), ("cite-081", 2021), ("cite-126", 2021), ("cite-127", 2022),
     ("cite-200", 2022), ("cite-201", 2023), ("cite-208", 2023), ("cite-209", None), ("autre", None)],
)  # fmt: skip
def test_label_year_deduced_from_anct_id(identifiant, annee):
    assert annee_label_deduce(identifiant) == annee


def test_qpv_2024_loaded_with_their_communes_and_no_commune_centroid():
    qpv_2024 = Qpv.objects.filter(generation=2024)
    assert qpv_2024.count() == 1493
    multi = qpv_2024.annotate(n=Count("communes")).filter(n__gt=1)
    assert multi.count() == 148
    assert set(Qpv.objects.get(code="QN00201M").communes.values_list("code", flat=True)) == {"02571", "02691"}
    # The ANCT file gives the centroid of the commune, not of the QPV: it is not stored as the QPV's.
    assert not qpv_2024.filter(latitude__isnull=False).exists()
    # Commas in QPV names, replaced by ";" in the ANCT lists, are restored.
    assert Qpv.objects.filter(nom="Bastide, Tricot et Lapeyrade").exists()


def test_qpv_2015_contours_loaded_with_a_centroid():
    contours = Qpv.objects.filter(generation=2015)
    assert contours.count() == 105
    assert contours.filter(contour__isnull=False).count() == 105
    bas_vernet = Qpv.objects.get(code="QP066007")
    assert bas_vernet.contour["type"] == "Polygon"
    assert bas_vernet.communes.get().code == "66136"
    # The centroid lies in Perpignan.
    assert 42.6 < bas_vernet.latitude < 42.8 and 2.8 < bas_vernet.longitude < 3.0


def test_etablissements_loaded_with_education_prioritaire():
    occitanie = Etablissement.objects.filter(source=Path(OCCITANIE_FILE).name)
    assert occitanie.count() == 6237
    assert occitanie.filter(education_prioritaire="REP").count() == 199
    assert occitanie.filter(education_prioritaire="REP+").count() == 175
    assert occitanie.filter(statut="prive").exists() and occitanie.filter(statut="public").exists()
    assert occitanie.filter(latitude__isnull=False).count() == 6206  # 6,209 rows with coordinates, 3 repeated

    val_de_marne = Etablissement.objects.filter(commune__departement__code="94")  # Code_departement "094"
    assert val_de_marne.count() == 613
    assert val_de_marne.filter(education_prioritaire="REP").count() == 185
    assert val_de_marne.filter(education_prioritaire="REP+").count() == 22
    assert not val_de_marne.filter(latitude__isnull=True).exists()
    # Déléguée codes of the annuaire resolve to the current commune.
    assert Etablissement.objects.filter(commune__rattachees__code="12076").exists()


def test_schools_placed_in_qpvs_by_polygon_and_by_commune():
    par_polygone = EtablissementQpv.objects.filter(methode=EtablissementQpv.Methode.POLYGONE)
    assert par_polygone.values("etablissement").distinct().count() == 344
    assert par_polygone.values("qpv").distinct().count() == 80
    assert (
        Etablissement.objects.filter(etablissementqpv__methode="polygone", education_prioritaire__in=["REP", "REP+"])
        .distinct()
        .count()
        == 151
    )
    assert not par_polygone.exclude(qpv__generation=2015).exists()
    # By commune only when the commune has a single 2024 QPV (Orly: QN09428M)...
    orly = EtablissementQpv.objects.filter(etablissement__commune__code="94054", methode="commune")
    assert orly.count() == 15
    assert set(orly.values_list("qpv__code", flat=True)) == {"QN09428M"}
    # ...never in each of the five QPVs of Champigny-sur-Marne: the commune does not say which.
    assert not EtablissementQpv.objects.filter(etablissement__commune__code="94017").exists()
    assert not EtablissementQpv.objects.filter(methode="commune", qpv__generation=2015).exists()
    # One placement per school at most: 731 by commune, 344 in a contour (12,752 links before).
    assert EtablissementQpv.objects.filter(methode="commune").count() == 731
    assert EtablissementQpv.objects.count() == 1075


# --- Idempotence and corrected years -----------------------------------------------------------


def test_second_run_of_import_referentiels_creates_and_updates_nothing(reference_data_dir):
    before = (CiteEducative.objects.count(), Etablissement.objects.count(), EtablissementQpv.objects.count())
    output = run("import_referentiels", dir=str(reference_data_dir))
    lines = summary_lines(output)
    assert len(lines) >= 10
    for line in lines:
        assert " : 0 créé(s), 0 mis à jour, " in line, line
    assert (CiteEducative.objects.count(), Etablissement.objects.count(), EtablissementQpv.objects.count()) == before


def test_first_import_of_cites_then_agent_corrected_year_survives(reference_data_dir):
    CiteEducative.objects.all().delete()
    output = run("import_cites", str(reference_data_dir / CITES_FILE))
    assert "Cités éducatives : 208 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s)" in output

    nancy = CiteEducative.objects.get(identifiant="cite-050")
    cite_set_annee_label(cite=nancy, annee=2020)
    output = run("import_cites", str(reference_data_dir / CITES_FILE))
    assert "Cités éducatives : 0 créé(s), 0 mis à jour, 208 inchangé(s), 0 rejeté(s)" in output

    nancy.refresh_from_db()
    assert (nancy.annee_label, nancy.annee_label_deduite) == (2020, False)
    assert list(nancy.evenements.values_list("type", "annee")) == [("label", 2020)]


def test_reimport_updates_a_deduced_cite_changed_by_hand(reference_data_dir):
    cite = CiteEducative.objects.get(identifiant="cite-001")
    cite.nom = "Nom modifié"
    cite.save()
    cite.communes.clear()
    output = run("import_cites", str(reference_data_dir / CITES_FILE))
    assert "0 créé(s), 1 mis à jour, 207 inchangé(s)" in output
    cite.refresh_from_db()
    assert cite.nom == "Allonnes"
    assert list(cite.communes.values_list("code", flat=True)) == ["72003"]


def test_cite_set_annee_label_marks_the_year_as_corrected(django_user_model):
    agent = django_user_model.objects.create_user("agent", password="mot-de-passe-solide")
    cite = CiteEducative.objects.get(identifiant="cite-094")
    cite_set_annee_label(cite=cite, annee=2020, user=agent)
    cite.refresh_from_db()
    assert (cite.annee_label, cite.annee_label_deduite) == (2020, False)
    assert list(cite.evenements.values_list("annee", flat=True)) == [2020]
    assert cite.history.first().history_user == agent


# --- Other layouts and single files ----------------------------------------------------------


def test_import_qpv_accepts_the_data_gouv_csv_layout(tmp_path):
    Qpv.objects.filter(code__in=["QN00201M", "QN01306M"]).delete()
    csv_file = tmp_path / "qpv.csv"
    csv_file.write_text(
        "code_qp;lib_qp;insee_reg;lib_reg;insee_dep;lib_dep;insee_com;lib_com;siren_epci;lib_epci\n"
        "QN00201M;Europe;32;Hauts-de-France;02;Aisne;02691;Saint-Quentin;200071991;CA du Saint-Quentinois\n"
        "QN00201M;Europe;32;Hauts-de-France;02;Aisne;02571;Omissy;200071991;CA du Saint-Quentinois\n"
        "QN01306M;Centre Nord;93;PACA;13;Bouches-du-Rhône;13203;Marseille 3e;200054807;Métropole\n"
        "QN99901N;Inconnu;93;PACA;999;Nulle part;99999;Nulle part;;\n",
        encoding="utf-8-sig",
    )
    output = run("import_qpv", str(csv_file))
    assert "QPV : 2 créé(s), 0 mis à jour, 0 inchangé(s), 1 rejeté(s)" in output
    assert "ligne 5 : commune 99999 inconnue du COG" in output
    assert set(Qpv.objects.get(code="QN00201M").communes.values_list("code", flat=True)) == {"02571", "02691"}
    # An arrondissement code resolves to the city.
    assert Qpv.objects.get(code="QN01306M").communes.get().code == "13055"
    assert not Qpv.objects.filter(code="QN99901N").exists()


def test_import_etablissements_reports_each_repeated_uai_once(reference_data_dir):
    output = run("import_etablissements", str(reference_data_dir / OCCITANIE_FILE))
    assert "Établissements : 0 créé(s), 0 mis à jour, 6237 inchangé(s), 3 rejeté(s)" in output
    for uai in ("0342266D", "0311631E", "0460054J"):
        assert output.count(f"UAI {uai} en double") == 1
        assert Etablissement.objects.filter(uai=uai).count() == 1


def test_unknown_commune_code_rejects_only_that_record(reference_data_dir, tmp_path):
    lines = (reference_data_dir / VAL_DE_MARNE_FILE).read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    code_commune = header.index("Code_commune")
    rows = [line.split(";") for line in lines[1:4]]
    rows[1][code_commune] = "99999"
    Etablissement.objects.filter(uai__in=[row[0] for row in rows]).delete()
    broken = tmp_path / "annuaire.csv"
    broken.write_text("\n".join(";".join(values) for values in [header, *rows]) + "\n", encoding="utf-8")

    output = run("import_etablissements", str(broken))
    assert "Établissements : 2 créé(s), 0 mis à jour, 0 inchangé(s), 1 rejeté(s)" in output
    assert "ligne 3 : commune 99999 inconnue du COG" in output
    assert Etablissement.objects.filter(uai__in=[rows[0][0], rows[2][0]]).count() == 2
    assert not Etablissement.objects.filter(uai=rows[1][0]).exists()


def test_cite_feature_with_unknown_commune_is_rejected_with_its_number(reference_data_dir, tmp_path):
    data = json.loads((reference_data_dir / CITES_FILE).read_text(encoding="utf-8"))
    data["features"][2]["properties"]["liste_geo"] = "Atlantide (99999)"
    changed = tmp_path / Path(CITES_FILE).name  # same name, so the rows' source is unchanged
    changed.write_text(json.dumps(data), encoding="utf-8")
    output = run("import_cites", str(changed))
    assert "0 créé(s), 0 mis à jour, 207 inchangé(s), 1 rejeté(s)" in output
    assert "entité 3 : commune 99999 inconnue du COG" in output
    # The rejected cité keeps what it had.
    assert CiteEducative.objects.get(identifiant="cite-003").communes.get().code == "49007"


# --- Unreadable files: a clear French message, nothing written --------------------------------


def _state() -> tuple:
    return (
        CiteEducative.objects.count(),
        Qpv.objects.count(),
        Etablissement.objects.count(),
        EvenementLabel.objects.count(),
    )


def test_truncated_json_gives_a_clear_message_and_changes_nothing(reference_data_dir, tmp_path):
    truncated = tmp_path / "cites.geojson"
    truncated.write_bytes((reference_data_dir / CITES_FILE).read_bytes()[:5000])
    before = _state()
    with pytest.raises(CommandError, match="n'est pas un JSON valide \\(tronqué ou mal formé\\)"):
        run("import_cites", str(truncated))
    assert _state() == before


def test_empty_file_gives_a_clear_message(tmp_path):
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    before = _state()
    with pytest.raises(CommandError, match="le fichier vide.csv est vide"):
        run("import_etablissements", str(empty))
    with pytest.raises(CommandError, match="est vide"):
        run("import_qpv", str(empty))
    assert _state() == before


def test_csv_missing_a_required_column_gives_a_clear_message(reference_data_dir, tmp_path):
    lines = (reference_data_dir / VAL_DE_MARNE_FILE).read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    drop = header.index("Appartenance_Education_Prioritaire")
    kept = [";".join(v for i, v in enumerate(line.split(";")) if i != drop) for line in lines[:50]]
    broken = tmp_path / "annuaire.csv"
    broken.write_text("\n".join(kept), encoding="utf-8")
    before = _state()
    with pytest.raises(CommandError, match="colonne obligatoire absente .*: Appartenance_Education_Prioritaire"):
        run("import_etablissements", str(broken))
    assert _state() == before


def test_json_that_is_not_geojson_and_missing_file(tmp_path):
    not_geojson = tmp_path / "liste.json"
    not_geojson.write_text('[{"code": "01"}]', encoding="utf-8")
    with pytest.raises(CommandError, match="n'est pas un GeoJSON"):
        run("import_qpv", str(not_geojson))
    with pytest.raises(CommandError, match="fichier introuvable"):
        run("import_cites", str(tmp_path / "absent.geojson"))
    with pytest.raises(CommandError, match="fichiers du COG absents"):
        run("import_cog", dir=str(tmp_path))


def test_import_referentiels_goes_on_with_what_it_has(reference_data_dir, tmp_path):
    (tmp_path / "cog").symlink_to(reference_data_dir / "cog")
    (tmp_path / "cites_educatives").mkdir()
    (tmp_path / CITES_FILE).write_bytes((reference_data_dir / CITES_FILE).read_bytes()[:3000])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 fichier\\(s\\) illisible\\(s\\)"):
        call_command("import_referentiels", dir=str(tmp_path), stdout=out, stderr=err)
    assert "fichier absent, non importé" in err.getvalue()  # no qpv/ folder
    assert "n'est pas un JSON valide" in err.getvalue()
    assert "Communes : 0 créé(s), 0 mis à jour, 34969 inchangé(s)" in out.getvalue()
    assert CiteEducative.objects.count() == 208


def test_import_referentiels_without_folder_says_what_it_could_not_download(settings, tmp_path):
    settings.REFERENCE_DATA_DIR = tmp_path / "absent"
    settings.REFERENCE_DATA_URLS = {
        "qpv": "http://127.0.0.1:9/qpv.csv",
        "cites": "http://127.0.0.1:9/cites.geojson",
        "etablissements": "",
    }
    settings.REFERENCE_DOWNLOAD_TIMEOUT = 2
    out, err = io.StringIO(), io.StringIO()
    call_command("import_referentiels", stdout=out, stderr=err)  # exit 0: the portal starts with what it has
    assert "téléchargement de http://127.0.0.1:9/qpv.csv impossible" in err.getvalue()
    assert "aucune adresse configurée pour : annuaire" in err.getvalue()
    assert CiteEducative.objects.count() == 208

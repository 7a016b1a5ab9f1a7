"""The social position index (IPS) of écoles and collèges (DEPP files, PROVENANCE.md §5): import,
upsert on (UAI, rentrée), both header styles, and what the pages show of it."""

import io

import pytest
from django.core.management import CommandError, call_command

from cites.imports.ips import ips_import
from cites.imports.readers import Source
from cites.models import Etablissement, IndicePositionSociale
from cites.territoire import ips_moyennes, ips_par_uai

pytestmark = pytest.mark.django_db

LABELS = (
    "Rentrée scolaire;Académie;Code du département;Département;UAI;Nom de l'établissment;"
    "Code INSEE de la commune;Nom de la commune;Secteur;IPS\n"
)
CHAMPS = (
    "rentree_scolaire;academie;code_du_departement;departement;uai;nom_de_l_etablissment;"
    "code_insee_de_la_commune;nom_de_la_commune;secteur;effectifs;ips\n"
)


def fichier(tmp_path, nom: str, texte: str) -> Source:
    path = tmp_path / nom
    path.write_text(texte, encoding="utf-8")
    return Source(str(path))


def test_the_three_national_files_are_imported_whole(reference_data_dir):
    assert IndicePositionSociale.objects.filter(niveau="ecole", rentree=2021).count() == 32091
    assert IndicePositionSociale.objects.filter(niveau="ecole", rentree=2022).count() == 30059
    assert IndicePositionSociale.objects.filter(niveau="college", rentree=2022).count() == 6973
    collège = IndicePositionSociale.objects.get(uai="0010005A")
    assert (collège.nom, collège.ips, collège.effectifs, collège.ecart_type) == (
        "COLLEGE ROGER POULNARD",
        110.4,
        540,
        31.3,
    )
    assert collège.secteur == "public" and collège.departement.code == "01"


def test_schools_absent_from_the_annuaire_are_kept(reference_data_dir):
    # Ille-et-Vilaine has no annuaire file here, but its 524 écoles (2022) and 109 collèges have an IPS.
    assert not Etablissement.objects.filter(commune__departement__code="35").exists()
    assert IndicePositionSociale.objects.filter(departement__code="35", niveau="ecole", rentree=2022).count() == 524
    assert IndicePositionSociale.objects.filter(departement__code="35", niveau="college").count() == 109


def test_arrondissements_and_merged_communes(reference_data_dir):
    # Lyon's schools use arrondissement codes: the row keeps it and is attached to Lyon (69123).
    lyon_8e = IndicePositionSociale.objects.filter(code_commune="69388", rentree=2022)
    assert lyon_8e.exists() and set(lyon_8e.values_list("commune__code", flat=True)) == {"69123"}
    # 5 école rows of merged communes the COG 2026 no longer knows: kept, with their département only.
    orphelines = IndicePositionSociale.objects.filter(rentree=2022, commune=None)
    assert sorted(orphelines.values_list("code_commune", flat=True)) == ["25282", "27058", "71131", "72287", "72287"]


def test_latest_ips_of_a_school_and_means_of_a_departement(reference_data_dir):
    # An école present in both rentrées shows the 2022 one.
    uai = "0310921H"
    assert IndicePositionSociale.objects.filter(uai=uai).count() == 2
    assert ips_par_uai(uais=[uai])[uai] == (86.1, 2022)
    moyenne = ips_moyennes(departement_codes=["82"])["82"]
    assert (moyenne.ecoles, moyenne.colleges, moyenne.ensemble, moyenne.rentree) == (100.8, 102.1, 101.0, 2022)
    france = ips_moyennes()[""]
    assert (france.ecoles, france.colleges) == (104.2, 104.1)  # PROVENANCE.md: means 104.2 and 104.1


def test_both_header_styles_upsert_on_uai_and_rentree(tmp_path):
    labels = fichier(
        tmp_path,
        "ips_ecoles_test.csv",
        LABELS + "2021-2022;TOULOUSE;031;HAUTE-GARONNE;0319999Z;ECOLE DE TEST;31555;TOULOUSE;public;81.4\n",
    )
    champs = fichier(
        tmp_path,
        "ips-ecoles-test.csv",
        CHAMPS + "2022-2023;TOULOUSE;031;HAUTE-GARONNE;0319999Z;ECOLE DE TEST;31555;TOULOUSE;public;120.0;79.9\r\n",
    )
    premier = ips_import(source=labels)
    second = ips_import(source=champs)
    assert (premier.crees, second.crees) == (1, 1)
    assert list(IndicePositionSociale.objects.filter(uai="0319999Z").values_list("rentree", "ips", "effectifs")) == [
        (2021, 81.4, None),
        (2022, 79.9, 120),
    ]
    # Again: nothing changes; a corrected value is updated in place.
    again = ips_import(source=champs)
    assert (again.crees, again.mis_a_jour, again.inchanges) == (0, 0, 1)
    corrige = fichier(
        tmp_path,
        "ips-ecoles-test.csv",
        CHAMPS + "2022-2023;TOULOUSE;031;HAUTE-GARONNE;0319999Z;ECOLE DE TEST;31555;TOULOUSE;public;120.0;80.3\n",
    )
    resultat = ips_import(source=corrige)
    assert (resultat.crees, resultat.mis_a_jour) == (0, 1)
    assert IndicePositionSociale.objects.get(uai="0319999Z", rentree=2022).ips == 80.3


def test_bad_rows_are_rejected_with_their_line_and_reason(tmp_path):
    source = fichier(
        tmp_path,
        "ips-colleges-test.csv",
        CHAMPS
        + "2022-2023;X;031;X;12345;COLLEGE A;31555;TOULOUSE;public;100;90.0\n"
        + "2022-2023;X;999;X;0319998Y;COLLEGE B;31555;TOULOUSE;public;100;90.0\n"
        + "2022-2023;X;031;X;0319997X;COLLEGE C;31555;TOULOUSE;associatif;100;90.0\n"
        + "2022-2023;X;031;X;0319996W;COLLEGE D;31555;TOULOUSE;public;100;quatre-vingt-dix\n"
        + "2022;X;031;X;0319995V;COLLEGE E;31555;TOULOUSE;public;100;90.0\n"
        + "2022-2023;X;031;X;0319994U;COLLEGE F;31555;TOULOUSE;privé sous contrat;100;90.0\n",
    )
    resultat = ips_import(source=source)
    assert resultat.crees == 1
    assert [str(rejet) for rejet in resultat.rejets] == [
        "ligne 2 : UAI '12345' invalide",
        "ligne 3 : département '999' inconnu",
        "ligne 4 : secteur 'associatif' inconnu (public ou privé sous contrat attendu)",
        "ligne 5 : IPS 'quatre-vingt-dix' n'est pas un nombre",
        "ligne 6 : rentrée scolaire '2022' invalide (attendu : 2022-2023)",
    ]
    assert IndicePositionSociale.objects.get(uai="0319994U").niveau == "college"


def test_command_prints_a_summary_and_refuses_a_file_without_the_columns(tmp_path):
    source = fichier(
        tmp_path,
        "ips-ecoles-test.csv",
        CHAMPS + "2022-2023;TOULOUSE;031;HAUTE-GARONNE;0319999Z;ECOLE DE TEST;31555;TOULOUSE;public;120.0;79.9\n",
    )
    out = io.StringIO()
    call_command("import_ips", source.emplacement, stdout=out, verbosity=1)
    assert "IPS des écoles : 1 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s)" in out.getvalue()

    mauvais = fichier(tmp_path, "ips-ecoles-mauvais.csv", "uai;ips\n0319999Z;80\n")
    with pytest.raises(CommandError, match="colonnes obligatoires absentes du fichier ips-ecoles-mauvais.csv"):
        call_command("import_ips", mauvais.emplacement, verbosity=0)
    sans_niveau = fichier(tmp_path, "indices.csv", CHAMPS)
    with pytest.raises(CommandError, match="indiquez --niveau ecole ou college"):
        call_command("import_ips", sans_niveau.emplacement, verbosity=0)

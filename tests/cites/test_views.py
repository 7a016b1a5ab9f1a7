"""Public pages of the cités: list with filters, detail, statistics, cache.

The real reference data (208 cités, QPV 2024, annuaire of Occitanie and Val-de-Marne) is
loaded once per session by tests/conftest.py.
"""

import html
import re
import unicodedata

import pytest
from django.db.models import Q
from django.urls import reverse

from cites.models import CiteEducative, Commune, Departement, Etablissement, EvenementLabel, Qpv
from partenaires.models import Famille, LienPartenaire, Partenaire

pytestmark = pytest.mark.django_db

LISTE = reverse("cites:liste")
STATISTIQUES = reverse("cites:statistiques")
CARD_TITLE = re.compile(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a></h3>')
COUNT_HEADING = re.compile(r'<h2 class="fr-h4" id="resultats"[^>]*>\s*(.*?)\s*</h2>', re.S)


def text_of(response) -> str:
    """The page, entities decoded and white space collapsed."""
    return " ".join(html.unescape(response.content.decode()).split())


def count_heading(response) -> str:
    return " ".join(COUNT_HEADING.search(text_of(response)).group(1).split())


def listed_names(client, params: dict) -> list[str]:
    """Names of the cités listed for `params`, over every page."""
    names, page = [], 1
    while True:
        response = client.get(LISTE, {**params, "page": page})
        assert response.status_code == 200
        names += CARD_TITLE.findall(text_of(response))
        if f"page={page + 1}" not in response.content.decode():
            return names
        page += 1


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("-", " ")


def published():
    return CiteEducative.objects.filter(publiee=True)


def names_of(queryset) -> list[str]:
    return sorted({cite.nom for cite in queryset})


@pytest.fixture
def no_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def extra_cites(number: int, *, communes: list[Commune]) -> None:
    """More published cités, to check that the number of queries does not grow with them."""
    for index in range(number):
        cite = CiteEducative.objects.create(nom=f"Cité de test {index}", slug=f"cite-de-test-{index}", annee_label=2022)
        cite.communes.add(communes[index % len(communes)], communes[(index + 1) % len(communes)])


# --- List ------------------------------------------------------------------------------------


def test_list_shows_all_published_cites_with_their_count(client):
    assert published().count() == 208
    response = client.get(LISTE)
    assert response.status_code == 200
    assert count_heading(response) == "208 cités éducatives"
    assert len(CARD_TITLE.findall(text_of(response))) == 20
    assert sorted(listed_names(client, {})) == names_of(published())


def page_links(response) -> list[str]:
    return re.findall(r'<a class="fr-pagination__link[^"]*"[^>]*>\s*([0-9…]+)\s*</a>', response.content.decode())


def test_pagination_links_are_in_order(client):
    assert page_links(client.get(LISTE)) == ["1", "2", "…", "10", "11"]
    assert page_links(client.get(LISTE, {"page": 6})) == ["1", "2", "…", "5", "6", "7", "…", "10", "11"]
    assert page_links(client.get(LISTE, {"page": 4})) == ["1", "2", "3", "4", "5", "…", "10", "11"]


def test_list_is_paginated_and_last_page_holds_the_rest(client):
    response = client.get(LISTE, {"page": 11})
    assert len(CARD_TITLE.findall(text_of(response))) == 208 - 200
    assert 'aria-current="page"' in response.content.decode()
    assert "Page précédente" in text_of(response)


def test_unpublished_cite_is_not_listed(client):
    cite = published().get(slug="creteil")
    cite.publiee = False
    cite.save()
    assert "Créteil" not in listed_names(client, {"departement": "94"})
    assert count_heading(client.get(LISTE)) == "207 cités éducatives"


def test_filter_departement_returns_exactly_its_cites(client):
    expected = names_of(published().filter(communes__departement__code="69"))
    assert len(expected) == 8
    response = client.get(LISTE, {"departement": "69"})
    assert count_heading(response) == "8 cités éducatives pour ces filtres"
    assert sorted(listed_names(client, {"departement": "69"})) == expected
    assert "Vénissieux / Saint-Fons" in expected


def test_filter_departement_accepts_the_annuaire_three_digit_code(client):
    assert sorted(listed_names(client, {"departement": "094"})) == names_of(
        published().filter(communes__departement__code="94")
    )


def test_filter_region_spans_several_pages(client):
    expected = names_of(published().filter(communes__departement__region__code="11"))
    assert len(expected) > 20  # Île-de-France: more than one page
    response = client.get(LISTE, {"region": "11"})
    assert count_heading(response) == f"{len(expected)} cités éducatives pour ces filtres"
    # Page links keep the filter: the URL is shareable.
    assert "region=11&amp;page=2" in response.content.decode()
    assert sorted(listed_names(client, {"region": "11"})) == expected


def test_filter_annee(client):
    expected = names_of(published().filter(annee_label=2021))
    assert len(expected) == 46
    assert count_heading(client.get(LISTE, {"annee": "2021"})) == "46 cités éducatives pour ces filtres"
    assert sorted(listed_names(client, {"annee": "2021"})) == expected


def test_search_ignores_accents_and_case(client):
    assert listed_names(client, {"q": "VENISSIEUX"}) == ["Vénissieux / Saint-Fons"]
    expected = names_of(
        cite
        for cite in published().prefetch_related("communes")
        if "saint etienne" in fold(cite.nom) or any("saint etienne" in fold(c.nom) for c in cite.communes.all())
    )
    assert len(expected) >= 3
    assert sorted(listed_names(client, {"q": "saint-étienne"})) == expected
    assert sorted(listed_names(client, {"q": "Saint Etienne"})) == expected


def test_search_finds_a_cite_by_one_of_its_communes(client):
    # "Les Noës-près-Troyes" is a commune of the cité, not in its name.
    assert listed_names(client, {"q": "noes pres troyes"}) == ["La Chapelle-Saint-Luc / Les Noës"]


def test_filters_combine(client):
    expected = names_of(published().filter(communes__departement__code="94", annee_label=2019))
    assert expected and len(expected) < published().filter(communes__departement__code="94").distinct().count()
    response = client.get(LISTE, {"departement": "94", "annee": "2019"})
    assert count_heading(response) == f"{len(expected)} cités éducatives pour ces filtres"
    assert sorted(listed_names(client, {"departement": "94", "annee": "2019"})) == expected

    assert listed_names(client, {"region": "84", "q": "lyon"}) == ["Lyon 8e"]
    assert listed_names(client, {"region": "76", "q": "lyon"}) == []


def test_form_keeps_the_chosen_values(client):
    page = client.get(LISTE, {"region": "76", "departement": "31", "annee": "2019", "q": "Toulouse"}).content.decode()
    assert re.search(r'<option value="76" selected>', page)
    assert re.search(r'<option value="31" selected data-region="76">', page)
    assert re.search(r'<option value="2019" selected>', page)
    assert 'value="Toulouse"' in page


def test_filter_selects_offer_only_places_and_years_with_cites(client):
    page = client.get(LISTE).content.decode()
    assert '<option value="69" data-region="84">' in page
    assert '<option value="23"' not in page  # Creuse: no cité
    for annee in (2019, 2021, 2022):
        assert f'<option value="{annee}">' in page


def test_real_departement_without_cite_gives_an_empty_list(client):
    response = client.get(LISTE, {"departement": "23"})
    assert response.status_code == 200
    assert count_heading(response) == "Aucune cité éducative pour ces filtres"
    assert "Aucune cité éducative ne correspond" in text_of(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": "ZZ"}, "Région inconnue : « ZZ »"),
        ({"departement": "999"}, "Département inconnu : « 999 »"),
        ({"departement": "<script>"}, "Département inconnu : « <SCRIPT> »"),
        ({"annee": "deux mille"}, "Année invalide : « deux mille »"),
        ({"annee": "99999999999999999999999"}, "Année invalide"),
        ({"annee": "1850"}, "Année invalide : « 1850 »"),
        ({"q": "x" * 300}, "La recherche ne peut dépasser 100 caractères"),
    ],
)
def test_bad_filter_values_give_a_clear_message_not_an_error(client, params, message):
    response = client.get(LISTE, params)
    assert response.status_code == 400  # the client's error, said on the page; never cached
    assert message in text_of(response)
    assert "Un filtre n’a pas pu être appliqué" in text_of(response)
    assert "<SCRIPT>" not in response.content.decode()  # shown, but escaped
    # The bad filter is left out, the list is still there.
    assert count_heading(response) == "208 cités éducatives"


def test_bad_filter_is_dropped_but_good_ones_still_apply(client):
    response = client.get(LISTE, {"departement": "69", "annee": "abc"})
    assert count_heading(response) == "8 cités éducatives pour ces filtres"


@pytest.mark.parametrize(
    ("page", "status", "cards"), [("abc", 404, 0), ("0", 404, 0), ("-1", 404, 0), ("999", 404, 0), ("", 200, 20)]
)
def test_bad_page_numbers_do_not_fail(client, page, status, cards):
    response = client.get(LISTE, {"page": page})
    assert response.status_code == status  # a page that does not exist is a 404 in French, not the last one
    assert len(CARD_TITLE.findall(text_of(response))) == cards


def test_card_shows_communes_departement_region_and_deduced_year(client):
    page = text_of(client.get(LISTE, {"q": "Vénissieux"}))
    card = page[page.index('class="fr-card') :]
    assert "Saint-Fons, Vénissieux" in card
    assert "Rhône (69)" in card
    assert "Auvergne-Rhône-Alpes" in card
    assert "Label 2019" in card
    assert "année déduite" in card


def test_corrected_year_is_not_marked_deduced(client):
    cite = published().get(slug="creteil")
    cite.annee_label, cite.annee_label_deduite = 2020, False
    cite.save()
    page = text_of(client.get(LISTE, {"q": "Créteil"}))
    card = page[page.index('class="fr-card') : page.index("</li>", page.index('class="fr-card'))]
    assert "Label 2020" in card
    assert "année déduite" not in card


def test_list_queries_do_not_grow_with_the_number_of_cites(client, no_cache, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        client.get(LISTE)
    with django_assert_max_num_queries(7):
        client.get(LISTE, {"region": "11", "annee": "2019", "q": "a", "page": 2})
    extra_cites(60, communes=list(Commune.objects.filter(departement__code="93")[:10]))
    with django_assert_max_num_queries(7):
        response = client.get(LISTE, {"q": "cite de test", "page": 2})
    assert count_heading(response) == "60 cités éducatives pour ces filtres"


# --- Detail ----------------------------------------------------------------------------------


def test_detail_of_a_toulouse_cite(client):
    cite = published().get(slug="toulouse-grand-mirail")
    response = client.get(cite.get_absolute_url())
    assert response.status_code == 200
    page = text_of(response)
    assert "<h1>Toulouse Grand Mirail</h1>" in page
    assert "Toulouse <span" in page and "(31555)" in page
    assert "Haute-Garonne (31)" in page
    assert "Occitanie" in page
    # QPVs (2024) of Toulouse, code and name.
    qpvs = Qpv.objects.filter(generation=2024, communes__code="31555")
    assert qpvs.count() > 5
    for qpv in qpvs:
        assert qpv.code in page and qpv.nom in page
    # REP and REP+ schools of Toulouse with their UAI, écoles then collèges, 20 a page.
    ecoles = Etablissement.objects.filter(
        commune__code="31555", type="Ecole", education_prioritaire__in=["REP", "REP+"]
    )
    colleges = Etablissement.objects.filter(
        commune__code="31555", type="Collège", education_prioritaire__in=["REP", "REP+"]
    )
    assert ecoles.exists() and colleges.exists()
    total = ecoles.count() + colleges.count()
    assert f"{total} écoles ou collèges REP+ ou REP dans les communes de la cité" in page
    listed = school_rows(page)
    assert len(listed) == 20
    pages = -(-total // 20)
    for number in range(2, pages + 1):
        listed += school_rows(text_of(client.get(cite.get_absolute_url(), {"page": number})))
    assert sorted(uai for uai, _type in listed) == sorted(e.uai for e in [*ecoles, *colleges])
    types = [type_ for _uai, type_ in listed]
    assert types == ["École"] * ecoles.count() + ["Collège"] * colleges.count()
    hors_ep = Etablissement.objects.filter(commune__code="31555", education_prioritaire="").first()
    assert hors_ep.uai not in page
    # The other Toulouse cité shares the commune: the page says so.
    assert "Commune partagée avec" in page and "Toulouse Les Izards" in page


SCHOOL_ROW = re.compile(
    r'<tr> <th scope="row">[^<]+ <span class="fr-text--xs fr-text--regular">(\w{8})</span></th> <td>([^<]+)</td>'
)


def school_rows(page: str) -> list[tuple[str, str]]:
    return SCHOOL_ROW.findall(page)


def test_detail_of_a_val_de_marne_cite_lists_its_rep_plus_schools(client):
    cite = published().get(slug="champigny-sur-marne-chennevieres-sur-marne")
    page = text_of(client.get(cite.get_absolute_url()))
    assert "Champigny-sur-Marne" in page and "Chennevières-sur-Marne" in page
    assert "Val-de-Marne (94)" in page and "Île-de-France" in page
    rep_plus = Etablissement.objects.filter(commune__code__in=["94017", "94019"], education_prioritaire="REP+")
    assert rep_plus.exists()
    for etablissement in rep_plus:
        assert etablissement.uai in page
    assert "Commune partagée avec" not in page


def test_detail_marks_and_explains_a_deduced_year(client):
    cite = published().get(slug="toulouse-grand-mirail")
    assert cite.annee_label_deduite
    page = text_of(client.get(cite.get_absolute_url()))
    assert f"{cite.annee_label} (année déduite)" in page
    assert "déduite du numéro d’ordre" in page


def test_detail_says_when_the_annuaire_is_not_loaded_and_lists_the_schools_by_ips(client):
    cite = published().get(slug="lyon-8e")
    page = text_of(client.get(cite.get_absolute_url()))
    assert "L’annuaire de l’éducation n’est pas chargé pour ces communes" in page
    assert "l’appartenance au réseau d’éducation prioritaire n’est pas connue" in page
    # Known by their IPS instead (national files): Lyon's lowest index first.
    assert "Voici les 176 écoles et collèges de la commune connus par leur IPS, du plus faible au plus élevé" in page
    assert school_rows(page)[0][0] == "0690036P"  # Collège Victor Schoelcher (Lyon 9e), IPS 75.4
    assert "75,4" in page


def test_detail_shows_partners_by_family_and_label_history(client):
    cite = published().get(slug="creteil")
    mairie = Partenaire.objects.create(nom="Mairie de Créteil", famille=Famille.COLLECTIVITES)
    caf = Partenaire.objects.create(nom="CAF du Val-de-Marne", famille=Famille.ETAT)
    LienPartenaire.objects.create(cite=cite, partenaire=mairie, force=3, role="Co-pilote de la cité")
    LienPartenaire.objects.create(cite=cite, partenaire=caf, force=1)
    EvenementLabel.objects.create(
        cite=cite, type=EvenementLabel.Type.PROLONGATION, annee=2023, reference_decision="Arrêté du 12 juin 2023"
    )
    page = text_of(client.get(cite.get_absolute_url()))
    assert "Réseau des partenaires" in page
    # Families in the order of the seven families: État before collectivités.
    assert page.index("Services de l'État") < page.index("Collectivités locales")
    assert re.search(
        r"Mairie de Créteil</a></th> <td>Collectivités locales</td> <td>Forte \(3 sur 3\)</td> "
        r"<td>Co-pilote de la cité</td>",
        page,
    )
    assert re.search(r"CAF du Val-de-Marne</a></th> <td>Services de l'État</td> <td>Ponctuelle \(1 sur 3\)", page)
    assert "Prolongation" in page and "Arrêté du 12 juin 2023" in page


def test_detail_without_partner_says_who_lists_partners(client):
    cite = published().get(slug="orly")
    page = text_of(client.get(cite.get_absolute_url()))
    assert 'class="reseau"' not in page
    assert "Aucun partenaire n’est encore recensé pour Orly sur le portail." in page
    assert "enregistrés par les agents de l’État qui suivent le label (préfecture, DRAJES, ANCT)" in page
    assert f'href="/cites/{cite.slug}/corriger/?champ=partenaires"' in page


def test_detail_of_unknown_or_unpublished_cite_is_404(client):
    assert client.get(reverse("cites:detail", kwargs={"slug": "nexiste-pas"})).status_code == 404
    cite = published().get(slug="orly")
    cite.publiee = False
    cite.save()
    response = client.get(cite.get_absolute_url())
    assert response.status_code == 404
    assert "Page non trouvée" in text_of(response)


def test_detail_queries_do_not_grow_with_the_territory(client, no_cache, django_assert_max_num_queries):
    cite = published().get(slug="toulouse-grand-mirail")
    with django_assert_max_num_queries(15):
        client.get(cite.get_absolute_url())
    cite.communes.add(*Commune.objects.filter(departement__code__in=["34", "94"], qpvs__isnull=False).distinct()[:30])
    partenaire = Partenaire.objects.create(nom="Médiathèque", famille=Famille.CULTURE)
    LienPartenaire.objects.create(cite=cite, partenaire=partenaire)
    EvenementLabel.objects.create(cite=cite, type=EvenementLabel.Type.EXTENSION, annee=2024)
    with django_assert_max_num_queries(15):
        response = client.get(cite.get_absolute_url())
    assert "Médiathèque" in text_of(response)


# --- Statistics ------------------------------------------------------------------------------


def stat_row(page: str, label: str) -> list[int]:
    row = re.search(rf"<tr>\s*<th scope=\"row\">(?:<a [^>]+>)?{re.escape(label)}(?:</a>)?</th>(.*?)</tr>", page, re.S)
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", row.group(1))]


def test_statistics_totals_equal_the_list(client):
    page = text_of(client.get(STATISTIQUES))
    total_list = published().count()
    communes = Commune.objects.filter(cites__publiee=True).distinct().count()
    assert stat_row(page, "France entière") == [total_list, communes]
    assert f"{total_list} cités éducatives" in page
    # No real cité spans two départements: the rows add up to the total.
    region_rows = re.findall(r'<a href="/cites/\?region=[^"]+">[^<]+</a></th>\s*<td>(\d+)</td>\s*<td>(\d+)</td>', page)
    assert sum(int(cites) for cites, _ in region_rows) == total_list
    assert sum(int(n) for _, n in region_rows) == communes
    assert "Aucune cité ne s’étend aujourd’hui sur plusieurs départements" in page


def test_statistics_per_departement_and_region(client):
    page = text_of(client.get(STATISTIQUES))
    rhone = published().filter(communes__departement__code="69").distinct().count()
    rhone_communes = Commune.objects.filter(departement__code="69", cites__publiee=True).distinct().count()
    assert stat_row(page, "Rhône (69)") == [rhone, rhone_communes]
    idf = published().filter(communes__departement__region__code="11").distinct().count()
    assert stat_row(page, "Île-de-France")[0] == idf
    # Each row links to the matching filtered list.
    assert 'href="/cites/?departement=69"' in page


def test_statistics_chart_is_accessible(client):
    page = client.get(STATISTIQUES).content.decode()
    assert page.count('role="img"') == 3  # régions, départements, years of label
    assert '<title id="graphique-regions-titre">Nombre de cités éducatives par région</title>' in page
    assert 'aria-labelledby="graphique-regions-titre graphique-regions-desc"' in page
    assert "<desc id=" in page
    assert re.search(r'<rect class="cites-barre" [^>]*width="380\.0"', page)  # the largest région fills the axis
    assert not re.search(r'width="\d+,\d+"', page)  # decimals in SVG use a point, whatever the locale


def test_cite_spanning_two_departements_is_counted_once_nationally(client):
    total = published().count()
    cite = published().get(slug="creteil")
    cite.communes.add(Commune.objects.get(code="93066"))  # Saint-Denis (93)
    page = text_of(client.get(STATISTIQUES))
    assert stat_row(page, "France entière")[0] == total
    assert "1 cité s’étend aujourd’hui sur plusieurs départements" in page
    val_de_marne = published().filter(communes__departement__code="94").distinct().count()
    seine_saint_denis = published().filter(communes__departement__code="93").distinct().count()
    assert stat_row(page, "Val-de-Marne (94)")[0] == val_de_marne
    assert stat_row(page, "Seine-Saint-Denis (93)")[0] == seine_saint_denis
    assert "compte pour un dans chacun d’eux, mais une seule fois dans le total national" in page


def test_statistics_queries_do_not_grow_with_the_number_of_cites(client, no_cache, django_assert_max_num_queries):
    # Régions and départements, years of label, the generalisation (4), the instruction figures.
    with django_assert_max_num_queries(11):
        client.get(STATISTIQUES)
    extra_cites(40, communes=list(Commune.objects.filter(departement__code__in=["23", "48", "15"])[:12]))
    with django_assert_max_num_queries(11):
        page = text_of(client.get(STATISTIQUES))
    assert stat_row(page, "France entière")[0] == 248
    assert Departement.objects.get(code="23").nom in page


# --- Cache -----------------------------------------------------------------------------------


def test_public_pages_are_served_from_the_cache(client, django_assert_num_queries):
    url = published().get(slug="orly").get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Cache"] == "hit"
    assert "<h1>Orly</h1>" in text_of(response)
    # Each query string is its own page.
    assert client.get(LISTE, {"departement": "69"})["X-Cache"] == "miss"
    assert client.get(LISTE, {"departement": "94"})["X-Cache"] == "miss"
    assert count_heading(client.get(LISTE, {"departement": "69"})) == "8 cités éducatives pour ces filtres"


def test_cache_is_invalidated_when_a_cite_is_renamed(client, django_capture_on_commit_callbacks):
    cite = published().get(slug="orly")
    assert "<h1>Orly</h1>" in text_of(client.get(cite.get_absolute_url()))
    assert "Orly" in listed_names(client, {"departement": "94"})
    with django_capture_on_commit_callbacks(execute=True):
        cite.nom = "Orly Grand Ensemble"
        cite.save()
    assert "<h1>Orly Grand Ensemble</h1>" in text_of(client.get(cite.get_absolute_url()))
    assert "Orly Grand Ensemble" in listed_names(client, {"departement": "94"})


def test_cache_is_invalidated_when_a_partner_link_or_event_changes(client, django_capture_on_commit_callbacks):
    cite = published().get(slug="orly")
    client.get(cite.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        partenaire = Partenaire.objects.create(nom="Mission locale d'Orly", famille=Famille.SOCIAL)
        LienPartenaire.objects.create(cite=cite, partenaire=partenaire, force=2)
    assert "Mission locale d'Orly" in text_of(client.get(cite.get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):
        EvenementLabel.objects.create(cite=cite, type=EvenementLabel.Type.FIN, annee=2027)
    assert "Fin du label" in text_of(client.get(cite.get_absolute_url()))


def test_cache_is_invalidated_when_a_cite_is_unpublished(client, django_capture_on_commit_callbacks):
    cite = published().get(slug="orly")
    assert client.get(cite.get_absolute_url()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        cite.publiee = False
        cite.save()
    assert client.get(cite.get_absolute_url()).status_code == 404
    assert count_heading(client.get(LISTE)) == "207 cités éducatives"


def test_logged_in_users_bypass_the_cache(client, admin_user):
    url = published().get(slug="orly").get_absolute_url()
    client.get(url)
    client.force_login(admin_user)
    response = client.get(url)
    assert "X-Cache" not in response
    assert "fr-icon-settings-5-line" in text_of(response)  # the staff link of the header


# --- Issue 14: overseas collectivities, label years, charts first ------------------------------


def test_statistics_count_overseas_collectivities_apart_from_regions(client):
    page = text_of(client.get(STATISTIQUES))
    # 18 régions have a cité; Saint-Martin is a collectivité d'outre-mer, not a région.
    assert "dans 18 régions" in page
    assert "19 régions" not in page
    assert "et 1 collectivité d’outre-mer (Saint-Martin)" in page
    assert stat_row(page, "Saint-Martin") == [1, 1]


def test_statistics_give_the_cites_per_year_of_label(client):
    page = text_of(client.get(STATISTIQUES))
    assert '<title id="graphique-annees-titre">Nombre de cités éducatives par année de label</title>' in page
    for annee, nombre in [(2019, 80), (2021, 46), (2022, 74), (2023, 8)]:
        assert stat_row(page, str(annee)) == [nombre]
    assert "années déduites du numéro d’ordre" in page


def test_departement_filter_offers_only_the_departements_of_the_chosen_region(client):
    page = client.get(LISTE, {"region": "84"}).content.decode()
    select = re.search(r'<select name="departement".*?</select>', page, re.S).group(0)
    offered = re.findall(r'<option value="(\w+)"', select)
    auvergne_rhone_alpes = sorted(
        Departement.objects.filter(region__code="84", communes__cites__publiee=True)
        .distinct()
        .values_list("code", flat=True)
    )
    assert offered == auvergne_rhone_alpes
    assert "31" not in offered
    # Each option says its région, for the script that filters them as the région changes.
    assert re.search(r'<option value="69" data-region="84">', select)


def test_a_departement_outside_the_region_is_said_and_left_out(client):
    response = client.get(LISTE, {"region": "84", "departement": "31"})
    page = text_of(response)
    assert response.status_code == 400  # the client's error, said on the page (never cached)
    assert "Le département 31 — Haute-Garonne n’est pas dans la région Auvergne-Rhône-Alpes" in page
    # The list is that of the région alone.
    assert count_heading(response) == "18 cités éducatives pour ces filtres"


# --- Issue 14: a cité at a glance, its perimeter, the road to 2027 ---------------------------


def chiffres_of(page: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<p class="cites-chiffres__valeur">([^<]+)</p> <p class="cites-chiffres__libelle">([^<]+)</p>', page
    )


def test_a_cite_at_a_glance_key_figures_first(client):
    page = text_of(client.get(published().get(slug="toulouse-grand-mirail").get_absolute_url()))
    assert chiffres_of(page) == [
        ("1", "commune"),
        ("12", "quartiers prioritaires"),
        ("43 / 26", "écoles et collèges REP+ / REP"),
        ("81,2", "IPS moyen des écoles et collèges REP+ et REP"),
        ("2019", "année du label"),
        ("—", "financement"),
    ]
    assert "Haute-Garonne : 114,4" in page  # the département's mean IPS beside the cité's
    # The header comes before the network and the schools, the details last.
    assert page.index("cites-chiffres") < page.index('id="partenaires"') < page.index('id="etablissements"')
    assert page.index('id="etablissements"') < page.index('id="details"')
    # The small map reads its communes from a JSON script (no inline code).
    assert '<script id="mini-carte-donnees" type="application/json">' in page
    assert '"code": "31555"' in page and '"qpvs": 12' in page


def test_an_extension_may_give_the_funding_of_the_header(client):
    """Issue 13 brings the money per year: a provider of cites.extensions fills the header's figure."""
    from cites import extensions

    def financement(*, request, cite):
        return {"financement": {"valeur": "425 000 €", "libelle": "dotation de l’État en 2024", "detail": ""}}

    extensions.cite_detail_register(financement)
    try:
        page = text_of(client.get(published().get(slug="orly").get_absolute_url()))
    finally:
        extensions._providers.remove(financement)
    assert ("425 000 €", "dotation de l’État en 2024") in chiffres_of(page)


def test_part_of_a_commune_is_said_lyon_8e(client):
    page = text_of(client.get(published().get(slug="lyon-8e").get_absolute_url()))
    assert (
        "Cette cité ne couvre qu’une partie de sa commune (la liste de l’ANCT la rattache à la commune entière, "
        "sans ses arrondissements) : les quartiers prioritaires et les écoles ci-dessous sont ceux de toute la commune"
    ) in page
    assert "Quartiers prioritaires (10)" in page


def test_no_notice_for_a_cite_with_the_only_qpv_of_its_commune(client):
    page = text_of(client.get(published().get(slug="orly").get_absolute_url()))
    assert 'id="perimetre"' not in page


def test_a_recorded_perimeter_shows_only_the_cite_s_own_qpvs(client):
    cite = published().get(slug="lyon-8e")
    etats_unis = Qpv.objects.filter(generation=2024, communes__code="69123").order_by("code").first()
    cite.qpvs.set([etats_unis])
    page = text_of(client.get(cite.get_absolute_url()))
    assert "Quartiers prioritaires (1)" in page
    assert 'id="perimetre"' not in page


GENERALISATION = reverse("cites:generalisation")


def qpv_2024():
    return Qpv.objects.filter(generation=2024)


def couverts(queryset):
    return queryset.filter(Q(communes__cites__publiee=True) | Q(cites__publiee=True)).distinct()


def test_generalisation_counts_equal_the_database(client):
    page = text_of(client.get(GENERALISATION))
    total = qpv_2024().count()
    avec = couverts(qpv_2024()).count()
    assert (total, avec) == (1493, 708)  # the figures of the issue, from the real data
    assert f'<p class="cites-chiffres__valeur" id="chiffre-total">{total}</p>' in page
    assert f'<p class="cites-chiffres__valeur" id="chiffre-couverts">{avec}</p>' in page
    assert f'<p class="cites-chiffres__valeur" id="chiffre-sans">{total - avec}</p>' in page
    assert f"{avec} quartiers prioritaires sur {total}" in page and "objectif 2027 : tous" in page
    occitanie = qpv_2024().filter(communes__departement__region__code="76").distinct()
    row = stat_row(page, "Occitanie")
    assert row[:3] == [occitanie.count(), couverts(occitanie).count(), occitanie.count() - couverts(occitanie).count()]
    haute_garonne = qpv_2024().filter(communes__departement__code="31").distinct()
    assert stat_row(page, "Haute-Garonne (31)")[:2] == [haute_garonne.count(), couverts(haute_garonne).count()]


def test_generalisation_follows_a_new_cite(client):
    montauban = Commune.objects.get(code="82121")
    cite = CiteEducative.objects.create(nom="Montauban", slug="montauban", annee_label=2026)
    cite.communes.add(montauban)
    page = text_of(client.get(GENERALISATION))
    assert f'id="chiffre-couverts">{708 + 3}</p>' in page


def test_statistics_queries_stay_constant_with_the_generalisation(client, no_cache, django_assert_max_num_queries):
    with django_assert_max_num_queries(13):
        client.get(GENERALISATION)

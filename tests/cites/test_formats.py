"""One way to write and read amounts and file sizes, the French way (cites.formats)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from cites.formats import montant, montant_lire, taille

FINE = "\u202f"


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("150 000,50", "150000.50"),
        ("150000,50", "150000.50"),
        ("150 000 €", "150000.00"),
        ("150000.50", "150000.50"),
        ("150\u202f000,5", "150000.50"),
        ("150\u00a0000 EUR", "150000.00"),
        ("1.500.000", "1500000.00"),
        ("150.000,50", "150000.50"),
        ("12", "12.00"),
    ],
)
def test_amounts_typed_the_french_way_are_read(saisie, attendu):
    assert montant_lire(saisie) == Decimal(attendu)


@pytest.mark.parametrize(
    ("saisie", "message"),
    [
        ("150.000", "est ambigu"),
        ("150,000", "est ambigu"),
        ("150,000.50", "est ambigu"),
        ("1,5,0", "est ambigu"),
        ("150000,5055", "plus de deux chiffres après la virgule"),
        ("douze mille", "n'est pas un montant"),
        ("-5", "ne peut pas être négatif"),
    ],
)
def test_ambiguous_amounts_are_refused_with_a_reason(saisie, message):
    with pytest.raises(ValueError, match=message):
        montant_lire(saisie)


def test_amounts_and_sizes_are_written_one_way():
    assert montant(Decimal("150000.50")) == f"150{FINE}000,50{FINE}€"
    assert montant(Decimal("15000050")) == f"15{FINE}000{FINE}050{FINE}€"
    assert montant(12000) == f"12{FINE}000{FINE}€"
    assert montant(None) == ""
    assert [taille(500), taille(29_000), taille(1_234_567), taille(10_000_000)] == [
        "500 octets",
        "29 ko",
        "1,2 Mo",
        "10 Mo",
    ]
    rendu = Template("{% load cites_formats %}{{ m|montant }} — {{ t|taille }}").render(
        Context({"m": Decimal("2500.5"), "t": 2_500_000})
    )
    assert rendu == f"2{FINE}500,50{FINE}€ — 2,5 Mo"

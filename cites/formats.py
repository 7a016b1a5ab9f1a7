"""How the portal writes and reads numbers, the French way: one helper for every page, the admin,
the PDF receipt and the exports.

- `montant(Decimal("150000.5"))` → « 150 000,50 € » (narrow no-break spaces, as French
  typography wants; whole amounts without centimes: « 12 000 € »).
- `taille(1_234_567)` → « 1,2 Mo » (decimal units, as the DSFR writes file sizes).
- `texte_tableur("=SOMME(A1)")` → « '=SOMME(A1) »: CSV text cells never computed as formulas.
- `montant_lire("150 000,50 €")` → Decimal("150000.50"); an ambiguous text raises ValueError
  with a French message that says why.
"""

import re
from decimal import Decimal, InvalidOperation

ESPACE_FINE = "\u202f"  # narrow no-break space: thousands separator and before the unit
_ESPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_SYMBOLE = re.compile(r"(€|eur(os?)?)$", re.IGNORECASE)


def _groupes(entier: str) -> str:
    """'1500000' → '1 500 000' (narrow no-break spaces)."""
    morceaux = []
    while len(entier) > 3:
        morceaux.insert(0, entier[-3:])
        entier = entier[:-3]
    morceaux.insert(0, entier)
    return ESPACE_FINE.join(morceaux)


def nombre(valeur, *, decimales: int = 2) -> str:
    """A number with French separators, centimes dropped when they are zero: « 150 000,5 » never,
    « 150 000,50 » or « 150 000 »."""
    if valeur is None or valeur == "":
        return ""
    valeur = Decimal(str(valeur)).quantize(Decimal(1).scaleb(-decimales))
    signe = "-" if valeur < 0 else ""
    entier, _, fraction = f"{abs(valeur):f}".partition(".")
    texte = signe + _groupes(entier)
    if fraction and int(fraction):
        texte += "," + fraction
    return texte


def montant(valeur) -> str:
    """An amount in euros: « 150 000,50 € », « 12 000 € »; empty for None."""
    texte = nombre(valeur)
    return f"{texte}{ESPACE_FINE}€" if texte else ""


def montant_tableur(valeur) -> str:
    """An amount for a CSV cell that a French spreadsheet reads as a number: « 150000,50 »."""
    if valeur is None:
        return ""
    return f"{Decimal(str(valeur)):.2f}".replace(".", ",")


# A CSV cell starting with one of these is read as a formula by spreadsheet software.
FORMULE_DEBUTS = ("=", "+", "-", "@", "\t", "\r")


def texte_tableur(texte: str) -> str:
    """Text for a CSV cell, shown as typed and never computed: a formula-like start gets a leading
    apostrophe (the spreadsheets' "this is text" mark), `=HYPERLINK(…)` → `'=HYPERLINK(…)`.
    Used by the open data (cites.donnees) and the agents' exports (candidatures.exports)."""
    return "'" + texte if texte.startswith(FORMULE_DEBUTS) else texte


def taille(octets) -> str:
    """A file size as the DSFR writes it: « 820 octets », « 29 ko », « 1,2 Mo »."""
    octets = int(octets or 0)
    if octets < 1000:
        return f"{octets} octet{'s' if octets > 1 else ''}"
    if octets < 1_000_000:
        return f"{round(octets / 1000)} ko"
    texte = f"{octets / 1_000_000:.1f}".removesuffix(".0").replace(".", ",")
    return f"{texte} Mo"


MONTANT_AMBIGU = (
    "« {saisie} » est ambigu : écrivez le montant en euros avec une virgule avant les centimes, "
    "par exemple 150 000,50 ou 150000."
)


def montant_lire(saisie: str) -> Decimal:
    """Read an amount typed the French way (or with a decimal point), refusing what is ambiguous.

    Accepted: « 150 000,50 », « 150000,50 », « 150 000 € », « 150000.50 », « 1.500.000 »,
    « 150.000,50 ». Refused: « 150.000 » and « 150,000 » (thousands or decimals?), « 1,5,0 »,
    more than two decimals, letters.
    """
    texte = (saisie or "").strip()
    compact = _SYMBOLE.sub("", _ESPACES.sub("", texte)).strip()
    compact = _ESPACES.sub("", compact)
    if not compact:
        raise ValueError("Indiquez un montant en euros.")
    if compact.startswith("-"):
        raise ValueError("Le montant ne peut pas être négatif.")
    if not re.fullmatch(r"[\d.,]+", compact) or not compact[0].isdigit():
        raise ValueError(f"« {texte} » n'est pas un montant : écrivez des chiffres, par exemple 150 000,50.")
    virgules, points = compact.count(","), compact.count(".")
    entier, fraction = compact, ""
    if virgules and points:
        # « 150.000,50 »: dots between groups of three, one comma before the centimes.
        if virgules == 1 and re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{1,2}", compact):
            entier, fraction = compact.replace(".", "").split(",")
        else:
            raise ValueError(MONTANT_AMBIGU.format(saisie=texte))
    elif virgules or points:
        separateur = "," if virgules else "."
        morceaux = compact.split(separateur)
        if len(morceaux) == 2 and len(morceaux[1]) in (1, 2):
            entier, fraction = morceaux
        elif len(morceaux) > 2 and re.fullmatch(rf"\d{{1,3}}(\{separateur}\d{{3}})+", compact):
            entier = compact.replace(separateur, "")  # « 1.500.000 »: thousands only
        elif len(morceaux) == 2 and len(morceaux[1]) > 3:
            raise ValueError(
                f"« {texte} » a plus de deux chiffres après la virgule : un montant s'arrête aux centimes."
            )
        else:
            raise ValueError(MONTANT_AMBIGU.format(saisie=texte))
    if not entier:
        raise ValueError(MONTANT_AMBIGU.format(saisie=texte))
    try:
        return Decimal(f"{entier}.{fraction or '0'}").quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # pragma: no cover - the patterns above only let digits through
        raise ValueError(MONTANT_AMBIGU.format(saisie=texte)) from exc

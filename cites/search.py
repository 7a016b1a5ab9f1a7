"""Accent- and case-insensitive text search, the same on SQLite and PostgreSQL.

Both sides of a comparison are folded to plain lower case without accents, hyphens and
apostrophes becoming spaces ("Saint-Étienne" → "saint etienne"):

- the searched text, in Python (`search_fold_text`);
- the column, in the database (`SearchFold`): on PostgreSQL with the built-in LOWER() and
  TRANSLATE() (the `unaccent` extension would need rights to CREATE EXTENSION); on SQLite,
  whose LOWER() only folds ASCII and which has no TRANSLATE(), with `search_fold_text`
  itself, registered as an SQL function on each new connection.

The names that public search goes through (cités, communes) are also stored folded, in
`nom_recherche` (set when they are saved or imported), with a trigram (GIN) index on PostgreSQL
(migration cites 0007): a search reads the index instead of folding every commune's name.
"""

import unicodedata

from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower, Replace

SQL_FUNCTION = "cites_search_fold"
SEPARATORS = "-'’"
# Letters of French (and a few other) names → base letter, for PostgreSQL's TRANSLATE().
_ACCENTED = "àâäáãåçéèêëîïíìñôöóòõùûüúÿý" + SEPARATORS
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyy" + " " * len(SEPARATORS)


def search_fold_text(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    for separator in SEPARATORS:
        plain = plain.replace(separator, " ")
    return plain


def search_words(text: str, *, limit: int = 10) -> list[str]:
    """The folded words of a search (at most `limit`)."""
    return (search_fold_text(text) or "").split()[:limit]


class SearchFold(Func):
    """Database expression: a text column folded like `search_fold_text`."""

    function = SQL_FUNCTION
    arity = 1
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        folded = Func(Lower(self.source_expressions[0]), Value(_ACCENTED), Value(_PLAIN), function="TRANSLATE")
        folded = Replace(Replace(folded, Value("œ"), Value("oe")), Value("æ"), Value("ae"))
        return compiler.compile(folded)


def register_sqlite_function(connection) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQL_FUNCTION, 1, search_fold_text, deterministic=True)


def on_connection_created(sender, connection, **kwargs) -> None:
    register_sqlite_function(connection)

"""Text cells of the CSV files opened in spreadsheet software (open data, agents' exports)."""

# A cell starting with one of these is read as a formula by spreadsheet software.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_escape(text: str) -> str:
    """`text` shown as typed, never computed: a formula-like start gets a leading apostrophe
    (the spreadsheets' "this is text" mark), e.g. `=HYPERLINK(…)` → `'=HYPERLINK(…)`."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text

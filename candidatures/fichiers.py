"""What a file really is, read from its content and never from its name.

PDF: starts with `%PDF-`. ODS, XLSX, DOCX: ZIP archives; ODS names its type in the `mimetype`
entry, XLSX and DOCX in `[Content_Types].xml`.
"""

import zipfile

TAILLE_MAX = 10 * 1024 * 1024

FORMATS = {
    "pdf": ("application/pdf", ".pdf"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
}

_OOXML_MAIN = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}
_MAX_MANIFEST = 1024 * 1024  # never read more than this from an archive entry


def _read_entry(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_MANIFEST:
        return None
    with archive.open(info) as entry:
        return entry.read(_MAX_MANIFEST)


def detect_format(fichier) -> str | None:
    """'pdf', 'ods', 'xlsx', 'docx', or None when the content is none of them. Leaves the file at 0."""
    fichier.seek(0)
    debut = fichier.read(8)
    fichier.seek(0)
    try:
        if debut.startswith(b"%PDF-"):
            return "pdf"
        if not debut.startswith(b"PK\x03\x04"):
            return None
        try:
            with zipfile.ZipFile(fichier) as archive:
                mimetype = _read_entry(archive, "mimetype")
                if mimetype is not None and mimetype.strip() == FORMATS["ods"][0].encode():
                    return "ods"
                types = _read_entry(archive, "[Content_Types].xml")
                if types is not None:
                    for fmt, main in _OOXML_MAIN.items():
                        if main.encode() in types:
                            return fmt
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
            return None
        return None
    finally:
        fichier.seek(0)


def taille_lisible(octets: int) -> str:
    if octets < 1024:
        return f"{octets} octets"
    if octets < 1024 * 1024:
        return f"{octets / 1024:.0f} Ko".replace(".", ",")
    return f"{octets / (1024 * 1024):.1f} Mo".replace(".", ",")

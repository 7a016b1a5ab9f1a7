"""What a file really is, read from its content and never from its name.

PDF: opened and parsed with pypdf (a header `%PDF-` in front of anything else is refused: the
document must have a readable structure and at least one page). ODS, XLSX, DOCX: ZIP archives
whose every entry is read and checked (CRC); ODS names its type in the `mimetype` entry, XLSX
and DOCX in `[Content_Types].xml`.
"""

import hashlib
import logging
import os
import zipfile

from django.core.exceptions import ValidationError

from cites.formats import taille

TAILLE_MAX = 10 * 1000 * 1000  # 10 Mo, as cites.formats.taille writes it

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


_MAX_ARCHIVE = 100 * 1024 * 1024  # an office file that inflates beyond this is refused (zip bomb)


def _pdf_valide(fichier) -> bool:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        lecteur = PdfReader(fichier, strict=True)
        if lecteur.is_encrypted:
            return False
        return len(lecteur.pages) > 0 and lecteur.pages[0].mediabox is not None
    except Exception:  # noqa: BLE001 — any failure of the parser means « not a PDF we can read »
        return False


def _archive_valide(archive: zipfile.ZipFile) -> bool:
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > _MAX_ARCHIVE:
        return False
    return archive.testzip() is None  # reads every entry and checks its CRC


def empreinte(fichier) -> str:
    """SHA-256 of the content (the same file attached twice has the same one). Leaves the file at 0."""
    fichier.seek(0)
    h = hashlib.sha256()
    for bloc in iter(lambda: fichier.read(1024 * 1024), b""):
        h.update(bloc)
    fichier.seek(0)
    return h.hexdigest()


def detect_format(fichier) -> str | None:
    """'pdf', 'ods', 'xlsx', 'docx', or None when the content is none of them. Leaves the file at 0."""
    fichier.seek(0)
    debut = fichier.read(8)
    fichier.seek(0)
    try:
        if debut.startswith(b"%PDF-"):
            return "pdf" if _pdf_valide(fichier) else None
        if not debut.startswith(b"PK\x03\x04"):
            return None
        try:
            with zipfile.ZipFile(fichier) as archive:
                if not _archive_valide(archive):
                    return None
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


def fichier_verifier(*, fichier) -> tuple[str, str, str]:
    """Check an uploaded file (size, real content): (format, final name, SHA-256), or ValidationError."""
    nom = os.path.basename(getattr(fichier, "name", "") or "fichier")
    if fichier.size > TAILLE_MAX:
        raise ValidationError(
            f"Le fichier « {nom} » pèse {taille(fichier.size)} : la taille maximale est de {taille(TAILLE_MAX)}."
        )
    if fichier.size == 0:
        raise ValidationError(f"Le fichier « {nom} » est vide.")
    fmt = detect_format(fichier)
    if fmt is None:
        raise ValidationError(
            f"Le fichier « {nom} » ne s'ouvre pas comme un PDF, un tableur (ODS, XLSX) ou un document Word "
            "(DOCX), quel que soit son nom : il est peut-être abîmé, protégé par un mot de passe ou d'un autre "
            "format. Enregistrez-le de nouveau dans l'un de ces formats."
        )
    base, _ = os.path.splitext(nom)
    return fmt, (base or "fichier")[:200] + FORMATS[fmt][1], empreinte(fichier)

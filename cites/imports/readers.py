"""Readers: get the raw records of an open-data file, from a path or a URL.

Readers know formats (JSON, GeoJSON, CSV), not models. When the file itself cannot be read
they raise `ImportErreur` with a French message meant for the person running the import.
"""

import contextlib
import csv
import io
import json
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings


class ImportErreur(Exception):
    """The file as a whole cannot be imported (missing, unreadable, wrong format)."""


@dataclass(frozen=True)
class Source:
    """A file or URL to read, with the short label recorded on each imported row."""

    emplacement: str
    libelle: str = ""

    @property
    def est_url(self) -> bool:
        return self.emplacement.startswith(("http://", "https://"))

    @property
    def nom(self) -> str:
        """Label recorded in the rows' `source` field: the file name or the URL."""
        if self.libelle:
            return self.libelle
        return self.emplacement if self.est_url else Path(self.emplacement).name

    def __str__(self) -> str:
        return self.emplacement


def source_read_bytes(*, source: Source) -> bytes:
    """Return the raw content of a file or URL (download with the configured timeout)."""
    if source.est_url:
        request = urllib.request.Request(source.emplacement, headers={"User-Agent": "portail-cites-educatives"})
        try:
            with urllib.request.urlopen(request, timeout=settings.REFERENCE_DOWNLOAD_TIMEOUT) as response:
                content = response.read()
        except urllib.error.HTTPError as error:
            raise ImportErreur(f"téléchargement de {source} impossible : erreur HTTP {error.code}.") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ImportErreur(f"téléchargement de {source} impossible : {reason}.") from error
    else:
        path = Path(source.emplacement)
        if not path.is_file():
            raise ImportErreur(f"fichier introuvable : {path}.")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise ImportErreur(f"lecture de {path} impossible : {error.strerror}.") from error
    if not content.strip():
        raise ImportErreur(f"le fichier {source.nom} est vide.")
    return content


def _decode(*, content: bytes, source: Source) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportErreur(
            f"le fichier {source.nom} n'est pas encodé en UTF-8 (octet invalide à la position {error.start})."
        ) from error


def looks_like_json(*, content: bytes) -> bool:
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return head in (b"{", b"[")


def json_read(*, source: Source, content: bytes | None = None):
    """Parse a JSON document; a truncated or invalid file raises ImportErreur."""
    if content is None:
        content = source_read_bytes(source=source)
    try:
        return json.loads(_decode(content=content, source=source))
    except json.JSONDecodeError as error:
        raise ImportErreur(
            f"le fichier {source.nom} n'est pas un JSON valide (tronqué ou mal formé) : "
            f"ligne {error.lineno}, colonne {error.colno}."
        ) from error


def json_list_read(*, source: Source, content: bytes | None = None) -> list[dict]:
    """A JSON array of objects, as in the `@etalab/decoupage-administratif` data files."""
    data = json_read(source=source, content=content)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportErreur(f"le fichier {source.nom} n'est pas une liste d'objets JSON.")
    return data


def geojson_features_read(*, source: Source, content: bytes | None = None) -> list[dict]:
    """The features of a GeoJSON FeatureCollection."""
    data = json_read(source=source, content=content)
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise ImportErreur(f"le fichier {source.nom} n'est pas un GeoJSON (FeatureCollection attendue).")
    return data["features"]


class LigneRejetee(str):
    """A CSV line the reader cannot trust (fewer fields than the header, a file cut short): its
    reason, yielded in place of the row so that the importer reports it and changes nothing."""


@dataclass
class CsvFichier:
    colonnes: list[str]
    lignes: Iterator[tuple[int, dict[str, str] | LigneRejetee]]


class _LignesSuivies:
    """The physical lines of a text file, one at a time, remembering whether the last one read
    ended with a line break (a file cut mid-line does not)."""

    def __init__(self, fichier: IO[str], *, source: Source):
        self.fichier, self.source = fichier, source
        self.numero = 0
        self.fin_de_ligne = True

    def __iter__(self) -> Iterator[str]:
        try:
            for line in self.fichier:
                self.numero += 1
                self.fin_de_ligne = line.endswith(("\n", "\r"))
                yield line
        except UnicodeDecodeError as error:
            raise ImportErreur(
                f"le fichier {self.source.nom} n'est pas encodé en UTF-8 (octet invalide ligne {self.numero + 1})."
            ) from error


@contextlib.contextmanager
def _text_open(*, source: Source, content: bytes | None) -> Iterator[IO[str]]:
    """The source as a text file read line by line: a local file is never loaded whole; a URL is
    first downloaded to a temporary file, in chunks."""
    if content is not None:
        yield io.StringIO(_decode(content=content, source=source), newline="")
        return
    if not source.est_url:
        path = Path(source.emplacement)
        if not path.is_file():
            raise ImportErreur(f"fichier introuvable : {path}.")
        try:
            fichier = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed by the caller's with)
        except OSError as error:
            raise ImportErreur(f"lecture de {path} impossible : {error.strerror}.") from error
        with fichier:
            yield fichier
        return
    request = urllib.request.Request(source.emplacement, headers={"User-Agent": "portail-cites-educatives"})
    with tempfile.TemporaryFile() as temporaire:
        try:
            with urllib.request.urlopen(request, timeout=settings.REFERENCE_DOWNLOAD_TIMEOUT) as response:
                shutil.copyfileobj(response, temporaire, length=1 << 20)
        except urllib.error.HTTPError as error:
            raise ImportErreur(f"téléchargement de {source} impossible : erreur HTTP {error.code}.") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ImportErreur(f"téléchargement de {source} impossible : {reason}.") from error
        temporaire.seek(0)
        with io.TextIOWrapper(temporaire, encoding="utf-8-sig", newline="") as fichier:
            yield fichier


def csv_read(*, source: Source, required: list[str], content: bytes | None = None) -> CsvFichier:
    """A `;`-separated UTF-8 CSV (with or without BOM), columns read by name, read line by line.

    Yields (line number in the file, row as a dict). The header is line 1. A `,` separator is
    accepted when the header has no `;`. A row with fewer fields than the header, or a last line
    cut short (no line break and fields missing), is yielded as a `LigneRejetee` instead: it must
    never be read as a record whose missing fields are blank.
    """
    pile = contextlib.ExitStack()
    fichier = pile.enter_context(_text_open(source=source, content=content))
    try:
        first_line = fichier.readline()
    except UnicodeDecodeError as error:
        pile.close()
        raise ImportErreur(f"le fichier {source.nom} n'est pas encodé en UTF-8 (octet invalide ligne 1).") from error
    if not first_line.strip():
        pile.close()
        raise ImportErreur(f"le fichier {source.nom} est vide.")
    delimiter = ";" if ";" in first_line or "," not in first_line else ","
    try:
        header = [name.strip() for name in next(csv.reader([first_line], delimiter=delimiter))]
    except (StopIteration, csv.Error) as error:
        pile.close()
        raise ImportErreur(f"le fichier {source.nom} n'a pas de ligne d'en-tête lisible.") from error
    missing = [name for name in required if name not in header]
    if missing:
        pile.close()
        raise ImportErreur(
            f"colonne{'s' if len(missing) > 1 else ''} obligatoire{'s' if len(missing) > 1 else ''} "
            f"absente{'s' if len(missing) > 1 else ''} du fichier {source.nom} : {', '.join(missing)}."
        )
    lignes = _LignesSuivies(fichier, source=source)
    lignes.numero = 1
    reader = csv.reader(lignes, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, dict[str, str] | LigneRejetee]]:
        with pile:
            premiere = 2
            try:
                for values in reader:
                    numero, premiere = premiere, lignes.numero + 1
                    if not any(value.strip() for value in values):
                        continue
                    if len(values) < len(header):
                        coupee = "" if lignes.fin_de_ligne else " : le fichier est coupé au milieu de cette ligne"
                        yield (
                            numero,
                            LigneRejetee(
                                f"{len(values)} champ{'s' if len(values) > 1 else ''} au lieu de {len(header)}"
                                f"{coupee} ; ligne ignorée, aucune donnée modifiée"
                            ),
                        )
                        continue
                    yield numero, dict(zip(header, values, strict=False))
            except csv.Error as error:
                raise ImportErreur(f"fichier {source.nom} illisible ligne {lignes.numero} : {error}.") from error

    return CsvFichier(colonnes=header, lignes=rows())

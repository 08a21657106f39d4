"""What a file must be to become a pièce: checked by its content, never by its name.

`examiner(contenu, nom)` returns the file to keep (`FichierExamine`) or raises `PieceRefusee`
with a French reason and a stable code (the scanner's report, the API and the pages show it):

- empty, or over `SNE_PIECES_TAILLE_MAX` (10 Mo): `fichier_vide`, `fichier_trop_gros`;
- not a PDF, JPEG or PNG by its first bytes (a « .pdf » holding an executable, a web page…):
  `type_non_accepte`;
- a PDF that pypdf cannot read, or protected by a password: `fichier_illisible`,
  `pdf_protege`; over `SNE_PIECES_PAGES_MAX` pages: `trop_de_pages`;
- a PDF that carries JavaScript, an action launching a program, or embedded files — looked for
  in every object, those of compressed object streams included: `pdf_actif`;
- an image Pillow cannot decode, or whose size in pixels is a decompression bomb:
  `fichier_illisible`, `image_trop_grande`. A good image is **normalised**: turned upright
  (EXIF orientation), reduced to 3,500 pixels on its long side, re-encoded (JPEG 85 or PNG),
  which drops every metadata (GPS position of a phone photo, comments) and whatever was hidden
  after the image data.
"""

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from sne.exceptions import ErreurMetier

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
# A scanner may put a few bytes (a BOM, blank lines) before « %PDF- »: readers accept it within
# the first kilobyte, so do we.
DEBUT_PDF = 1024
COTE_MAX = 3500
PIXELS_MAX = 60_000_000

# What a PDF may not hold: actions that run code or open something, and attached files.
CLES_INTERDITES = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
ACTIONS_INTERDITES = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"}
# The same names in the raw bytes (a name may be written with #xx escapes): a second net for
# objects pypdf could not reach (a broken cross-reference table).
NOMS_BRUTS_INTERDITS = re.compile(rb"/(JavaScript|JS|EmbeddedFiles?|Launch)(?![A-Za-z0-9])")
ECHAPPEMENT = re.compile(rb"#([0-9A-Fa-f]{2})")
MESSAGE_PDF_ACTIF = (
    "Ce PDF contient un programme (JavaScript, lancement d'application) ou des fichiers "
    "joints : il est refusé par sécurité. Imprimez-le en PDF simple ou numérisez-le."
)


class PieceRefusee(ErreurMetier):
    """The file cannot become a pièce (its content, not the rights)."""

    code = "piece_refusee"


@dataclass(frozen=True)
class FichierExamine:
    contenu: bytes
    type_contenu: str
    extension: str
    pages: int

    @property
    def taille(self) -> int:
        return len(self.contenu)

    @property
    def empreinte(self) -> str:
        return hashlib.sha256(self.contenu).hexdigest()


def type_reel(contenu: bytes) -> tuple[str, str] | None:
    """(type de contenu, extension) from the first bytes, or None."""
    for signature, type_contenu, extension in SIGNATURES:
        if contenu.startswith(signature):
            return type_contenu, extension
    if b"%PDF-" in contenu[:DEBUT_PDF]:
        return "application/pdf", "pdf"
    return None


def exiger_taille(taille: int) -> None:
    """Refuse a file over `SNE_PIECES_TAILLE_MAX` (from its announced size, before reading)."""
    maximum = settings.SNE_PIECES_TAILLE_MAX
    if taille > maximum:
        raise PieceRefusee(
            f"Le fichier pèse {taille / 1_048_576:.1f} Mo : le maximum est "
            f"{maximum / 1_048_576:.0f} Mo par pièce. Numérisez-la en noir et blanc ou en "
            "150 points par pouce.",
            code="fichier_trop_gros",
        )


def examiner(contenu: bytes, nom: str = "") -> FichierExamine:
    if not contenu:
        raise PieceRefusee("Le fichier est vide (0 octet).", code="fichier_vide")
    exiger_taille(len(contenu))
    reel = type_reel(contenu)
    if reel is None:
        annonce = f" (nommé « {nom[-80:]} »)" if nom else ""
        raise PieceRefusee(
            f"Ce fichier{annonce} n'est ni un PDF, ni une image JPEG ou PNG : son contenu a été "
            "vérifié, pas seulement son nom.",
            code="type_non_accepte",
        )
    type_contenu, extension = reel
    if type_contenu == "application/pdf":
        return FichierExamine(contenu, type_contenu, extension, _examiner_pdf(contenu))
    return _normaliser_image(contenu)


def _examiner_pdf(contenu: bytes) -> int:
    if NOMS_BRUTS_INTERDITS.search(
        ECHAPPEMENT.sub(lambda m: bytes([int(m.group(1), 16)]), contenu)
    ):
        raise PieceRefusee(MESSAGE_PDF_ACTIF, code="pdf_actif")
    try:
        lecteur = PdfReader(io.BytesIO(contenu), strict=False)
        if lecteur.is_encrypted and not lecteur.decrypt(""):
            raise PieceRefusee(
                "Ce PDF est protégé par un mot de passe : envoyez une version sans protection.",
                code="pdf_protege",
            )
        pages = len(lecteur.pages)
        actif = _pdf_actif(lecteur)
    except PieceRefusee:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
        raise PieceRefusee(
            "Ce PDF est illisible (fichier abîmé ou incomplet) : numérisez la pièce à nouveau.",
            code="fichier_illisible",
        ) from e
    except Exception as e:  # pypdf on a hostile file: any failure is an unreadable file
        raise PieceRefusee(
            "Ce PDF est illisible (fichier abîmé ou incomplet) : numérisez la pièce à nouveau.",
            code="fichier_illisible",
        ) from e
    if actif:
        raise PieceRefusee(MESSAGE_PDF_ACTIF, code="pdf_actif")
    if pages < 1:
        raise PieceRefusee("Ce PDF n'a aucune page.", code="fichier_illisible")
    if pages > settings.SNE_PIECES_PAGES_MAX:
        raise PieceRefusee(
            f"Ce PDF a {pages} pages : le maximum est {settings.SNE_PIECES_PAGES_MAX} par pièce. "
            "Envoyez chaque document comme une pièce à part.",
            code="trop_de_pages",
        )
    return pages


def _pdf_actif(lecteur: PdfReader) -> bool:
    """Whether any object of the PDF — reached from the trailer, through every reference,
    those in compressed object streams included — is a script, a launch or an attachment."""
    vus: set[tuple[int, int]] = set()
    a_voir = [lecteur.trailer]
    while a_voir:
        objet = a_voir.pop()
        if isinstance(objet, IndirectObject):
            cle = (objet.idnum, objet.generation)
            if cle in vus:
                continue
            vus.add(cle)
            objet = objet.get_object()
        if isinstance(objet, DictionaryObject):
            if CLES_INTERDITES & set(objet.keys()):
                return True
            if objet.get("/S") in ACTIONS_INTERDITES or objet.get("/Type") == "/EmbeddedFile":
                return True
            a_voir.extend(v for k, v in objet.items() if k != "/Parent")
        elif isinstance(objet, ArrayObject):
            a_voir.extend(objet)
        elif isinstance(objet, NameObject) and objet in ACTIONS_INTERDITES:
            return True
    return False


def _normaliser_image(contenu: bytes) -> FichierExamine:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 89 and 179 million pixels: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(contenu))
        with image:
            if image.width * image.height > PIXELS_MAX:
                raise PieceRefusee(
                    f"Cette image fait {image.width} × {image.height} pixels : c'est trop. "
                    "Numérisez la pièce en 300 points par pouce au plus.",
                    code="image_trop_grande",
                )
            image.load()
            format_ = image.format
            image = ImageOps.exif_transpose(image)
            image.thumbnail((COTE_MAX, COTE_MAX))
            sortie = io.BytesIO()
            if format_ == "PNG":
                if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                    image = image.convert("RGBA")
                image.save(sortie, format="PNG", optimize=True)
                type_contenu, extension = "image/png", "png"
            else:
                if image.mode not in ("L", "RGB"):
                    image = image.convert("RGB")
                image.save(sortie, format="JPEG", quality=85, optimize=True)
                type_contenu, extension = "image/jpeg", "jpg"
    except PieceRefusee:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise PieceRefusee(
            "Cette image est démesurée (plusieurs centaines de millions de pixels) : elle est "
            "refusée. Numérisez la pièce en 300 points par pouce au plus.",
            code="image_trop_grande",
        ) from e
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise PieceRefusee(
            "Cette image est illisible (fichier abîmé ou incomplet) : prenez la photo ou "
            "numérisez la pièce à nouveau.",
            code="fichier_illisible",
        ) from e
    return FichierExamine(sortie.getvalue(), type_contenu, extension, 1)

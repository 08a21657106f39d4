"""Files for the tests of the pièces: real PDFs and images made on the spot, hostile ones, and
the EICAR test file that every antivirus recognises (sne/pieces/clamav/README.md)."""

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

# Written in two halves, so that no antivirus on a developer's machine quarantines this file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf(pages: int = 1, texte: str = "") -> bytes:
    ecrivain = PdfWriter()
    for _ in range(pages):
        ecrivain.add_blank_page(width=595, height=842)
    if texte:
        ecrivain.add_metadata({"/Title": texte})
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()


def pdf_avec_javascript(compresse: bool = True) -> bytes:
    """A PDF whose opening runs JavaScript; `compresse`: its objects in an object stream, where
    the raw bytes do not show the name /JavaScript."""
    ecrivain = PdfWriter()
    ecrivain.add_blank_page(width=595, height=842)
    # `PdfWriter.add_js` is gone from pypdf 7: the same open action, written by hand.
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('bonjour');"),
        }
    )
    ecrivain._root_object[NameObject("/OpenAction")] = ecrivain._add_object(action)
    sortie = io.BytesIO()
    if compresse:
        ecrivain.compress_identical_objects()
        for page in ecrivain.pages:
            page.compress_content_streams()
    ecrivain.write(sortie)
    return sortie.getvalue()


def pdf_avec_fichier_joint() -> bytes:
    ecrivain = PdfWriter()
    ecrivain.add_blank_page(width=595, height=842)
    ecrivain.add_attachment("facture.exe", b"MZ\x90\x00 programme")
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()


def pdf_avec_lancement() -> bytes:
    ecrivain = PdfWriter()
    ecrivain.add_blank_page(width=595, height=842)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    ecrivain._root_object[NameObject("/OpenAction")] = ecrivain._add_object(action)
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()


def jpeg(largeur: int = 800, hauteur: int = 600, couleur=(200, 180, 150)) -> bytes:
    sortie = io.BytesIO()
    Image.new("RGB", (largeur, hauteur), couleur).save(sortie, format="JPEG")
    return sortie.getvalue()


def png(largeur: int = 400, hauteur: int = 300) -> bytes:
    sortie = io.BytesIO()
    Image.new("RGB", (largeur, hauteur), (10, 120, 200)).save(sortie, format="PNG")
    return sortie.getvalue()


def zip_de(fichiers: dict[str, bytes]) -> bytes:
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as archive:
        for nom, contenu in fichiers.items():
            archive.writestr(nom, contenu)
    return sortie.getvalue()

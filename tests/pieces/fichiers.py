"""Files for the tests of the pièces: real PDFs and images made on the spot, hostile ones, and
the EICAR test file that every antivirus recognises (sne/pieces/clamav/README.md)."""

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

# Written in two halves, so that no antivirus on a developer's machine quarantines this file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf_infecte() -> bytes:
    """A valid one-page PDF whose exact bytes the test signature database lists as a virus
    (`SNE.Test.PieceInfectee` in sne/pieces/clamav/sne-test.hdb): the EICAR file alone is no
    PDF, so the content check refuses it before the antivirus sees it. Written by hand, byte
    for byte (no date, no identifier, nothing from pypdf), so its MD5 never changes;
    `test_numeriseur.py` checks it against the signature."""
    objets = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    sortie = bytearray(b"%PDF-1.4\n% SNE piece infectee de test\n")
    positions = []
    for numero, objet in enumerate(objets, start=1):
        positions.append(len(sortie))
        sortie += b"%d 0 obj\n%s\nendobj\n" % (numero, objet)
    xref = len(sortie)
    sortie += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1)
    for position in positions:
        sortie += b"%010d 00000 n \n" % position
    sortie += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objets) + 1,
        xref,
    )
    return bytes(sortie)


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

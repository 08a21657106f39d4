"""Hostile lots of the industrial scanner (issue 14, « Bad input »): each refused with a clear
French reason — the one pièce when the pièce is bad, the whole lot when the lot cannot be read —
and nothing written by halves."""

import io
import stat
import zipfile

import pytest
from django.core import mail

from sne.demandes import services as demandes
from sne.pieces import numeriseur
from sne.pieces.models import LigneNumeriseur, LotNumeriseur, Piece
from tests.demandes.conftest import donnees_minimales
from tests.pieces import fichiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier_des_lots(settings, tmp_path):
    settings.SNE_DOSSIER_LOTS = str(tmp_path / "lots")
    return tmp_path / "lots" / "numeriseur"


@pytest.fixture
def envoyer(guichet, agent_saisie, dossier_des_lots, django_capture_on_commit_callbacks):
    def envoyer(contenu: bytes, guichet=guichet, agent=agent_saisie):
        with django_capture_on_commit_callbacks(execute=True):
            lot = numeriseur.recevoir_lot_numeriseur(
                guichet, agent, io.BytesIO(contenu), taille_max=10**9
            )
        lot.refresh_from_db()
        return lot

    return envoyer


def zip_brut(membres: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    """A ZIP written member by member, names and attributes as given (nothing sanitised)."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as archive:
        for membre, contenu in membres:
            archive.writestr(membre, contenu, compress_type=zipfile.ZIP_DEFLATED)
    return sortie.getvalue()


def manifeste(*lignes: str, entete: str = "numero_unique;type;fichier") -> bytes:
    return ("\n".join((entete, *lignes)) + "\n").encode()


def resultat_unique_rejete(lot) -> LigneNumeriseur:
    """The lot's first line attached (the good pièce `bon.pdf`), its second rejected: returned."""
    bonne, rejetee = LigneNumeriseur.objects.filter(lot=lot).order_by("ligne")
    assert bonne.resultat == "attachee", bonne.message
    assert rejetee.resultat == "rejetee" and rejetee.piece_uid is None
    assert rejetee.message and rejetee.message[0].isupper()  # a French sentence, not a code
    assert (lot.etat, lot.total, lot.attachees, lot.rejetees) == ("termine", 2, 1, 1)
    assert Piece.objects.filter(origine="numeriseur").count() == 1
    assert not list(numeriseur.dossier().iterdir())  # the ZIP is erased once processed
    return rejetee


def refus_entier(envoyer, contenu: bytes, code: str) -> str:
    with pytest.raises(numeriseur.LotNumeriseurRefuse) as erreur:
        envoyer(contenu)
    assert erreur.value.code == code
    assert not LotNumeriseur.objects.exists() and not LigneNumeriseur.objects.exists()
    assert not list(numeriseur.dossier().iterdir())  # not even the partial file
    assert not mail.outbox
    return erreur.value.message


# --- One pièce rejected, the others attached --------------------------------------------------


def test_une_bombe_de_decompression_est_rejetee_sans_etre_decompressee(antivirus, demande, envoyer):
    n = demande.numero_unique
    bombe = b"\x00" * (8 * 1024 * 1024)  # 8 Mio of zeros: a few kilobytes compressed
    lot = envoyer(
        zip_brut(
            [
                ("manifeste.csv", manifeste(f"{n};identite;bon.pdf", f"{n};autre;bombe.pdf")),
                ("bon.pdf", fichiers.pdf()),
                ("bombe.pdf", bombe),
            ]
        )
    )
    rejetee = resultat_unique_rejete(lot)
    assert rejetee.code == "archive_suspecte"
    assert "bombe de décompression" in rejetee.message


def test_un_membre_qui_ment_sur_sa_taille_est_illisible(antivirus, demande, envoyer):
    """The header announces a small member; the deflated stream gives more: read no further
    than the announced size, the integrity check fails."""
    n = demande.numero_unique
    contenu = zip_brut(
        [
            ("manifeste.csv", manifeste(f"{n};identite;bon.pdf", f"{n};autre;menteur.pdf")),
            ("bon.pdf", fichiers.pdf()),
            ("menteur.pdf", fichiers.pdf() + b"\x00" * 500_000),
        ]
    )
    archive = zipfile.ZipFile(io.BytesIO(contenu))
    vrai = archive.getinfo("menteur.pdf").file_size
    annonce = len(fichiers.pdf()).to_bytes(4, "little")
    # The size sits in the local header and in the central directory: both lie.
    contenu = contenu.replace(vrai.to_bytes(4, "little"), annonce)
    lot = envoyer(contenu)
    rejetee = resultat_unique_rejete(lot)
    assert rejetee.code == "fichier_illisible"


@pytest.mark.parametrize(
    "nom", ["../bon.pdf", "../../etc/passwd", "/etc/passwd", "dossier/../../x.pdf", "C:\\x.pdf"]
)
def test_un_nom_qui_sort_de_l_archive_est_rejete(antivirus, demande, envoyer, nom):
    n = demande.numero_unique
    lot = envoyer(
        zip_brut(
            [
                ("manifeste.csv", manifeste(f"{n};identite;bon.pdf", f"{n};autre;{nom}")),
                ("bon.pdf", fichiers.pdf()),
                (nom, fichiers.pdf(pages=2)),
            ]
        )
    )
    rejetee = resultat_unique_rejete(lot)
    assert rejetee.code == "nom_de_fichier_interdit"
    assert "remonte hors de l'archive" in rejetee.message


def test_un_lien_symbolique_du_zip_n_est_pas_suivi(antivirus, demande, envoyer):
    n = demande.numero_unique
    lien = zipfile.ZipInfo("lien.pdf")
    lien.create_system = 3  # Unix
    lien.external_attr = (stat.S_IFLNK | 0o777) << 16
    lot = envoyer(
        zip_brut(
            [
                ("manifeste.csv", manifeste(f"{n};identite;bon.pdf", f"{n};autre;lien.pdf")),
                ("bon.pdf", fichiers.pdf()),
                (lien, b"/etc/passwd"),
            ]
        )
    )
    rejetee = resultat_unique_rejete(lot)
    assert rejetee.code == "nom_de_fichier_interdit"
    assert "lien symbolique" in rejetee.message


@pytest.mark.parametrize(
    ("contenu", "code", "mots"),
    [
        (b"", "fichier_vide", "0 octet"),
        (b"Ceci est un texte, pas un PDF.\n", "type_non_accepte", "ni un PDF"),
        (fichiers.EICAR, "type_non_accepte", "ni un PDF"),
        (b"%PDF-1.7\n" + b"\x00" * 300, "fichier_illisible", ""),
        (fichiers.pdf_avec_javascript(), "pdf_actif", ""),
    ],
    ids=["vide", "texte", "eicar", "pdf_casse", "pdf_javascript"],
)
def test_un_fichier_vide_ou_qui_ment_sur_son_type_est_rejete(
    antivirus, demande, envoyer, contenu, code, mots
):
    n = demande.numero_unique
    lot = envoyer(
        zip_brut(
            [
                ("manifeste.csv", manifeste(f"{n};identite;bon.pdf", f"{n};autre;faux.pdf")),
                ("bon.pdf", fichiers.pdf()),
                ("faux.pdf", contenu),
            ]
        )
    )
    rejetee = resultat_unique_rejete(lot)
    assert rejetee.code == code
    assert mots in rejetee.message


def test_une_image_jpeg_nommee_pdf_est_prise_pour_ce_qu_elle_est(antivirus, demande, envoyer):
    """The real type comes from the content, never from the name: JPEG bytes named `.pdf` are
    a JPEG image, an accepted type — attached as an image, normalised, never as a PDF."""
    n = demande.numero_unique
    lot = envoyer(
        zip_brut(
            [
                ("manifeste.csv", manifeste(f"{n};ressources;photo.pdf")),
                ("photo.pdf", fichiers.jpeg()),
            ]
        )
    )
    assert (lot.attachees, lot.rejetees) == (1, 0)
    piece = Piece.objects.get(demande=demande)
    assert piece.type_contenu == "image/jpeg"
    assert piece.fichier.name.endswith(".jpg")


def test_un_manifeste_en_windows_1252_rejette_ses_lignes_accentuees_clairement(
    antivirus, demande, envoyer
):
    """The manifest is UTF-8. A line written in Windows-1252 with an accent cannot be read
    with certainty: rejected with a reason that says so; the lines in plain ASCII (the same in
    both encodings) are read."""
    n = demande.numero_unique
    lot = envoyer(
        zip_brut(
            [
                (
                    "manifeste.csv",
                    f"numero_unique;type;fichier\n{n};identite;bon.pdf\n{n};autre;reçu.pdf\n".encode(
                        "cp1252"
                    ),
                ),
                ("bon.pdf", fichiers.pdf()),
                ("reçu.pdf", fichiers.pdf(pages=2)),
            ]
        )
    )
    rejetee = resultat_unique_rejete(lot)
    assert rejetee.code == "ligne_invalide"
    assert "UTF-8" in rejetee.message and "Windows-1252" in rejetee.message


def test_la_colonne_personne(antivirus, demande, envoyer):
    n = demande.numero_unique
    lot = envoyer(
        zip_brut(
            [
                (
                    "manifeste.csv",
                    manifeste(
                        f"{n};identite;a.pdf;demandeur",
                        f"{n};ressources;b.pdf;",
                        f"{n};identite;c.pdf;co_demandeur",
                        f"{n};identite;d.pdf;enfant",
                        entete="numero_unique;type;fichier;personne",
                    ),
                ),
                ("a.pdf", fichiers.pdf()),
                ("b.pdf", fichiers.pdf(pages=2)),
                ("c.pdf", fichiers.pdf(pages=3)),
                ("d.pdf", fichiers.pdf(pages=4)),
            ]
        )
    )
    lignes = {ligne.ligne: ligne for ligne in LigneNumeriseur.objects.filter(lot=lot)}
    assert [lignes[i].code for i in (2, 3, 4, 5)] == ["", "", "personne_absente", "ligne_invalide"]
    assert "pas de co_demandeur" in lignes[4].message
    assert "« demandeur » ou « co_demandeur »" in lignes[5].message
    demandeur = demande.personnes.get(role="demandeur")
    pieces = {p.type: p for p in Piece.objects.filter(demande=demande)}
    assert pieces["identite"].personne == demandeur
    assert pieces["ressources"].personne is None
    assert len(pieces) == 2


def test_un_numero_inconnu_ou_hors_du_departement_du_guichet_dit_la_meme_chose(
    antivirus, demande, envoyer, guichet, guichet_ailleurs, agent_ailleurs
):
    """Unknown, or a demande of a département out of the desk's rights: the same reason, so
    that nothing is revealed; the sender is told, not the other desk."""
    ailleurs = demandes.enregistrer_demande(guichet_ailleurs, agent_ailleurs, donnees_minimales())
    mail.outbox.clear()
    n = demande.numero_unique
    lot = envoyer(
        zip_brut(
            [
                (
                    "manifeste.csv",
                    manifeste(
                        f"{n};identite;bon.pdf",
                        f"{ailleurs.numero_unique};identite;a.pdf",
                        "093000000000000XX9;identite;a.pdf",
                        "n'importe quoi;identite;a.pdf",
                    ),
                ),
                ("bon.pdf", fichiers.pdf()),
                ("a.pdf", fichiers.pdf(pages=2)),
            ]
        )
    )
    lignes = LigneNumeriseur.objects.filter(lot=lot).order_by("ligne")
    assert [ligne.code for ligne in lignes] == ["", *["numero_inconnu"] * 3]
    assert len({ligne.message for ligne in lignes[1:]}) == 1
    assert all(ligne.demande_id is None for ligne in lignes[1:])
    assert not Piece.objects.filter(demande=ailleurs).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == guichet.destinataires()
    assert ailleurs.numero_unique in mail.outbox[0].body  # the sender's own manifest
    assert "(numéro illisible)" in mail.outbox[0].body


def test_un_membre_absent_du_zip(antivirus, demande, envoyer):
    n = demande.numero_unique
    lot = envoyer(
        zip_brut(
            [
                ("manifeste.csv", manifeste(f"{n};identite;bon.pdf", f"{n};autre;oublie.pdf")),
                ("bon.pdf", fichiers.pdf()),
            ]
        )
    )
    rejetee = resultat_unique_rejete(lot)
    assert rejetee.code == "fichier_absent"
    assert "« oublie.pdf » n'est pas dans le ZIP" in rejetee.message


# --- The whole lot refused, nothing kept ------------------------------------------------------


def test_un_manifeste_de_100_000_lignes_est_refuse_entier(demande, envoyer):
    lignes = [f"{demande.numero_unique};autre;p{i}.pdf" for i in range(100_000)]
    message = refus_entier(
        envoyer,
        zip_brut([("manifeste.csv", manifeste(*lignes)), ("p0.pdf", fichiers.pdf())]),
        "trop_de_pieces",
    )
    assert "100000 pièces" in message and "au plus 5000" in message


def test_un_manifeste_trop_gros_est_refuse_sans_etre_lu(demande, envoyer):
    ligne = f"{demande.numero_unique};autre;{'x' * 200}.pdf"
    lignes = [ligne] * (numeriseur.MANIFESTE_TAILLE_MAX // len(ligne) + 10)
    message = refus_entier(
        envoyer, zip_brut([("manifeste.csv", manifeste(*lignes))]), "manifeste_trop_volumineux"
    )
    assert "Découpez-le" in message


def test_un_zip_de_trop_de_fichiers_est_refuse_avant_d_etre_parcouru(
    settings, demande, envoyer, monkeypatch
):
    settings.SNE_NUMERISEUR_PIECES_MAX = 10
    monkeypatch.setattr(numeriseur, "MARGE_ENTREES", 5)
    membres = [(f"vide-{i}.pdf", b"") for i in range(16)]  # 17 members with the manifest
    lu = []
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: lu.append(self) or 1 / 0)
    contenu = zip_brut([("manifeste.csv", manifeste("1;autre;a.pdf")), *membres])
    message = refus_entier(envoyer, contenu, "trop_de_fichiers")
    assert "au plus 10 pièces" in message
    assert not lu  # its central directory was never read


def test_un_zip_dont_le_repertoire_ment_sur_son_nombre_d_entrees_est_refuse(
    settings, demande, envoyer, monkeypatch
):
    """The end record says 1 member; the directory holds many: its size gives it away."""
    settings.SNE_NUMERISEUR_PIECES_MAX = 10
    monkeypatch.setattr(numeriseur, "MARGE_ENTREES", 5)
    membres = [(f"{'n' * 200}-{i}.pdf", b"") for i in range(100)]
    contenu = bytearray(zip_brut([("manifeste.csv", manifeste("1;autre;a.pdf")), *membres]))
    fin = contenu.rindex(b"PK\x05\x06")
    contenu[fin + 8 : fin + 12] = (1).to_bytes(2, "little") * 2  # entries: here and in total
    refus_entier(envoyer, bytes(contenu), "trop_de_fichiers")


def test_un_lot_plus_gros_que_la_limite_est_refuse_en_cours_de_lecture(
    guichet, agent_saisie, dossier_des_lots
):
    contenu = zip_brut([("manifeste.csv", manifeste("1;autre;a.pdf")), ("a.pdf", fichiers.pdf())])
    with pytest.raises(numeriseur.LotNumeriseurTropVolumineux):
        numeriseur.recevoir_lot_numeriseur(
            guichet, agent_saisie, io.BytesIO(contenu), taille_max=len(contenu) - 1
        )
    assert not LotNumeriseur.objects.exists()
    assert not list(dossier_des_lots.iterdir())


def test_un_manifeste_de_millions_de_lignes_courtes_est_refuse_sans_les_garder(demande, envoyer):
    """10 Mio of two-byte lines: counted, never listed, and refused whole."""
    contenu = zip_brut([("manifeste.csv", b"numero_unique;type;fichier\n" + b"x\n" * 5_000_000)])
    message = refus_entier(envoyer, contenu, "trop_de_pieces")
    assert "5000000 pièces" in message

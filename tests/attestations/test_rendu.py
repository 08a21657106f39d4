"""Rendering the attestations and letters: the recipient's address block for a window
envelope (La Poste, NF Z10-011) shared by every document, and several documents laid out in
one PDF (a print run), each with its own pages."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from sne.attestations import services as attestations
from sne.attestations.models import Attestation
from sne.demandes import services as demandes
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent, gestionnaire
from tests.outils import a_midi

MM = 96 / 25.4  # CSS pixels per millimetre


def pages_de(contenu: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(contenu)).pages]


# --- The address block ------------------------------------------------------------------------


def test_l_adresse_suit_la_norme_postale_nom_voie_puis_code_postal_et_localite_en_majuscules():
    lignes = attestations.lignes_adresse(
        {
            "noms": ["Madame Élodie MARTIN"],
            "ligne1": "12 rue des Lilas",
            "ligne2": "Bâtiment B, escalier 3",
            "code_postal": "97200",
            "acheminement": "Fort-de-France",
        }
    )

    assert lignes == [
        "Madame Élodie MARTIN",
        "12 rue des Lilas",
        "Bâtiment B, escalier 3",
        "97200 FORT DE FRANCE",
    ]


@pytest.mark.parametrize(
    ("localite", "attendue"),
    [
        ("Saint-Étienne", "42000 SAINT ETIENNE"),
        ("L'Haÿ-les-Roses", "42000 L HAY LES ROSES"),
        ("Paris Cedex 20", "42000 PARIS CEDEX 20"),
        ("Île-d'Yeu (L')", "42000 ILE D YEU L"),
    ],
)
def test_la_derniere_ligne_est_sans_accent_ni_ponctuation(localite, attendue):
    lignes = attestations.lignes_adresse({"code_postal": "42000", "commune": localite})

    assert lignes[-1] == attendue
    assert re.fullmatch(r"[0-9A-Z ]+", lignes[-1])


def test_une_adresse_longue_est_coupee_entre_deux_mots_a_38_caracteres():
    lignes = attestations.lignes_adresse(
        {
            "noms": ["Association d'accueil et d'hébergement des familles du Val-de-Marne"],
            "ligne1": "Résidence des Grands Chênes Bâtiment C Appartement 1204",
            "ligne2": "Esc" * 30,
            "code_postal": "13001",
            "acheminement": "Marseille",
        }
    )

    assert all(len(ligne) <= 38 for ligne in lignes)
    assert lignes[0] == "Association d'accueil et d'hébergement"
    assert lignes[1] == "Résidence des Grands Chênes Bâtiment C"
    assert lignes[2] == ("Esc" * 30)[:38]  # one word longer than a line: cut
    assert lignes[-1] == "13001 MARSEILLE"


@pytest.mark.parametrize(
    ("civilite", "prenom", "nom", "ligne"),
    [
        ("MME", "Élodie", "Martin", "Madame Élodie MARTIN"),
        ("MME", "Marie-Charlotte", "de Rochefoucauld", "Mme Marie-Charlotte DE ROCHEFOUCAULD"),
        ("M", "Jean-Baptiste", "de La Rochefoucauld-Montbel", "M. J. DE LA ROCHEFOUCAULD-MONTBEL"),
        ("", "Anne", "X" * 45, "X" * 38),
    ],
)
def test_un_nom_trop_long_abrege_la_civilite_puis_le_prenom_jamais_le_nom(
    civilite, prenom, nom, ligne
):
    donnees = {"demandeur": {"civilite": civilite, "prenom": prenom, "nom": nom}}

    assert attestations.lignes_adresse(attestations.destinataire(donnees)) == [ligne]


def test_jamais_plus_de_six_lignes_ni_de_ligne_vide_la_voie_et_la_localite_restent():
    lignes = attestations.lignes_adresse(
        {
            "noms": ["Association Accueil", "Madame Élodie MARTIN", "et Karim MARTIN", "x", "y"],
            "ligne1": "12 rue des Lilas",
            "ligne2": "   ",
            "code_postal": "75020",
            "acheminement": "PARIS",
        }
    )

    assert len(lignes) == 6
    assert all(ligne.strip() for ligne in lignes)
    assert lignes[:3] == ["Association Accueil", "Madame Élodie MARTIN", "et Karim MARTIN"]
    assert lignes[-2:] == ["12 rue des Lilas", "75020 PARIS"]


def test_le_destinataire_d_une_attestation_nomme_l_association_et_le_co_demandeur():
    donnees = {
        "association": "Association Accueil",
        "demandeur": {
            "civilite": "M",
            "prenom": "Karim",
            "nom": "Benali",
            "adresse": {"ligne1": "4 rue de Belleville", "code_postal": "75019"},
        },
        "co_demandeur": {"prenom": "Inès", "nom": "Benali"},
    }

    assert attestations.lignes_adresse(attestations.destinataire(donnees)) == [
        "Association Accueil",
        "Monsieur Karim BENALI",
        "et Inès BENALI",
        "4 rue de Belleville",
        "75019",
    ]


# --- The documents ----------------------------------------------------------------------------


@pytest.fixture
def guichet(db):
    return GuichetFactory(code="75TA1", departements=["75"], nom="Agence Paris-Est")


def enregistrer(guichet, capture, prenom="Élodie", email=""):
    donnees = donnees_minimales()
    donnees["demandeur"] = {
        **donnees["demandeur"],
        "civilite": "MME",
        "prenom": prenom,
        "email": email,
    }
    with capture(execute=True):
        return demandes.enregistrer_demande(guichet, agent(guichet), donnees)


def boite_de(document, classe: str):
    """The laid-out box of the first element of that class on the document's first page."""
    a_voir = [document.pages[0]._page_box]
    while a_voir:
        boite = a_voir.pop()
        element = getattr(boite, "element", None)
        if element is not None and classe in (element.get("class") or "").split():
            return boite
        a_voir.extend(getattr(boite, "children", ()))
    raise AssertionError(f"pas de .{classe}")


@pytest.mark.django_db
@pytest.mark.aujourd_hui(date(2026, 1, 5))
def test_chaque_courrier_place_le_meme_bloc_adresse_dans_la_fenetre_de_l_enveloppe(
    guichet, django_capture_on_commit_callbacks, horloge
):
    demande = enregistrer(guichet, django_capture_on_commit_callbacks)
    attestation = demande.attestations.get().donnees
    separation = attestations.donnees_courrier_separation(demande)
    horloge.move_to(a_midi(date(2026, 12, 1)))
    preavis = attestations.donnees_preavis_renouvellement(demande)
    horloge.move_to(a_midi(date(2027, 2, 8)))
    radiation = attestations.donnees_avis_radiation(
        demandes.radier(demande, "non_renouvellement", par=gestionnaire("75"))
    )

    for donnees in (attestation, separation, preavis, radiation):
        boite = boite_de(attestations._document([donnees], [1]), "destinataire")
        # The window of a DL envelope: ~100 × 45 mm, ~110 mm from the left, ~50 mm from the top.
        assert 105 <= boite.position_x / MM <= 115, donnees["type"]
        assert 45 <= boite.position_y / MM <= 55, donnees["type"]
        assert boite.width / MM <= 100 and boite.height / MM <= 45
        premiere = pages_de(attestations.rendre_pdf(donnees))[0]
        assert "Madame Élodie MARTIN 12 rue des Lilas 75020 PARIS" in premiere, donnees["type"]


@pytest.mark.django_db
@pytest.mark.aujourd_hui(date(2026, 1, 5))
def test_rendre_pdfs_met_n_documents_dans_un_pdf_chacun_avec_ses_pages(
    guichet, django_capture_on_commit_callbacks, horloge
):
    inscrites = [
        enregistrer(guichet, django_capture_on_commit_callbacks, prenom=p)
        for p in ("Inès", "Karim", "Lucas")
    ]
    horloge.move_to(a_midi(date(2026, 12, 1)))
    documents = [
        inscrites[0].attestations.get().donnees,
        attestations.donnees_preavis_renouvellement(inscrites[1]),
        inscrites[2].attestations.get().donnees,
    ]
    seules = [len(pages_de(attestations.rendre_pdf(d))) for d in documents]

    pages = pages_de(attestations.rendre_pdfs(documents))

    assert len(pages) == sum(seules)
    debut = 0
    for demande, total in zip(inscrites, seules, strict=True):
        for rang in range(total):
            page = pages[debut + rang]
            assert f"Demande n° {demande.numero_unique}" in page
            assert f"Page {rang + 1} sur {total}" in page
        debut += total
    assert "Avis de renouvellement" in pages[seules[0]]


@pytest.mark.django_db
def test_le_pdf_groupe_des_courriers_a_imprimer_est_rendu_en_une_fois(
    guichet, django_capture_on_commit_callbacks
):
    inscrites = [
        enregistrer(guichet, django_capture_on_commit_callbacks, prenom=p)
        for p in ("Inès", "Karim")
    ]
    courriers = list(Attestation.objects.filter(demande__in=inscrites).order_by("pk"))

    pages = pages_de(attestations.pdf_groupe(courriers))

    assert len(pages) == 2 * len(pages_de(attestations.rendre_pdf(courriers[0].donnees)))
    for demande in inscrites:
        assert any(demande.numero_unique in page and "Page 1 sur" in page for page in pages)


def test_rendre_pdfs_refuse_une_liste_vide():
    with pytest.raises(attestations.ErreurMetier):
        attestations.rendre_pdfs([])


@pytest.mark.django_db
def test_un_document_plus_long_que_d_habitude_annonce_son_vrai_nombre_de_pages(
    guichet, django_capture_on_commit_callbacks, monkeypatch
):
    """The footer's « sur N » is written before the layout from the usual number of pages of
    the type, then checked: a document that has another number is laid out again."""
    demandes_ = [
        enregistrer(guichet, django_capture_on_commit_callbacks, prenom=p)
        for p in ("Inès", "Karim")
    ]
    documents = [d.attestations.get().donnees for d in demandes_]
    total = len(pages_de(attestations.rendre_pdf(documents[0])))
    monkeypatch.setattr(attestations, "PAGES_HABITUELLES", {"enregistrement": total + 2})

    pages = pages_de(attestations.rendre_pdfs(documents))

    assert len(pages) == 2 * total
    for rang, page in enumerate(pages):
        assert f"Page {rang % total + 1} sur {total}" in page

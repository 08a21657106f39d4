"""« Mes pièces justificatives » on the portal (issue 14): the applicant sees the pièces of their
own demande, adds some and replaces a refused one through the desks' services (origin
« portail », the portal's desk, no agent), opens their own (audited), never another demande's;
a radiée demande is read-only."""

import uuid
from copy import deepcopy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sne.audit.models import EvenementAudit
from sne.comptes.droits import DemandeurEnLigne
from sne.demandes import nomenclatures as n
from sne.demandes import services as demandes
from sne.demandes.models import HistoriqueDemande
from sne.exceptions import NonAutorise
from sne.pieces import services as pieces
from sne.pieces.models import Piece
from sne.portail.commun import guichet_du_portail
from tests.outils import texte
from tests.pieces import fichiers
from tests.portail.conftest import DONNEES

pytestmark = pytest.mark.django_db

PAGE = "/portail/ma-demande/pieces/"


def televerse(nom: str, contenu: bytes, type_contenu="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, contenu, content_type=type_contenu)


def envoyer(client, *contenus, type="identite", personne="menage", **entetes):
    return client.post(
        PAGE,
        {
            "type": type,
            "personne": personne,
            "fichiers": [televerse(nom, contenu) for nom, contenu in contenus],
        },
        **entetes,
    )


def deposee_au_guichet(demande, guichet, agent, contenu=None, type="identite"):
    return pieces.deposer_piece(
        demande,
        contenu or fichiers.pdf(),
        type=type,
        par=agent,
        guichet=guichet,
        nom="carte.pdf",
    )


@pytest.fixture
def autre_demande(guichet, agent_saisie, django_capture_on_commit_callbacks):
    """Someone else's demande, at the same desk."""
    donnees = deepcopy(DONNEES)
    donnees["demandeur"].update(
        nom="Lefebvre",
        prenom="Marc",
        date_naissance="1975-02-03",
        email="marc.lefebvre@example.fr",
    )
    donnees["demandeur"]["piece_identite"]["numero"] = "Y7PLMQ2K1"
    with django_capture_on_commit_callbacks(execute=True):
        return demandes.enregistrer_demande(guichet, agent_saisie, donnees)


def test_l_accueil_du_demandeur_mene_a_ses_pieces(connecte):
    page = texte(connecte.get("/portail/ma-demande/"))
    assert "Mes pièces justificatives" in page and f'href="{PAGE}"' in page


def test_sans_piece_la_page_dit_quoi_envoyer_et_est_journalisee(connecte, demande):
    reponse = connecte.get(PAGE)
    page = texte(reponse)
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    assert "Vous n'avez encore envoyé aucune pièce." in page
    assert "Pièces obligatoires encore attendues" in page
    assert "Avis d'imposition ou de non-imposition" in page
    assert 'enctype="multipart/form-data"' in page and "pieces/depot.js" in page
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CONSULTATION,
        objet_id=str(demande.pk),
        guichet=guichet_du_portail(),
        utilisateur=None,
        resume="Consultation de ses pièces justificatives en ligne",
    ).exists()


def test_sans_session_la_page_mene_a_la_connexion(client):
    reponse = client.get(PAGE)
    assert reponse.status_code == 302
    assert reponse["Location"].startswith("/portail/connexion/")


def test_le_demandeur_ajoute_une_piece_par_le_service_des_guichets(antivirus, connecte, demande):
    demandeur = demande.demandeur
    reponse = envoyer(connecte, ("carte.pdf", fichiers.pdf()), personne=str(demandeur.pk))

    assert reponse.status_code == 302 and reponse["Location"] == PAGE
    piece = Piece.objects.get()
    portail = guichet_du_portail()
    assert (piece.demande, piece.personne, piece.type) == (demande, demandeur, "identite")
    assert (piece.origine, piece.guichet, piece.utilisateur) == ("portail", portail, None)
    assert piece.statut == "recue"
    assert HistoriqueDemande.objects.filter(
        demande=demande, action=HistoriqueDemande.Action.PIECE_AJOUTEE, guichet=portail
    ).exists()
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CREATION, guichet=portail, utilisateur=None
    ).exists()
    page = texte(connecte.get(PAGE))
    assert "Pièce envoyée : carte.pdf. Un guichet l'examinera." in page
    assert "Pièce d'identité (carte nationale d'identité, passeport)" in page
    assert "envoyée par vous, en ligne" in page and "Un guichet va l'examiner." in page
    assert "Vous n'avez encore envoyé aucune pièce." not in page


def test_plusieurs_fichiers_a_la_fois_et_un_mauvais_n_empeche_pas_les_autres(
    antivirus, connecte, demande
):
    reponse = envoyer(
        connecte,
        ("bulletin.pdf", fichiers.pdf(texte="mars")),
        ("avril.pdf", fichiers.pdf(texte="avril")),
        ("piege.pdf", fichiers.pdf_avec_javascript()),
        type="ressources",
    )

    assert reponse.status_code == 200
    page = texte(reponse)
    assert "2 pièces envoyées : bulletin.pdf, avril.pdf." in page
    assert "« piege.pdf » refusé : Ce PDF contient un programme (JavaScript" in page
    assert Piece.objects.filter(type="ressources", origine="portail").count() == 2


def test_un_fichier_refuse_par_le_controle_dit_pourquoi_et_n_est_pas_garde(
    antivirus, connecte, demande
):
    reponse = envoyer(connecte, ("photo.pdf", b"ceci n'est pas un PDF"))
    page = texte(reponse)
    assert reponse.status_code == 200
    assert "« photo.pdf » refusé :" in page and "PDF, JPEG ou PNG" in page
    virus = envoyer(connecte, ("eicar.pdf", fichiers.EICAR))
    assert "« eicar.pdf » refusé :" in texte(virus)
    assert not Piece.objects.exists()


def test_un_formulaire_incomplet_est_refuse_en_francais(connecte, demande):
    page = texte(connecte.post(PAGE, {"type": "inconnu", "personne": "999999"}))
    assert "Choisissez au moins un fichier (PDF, JPEG ou PNG)." in page
    assert "Sélectionnez un choix valide" in page
    assert not Piece.objects.exists()


def test_le_script_envoie_un_fichier_par_requete_et_lit_le_resultat(antivirus, connecte, demande):
    script = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    bon = envoyer(connecte, ("avis.pdf", fichiers.pdf()), type="avis_imposition", **script)
    assert bon.status_code == 200 and bon.json()["resultats"][0]["ajoutee"] is True
    piege = envoyer(connecte, ("piege.pdf", fichiers.pdf_avec_javascript()), **script)
    assert piege.json()["resultats"][0]["code"] == "pdf_actif"
    sans_type = envoyer(connecte, ("avis.pdf", fichiers.pdf(texte="2")), type="", **script)
    assert sans_type.status_code == 400 and sans_type.json()["erreurs"]


def test_en_attente_d_analyse_est_dit_clairement(antivirus_en_panne, connecte, demande):
    envoyer(connecte, ("carte.pdf", fichiers.pdf()))

    piece = Piece.objects.get()
    assert piece.statut == "en_attente_analyse"
    page = texte(connecte.get(PAGE))
    assert "En attente d'analyse" in page
    assert "Reçue, pas encore vérifiée par l'antivirus." in page
    assert f"/portail/ma-demande/pieces/{piece.uid}/" not in page  # not openable yet
    reponse = connecte.get(f"/portail/ma-demande/pieces/{piece.uid}/")
    assert reponse.status_code == 302
    assert "attend l'analyse antivirus" in texte(connecte.get(PAGE))


def test_le_motif_d_un_refus_est_dit_en_clair_et_la_piece_se_remplace(
    antivirus, connecte, demande, guichet, agent_saisie
):
    piece = deposee_au_guichet(demande, guichet, agent_saisie)
    pieces.refuser_piece(piece, "autre", "La photo est coupée.", par=agent_saisie, guichet=guichet)
    page = texte(connecte.get(PAGE))
    assert "Refusée" in page
    assert "Motif du refus : autre motif (précisé) — La photo est coupée." in page
    assert agent_saisie.email not in page and agent_saisie.get_full_name() not in page
    url = f"/portail/ma-demande/pieces/{piece.uid}/remplacer/"
    assert url in page

    formulaire = texte(connecte.get(url))
    assert "La photo est coupée." in formulaire
    reponse = connecte.post(url, {"fichier": televerse("carte-bis.pdf", fichiers.pdf(texte="2"))})

    assert reponse.status_code == 302 and reponse["Location"] == PAGE
    piece.refresh_from_db()
    nouvelle = piece.remplacee_par
    assert piece.statut == "remplacee"
    assert (nouvelle.type, nouvelle.origine, nouvelle.guichet) == (
        "identite",
        "portail",
        guichet_du_portail(),
    )
    assert nouvelle.statut == "recue" and nouvelle.nom_fichier == "carte-bis.pdf"
    assert "Nouveau fichier envoyé pour" in texte(connecte.get(PAGE))


def test_un_mauvais_fichier_de_remplacement_est_refuse_avec_sa_raison(
    antivirus, connecte, demande, guichet, agent_saisie
):
    piece = deposee_au_guichet(demande, guichet, agent_saisie)
    pieces.refuser_piece(piece, "illisible", par=agent_saisie, guichet=guichet)
    url = f"/portail/ma-demande/pieces/{piece.uid}/remplacer/"

    reponse = connecte.post(
        url, {"fichier": televerse("piege.pdf", fichiers.pdf_avec_javascript())}
    )

    assert reponse.status_code == 200
    assert "Ce PDF contient un programme (JavaScript" in texte(reponse)
    piece.refresh_from_db()
    assert piece.statut == "refusee" and Piece.objects.count() == 1


def test_une_piece_non_refusee_ne_se_remplace_pas_en_ligne(
    antivirus, connecte, demande, guichet, agent_saisie
):
    piece = deposee_au_guichet(demande, guichet, agent_saisie)
    url = f"/portail/ma-demande/pieces/{piece.uid}/remplacer/"

    reponse = connecte.post(url, {"fichier": televerse("autre.pdf", fichiers.pdf(texte="2"))})

    assert reponse.status_code == 302
    assert "Seule une pièce refusée se remplace en ligne." in texte(connecte.get(PAGE))
    piece.refresh_from_db()
    assert piece.statut == "recue" and Piece.objects.count() == 1


def test_le_demandeur_ouvre_sa_piece_et_c_est_journalise(antivirus, connecte, demande):
    envoyer(connecte, ("carte.pdf", fichiers.pdf()))
    piece = Piece.objects.get()

    reponse = connecte.get(f"/portail/ma-demande/pieces/{piece.uid}/")

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    assert "no-store" in reponse["Cache-Control"]
    assert reponse["Content-Security-Policy"] == "sandbox"
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.TELECHARGEMENT,
        objet_id=str(piece.pk),
        guichet=guichet_du_portail(),
        utilisateur=None,
    ).exists()


def test_la_piece_d_une_autre_demande_est_introuvable_et_la_tentative_journalisee(
    antivirus, connecte, demande, autre_demande, guichet, agent_saisie
):
    autre = deposee_au_guichet(autre_demande, guichet, agent_saisie)
    pieces.refuser_piece(autre, "illisible", par=agent_saisie, guichet=guichet)

    for url in (
        f"/portail/ma-demande/pieces/{autre.uid}/",
        f"/portail/ma-demande/pieces/{autre.uid}/remplacer/",
    ):
        reponse = connecte.get(url)
        assert reponse.status_code == 404, url
        assert b"%PDF" not in reponse.content and "Lefebvre" not in texte(reponse)
    reponse = connecte.post(
        f"/portail/ma-demande/pieces/{autre.uid}/remplacer/",
        {"fichier": televerse("carte.pdf", fichiers.pdf(texte="x"))},
    )
    assert reponse.status_code == 404
    assert Piece.objects.count() == 1
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.ACCES_REFUSE,
        objet_id=str(autre.pk),
        guichet=guichet_du_portail(),
        utilisateur=None,
    ).exists()
    # Neither listed: only the applicant's own pièces.
    page = texte(connecte.get(PAGE))
    assert str(autre.uid) not in page and "Vous n'avez encore envoyé aucune pièce." in page
    # An unknown identifier, or one that is not an identifier, gets the same answer.
    assert connecte.get(f"/portail/ma-demande/pieces/{uuid.uuid4()}/").status_code == 404
    assert connecte.get("/portail/ma-demande/pieces/pas-un-uid/").status_code == 404


def test_le_demandeur_ne_valide_ni_ne_refuse(antivirus, demande, guichet, agent_saisie):
    piece = deposee_au_guichet(demande, guichet, agent_saisie)
    portail = guichet_du_portail(demande.departement_id)
    moi = DemandeurEnLigne(guichet_id=portail.pk, demande_id=demande.pk)
    with pytest.raises(NonAutorise):
        pieces.valider_piece(piece, par=moi, guichet=portail)
    with pytest.raises(NonAutorise):
        pieces.refuser_piece(piece, "illisible", par=moi, guichet=portail)
    piece.refresh_from_db()
    assert piece.statut == "recue"


def test_une_demande_radiee_se_consulte_en_lecture_seule(
    antivirus, connecte, demande, guichet, agent_saisie
):
    piece = deposee_au_guichet(demande, guichet, agent_saisie)
    pieces.refuser_piece(piece, "illisible", par=agent_saisie, guichet=guichet)
    demandes.radier(demande, n.MotifRadiation.RENONCIATION, par=agent_saisie, guichet=guichet)

    page = texte(connecte.get(PAGE))
    assert "Votre demande est radiée : vous pouvez consulter vos pièces" in page
    assert "Pièce d'identité" in page and "Ajouter une pièce" not in page
    assert f"/portail/ma-demande/pieces/{piece.uid}/remplacer/" not in page

    reponse = envoyer(connecte, ("avis.pdf", fichiers.pdf(texte="avis")), type="avis_imposition")
    assert reponse.status_code == 302
    remplacement = connecte.post(
        f"/portail/ma-demande/pieces/{piece.uid}/remplacer/",
        {"fichier": televerse("carte.pdf", fichiers.pdf(texte="2"))},
    )
    assert remplacement.status_code == 302
    assert Piece.objects.count() == 1
    assert connecte.get(f"/portail/ma-demande/pieces/{piece.uid}/").status_code == 200


def test_aucune_saisie_hostile_sur_mes_pieces_ne_provoque_d_erreur_500(
    antivirus, connecte, demande, guichet, agent_saisie, monkeypatch
):
    from tests import test_saisies_hostiles as marche

    piece = deposee_au_guichet(demande, guichet, agent_saisie)
    pieces.refuser_piece(piece, "illisible", par=agent_saisie, guichet=guichet)
    # Only the pièces' pages: the others have their walk (test_saisies_hostiles_compte.py).
    ailleurs = ("deconnexion/", "renoncer/", "modifier/", "renouveler/", "code/", "connexion/")
    monkeypatch.setattr(marche, "EXCLUES", (*marche.EXCLUES, *ailleurs))

    erreurs = marche._parcourir(
        connecte, [PAGE, f"/portail/ma-demande/pieces/{piece.uid}/remplacer/"]
    )

    assert not erreurs, "\n".join(erreurs)
    assert Piece.objects.count() == 1  # no file was sent: nothing added

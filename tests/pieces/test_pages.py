"""The desks' pages of the dossier unique: the tab of the demande page, adding (one file, several,
one request per file for the page's script), validating, refusing, replacing, opening a pièce,
and what an agent without saisie, or from another desk, gets."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sne.audit.models import EvenementAudit
from sne.pieces import services
from sne.pieces.models import Piece
from tests.factories import agent
from tests.outils import connecter, texte

from . import fichiers

pytestmark = pytest.mark.django_db


def fiche(demande) -> str:
    return reverse("demandes:demande", kwargs={"numero": demande.numero_unique}) + "?onglet=pieces"


def url_ajout(demande) -> str:
    return reverse("pieces:ajouter", kwargs={"numero": demande.numero_unique})


def televerse(nom: str, contenu: bytes, type_contenu="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, contenu, content_type=type_contenu)


def deposer(demande, par, guichet, contenu=None, type="identite"):
    return services.deposer_piece(
        demande,
        fichiers.pdf() if contenu is None else contenu,
        type=type,
        par=par,
        guichet=guichet,
        nom="carte.pdf",
    )


@pytest.fixture
def client_agent(client, agent_saisie):
    connecter(client, agent_saisie)
    return client


def test_sans_piece_l_onglet_dit_quoi_ajouter_et_ce_qui_manque(client_agent, demande):
    page = texte(client_agent.get(fiche(demande)))
    assert "Pièces justificatives" in page
    assert "Aucune pièce pour l'instant. Ajoutez la pièce d'identité du demandeur" in page
    assert "Pièces obligatoires manquantes" in page
    assert "Avis d'imposition ou de non-imposition" in page
    assert "Taille maximale : 10 Mo par fichier" in page
    assert "Pièces obligatoires pour l'enregistrement" in page  # the national list's headings
    assert reverse("pieces:aide") in page
    assert 'enctype="multipart/form-data"' in page and "pieces/depot.js" in page
    # Most pièces are the demandeur's: the form chooses her unless the agent changes it.
    assert f'<option value="{demande.demandeur.pk}" selected>' in page


def test_la_page_de_la_liste_nationale_s_affiche(client_agent):
    page = texte(client_agent.get(reverse("pieces:aide")))
    assert "Pièce obligatoire pour l'instruction" in page
    assert "la photo est ressemblante" in page


def test_un_agent_ajoute_une_piece(antivirus, client_agent, demande):
    demandeur = demande.demandeur
    reponse = client_agent.post(
        url_ajout(demande),
        {
            "type": "identite",
            "personne": str(demandeur.pk),
            "fichiers": televerse("carte.pdf", fichiers.pdf()),
        },
    )
    assert reponse.status_code == 302 and reponse["Location"] == fiche(demande)
    piece = Piece.objects.get()
    assert (piece.type, piece.personne, piece.statut) == ("identite", demandeur, "recue")
    page = texte(client_agent.get(fiche(demande)))
    assert "Pièce ajoutée : carte.pdf." in page
    assert "Pièce d'identité (carte nationale d'identité, passeport)" in page
    assert "Reçue" in page and "Historique de cette pièce" in page
    assert "Analysée par l'antivirus" in page
    assert "Pièces obligatoires manquantes" in page  # the tax notice still


def test_plusieurs_fichiers_a_la_fois_et_un_refuse_n_empeche_pas_les_autres(
    antivirus, client_agent, demande
):
    reponse = client_agent.post(
        url_ajout(demande),
        {
            "type": "ressources",
            "personne": "menage",
            "fichiers": [
                televerse("bulletin.pdf", fichiers.pdf(texte="mars")),
                televerse("photo.jpg", fichiers.jpeg(), "image/jpeg"),
                televerse("piege.pdf", fichiers.pdf_avec_javascript()),
            ],
        },
    )
    assert reponse.status_code == 200
    page = texte(reponse)
    assert "2 pièces ajoutées : bulletin.pdf, photo.jpg." in page
    assert "« piege.pdf » refusé : Ce PDF contient un programme (JavaScript" in page
    assert Piece.objects.filter(type="ressources", personne=None).count() == 2


def test_le_script_envoie_un_fichier_par_requete_et_lit_chaque_resultat(
    antivirus, client_agent, demande
):
    entetes = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    bon = client_agent.post(
        url_ajout(demande),
        {
            "type": "avis_imposition",
            "personne": "menage",
            "fichiers": televerse("avis.pdf", fichiers.pdf()),
        },
        **entetes,
    )
    assert bon.status_code == 200
    assert bon.json()["resultats"][0]["ajoutee"] is True
    piege = client_agent.post(
        url_ajout(demande),
        {
            "type": "avis_imposition",
            "personne": "menage",
            "fichiers": televerse("piege.pdf", fichiers.pdf_avec_javascript()),
        },
        **entetes,
    )
    resultat = piege.json()["resultats"][0]
    assert resultat["ajoutee"] is False and resultat["code"] == "pdf_actif"
    assert resultat["message"].startswith("Ce PDF contient un programme")
    sans_type = client_agent.post(
        url_ajout(demande),
        {"type": "", "personne": "menage", "fichiers": televerse("a.pdf", fichiers.pdf())},
        **entetes,
    )
    assert sans_type.status_code == 400 and sans_type.json()["erreurs"]
    assert Piece.objects.count() == 1


def test_valider_une_piece(antivirus, client_agent, demande, agent_saisie, guichet):
    piece = deposer(demande, agent_saisie, guichet)
    reponse = client_agent.post(reverse("pieces:valider", args=[piece.uid]))
    assert reponse.status_code == 302 and reponse["Location"] == fiche(demande)
    piece.refresh_from_db()
    assert piece.statut == "validee" and piece.decidee_par == agent_saisie
    assert "Pièce validée" in texte(client_agent.get(fiche(demande)))


def test_refuser_une_piece_d_identite_rappelle_la_regle_et_exige_un_motif(
    antivirus, client_agent, demande, agent_saisie, guichet
):
    piece = deposer(demande, agent_saisie, guichet)
    adresse = reverse("pieces:refuser", args=[piece.uid])
    page = texte(client_agent.get(adresse))
    assert (
        "périmée</strong> doit être acceptée à partir du moment où la photo est ressemblante"
        in page
    )
    assert "attendre le passage de la demande en commission d'attribution (CAL)" in page

    sans_motif = texte(client_agent.post(adresse, {"motif": "", "precision": ""}))
    assert "Choisissez le motif du refus." in sans_motif
    autre = texte(client_agent.post(adresse, {"motif": "autre", "precision": "  "}))
    assert "Précisez le motif du refus." in autre
    inconnu = texte(client_agent.post(adresse, {"motif": "falsifiee"}))
    assert "Ce motif n'existe pas" in inconnu
    piece.refresh_from_db()
    assert piece.statut == "recue"

    reponse = client_agent.post(adresse, {"motif": "illisible", "precision": "Photo floue"})
    assert reponse.status_code == 302
    piece.refresh_from_db()
    assert (piece.statut, piece.motif_refus, piece.precision_refus) == (
        "refusee",
        "illisible",
        "Photo floue",
    )
    page = texte(client_agent.get(fiche(demande)))
    assert "Motif du refus : Illisible ou incomplète" in page and "Photo floue" in page


def test_remplacer_une_piece(antivirus, client_agent, demande, agent_saisie, guichet):
    piece = deposer(demande, agent_saisie, guichet)
    adresse = reverse("pieces:remplacer", args=[piece.uid])
    assert "Nouveau fichier" in texte(client_agent.get(adresse))
    refuse = texte(
        client_agent.post(
            adresse, {"fichier": televerse("piege.pdf", fichiers.pdf_avec_javascript())}
        )
    )
    assert "Ce PDF contient un programme" in refuse
    sans_fichier = texte(client_agent.post(adresse, {}))
    assert "Choisissez le nouveau fichier" in sans_fichier

    reponse = client_agent.post(adresse, {"fichier": televerse("carte2.pdf", fichiers.pdf(2))})
    assert reponse.status_code == 302
    piece.refresh_from_db()
    assert piece.statut == "remplacee" and piece.remplacee_par.nom_fichier == "carte2.pdf"
    page = texte(client_agent.get(fiche(demande)))
    assert "Remplacée par" in page and "Pièce remplacée" in page


def test_ouvrir_une_piece_dans_le_perimetre(
    antivirus, client_agent, demande, agent_saisie, guichet
):
    piece = deposer(demande, agent_saisie, guichet)
    reponse = client_agent.get(reverse("pieces:telecharger", args=[piece.uid]))
    assert reponse.status_code == 200
    assert reponse.content == fichiers.pdf()
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"] == (
        f'inline; filename="{services.nom_de_telechargement(piece)}"'
    )
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= {v.strip() for v in reponse["Cache-Control"].split(",")}
    assert reponse["Content-Security-Policy"] == "sandbox"
    entree = EvenementAudit.objects.filter(action=EvenementAudit.Action.TELECHARGEMENT).get()
    assert entree.utilisateur == agent_saisie and entree.guichet == guichet


def test_un_agent_d_un_autre_guichet_hors_perimetre_recoit_403_et_l_essai_est_journalise(
    antivirus, client, demande, agent_saisie, guichet, agent_ailleurs, guichet_ailleurs
):
    piece = deposer(demande, agent_saisie, guichet)
    connecter(client, agent_ailleurs)
    reponse = client.get(reverse("pieces:telecharger", args=[piece.uid]))
    assert reponse.status_code == 403
    assert "hors de votre périmètre de consultation" in texte(reponse)
    entree = EvenementAudit.objects.get(action=EvenementAudit.Action.ACCES_REFUSE)
    assert entree.utilisateur == agent_ailleurs and entree.guichet == guichet_ailleurs
    assert not EvenementAudit.objects.filter(action=EvenementAudit.Action.TELECHARGEMENT).exists()
    assert client.post(reverse("pieces:valider", args=[piece.uid])).status_code == 403


def test_un_agent_en_consultation_voit_les_pieces_sans_pouvoir_agir(
    antivirus, client, demande, agent_saisie, guichet
):
    piece = deposer(demande, agent_saisie, guichet)
    lecteur = agent(guichet, role="consultation")
    connecter(client, lecteur)
    page = texte(client.get(fiche(demande)))
    assert "Pièce d'identité (carte nationale d'identité, passeport)" in page
    assert reverse("pieces:telecharger", args=[piece.uid]) in page
    assert reverse("pieces:valider", args=[piece.uid]) not in page
    assert reverse("pieces:refuser", args=[piece.uid]) not in page
    assert url_ajout(demande) not in page
    assert client.get(reverse("pieces:telecharger", args=[piece.uid])).status_code == 200

    assert client.post(reverse("pieces:valider", args=[piece.uid])).status_code == 403
    refus = client.post(reverse("pieces:refuser", args=[piece.uid]), {"motif": "illisible"})
    assert refus.status_code == 403
    ajout = client.post(
        url_ajout(demande),
        {"type": "identite", "personne": "menage", "fichiers": televerse("a.pdf", fichiers.pdf(3))},
    )
    assert ajout.status_code == 403
    piece.refresh_from_db()
    assert piece.statut == "recue" and Piece.objects.count() == 1


def test_une_piece_en_attente_d_antivirus_est_signalee_et_ne_s_ouvre_pas(
    antivirus_en_panne, client_agent, demande, agent_saisie, guichet
):
    piece = deposer(demande, agent_saisie, guichet)
    page = texte(client_agent.get(fiche(demande)))
    assert "Une pièce est en attente d'analyse antivirus" in page
    assert f'href="{reverse("pieces:telecharger", args=[piece.uid])}"' not in page
    reponse = client_agent.get(reverse("pieces:telecharger", args=[piece.uid]), follow=True)
    assert "Cette pièce attend l'analyse antivirus" in texte(reponse)
    valider = client_agent.post(reverse("pieces:valider", args=[piece.uid]), follow=True)
    assert "attend l'analyse antivirus" in texte(valider)


@pytest.mark.parametrize("uid", [str(uuid.uuid4()), "pas-un-identifiant", "1", "x" * 300])
def test_un_identifiant_inconnu_donne_404(client_agent, uid):
    for nom in ("telecharger", "refuser", "remplacer"):
        assert client_agent.get(reverse(f"pieces:{nom}", args=[uid])).status_code == 404
    assert client_agent.post(reverse("pieces:valider", args=[uid])).status_code == 404
    assert (
        client_agent.post(reverse("pieces:refuser", args=[uid]), {"motif": "x"}).status_code == 404
    )


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({"type": "passeport_martien", "personne": "menage"}, "Sélectionnez un choix valide"),
        ({"type": "", "personne": "menage"}, "Ce champ est obligatoire"),
        ({"type": "identite", "personne": "999999"}, "Sélectionnez un choix valide"),
        ({"type": "identite", "personne": "x" * 10_000}, "Sélectionnez un choix valide"),
        (
            {"type": "identite", "personne": "menage", "sans_fichier": True},
            "Choisissez au moins un fichier",
        ),
    ],
)
def test_saisies_hostiles_a_l_ajout(antivirus, client_agent, demande, donnees, message):
    donnees = dict(donnees)
    if not donnees.pop("sans_fichier", False):
        donnees["fichiers"] = televerse("a.pdf", fichiers.pdf())
    reponse = client_agent.post(url_ajout(demande), donnees)
    assert reponse.status_code == 200
    assert message in texte(reponse)
    assert not Piece.objects.exists()


def test_un_fichier_vide_ou_qui_n_est_pas_une_piece_est_refuse_avec_sa_raison(
    antivirus, client_agent, demande
):
    reponse = client_agent.post(
        url_ajout(demande),
        {
            "type": "identite",
            "personne": "menage",
            "fichiers": [
                televerse("virus.exe", b"MZ\x90\x00programme"),
                televerse("vide.pdf", b""),
            ],
        },
    )
    page = texte(reponse)
    assert reponse.status_code == 200
    assert "n'est ni un PDF, ni une image JPEG ou PNG" in page
    assert not Piece.objects.exists()


def test_les_actions_refusent_get_ou_post_selon_le_cas(client_agent, demande):
    uid = uuid.uuid4()
    assert client_agent.get(reverse("pieces:valider", args=[uid])).status_code == 405
    assert client_agent.post(reverse("pieces:telecharger", args=[uid])).status_code == 405

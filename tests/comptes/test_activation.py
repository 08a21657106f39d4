"""FAQ « Connexion à l'application nationale »: activation through « Mot de passe inconnu »."""

import re

import pytest
from django.core import mail

from sne.comptes.models import Utilisateur
from sne.comptes.services import demander_activation
from tests.factories import GuichetFactory, UtilisateurFactory, agent, gestionnaire
from tests.outils import texte

pytestmark = pytest.mark.django_db

URL = "/comptes/mot-de-passe-inconnu/"


def lien_recu():
    return re.search(r"https?://[^/\s]+(/comptes/activation/\S+/)", mail.outbox[-1].body).group(1)


def test_une_adresse_inconnue_recoit_la_meme_reponse_qu_un_compte_et_aucun_message(client):
    """ADR 0008: the page does not tell an anonymous visitor whether an account exists."""
    agent(GuichetFactory(), email="elodie.martin@bailleur.fr")

    def page(email):
        contenu = " ".join(texte(client.post(URL, {"email": email})).split())
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", contenu)

    inconnue, connue = page("inconnu@bailleur.fr"), page("elodie.martin@bailleur.fr")

    assert inconnue.replace("inconnu@", "X@") == connue.replace("elodie.martin@", "X@")
    assert "L'identifiant saisi ne correspond à aucun compte" not in inconnue
    assert "une virgule à la place d'un point" in inconnue
    assert "adresse partagée" in inconnue
    assert "gestionnaire territorial" in inconnue
    assert not [m for m in mail.outbox if m.to == ["inconnu@bailleur.fr"]]


def test_une_adresse_avec_une_virgule_est_signalee_sans_chercher_le_compte(client):
    contenu = texte(client.post(URL, {"email": "agent@bailleur,fr"}))

    assert "virgule" in contenu
    assert "fr-input-group--error" in contenu


def test_un_compte_sans_habilitation_recoit_par_e_mail_le_contact_de_son_gestionnaire(
    client, django_capture_on_commit_callbacks
):
    guichet = GuichetFactory(departements=["93"])
    referente = gestionnaire("93", prenom="Aïcha", nom="Benali", email="aicha.benali@drihl.fr")
    personne = agent(guichet)
    personne.habilitations.update(date_fin="2020-01-01", date_debut="2019-01-01")

    with django_capture_on_commit_callbacks(execute=True):
        page = texte(client.post(URL, {"email": personne.email}))

    assert referente.email not in page and "Aïcha" not in page  # not to anonymous visitors
    (message,) = mail.outbox
    assert message.to == [personne.email]
    corps = " ".join(message.body.split())
    assert "Incohérence sur les données de votre profil" in corps
    assert "Aïcha BENALI, gestionnaire territorial" in corps
    assert referente.email in corps
    assert "/comptes/activation/" not in corps


def test_un_compte_habilite_recoit_un_lien_a_usage_unique(
    client, django_capture_on_commit_callbacks
):
    personne = agent(GuichetFactory(), email="elodie.martin@bailleur.fr")

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(URL, {"email": "Elodie.Martin@Bailleur.fr"})

    assert "Un lien pour choisir votre mot de passe vient d'être envoyé" in texte(reponse)
    assert mail.outbox[-1].to == ["elodie.martin@bailleur.fr"]
    lien = lien_recu()
    reponse = client.post(
        lien,
        {"mot_de_passe": "un très bon mot de passe", "confirmation": "un très bon mot de passe"},
    )
    assert reponse.status_code == 302
    assert Utilisateur.objects.get(pk=personne.pk).check_password("un très bon mot de passe")
    assert client.get(lien).status_code == 400  # déjà utilisé


def test_un_mot_de_passe_trop_faible_est_refuse_avec_la_raison(
    client, django_capture_on_commit_callbacks
):
    agent(GuichetFactory(), email="karim@mairie.fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"email": "karim@mairie.fr"})

    contenu = texte(client.post(lien_recu(), {"mot_de_passe": "court", "confirmation": "court"}))

    assert "trop court" in contenu


def test_un_lien_falsifie_est_refuse(client):
    assert client.get("/comptes/activation/MQ/faux-jeton/").status_code == 400


def test_les_demandes_d_activation_sont_limitees(client):
    UtilisateurFactory(email="agent@bailleur.fr")
    for _ in range(5):
        assert client.post(URL, {"email": "agent@bailleur.fr"}).status_code == 200

    reponse = client.post(URL, {"email": "agent@bailleur.fr"})

    assert reponse.status_code == 429
    assert "Trop de demandes" in texte(reponse)


def test_la_demande_d_activation_est_journalisee():
    from sne.audit.models import EvenementAudit

    personne = agent(GuichetFactory())
    demander_activation(personne.email, base_url="http://testserver", adresse_ip="10.0.0.1")

    evenement = EvenementAudit.objects.get(action="activation_demandee")
    assert evenement.objet_id == str(personne.pk)
    assert evenement.adresse_ip == "10.0.0.1"


# --- Two e-mails, two wordings (issue 9) ---------------------------------------------------


def test_le_lien_demande_par_mot_de_passe_inconnu_dit_que_la_personne_l_a_demande(
    client, django_capture_on_commit_callbacks
):
    personne = agent(GuichetFactory(), prenom="Élodie", email="elodie.martin@bailleur.fr")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"email": personne.email})

    (message,) = mail.outbox
    corps = " ".join(message.body.split())
    assert message.subject == "SNE — Activez votre compte et choisissez votre mot de passe"
    assert corps.startswith("Bonjour Élodie, Vous avez demandé, par « Mot de passe inconnu »")
    assert "valable 48 heures" in corps
    assert "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message" in corps
    assert "vous a ouvert un compte" not in corps


def test_l_invitation_dit_qui_a_ouvert_le_compte_pour_quel_guichet_sans_parler_de_demande(
    django_capture_on_commit_callbacks,
):
    from sne.comptes.services import ajouter_agent

    guichet = GuichetFactory(code="93CO4", nom="Mairie de L'Île-Saint-Denis", departements=["93"])
    referente = gestionnaire("93", prenom="Aïcha", nom="Benali", email="aicha.benali@drihl.fr")

    with django_capture_on_commit_callbacks(execute=True):
        ajouter_agent(
            guichet,
            par=referente,
            email="nouvel.agent@mairie.fr",
            prenom="Inès",
            nom="Diallo",
            role="saisie",
            base_url="https://sne.example.fr",
        )

    (message,) = mail.outbox
    corps = " ".join(message.body.split())
    assert message.subject == "SNE — Un compte vous a été ouvert : choisissez votre mot de passe"
    assert corps.startswith(
        "Bonjour Inès, Votre gestionnaire territorial, Aïcha BENALI, vous a ouvert un compte sur "
        "l'application nationale"
    )
    assert (
        "pour le guichet enregistreur Mairie de L'Île-Saint-Denis (93CO4), avec l'habilitation "
        "« Saisie (enregistrer, modifier, renouveler, radier) »." in corps
    )
    assert "Votre identifiant de connexion est votre adresse e-mail : nouvel.agent@mairie.fr" in (
        corps
    )
    assert "https://sne.example.fr/comptes/activation/" in corps
    assert "prévenez aicha.benali@drihl.fr" in corps
    assert "Vous avez demandé" not in corps
    assert "à l'origine de cette demande" not in corps


def test_avant_la_finalisation_du_guichet_mot_de_passe_inconnu_annonce_l_invitation_sans_lien(
    client, django_capture_on_commit_callbacks
):
    guichet = GuichetFactory(code="93NP2", nom="Mairie d'Épinay", a_parametrer=True)
    referente = gestionnaire("93", prenom="Aïcha", nom="Benali", email="aicha.benali@drihl.fr")
    personne = agent(guichet)

    with django_capture_on_commit_callbacks(execute=True):
        page = texte(client.post(URL, {"email": personne.email}))

    assert "vient d'être envoyé" in page.replace("&#x27;", "'")  # the same answer for all
    (message,) = mail.outbox
    corps = " ".join(message.body.split())
    assert "/comptes/activation/" not in corps
    assert "le paramétrage de votre guichet enregistreur n'est pas encore finalisé" in corps
    assert "Mairie d'Épinay (93NP2)" in corps
    assert referente.email in corps

"""FAQ: « pour les modifications d'adresse e-mail, vous êtes habilité à le faire par vous-même ».

A session left open is not enough to take the account: the current password is asked again,
and the current address is told of the change, when asked and when confirmed.
"""

import re

import pytest
from django.core import mail

from sne.comptes.models import Utilisateur
from tests.factories import GuichetFactory, UtilisateurFactory, agent
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

MON_COMPTE = "/comptes/mon-compte/"
MOT_DE_PASSE = "mot de passe de test"  # the factories' password


def courriels_a(adresse):
    return [m for m in mail.outbox if m.to == [adresse]]


def test_un_agent_change_son_adresse_apres_confirmation(client, django_capture_on_commit_callbacks):
    personne = agent(GuichetFactory(), email="elodie.martin@bailleur.fr")
    connecter(client, personne)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            MON_COMPTE, {"nouvel_email": "elodie.durand@bailleur.fr", "mot_de_passe": MOT_DE_PASSE}
        )

    assert Utilisateur.objects.get(pk=personne.pk).email == "elodie.martin@bailleur.fr"
    (confirmation,) = courriels_a("elodie.durand@bailleur.fr")
    lien = re.search(r"https?://[^/\s]+(/\S+)", confirmation.body).group(1)
    page = client.get(lien)  # a mail scanner following the link changes nothing
    assert "elodie.durand@bailleur.fr" in texte(page)
    assert Utilisateur.objects.get(pk=personne.pk).email == "elodie.martin@bailleur.fr"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(lien)
    assert Utilisateur.objects.get(pk=personne.pk).email == "elodie.durand@bailleur.fr"
    assert client.get(lien).status_code == 400  # a link serves once
    assert client.post(lien).status_code == 400


def test_l_ancienne_adresse_est_prevenue_de_la_demande_puis_du_changement(
    client, django_capture_on_commit_callbacks
):
    personne = agent(GuichetFactory(), email="elodie.martin@bailleur.fr")
    connecter(client, personne)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            MON_COMPTE, {"nouvel_email": "elodie.durand@bailleur.fr", "mot_de_passe": MOT_DE_PASSE}
        )
    (demande,) = courriels_a("elodie.martin@bailleur.fr")
    assert demande.subject == "SNE — Changement de votre adresse e-mail de connexion demandé"
    assert "vers elodie.durand@bailleur.fr" in " ".join(demande.body.split())
    assert "contactez sans attendre votre gestionnaire" in " ".join(demande.body.split())
    assert "confirmer-email" not in demande.body  # the link goes to the new address only

    lien = re.search(r"https?://[^/\s]+(/\S+)", courriels_a("elodie.durand@bailleur.fr")[0].body)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(lien.group(1))

    _, changement = courriels_a("elodie.martin@bailleur.fr")
    assert changement.subject == "SNE — Votre adresse e-mail de connexion a été changée"
    assert "c'est désormais elodie.durand@bailleur.fr" in " ".join(changement.body.split())


def test_sans_le_mot_de_passe_actuel_l_adresse_ne_change_pas(
    client, django_capture_on_commit_callbacks
):
    personne = agent(GuichetFactory(), email="elodie.martin@bailleur.fr")
    connecter(client, personne)

    with django_capture_on_commit_callbacks(execute=True):
        sans = texte(client.post(MON_COMPTE, {"nouvel_email": "pirate@exemple.fr"}))
        faux = texte(
            client.post(MON_COMPTE, {"nouvel_email": "pirate@exemple.fr", "mot_de_passe": "devine"})
        )

    assert "Mot de passe actuel" in sans and "fr-input-group--error" in sans
    assert "Ce n'est pas votre mot de passe actuel." in faux
    assert not mail.outbox


def test_les_essais_de_mot_de_passe_au_changement_d_adresse_sont_limites(client):
    personne = agent(GuichetFactory(), email="elodie.martin@bailleur.fr")
    connecter(client, personne)
    for n in range(5):
        client.post(MON_COMPTE, {"nouvel_email": "pirate@exemple.fr", "mot_de_passe": f"essai{n}"})

    reponse = client.post(
        MON_COMPTE, {"nouvel_email": "pirate@exemple.fr", "mot_de_passe": MOT_DE_PASSE}
    )

    assert "Trop de mots de passe erronés" in texte(reponse)
    assert not mail.outbox


def test_une_adresse_deja_prise_est_refusee(client):
    UtilisateurFactory(email="pris@bailleur.fr")
    personne = agent(GuichetFactory())
    connecter(client, personne)

    contenu = texte(
        client.post(MON_COMPTE, {"nouvel_email": "PRIS@bailleur.fr", "mot_de_passe": MOT_DE_PASSE})
    )

    assert "déjà celle d'un autre compte" in contenu
    assert not mail.outbox

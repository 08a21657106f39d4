"""FAQ: « pour les modifications d'adresse e-mail, vous êtes habilité à le faire par vous-même »."""

import re

import pytest
from django.core import mail

from sne.comptes.models import Utilisateur
from tests.factories import GuichetFactory, UtilisateurFactory, agent
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


def test_un_agent_change_son_adresse_apres_confirmation(client, django_capture_on_commit_callbacks):
    personne = agent(GuichetFactory(), email="elodie.martin@bailleur.fr")
    connecter(client, personne)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/comptes/mon-compte/", {"nouvel_email": "elodie.durand@bailleur.fr"})

    assert Utilisateur.objects.get(pk=personne.pk).email == "elodie.martin@bailleur.fr"
    assert mail.outbox[-1].to == ["elodie.durand@bailleur.fr"]
    lien = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    client.get(lien)
    assert Utilisateur.objects.get(pk=personne.pk).email == "elodie.durand@bailleur.fr"
    assert client.get(lien).status_code == 400  # a link serves once


def test_une_adresse_deja_prise_est_refusee(client):
    UtilisateurFactory(email="pris@bailleur.fr")
    personne = agent(GuichetFactory())
    connecter(client, personne)

    contenu = texte(client.post("/comptes/mon-compte/", {"nouvel_email": "PRIS@bailleur.fr"}))

    assert "déjà celle d'un autre compte" in contenu
    assert not mail.outbox

"""A refusal raised anywhere below a page becomes the 403 or 404 page, in French, in one place
(`sne.erreurs.ErreursMetierMiddleware`): never an error 500."""

import pytest
from django.urls import reverse

from sne.demandes import services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


def test_une_demande_hors_perimetre_repond_404_avec_son_explication(client):
    paris = GuichetFactory(code="75TS1", departements=["75"])
    demande = services.enregistrer_demande(paris, agent(paris), donnees_minimales())
    ailleurs = GuichetFactory(code="13TS1", departements=["13"])
    connecter(client, agent(ailleurs))
    reponse = client.get(reverse("demandes:demande", args=[demande.numero_unique]))
    assert reponse.status_code == 404
    page = texte(reponse)
    assert "Demande introuvable" in page
    assert f"Aucune demande visible ne porte le numéro {demande.numero_unique}" in page
    assert "périmètre de consultation" in page


def test_un_agent_en_consultation_qui_veut_agir_recoit_un_403_qui_dit_pourquoi(client):
    paris = GuichetFactory(code="75TS1", departements=["75"])
    demande = services.enregistrer_demande(paris, agent(paris), donnees_minimales())
    connecter(client, agent(paris, "consultation"))
    reponse = client.get(reverse("demandes:renouveler", args=[demande.numero_unique]))
    assert reponse.status_code == 403
    assert "Vous pouvez consulter cette demande mais pas la modifier" in texte(reponse)


def test_un_agent_sans_saisie_ne_commence_pas_d_enregistrement(client):
    paris = GuichetFactory(code="75TS1", departements=["75"])
    connecter(client, agent(paris, "consultation"))
    reponse = client.get(reverse("demandes:nouvelle"))
    assert reponse.status_code == 403
    assert "La saisie des demandes est réservée" in texte(reponse)


def test_un_numero_mal_forme_dans_l_adresse_repond_400_avec_son_explication(client):
    paris = GuichetFactory(code="75TS1", departements=["75"])
    connecter(client, agent(paris))

    reponse = client.get(reverse("demandes:demande", args=["075000000000075ZZ9"]))

    assert reponse.status_code == 400
    assert "Le mois du numéro unique (00) doit être compris entre 01 et 12" in texte(reponse)

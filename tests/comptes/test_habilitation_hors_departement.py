"""A gestionnaire reads only what concerns their département.

Habilitating someone on one of their desks must not open that person's national audit trail
(nor tell their name): a person without a habilitation in the gestionnaire's départements
accepts it by e-mail first; a withdrawn habilitation ends the reading; and even then the
gestionnaire reads the person's entries of their own desks, or without a desk, never those of
another département's desks.
"""

import re
from datetime import date

import pytest
from django.core import mail

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import journal_visible_par
from sne.comptes.models import Habilitation, Utilisateur
from sne.comptes.services import retirer_habilitation
from tests.factories import GuichetFactory, agent, gestionnaire
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde():
    g75 = GuichetFactory(code="75BA8", departements=["75"])
    g93 = GuichetFactory(code="93CO8", departements=["93"])
    parisienne = agent(g75, email="lea.parisienne@bailleur.fr", prenom="Léa", nom="Vasseur")
    journaliser(EvenementAudit.Action.CONNEXION, utilisateur=parisienne, resume="Connexion")
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=parisienne,
        guichet=g75,
        resume="Consultation de la demande 075112600000175BA8",
    )
    return {"g75": g75, "g93": g93, "parisienne": parisienne, "gestionnaire_93": gestionnaire("93")}


def proposer(client, monde):
    return client.post(
        f"/gestion/guichets/{monde['g93'].code}/agents/",
        {
            "email": "lea.parisienne@bailleur.fr",
            "prenom": "Marie",
            "nom": "Curie",
            "role": "saisie",
        },
        follow=True,
    )


def lien_d_accord():
    (message,) = [m for m in mail.outbox if m.to == ["lea.parisienne@bailleur.fr"]]
    return re.search(r"https?://[^/\s]+(/comptes/accepter-habilitation/\S+/)", message.body)[1]


def test_habiliter_quelqu_un_d_ailleurs_attend_son_accord_et_ne_dit_pas_son_nom(client, monde):
    connecter(client, monde["gestionnaire_93"])

    contenu = texte(proposer(client, monde))

    assert "l'habilitation prendra effet quand la personne l'aura acceptée" in contenu
    assert "fr-alert--info" in contenu  # not a refusal: shown as information
    assert "Vasseur" not in contenu and "VASSEUR" not in contenu
    assert not Habilitation.objects.filter(guichet=monde["g93"]).exists()
    assert lien_d_accord()
    parisienne = monde["parisienne"]
    assert client.get(f"/gestion/utilisateurs/{parisienne.pk}/").status_code == 404
    assert not journal_visible_par(monde["gestionnaire_93"]).filter(utilisateur=parisienne)


def test_une_fois_acceptee_le_gestionnaire_lit_ce_qui_concerne_son_departement_seulement(
    client, monde
):
    connecter(client, monde["gestionnaire_93"])
    proposer(client, monde)
    lien = lien_d_accord()
    client.logout()

    assert "Accepter l'habilitation" in texte(client.get(lien))  # a mere GET changes nothing
    assert not Habilitation.objects.filter(guichet=monde["g93"]).exists()
    client.post(lien)

    habilitation = Habilitation.objects.get(guichet=monde["g93"])
    assert habilitation.utilisateur == monde["parisienne"]
    assert habilitation.cree_par == monde["gestionnaire_93"]
    lus = journal_visible_par(monde["gestionnaire_93"]).filter(utilisateur=monde["parisienne"])
    assert [e.resume for e in lus] == ["Connexion"]  # not the reading done for the 75 desk
    assert client.post(lien).status_code == 400  # a link serves once


def test_un_lien_d_accord_falsifie_est_refuse(client):
    assert client.get("/comptes/accepter-habilitation/faux-jeton/").status_code == 400


def test_une_habilitation_retiree_ne_laisse_plus_lire_le_journal_de_la_personne(client, monde):
    gestionnaire_93 = monde["gestionnaire_93"]
    ancien = agent(monde["g93"], email="ancien.agent@mairie.fr")
    Habilitation.objects.filter(utilisateur=ancien).update(date_debut=date(2024, 1, 2))
    retirer_habilitation(Habilitation.objects.get(utilisateur=ancien), par=gestionnaire_93)
    journaliser(EvenementAudit.Action.CONNEXION, utilisateur=ancien, resume="Connexion après")
    connecter(client, gestionnaire_93)

    assert ancien not in Utilisateur.objects.visibles_par(gestionnaire_93)
    assert client.get(f"/gestion/utilisateurs/{ancien.pk}/").status_code == 404
    assert "Connexion après" not in texte(client.get("/gestion/journal/"))


def test_la_page_d_une_personne_ne_montre_pas_ce_qu_elle_a_fait_pour_un_autre_departement(
    client, monde
):
    parisienne = monde["parisienne"]
    Habilitation.objects.create(utilisateur=parisienne, role="consultation", guichet=monde["g93"])
    connecter(client, monde["gestionnaire_93"])

    contenu = texte(client.get(f"/gestion/utilisateurs/{parisienne.pk}/"))

    assert "Connexion" in contenu
    assert "075112600000175BA8" not in contenu


def test_habiliter_une_personne_deja_geree_se_fait_aussitot(client, monde):
    deja_la = agent(monde["g93"], email="deja.la@mairie.fr", prenom="Ana", nom="Lopes")
    autre = GuichetFactory(code="93CO7", departements=["93"])
    connecter(client, monde["gestionnaire_93"])

    client.post(
        f"/gestion/guichets/{autre.code}/agents/",
        {"email": "deja.la@mairie.fr", "prenom": "Ana", "nom": "Lopes", "role": "consultation"},
    )

    assert Habilitation.objects.get(guichet=autre).utilisateur == deja_la

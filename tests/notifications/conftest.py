from copy import deepcopy
from datetime import date

import pytest
from django.core import mail

from sne.demandes import services as demandes
from sne.notifications.sms import MemoireSms
from tests.factories import GuichetFactory, PointContactFactory, agent

DONNEES = {
    "departement": "75",
    "demandeur": {
        "nom": "Martin",
        "prenom": "Élodie",
        "civilite": "MME",
        "date_naissance": "1987-04-12",
        "email": "elodie@example.fr",
        "telephone": "01 40 20 30 40",
        "piece_identite": {"type": "carte_identite", "numero": "X4RTBPFW4"},
        "adresse": {"ligne1": "12 rue des Lilas", "commune": "Paris 20e"},
    },
    "deja_locataire_hlm": False,
    "motifs": ["logement_trop_petit"],
    "souhaits": {"communes": ["75120"], "typologies": ["T3"]},
}
# Registered on 2 January 2026 at noon: expires on 2 January 2027, notice window from
# 2 December 2026, radiation due from 2 February 2027.
DEPOT = date(2026, 1, 2)
EXPIRATION = date(2027, 1, 2)


@pytest.fixture(autouse=True)
def medias(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    MemoireSms.boite.clear()


@pytest.fixture
def guichet():
    g = GuichetFactory(code="75TA1", departements=["75"], nom="Agence Paris-Est")
    PointContactFactory(guichet=g, adresse="3 avenue Gambetta", code_postal="75020")
    return g


@pytest.fixture
def saisie(guichet):
    return agent(guichet, "saisie")


@pytest.fixture
def enregistrer(guichet, saisie, django_capture_on_commit_callbacks):
    """Register a demande (its attestation is sent as in production), then empty the
    outbox: `enregistrer(email="", demarches_en_ligne=True, numero=2)`."""

    def _enregistrer(numero: int = 0, demarches_en_ligne=False, courrier=False, **demandeur):
        donnees = deepcopy(DONNEES)
        donnees["demandeur"].update(demandeur)
        if numero:
            donnees["demandeur"]["prenom"] = ["Élodie", "Karim", "Inès", "Paul", "Lina"][numero]
            donnees["demandeur"]["date_naissance"] = f"19{60 + numero}-0{numero}-1{numero}"
            donnees["demandeur"]["nom"] = ["Martin", "Haddad", "Nguyen", "Durand", "Benali"][numero]
        with django_capture_on_commit_callbacks(execute=True):
            demande = demandes.enregistrer_demande(guichet, saisie, donnees)
        demande.demarches_en_ligne = demarches_en_ligne
        demande.courrier_postal_souhaite = courrier
        demande.save(update_fields=["demarches_en_ligne", "courrier_postal_souhaite"])
        mail.outbox.clear()
        return demande

    return _enregistrer

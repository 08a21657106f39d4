"""The example client of docs/api.md (docs/exemples/client_sne.py) works against a real
server: what a vendor copies is run here, so the documentation cannot rot."""

import importlib.util
from pathlib import Path

import pytest

from sne.comptes import jetons
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory

CHEMIN = Path(__file__).resolve().parents[2] / "docs" / "exemples" / "client_sne.py"


def _module():
    spec = importlib.util.spec_from_file_location("client_sne", CHEMIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_le_client_d_exemple_enregistre_lit_modifie_et_suit_le_flux(
    referentiels_charges, live_server
):
    sne = _module()
    guichet = GuichetFactory(code="75CL1", departements=["75"])
    _, jeton = jetons.creer_jeton(guichet, libelle="Client d'exemple")
    client = sne.ClientSne(live_server.url, jeton, essais=2)

    demande = client.enregistrer(donnees_minimales(reference_externe="EX-1"))
    assert client.enregistrer(donnees_minimales(reference_externe="EX-1")) == demande
    copie = client.lire(demande["numero_unique"])
    assert copie["demandeur"]["prenom"] == "Élodie"
    modifiee = client.modifier(
        demande["numero_unique"], {"ressources": {"annee_revenus": 2025}}, version=copie["version"]
    )
    assert modifiee["demande"]["version"] == 2
    assert [s["numero_unique"] for s in client.doublons("Martin", "Élodie", "1987-04-12")] == [
        demande["numero_unique"]
    ]
    assert [e["code_fichier"] for e in client.evenements()] == ["CRE", "MOD"]

    with pytest.raises(sne.ErreurSne) as erreur:
        client.enregistrer(donnees_minimales(reference_externe="EX-2"))
    assert erreur.value.statut == 409 and erreur.value.code == "suspicion_doublon"
    with pytest.raises(sne.ErreurSne) as erreur:
        client.lire("075112600999975CL1")
    assert erreur.value.code == "demande_introuvable"

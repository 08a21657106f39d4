"""Telephone numbers of the demande (issue 9: « 12345 » was accepted): checked by the wizard, the
modification form and the schema every entry point shares, stored in E.164, read as
« 06 12 34 56 78 » on the pages."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from pydantic import ValidationError

from sne.demandes import services
from sne.demandes.forms.modification import ModificationForm
from sne.demandes.models import Demande, Personne
from sne.demandes.schemas import DemandeEntree
from sne.organisations.models import PointContact
from tests.demandes.conftest import donnees_minimales
from tests.demandes.test_pages import donnees_etapes, parcourir
from tests.factories import GuichetFactory, PointContactFactory, agent
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

MESSAGE = "Ce numéro de téléphone n'est pas valide : "


@pytest.fixture
def guichet():
    return GuichetFactory(code="75TA1", nom="Bailleur de test", departements=["75"])


@pytest.fixture
def agent_saisie(client, guichet):
    utilisateur = agent(guichet)
    connecter(client, utilisateur)
    return utilisateur


def test_l_assistant_refuse_12345_sur_le_champ_du_telephone(client, guichet, agent_saisie):
    url = client.get(reverse("demandes:nouvelle")).url
    url = client.post(url, donnees_etapes(guichet)["guichet"]).url

    reponse = client.post(url, {**donnees_etapes(guichet)["demandeur"], "telephone": "12345"})

    page = texte(reponse)
    assert reponse.status_code == 200
    assert MESSAGE + "il compte 5 chiffres, un numéro français en compte 10" in page
    assert 'href="#id_telephone"' in page  # the summary of errors leads to the field
    assert 'value="12345"' in page  # what was typed is kept


def test_l_assistant_refuse_un_telephone_invalide_du_co_demandeur(client, guichet, agent_saisie):
    etapes = donnees_etapes(guichet)
    url = client.get(reverse("demandes:nouvelle")).url
    url = client.post(url, etapes["guichet"]).url
    url = client.post(url, etapes["demandeur"]).url

    reponse = client.post(
        url, {**etapes["menage"], "co_nom": "Nguyen", "co_prenom": "Van", "co_telephone": "06 12"}
    )

    assert reponse.status_code == 200
    assert MESSAGE + "il compte 4 chiffres" in texte(reponse)


def test_un_numero_de_la_reunion_est_enregistre_en_e164_et_relu_en_clair(
    client, guichet, agent_saisie
):
    etapes = donnees_etapes(guichet, demandeur={"telephone": "0692 12 34 56"})
    url = parcourir(client, etapes)
    recapitulatif = client.post(url, {}).url

    assert "06 92 12 34 56" in texte(client.get(recapitulatif))
    reponse = client.post(recapitulatif, {}, follow=True)

    demande = Demande.objects.get()
    assert demande.demandeur.telephone == "+262692123456"
    assert "Téléphone : 06 92 12 34 56" in texte(reponse)


def test_le_schema_commun_refuse_un_numero_invalide_avec_son_code_et_son_champ():
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "telephone": "12345"}

    with pytest.raises(ValidationError) as refus:
        DemandeEntree.model_validate(donnees)

    (erreur,) = refus.value.errors()
    assert erreur["loc"] == ("demandeur", "telephone")
    assert erreur["type"] == "telephone_invalide"
    assert erreur["msg"].startswith(MESSAGE)  # no « Value error, » in front


def test_le_service_enregistre_les_numeros_en_e164(guichet):
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "telephone": "+33 6 12 34 56 78"}
    donnees["co_demandeur"] = {"nom": "Martin", "prenom": "Léo", "telephone": "0590 20 12 34"}

    demande = services.enregistrer_demande(guichet, agent(guichet), donnees)

    assert demande.demandeur.telephone == "+33612345678"
    assert demande.co_demandeur.telephone == "+590590201234"


def test_le_formulaire_de_modification_verifie_le_telephone_et_le_montre_lisible():
    formulaire = ModificationForm(data={"telephone": "12345"})

    assert not formulaire.is_valid()
    assert formulaire.errors["telephone"][0].startswith(MESSAGE)
    assert ModificationForm(initial={"telephone": "+33612345678"})["telephone"].value() == (
        "06 12 34 56 78"
    )


def _migration():
    (fichier,) = Path(__file__).parents[2].glob("sne/demandes/migrations/*_saisies_telephones.py")
    return importlib.import_module(f"sne.demandes.migrations.{fichier.stem}")


def test_la_migration_normalise_les_numeros_et_garde_tels_quels_ceux_qu_elle_ne_peut_lire(
    guichet,
):
    demande = services.enregistrer_demande(guichet, agent(guichet), donnees_minimales())
    Personne.objects.filter(pk=demande.demandeur.pk).update(telephone="06 12 34 56 78")
    illisible = PointContactFactory(guichet=guichet, telephone="12345")
    lisible = PointContactFactory(guichet=guichet, telephone="0262 16 12 34")

    _migration().normaliser_les_telephones(apps, None)

    assert Personne.objects.get(pk=demande.demandeur.pk).telephone == "+33612345678"
    assert PointContact.objects.get(pk=lisible.pk).telephone == "+262262161234"
    assert PointContact.objects.get(pk=illisible.pk).telephone == "12345"

"""The telephone of a desk's contact point (FAQ « points de contact physiques et téléphoniques »):
checked like every number of the register, stored in E.164, shown « 01 49 00 00 00 »."""

import pytest

from sne.exceptions import ErreurMetier
from sne.organisations import services
from tests.factories import GuichetFactory, gestionnaire
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


def test_un_point_de_contact_refuse_un_numero_invalide_sur_son_champ(client):
    guichet = GuichetFactory(code="93CO3", departements=["93"])
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/guichets/93CO3/contacts/nouveau/",
        {"libelle": "Accueil téléphonique", "telephone": "12345"},
    )

    assert reponse.status_code == 200
    assert "Ce numéro de téléphone n'est pas valide : il compte 5 chiffres" in texte(reponse)
    assert not guichet.contacts.exists()


def test_un_numero_d_outre_mer_est_enregistre_en_e164_et_affiche_en_clair(client):
    guichet = GuichetFactory(code="97CO1", departements=["974"])
    connecter(client, gestionnaire("974"))

    reponse = client.post(
        "/gestion/guichets/97CO1/contacts/nouveau/",
        {"libelle": "Accueil téléphonique", "telephone": "0262 16 12 34"},
    )

    assert reponse.status_code == 302
    assert guichet.contacts.get().telephone == "+262262161234"
    assert "02 62 16 12 34" in texte(client.get("/gestion/guichets/97CO1/"))


def test_le_service_des_points_de_contact_verifie_aussi_le_numero():
    guichet = GuichetFactory(code="93CO3", departements=["93"])

    with pytest.raises(ErreurMetier) as refus:
        services.enregistrer_point_contact(
            guichet, par=gestionnaire("93"), libelle="Accueil", telephone="12345"
        )

    assert refus.value.code == "telephone_invalide"
    assert refus.value.champ == "telephone"

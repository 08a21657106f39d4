"""The rules that a form and a service both check are written once (`sne/demandes/regles.py`):
the page and the service say the same thing, in the same words."""

from datetime import date

import pytest

from sne.demandes import regles, services
from sne.demandes.forms.assistant import EtapeGuichetForm
from sne.demandes.forms.sections import Souhaits
from sne.exceptions import ErreurMetier, NonAutorise
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory

pytestmark = pytest.mark.django_db

AUJOURD_HUI = date(2026, 11, 30)


def test_une_date_de_depot_future_est_refusee_avec_son_champ():
    with pytest.raises(ErreurMetier) as refus:
        regles.verifier_date_depot(date(2026, 12, 1), AUJOURD_HUI)
    assert (refus.value.code, refus.value.champ) == ("date_future", "date_depot")


def test_une_date_de_depot_de_plus_d_un_an_est_refusee():
    with pytest.raises(ErreurMetier) as refus:
        regles.verifier_date_depot(date(2025, 11, 29), AUJOURD_HUI)
    assert refus.value.code == "date_trop_ancienne"
    regles.verifier_date_depot(date(2025, 11, 30), AUJOURD_HUI)  # a year ago: accepted


@pytest.mark.aujourd_hui(AUJOURD_HUI)
def test_le_formulaire_et_le_service_refusent_la_date_future_avec_le_meme_message(
    guichet_75, agent_75
):
    form = EtapeGuichetForm(
        {"guichet": str(guichet_75.pk), "departement": "75", "date_depot": "2026-12-01"},
        guichets=[guichet_75],
    )
    assert not form.is_valid()
    with pytest.raises(ErreurMetier) as refus:
        services.enregistrer_demande(
            guichet_75, agent_75, donnees_minimales(date_depot="2026-12-01")
        )
    assert form.errors["date_depot"] == [refus.value.details["erreurs"][0]["message"]]


def test_le_formulaire_et_le_service_refusent_un_departement_non_habilite_avec_le_meme_message(
    guichet_75, agent_75
):
    form = EtapeGuichetForm(
        {"guichet": str(guichet_75.pk), "departement": "93", "beneficiaire": "menage"},
        guichets=[guichet_75],
    )
    form.fields["departement"].choices += [("93", "93")]
    assert not form.is_valid()
    with pytest.raises(NonAutorise) as refus:
        services.enregistrer_demande(
            guichet_75,
            agent_75,
            donnees_minimales(departement="93", souhaits={"communes": ["93066"]}),
        )
    assert form.errors["departement"] == [refus.value.message]
    assert "Réorientez le demandeur" in refus.value.message


def test_une_commune_souhaitee_hors_du_departement_est_refusee_hors_ile_de_france():
    with pytest.raises(ErreurMetier) as refus:
        regles.verifier_commune_souhaitee("Lyon", "69123", "69", "01")
    assert refus.value.code == "commune_hors_departement"
    regles.verifier_commune_souhaitee("Montreuil", "93048", "93", "75")  # Île-de-France


def test_le_formulaire_des_souhaits_refuse_la_commune_hors_departement_avec_le_message_du_service(
    guichet_75, agent_75
):
    # In Île-de-France the field accepts any commune; the rule refuses those outside the region.
    form = Souhaits({"commune_1": "69123"}, departement="75", nb_communes=1)
    assert not form.is_valid()
    with pytest.raises(ErreurMetier) as refus:
        regles.verifier_commune_souhaitee("Lyon", "69123", "69", "75")
    assert form.errors["commune_1"] == [refus.value.message]


def test_une_demande_radiee_n_est_plus_modifiable(guichet_75, agent_75):
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    services.radier(demande, "renonciation", par=agent_75, guichet=guichet_75)
    demande.refresh_from_db()
    with pytest.raises(ErreurMetier) as refus:
        regles.exiger_modifiable(demande)
    assert refus.value.code == "demande_radiee"
    with pytest.raises(ErreurMetier):
        services.renouveler(demande, agent_75, guichet_75)


def test_un_guichet_habilite_sur_le_departement_passe():
    guichet = GuichetFactory(code="93TS2", departements=["93"])
    regles.exiger_guichet_habilite(guichet, "93")

"""Durations of the register in calendar days, stated with fixed dates (never computed with
the helpers under test): a demande is valid one year from its deposit or last renewal
(CCH R441-2-7); the delays of radiation, reactivation and DALO count in months."""

from datetime import date

import pytest

from sne.demandes import regles, services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.outils import nous_sommes_le


@pytest.mark.parametrize(
    ("jour", "un_an_plus_tard"),
    [
        (date(2025, 3, 3), date(2026, 3, 3)),
        (date(2024, 12, 31), date(2025, 12, 31)),
        (date(2023, 2, 28), date(2024, 2, 28)),
        # No 29 February in 2025: the year ends on the last day of February, not in March.
        (date(2024, 2, 29), date(2025, 2, 28)),
    ],
)
def test_un_an_apres_est_le_meme_jour_l_annee_suivante(jour, un_an_plus_tard):
    assert regles.un_an_apres(jour) == un_an_plus_tard


@pytest.mark.parametrize(
    ("jour", "mois", "attendu"),
    [
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        # A month after the 31st is the last day of a shorter month, never a day of the next.
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 3, 3), 18, date(2026, 9, 3)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2024, 8, 31), 18, date(2026, 2, 28)),
    ],
)
def test_mois_apres_garde_le_jour_ou_prend_le_dernier_du_mois(jour, mois, attendu):
    assert regles.mois_apres(jour, mois) == attendu


@pytest.mark.django_db
def test_une_demande_deposee_le_29_fevrier_expire_le_28_fevrier_suivant():
    with nous_sommes_le(date(2024, 2, 29)):
        guichet = GuichetFactory(code="75TF1", departements=["75"])
        demande = services.enregistrer_demande(guichet, agent(guichet), donnees_minimales())

    assert demande.date_depot == date(2024, 2, 29)
    assert demande.date_expiration == date(2025, 2, 28)
    assert demande.numero_unique.startswith("0750224")

"""The demo's telephone numbers are real-looking, valid and stored as every number is (E.164)."""

import pytest

from sne.demandes.models import Personne
from sne.demo.donnees import creer_demandes_demo, creer_donnees_demo
from sne.organisations.models import PointContact
from sne.referentiels.telephones import normaliser_telephone

pytestmark = pytest.mark.django_db


def test_les_numeros_de_la_demonstration_sont_valides_et_en_e164():
    creer_donnees_demo()
    creer_demandes_demo()

    numeros = [
        *Personne.objects.exclude(telephone="").values_list("telephone", flat=True),
        *PointContact.objects.exclude(telephone="").values_list("telephone", flat=True),
    ]
    assert len(numeros) >= 30
    assert all(normaliser_telephone(n) == n for n in numeros)

"""Telephone numbers (issue 9): « 12345 » was accepted. French numbers, overseas ones with their
own country code, foreign ones with « + »; one stored format (E.164), one readable display."""

import pytest
from django.template import Context, Template

from sne.referentiels.forms import ChampTelephone
from sne.referentiels.telephones import (
    TelephoneInvalide,
    normaliser_telephone,
    telephone_lisible,
)

# (typed, stored in E.164, displayed)
NUMEROS = [
    # Metropolitan France, however it is typed
    ("06 12 34 56 78", "+33612345678", "06 12 34 56 78"),
    ("0612345678", "+33612345678", "06 12 34 56 78"),
    ("06.12.34.56.78", "+33612345678", "06 12 34 56 78"),
    ("06-12-34-56-78", "+33612345678", "06 12 34 56 78"),
    ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
    ("+33 (0)6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
    ("0033612345678", "+33612345678", "06 12 34 56 78"),
    ("06\u00a012\u00a034\u00a056\u00a078", "+33612345678", "06 12 34 56 78"),
    ("01 40 00 00 01", "+33140000001", "01 40 00 00 01"),
    ("08 00 12 34 56", "+33800123456", "08 00 12 34 56"),
    # A box number 09 76… stays metropolitan, although it is also an overseas VoIP range
    ("09 76 12 34 56", "+33976123456", "09 76 12 34 56"),
    # Overseas départements typed in national format: their own country code
    ("0262 16 12 34", "+262262161234", "02 62 16 12 34"),  # Réunion, fixe
    ("0692 12 34 56", "+262692123456", "06 92 12 34 56"),  # Réunion, mobile
    ("0269 60 12 34", "+262269601234", "02 69 60 12 34"),  # Mayotte, fixe
    ("0639 01 23 45", "+262639012345", "06 39 01 23 45"),  # Mayotte, mobile
    ("0590 20 12 34", "+590590201234", "05 90 20 12 34"),  # Guadeloupe, fixe
    ("0690 00 12 34", "+590690001234", "06 90 00 12 34"),  # Guadeloupe, mobile
    ("0590 27 12 34", "+590590271234", "05 90 27 12 34"),  # Saint-Barthélemy
    ("0596 30 12 34", "+596596301234", "05 96 30 12 34"),  # Martinique (valide aussi en FR)
    ("0696 20 12 34", "+596696201234", "06 96 20 12 34"),  # Martinique, mobile
    ("0594 10 12 34", "+594594101234", "05 94 10 12 34"),  # Guyane, fixe
    ("0694 20 12 34", "+594694201234", "06 94 20 12 34"),  # Guyane, mobile
    # … with their country code, or by habit with +33
    ("+262 262 16 12 34", "+262262161234", "02 62 16 12 34"),
    ("+33 262 16 12 34", "+262262161234", "02 62 16 12 34"),
    ("+508 41 23 45", "+508412345", "+508 41 23 45"),  # Saint-Pierre-et-Miquelon
    # Foreign numbers with « + » or 00 and their country code
    ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
    ("0044 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
    ("+32 2 555 12 12", "+3225551212", "+32 2 555 12 12"),
]


@pytest.mark.parametrize(("saisie", "stocke", "affiche"), NUMEROS)
def test_un_numero_valide_est_stocke_en_e164_et_affiche_lisiblement(saisie, stocke, affiche):
    assert normaliser_telephone(saisie) == stocke
    assert telephone_lisible(stocke) == affiche


def test_un_numero_vide_reste_vide():
    assert normaliser_telephone("") == ""
    assert normaliser_telephone("   ") == ""
    assert normaliser_telephone(None) == ""


@pytest.mark.parametrize(
    ("saisie", "explication"),
    [
        ("12345", "il compte 5 chiffres, un numéro français en compte 10"),
        ("06 12 34 56 7", "il compte 9 chiffres, un numéro français en compte 10"),
        ("06 12 34 56 789", "il compte 11 chiffres, un numéro français en compte 10"),
        ("+33 6 12", "après l'indicatif +33, un numéro français compte 9 chiffres"),
        ("1234567890", "un numéro français commence par 0"),
        ("06 12 AB 56 78", "seuls des chiffres sont admis"),
        ("+999 12345678", "l'indicatif de pays après « + » (ou 00) n'existe pas"),
        ("+44 12", "le nombre de chiffres après l'indicatif +44 ne convient pas"),
        ("=1+1", "seuls des chiffres sont admis"),
    ],
)
def test_un_numero_invalide_est_refuse_avec_une_explication_en_francais(saisie, explication):
    with pytest.raises(TelephoneInvalide) as refus:
        normaliser_telephone(saisie, champ="demandeur.telephone")

    assert refus.value.message.startswith("Ce numéro de téléphone n'est pas valide : ")
    assert explication in refus.value.message
    assert refus.value.code == "telephone_invalide"
    assert refus.value.champ == "demandeur.telephone"


@pytest.mark.parametrize("ancien", ["12345", "06 12 34", "+33 1 49", "voir courrier"])
def test_un_numero_saisi_avant_les_controles_s_affiche_tel_qu_il_a_ete_tape(ancien):
    assert telephone_lisible(ancien) == ancien


def test_le_filtre_de_gabarit_affiche_le_numero_lisiblement():
    gabarit = Template("{% load telephones %}{{ numero|telephone }}")

    assert gabarit.render(Context({"numero": "+262692123456"})) == "06 92 12 34 56"
    assert gabarit.render(Context({"numero": ""})) == ""


def test_le_champ_de_formulaire_nettoie_en_e164_et_remontre_le_numero_lisible():
    champ = ChampTelephone()

    assert champ.clean("06 12 34 56 78") == "+33612345678"
    assert champ.prepare_value("+33612345678") == "06 12 34 56 78"
    with pytest.raises(Exception, match="Ce numéro de téléphone n'est pas valide"):
        champ.clean("12345")

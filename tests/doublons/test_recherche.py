"""Duplicate detection (issue 11): each kind of variation a desk's typing produces is seen
through, and what must not match does not (homonyms, twins, parent and child). The engine is
searched as every way in searches it: through the registration service."""

from datetime import date

import pytest

from sne.demandes import services
from sne.doublons.cles import phonetique, plier, variantes_date
from sne.doublons.models import EmpreinteIdentite
from sne.doublons.services import Identite, rechercher
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def guichet():
    return GuichetFactory(code="75DB1", departements=["75"])


def enregistrer(guichet, **demandeur):
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], **demandeur}
    co = demandeur.pop("co_demandeur", None)
    if co:
        donnees["demandeur"]["situation_familiale"] = "marie"
        donnees["co_demandeur"] = co
    donnees["demandeur"].pop("co_demandeur", None)
    return services.enregistrer_demande(guichet, agent(guichet), donnees, "tests")


def trouve(demande, **identite) -> bool:
    identite.setdefault("date_naissance", date(1987, 4, 12))
    return demande.numero_unique in {s.numero_unique for s in rechercher(Identite(**identite))}


@pytest.fixture
def martin(guichet):
    """Élodie Martin, born on 12/04/1987 (donnees_minimales)."""
    return enregistrer(guichet)


@pytest.mark.parametrize(
    "nom, prenom",
    [
        ("MARTIN", "ELODIE"),  # case, accents
        ("martin", "elodie"),
        ("Martin", "Élodie"),
        ("Matrin", "Élodie"),  # two letters swapped
        ("Martn", "Élodie"),  # a letter dropped
        ("Marttin", "Élodie"),  # a letter doubled
        ("Martin", "Elodye"),  # a letter changed
        ("Martins", "Elodie"),
        ("Élodie", "Martin"),  # nom and prénom swapped
    ],
)
def test_les_variantes_de_saisie_de_la_meme_personne(martin, nom, prenom):
    assert trouve(martin, nom=nom, prenom=prenom)


@pytest.mark.parametrize(
    "saisi, enregistre",
    [
        ("Dupond", "Dupont"),
        ("Lefebvre", "Lefèvre"),
        ("Rousseau", "Roussaud"),
        ("Gautier", "Gauthier"),
    ],
)
def test_les_graphies_phonetiques_du_nom(guichet, saisi, enregistre):
    demande = enregistrer(guichet, nom=enregistre, prenom="Paul")
    assert trouve(demande, nom=saisi, prenom="Paul")


@pytest.mark.parametrize(
    "saisi, enregistre",
    [("Filipe", "Philippe"), ("Mohammed", "Mohamed"), ("Katherine", "Catherine")],
)
def test_les_graphies_phonetiques_du_prenom(guichet, saisi, enregistre):
    demande = enregistrer(guichet, nom="Benali", prenom=enregistre)
    assert trouve(demande, nom="Benali", prenom=saisi)


@pytest.mark.parametrize(
    "saisi, enregistre",
    [
        ("Le Goff", "Goff"),
        ("Legoff", "Le Goff"),
        ("De La Fontaine", "Fontaine"),
        ("d'Arc", "Darc"),
        ("Martin-Dupont", "Martin Dupont"),
        ("Martin", "Martin-Dupont"),  # a double name given in part
    ],
)
def test_particules_traits_d_union_apostrophes_et_noms_composes(guichet, saisi, enregistre):
    demande = enregistrer(guichet, nom=enregistre, prenom="Jeanne")
    assert trouve(demande, nom=saisi, prenom="Jeanne")


def test_nom_de_naissance_et_nom_d_usage(guichet):
    mariee = enregistrer(guichet, nom="Lambert", nom_naissance="Diallo", prenom="Aïssata")
    assert trouve(mariee, nom="Diallo", prenom="Aïssata")  # she gives her birth name
    assert trouve(mariee, nom="Roussel", nom_naissance="Diallo", prenom="Aïssata")


@pytest.mark.parametrize(
    "jour",
    [
        date(1987, 12, 4),  # day and month swapped
        date(1981, 4, 12),  # one digit of the year
        date(1987, 4, 13),  # one digit of the day
        date(1987, 7, 12),  # one digit of the month
    ],
)
def test_une_date_de_naissance_a_une_faute_pres(martin, jour):
    assert trouve(martin, nom="Martin", prenom="Élodie", date_naissance=jour)


def test_la_personne_co_demandeur_d_une_autre_demande(guichet):
    """A spouse registered the household earlier: she is its co-demandeur."""
    du_conjoint = enregistrer(
        guichet,
        nom="Nguyen",
        prenom="Minh",
        date_naissance="1984-02-20",
        co_demandeur={"nom": "Nguyen", "prenom": "Lan", "date_naissance": "1986-06-01"},
    )
    suspicions = rechercher(Identite(nom="Nguyen", prenom="Lan", date_naissance=date(1986, 6, 1)))
    assert [s.numero_unique for s in suspicions] == [du_conjoint.numero_unique]
    assert "en tant que co-demandeur" in suspicions[0].raisons


def test_le_meme_nir_est_la_cle_la_plus_forte(guichet):
    # typed with spaces, as on the carte Vitale
    demande = enregistrer(guichet, nom="Perrin", prenom="Hugo", nir="1 85 09 75 120 005 96")
    suspicions = rechercher(
        Identite(nom="Perin", prenom="Ugo", date_naissance=date(1990, 1, 1), nir="185097512000596")
    )
    assert suspicions[0].numero_unique == demande.numero_unique
    assert suspicions[0].score == 100
    assert "même numéro de sécurité sociale" in suspicions[0].raisons


def test_deux_nir_differents_sont_deux_personnes(guichet):
    demande = enregistrer(guichet, nom="Perrin", prenom="Hugo", nir="185097512000596")
    assert not trouve(
        demande,
        nom="Perrin",
        prenom="Hugo",
        date_naissance=date(1987, 4, 12),
        nir="2 87 04 75 120 005 62",
    )


def test_le_meme_numero_de_piece_d_identite_avec_un_nom_proche(guichet):
    demande = enregistrer(
        guichet,
        nom="Schmitt",
        prenom="Solène",
        piece_identite={"type": "passeport", "numero": "19AB12345"},
    )
    assert trouve(
        demande,
        nom="Schmidt",
        prenom="Solène",
        date_naissance=date(1999, 9, 9),
        piece_identite_numero="19 ab 12345",
    )


def test_le_meme_email_ou_telephone_avec_un_nom_proche(guichet):
    demande = enregistrer(
        guichet, nom="Traore", prenom="Awa", email="awa.t@example.fr", telephone="0612345678"
    )
    autre_date = date(1970, 1, 1)
    assert trouve(
        demande, nom="Traoré", prenom="Awa", date_naissance=autre_date, email="AWA.T@example.fr"
    )
    assert trouve(
        demande, nom="Traore", prenom="Awa", date_naissance=autre_date, telephone="+33612345678"
    )
    # the same telephone for someone else of the family is not a suspicion
    assert not trouve(
        demande, nom="Traore", prenom="Moussa", date_naissance=autre_date, telephone="+33612345678"
    )


def test_les_homonymes_nes_un_autre_jour_ne_sont_pas_des_doublons(martin):
    assert not trouve(martin, nom="Martin", prenom="Élodie", date_naissance=date(1991, 8, 30))


def test_des_jumeaux_ne_sont_pas_des_doublons(guichet):
    paul = enregistrer(guichet, nom="Kowalski", prenom="Paul", civilite="M")
    assert not trouve(paul, nom="Kowalski", prenom="Marie", civilite="MME")
    assert not trouve(paul, nom="Kowalski", prenom="Pauline", civilite="MME")


def test_un_parent_et_son_enfant_du_meme_nom_ne_sont_pas_des_doublons(guichet):
    pere = enregistrer(guichet, nom="Joubert", prenom="Jules", date_naissance="1962-03-05")
    assert not trouve(pere, nom="Joubert", prenom="Jules", date_naissance=date(1991, 11, 23))


def test_une_demande_radiee_ne_suscite_plus_de_suspicion(martin, guichet):
    services.radier(martin, "renonciation", par=agent(guichet), guichet=guichet)
    assert not trouve(martin, nom="Martin", prenom="Élodie")
    assert EmpreinteIdentite.objects.get(demande=martin, role="demandeur").actif is False


def test_un_changement_d_identite_est_pris_en_compte_aussitot(martin, guichet):
    demandeur = martin.personnes.get(role="demandeur")
    services.modifier_demande(
        martin, agent(guichet), guichet, personnes={demandeur.pk: {"nom": "Vasseur"}}
    )
    assert trouve(martin, nom="Vasseur", prenom="Élodie")
    assert not trouve(martin, nom="Martin", prenom="Élodie")


@pytest.mark.parametrize(
    "identite",
    [
        Identite(nom="Martin", prenom="Élodie"),  # no birth date
        Identite(nom="M", prenom="E", date_naissance=date(1987, 4, 12)),  # initials
        Identite(nom="x" * 10_000, prenom="é" * 10_000, date_naissance=date(1987, 4, 12)),
        Identite(nom="R2D2 🤖", prenom="1234", date_naissance=date(1987, 4, 12)),
        Identite(nom="", prenom="", date_naissance=None),
    ],
)
def test_une_recherche_mal_formee_ne_plante_jamais(martin, identite):
    for s in rechercher(identite):
        assert s.numero_unique  # answers, maybe nothing, never fails


def test_la_raison_ne_montre_jamais_les_donnees_de_l_autre_demande(guichet):
    enregistrer(guichet, nom="Dupont", prenom="Paul", email="paul@example.fr")
    suspicions = rechercher(Identite(nom="Dupond", prenom="Paul", date_naissance=date(1987, 4, 12)))
    texte = " ".join(suspicions[0].raisons)
    assert "Dupont" not in texte and "dupont" not in texte and "paul@" not in texte
    assert "nom de même prononciation" in texte


def test_les_cles():
    assert plier("De La Fontaine") == "fontaine"
    assert plier("Le Guen-Dupré") == "guendupre"
    assert phonetique("Dupont") == phonetique("Dupond")
    assert phonetique("Philippe") == phonetique("Filipe")
    assert phonetique("Mohamed") == phonetique("Mohammed")
    assert phonetique("Paul") != phonetique("Marie")
    assert date(1987, 12, 4) in variantes_date(date(1987, 4, 12))
    assert date(1987, 4, 12) not in variantes_date(date(1987, 4, 12))
    assert all(v.year > 0 for v in variantes_date(date(2000, 2, 29)))


@pytest.mark.parametrize("nir", ["1.85.09.75.120.005-96", "1850975120005", "1 85 09 75 120 005"])
def test_le_nir_tape_avec_tiret_ou_sans_sa_cle(guichet, nir):
    demande = enregistrer(guichet, nom="Perrin", prenom="Hugo", nir="185097512000596")
    assert trouve(demande, nom="Morin", prenom="Hugo", date_naissance=date(1980, 1, 2), nir=nir)


@pytest.mark.parametrize(
    "nom, prenom, enregistre",
    [
        ("Allain", "Jran", ("Allain", "Jean")),  # a letter changed on a short first name
        ("Laly", "Martine", ("Lamy", "Martine")),
        ("Lgendre", "Renée", ("Legendre", "Renée")),
        ("Morin", "Jpsépine", ("Morin", "Joséphine")),
        ("Leecleec", "Chloé", ("Leclerc", "Chloé")),  # two typos on 7 letters and more
    ],
)
def test_une_faute_sur_un_nom_court_l_autre_champ_identique(guichet, nom, prenom, enregistre):
    demande = enregistrer(guichet, nom=enregistre[0], prenom=enregistre[1])
    assert trouve(demande, nom=nom, prenom=prenom)


def test_meme_email_prenom_identique_nom_a_une_lettre(guichet):
    demande = enregistrer(
        guichet, nom="Blin", prenom="Sébastien", email="sebastien.blin@example.fr"
    )
    assert trouve(
        demande,
        nom="Blon",
        prenom="Sébastien",
        date_naissance=date(1987, 4, 13),
        email="SEBASTIEN.BLIN@example.fr",
    )


def test_une_date_a_un_chiffre_pres_demande_des_noms_identiques_ou_de_meme_prononciation(
    guichet,
):
    marie = enregistrer(guichet, nom="Martin", prenom="Marie", date_naissance="1954-08-10")
    assert not trouve(marie, nom="Martinez", prenom="Marie", date_naissance=date(1952, 8, 10))
    assert trouve(marie, nom="Martin", prenom="Marie", date_naissance=date(1952, 8, 10))


def test_au_premier_janvier_une_autre_annee_n_est_pas_une_faute_de_frappe(guichet):
    """1 January is the conventional date of people born abroad without a known date."""
    margot = enregistrer(guichet, nom="Durand", prenom="Margot", date_naissance="1961-01-01")
    assert not trouve(margot, nom="Durand", prenom="Margot", date_naissance=date(1969, 1, 1))
    assert trouve(margot, nom="Durand", prenom="Margot", date_naissance=date(1961, 1, 1))


def test_un_grand_bloc_de_date_ne_perd_jamais_le_meme_nom(guichet, monkeypatch):
    from sne.doublons import services as moteur

    monkeypatch.setattr(moteur, "CANDIDATS_MAX", 2)
    for nom in ("Arnaud", "Chevalier", "Fournier", "Garnier"):
        enregistrer(guichet, nom=nom, prenom="Hugo", date_naissance="1970-01-01")
    hoarau = enregistrer(guichet, nom="Hoarau", prenom="Louis", date_naissance="1970-01-01")
    assert trouve(hoarau, nom="HOARAU", prenom="Louis", date_naissance=date(1970, 1, 1))

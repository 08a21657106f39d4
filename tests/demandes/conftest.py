import pytest

from tests.factories import GuichetFactory, agent


@pytest.fixture
def guichet_75():
    return GuichetFactory(code="75TS1", departements=["75", "92"])


@pytest.fixture
def agent_75(guichet_75):
    return agent(guichet_75, "saisie")


def donnees_minimales(**surcharges):
    """What the law allows to require at registration (CCH R441-2-3), and nothing else."""
    donnees = {
        "departement": "75",
        "demandeur": {
            "nom": "Martin",
            "prenom": "Élodie",
            "date_naissance": "1987-04-12",
            "piece_identite": {"type": "carte_identite"},
            "adresse": {"ligne1": "12 rue des Lilas", "commune": "Paris 20e"},
        },
        "deja_locataire_hlm": False,
        "souhaits": {"communes": ["75120"]},
    }
    for cle, valeur in surcharges.items():
        donnees[cle] = valeur
    return donnees


NOMS_DISTINCTS = (
    "Arnaud", "Benali", "Chevalier", "Diallo", "Esposito", "Fournier", "Garnier", "Hoarau",
    "Izquierdo", "Joubert", "Kowalski", "Lambert", "Mercier", "Nkemelu", "Olivier", "Perrin",
    "Quintana", "Roussel", "Schmitt", "Traore", "Urbain", "Vasseur", "Wagner", "Xavier",
    "Yilmaz", "Zeller",
)  # fmt: skip
PRENOMS_DISTINCTS = (
    "Agathe", "Bastien", "Céline", "Dimitri", "Estelle", "Fabrice", "Gaëlle", "Hugo", "Inès",
    "Jules", "Kenza", "Lucas", "Maëlys", "Noah", "Océane", "Pierre", "Quitterie", "Rayan",
    "Solène", "Théo", "Ursule", "Victor", "Wassim", "Xénia", "Yanis", "Zoé",
)  # fmt: skip


def personne_distincte(i: int) -> dict:
    """The identity of the i-th of people that duplicate detection must never confuse:
    different names, first names and birth years (« Nom1 » and « Nom2 », born a day apart,
    are rightly suspected to be the same person)."""
    return {
        "nom": NOMS_DISTINCTS[i % 26] + ("" if i < 26 else f"-{NOMS_DISTINCTS[(i // 26) % 26]}"),
        "prenom": PRENOMS_DISTINCTS[(i * 7) % 26],
        "date_naissance": f"{1940 + i % 60}-{1 + i % 12:02d}-{1 + (i * 5) % 28:02d}",
    }


@pytest.fixture
def donnees():
    return donnees_minimales()


def valeurs_du_formulaire(reponse, **changements) -> dict:
    """The values of the page's form as a browser would send them untouched (the modification
    page holds the whole demande), with `changements` applied; a value None removes a field."""
    from bs4 import BeautifulSoup

    valeurs: dict[str, list[str]] = {}
    soupe = BeautifulSoup(reponse.content.decode(), "html.parser")
    formulaire = soupe.find("input", attrs={"name": "version"}).find_parent("form")
    for champ in formulaire.find_all(["input", "select", "textarea"]):
        nom, genre = champ.get("name"), (champ.get("type") or "").lower()
        if not nom or nom == "csrfmiddlewaretoken" or genre in ("submit", "button"):
            continue
        if champ.name == "select":
            choisies = champ.find_all("option", selected=True)
            valeurs.setdefault(nom, []).extend(o.get("value", "") for o in choisies)
        elif champ.name == "textarea":
            valeurs.setdefault(nom, []).append(champ.text.strip("\n"))
        elif genre in ("checkbox", "radio"):
            if champ.has_attr("checked"):
                valeurs.setdefault(nom, []).append(champ.get("value", "on"))
        else:
            valeurs.setdefault(nom, []).append(champ.get("value", ""))
    for nom, valeur in changements.items():
        if valeur is None:
            valeurs.pop(nom, None)
        else:
            valeurs[nom] = valeur if isinstance(valeur, list) else [valeur]
    return valeurs

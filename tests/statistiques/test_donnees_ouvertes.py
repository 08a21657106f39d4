"""The monthly open-data file: downloaded without login, it follows its schema, no published
figure is under 11 households, and no masked figure can be recomputed from its row, its column
and their totals (nor from the other indicators, which publish the same communes' totals)."""

import csv
import io
import random
from datetime import date

import pytest
from django.urls import reverse

from sne.statistiques import donnees_ouvertes, services
from sne.statistiques.models import FichierOuvert, Indicateur, Instantane, Mesure
from sne.statistiques.secret import SEUIL, TableauPublie, cases_revelees
from sne.statistiques.services import ANCIENNETES, TAILLES, TYPOLOGIES

from .test_schema_open_data import verifier_ligne

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(date(2027, 2, 1))]

JOUR = date(2026, 11, 30)
MODALITES = {
    Indicateur.ACTIVES_COMMUNE_TYPOLOGIE: TYPOLOGIES,
    Indicateur.ACTIVES_COMMUNE_TAILLE: [t[0] for t in TAILLES],
    Indicateur.ACTIVES_COMMUNE_ANCIENNETE: [a[0] for a in ANCIENNETES],
}
NOMS = {
    Indicateur.ACTIVES_COMMUNE_TYPOLOGIE: "typologie_souhaitee",
    Indicateur.ACTIVES_COMMUNE_TAILLE: "taille_menage",
    Indicateur.ACTIVES_COMMUNE_ANCIENNETE: "anciennete",
}


@pytest.fixture
def instantane_de_novembre():
    """The snapshot of 30 November 2026 for Seine-Saint-Denis: 40 communes of very unequal
    size (a few thousand demandes down to one), each split at random among the modalities of
    each indicator (the same total for the three, as in a real snapshot)."""
    hasard = random.Random(16)
    instantane = Instantane.objects.create(jour=JOUR, duree=0, demandes_actives=0)
    communes = [f"930{n:02d}" for n in range(1, 81, 2)]
    vrai = {}
    lignes = []
    for rang, commune in enumerate(communes):
        total = max(1, int(3000 / (rang + 1) ** 2) + hasard.randint(0, 4))
        for indicateur, modalites in MODALITES.items():
            poids = [hasard.random() ** 3 for _ in modalites]
            cases = [0] * len(modalites)
            for _ in range(total):
                cases[hasard.choices(range(len(modalites)), poids)[0]] += 1
            vrai[commune, indicateur] = cases
            lignes += [
                Mesure(
                    instantane=instantane,
                    jour=JOUR,
                    departement="93",
                    commune=commune,
                    indicateur=indicateur,
                    modalite=m,
                    valeur=v,
                )
                for m, v in zip(modalites, cases, strict=True)
            ]
    Mesure.objects.bulk_create(lignes)
    return vrai


def tableaux_du_fichier(contenu: str) -> dict:
    """{indicator: (row names, TableauPublie)} read back from the published CSV only."""
    lignes = list(csv.DictReader(io.StringIO(contenu)))
    for ligne in lignes:
        verifier_ligne(ligne)
    tableaux = {}
    for indicateur, modalites in MODALITES.items():
        nom = NOMS[indicateur]
        du_tableau = [ligne for ligne in lignes if ligne["indicateur"] == nom]
        rangs = []
        for ligne in du_tableau:
            cle = (ligne["niveau"], ligne["commune"])
            if ligne["niveau"] != "departement" and cle not in rangs:
                rangs.append(cle)

        def valeur(niveau, commune, modalite, du_tableau=du_tableau):
            [ligne] = [
                ligne
                for ligne in du_tableau
                if (ligne["niveau"], ligne["commune"], ligne["modalite"])
                == (niveau, commune, modalite)
            ]
            return int(ligne["valeur"]) if ligne["valeur"] else None

        tableaux[indicateur] = (
            rangs,
            TableauPublie(
                cases=tuple(tuple(valeur(*r, m) for m in modalites) for r in rangs),
                totaux_lignes=tuple(valeur(*r, "ensemble") for r in rangs),
                totaux_colonnes=tuple(valeur("departement", "", m) for m in modalites),
                total=valeur("departement", "", "ensemble"),
            ),
        )
    return tableaux


def test_le_fichier_du_mois_se_telecharge_sans_connexion_et_garde_le_secret(
    client, instantane_de_novembre
):
    vrai = instantane_de_novembre
    assert donnees_ouvertes.publier_mois(JOUR) == 1

    accueil = client.get(reverse("donnees_ouvertes:accueil"))
    assert accueil.status_code == 200
    assert "novembre 2026" in accueil.content.decode()
    reponse = client.get(reverse("donnees_ouvertes:france", args=["2026-11"]))
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"].endswith('sne-demandes-actives-2026-11.csv"')
    contenu = b"".join(reponse.streaming_content).decode("utf-8")
    assert contenu.startswith("mois,departement,niveau,commune,nom,indicateur,modalite,valeur\n")

    tableaux = tableaux_du_fichier(contenu)
    totaux_des_communes = set()
    for indicateur, (rangs, publie) in tableaux.items():
        chiffres = [v for ligne in publie.cases for v in ligne]
        chiffres += [*publie.totaux_lignes, *publie.totaux_colonnes, publie.total]
        # Primary suppression: nothing published under the threshold, zeros included.
        assert all(v is None or v >= SEUIL for v in chiffres)
        assert None in chiffres  # the small communes' cells are masked…
        # …and none of them is recomputable from its row, its column and the totals.
        assert cases_revelees(publie) == set()
        # Every figure published is the true one.
        for i, (niveau, commune) in enumerate(rangs):
            if niveau == "commune":
                for j, v in enumerate(publie.cases[i]):
                    assert v is None or v == vrai[commune, indicateur][j]
        totaux_des_communes.add(publie.totaux_lignes)
    # The three indicators publish the same communes' totals: none ties a masked cell of one
    # to another (docs/open-data.md « Pourquoi garder les totaux des communes publiés »).
    assert len(totaux_des_communes) == 1
    rangs = tableaux[Indicateur.ACTIVES_COMMUNE_TAILLE][0]
    assert ("autres_communes", "") in rangs  # the communes under 11 demandes, gathered

    par_departement = client.get(reverse("donnees_ouvertes:departement", args=["2026-11", "93"]))
    assert b"".join(par_departement.streaming_content).decode() == contenu
    assert client.get(reverse("donnees_ouvertes:france", args=["2026-13"])).status_code == 404
    assert client.get(reverse("donnees_ouvertes:france", args=["2025-01"])).status_code == 404
    assert client.get(reverse("donnees_ouvertes:schema")).status_code == 200


def test_un_petit_departement_est_entierement_masque(registre):
    """The hand-counted register: 4 active demandes, no figure of 11 or more."""
    instantane = services.prendre_instantane()
    donnees_ouvertes.publier_mois(instantane.jour)

    for fichier in FichierOuvert.objects.all():
        lignes = list(csv.DictReader(io.StringIO(donnees_ouvertes.entete() + fichier.contenu)))
        assert lignes and all(ligne["valeur"] == "" for ligne in lignes)
        assert {ligne["niveau"] for ligne in lignes} == {"departement"}


def test_sans_fichier_la_page_le_dit(client):
    page = client.get(reverse("donnees_ouvertes:accueil")).content.decode()
    assert "Aucun fichier n'est encore publié" in page

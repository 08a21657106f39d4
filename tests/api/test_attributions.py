"""The attributions through the API (issue 15): a landlord's system records a dwelling, a CAL
session, three candidates and their decisions, then the lease that strikes the demande off for
attribution — each call through `sne.attributions.services` with the token's desk."""

import pytest

from sne.audit.models import EvenementAudit
from sne.comptes import jetons
from sne.organisations.models import Organisation
from tests.attributions.fixtures import AUJOURD_HUI, LOGEMENT, nouvelle_demande
from tests.factories import GuichetFactory, OrganisationFactory, agent

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(AUJOURD_HUI)]


def entete_de(guichet) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {jetons.creer_jeton(guichet, libelle='Logiciel')[1]}"}


@pytest.fixture
def entete(guichet):
    return entete_de(guichet)


# The dwelling as a connected system sends it: JSON numbers and booleans.
LOGEMENT_JSON = {**LOGEMENT, "etage": 3}


def poster(client, entete, adresse, corps):
    return client.post(adresse, corps, content_type="application/json", **entete)


def test_une_cal_de_bout_en_bout(client, entete, guichet, agent_bailleur, candidats):
    reponse = poster(client, entete, "/api/v1/logements", LOGEMENT_JSON)
    assert reponse.status_code == 201, reponse.content
    logement = reponse.json()
    assert logement["commune_nom"] == "Paris 13e Arrondissement"
    assert logement["loyer"] == "612.40" and logement["typologie"] == "T3"
    assert reponse["Location"] == f"/api/v1/logements/{logement['id']}"

    reponse = poster(
        client,
        entete,
        "/api/v1/cal/seances",
        {
            "date": "2027-03-10",
            "lieu": "Siège",
            "membres": [
                {"qualite": "bailleur", "organisation": "Habitat Parisien"},
                {"qualite": "maire", "organisation": "Ville de Paris"},
            ],
        },
    )
    assert reponse.status_code == 201, reponse.content
    seance = reponse.json()
    assert [m["qualite"] for m in seance["membres"]] == ["bailleur", "maire"]

    ids = []
    for demande in candidats:
        reponse = poster(
            client,
            entete,
            f"/api/v1/cal/seances/{seance['id']}/candidatures",
            {"logement": logement["id"], "numero_unique": demande.numero_unique.lower()},
        )
        assert reponse.status_code == 201, reponse.content
        ids.append(reponse.json()["id"])
    assert [
        c["rang"]
        for c in client.get(f"/api/v1/cal/seances/{seance['id']}", **entete).json()["candidatures"]
    ] == [1, 2, 3]

    decisions = [
        {"decision": "attribution"},
        {"decision": "non_attribution", "motif": "autre_candidat"},
        {"decision": "non_attribution", "motif": "taux_effort"},
    ]
    for pk, corps in zip(ids, decisions, strict=True):
        reponse = poster(client, entete, f"/api/v1/cal/candidatures/{pk}/decision", corps)
        assert reponse.status_code == 200, reponse.content
    assert reponse.json()["resume"].endswith("— motif : taux d'effort ou reste à vivre insuffisant")

    reponse = poster(
        client, entete, f"/api/v1/cal/candidatures/{ids[0]}/bail", {"le": "2027-03-14"}
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["demande"]["statut"] == "radiee"
    assert reponse.json()["demande"]["motif_radiation"] == "attribution"
    assert reponse.json()["candidature"]["bail_signe_le"] == "2027-03-14"

    parcours = client.get(
        f"/api/v1/demandes/{candidats[0].numero_unique}/attributions", **entete
    ).json()
    assert parcours["refus"] == 0
    assert [p["decision"] for p in parcours["passages"]] == ["attribution"]
    assert EvenementAudit.objects.filter(
        action="consultation", resume__contains="parcours en CAL"
    ).exists()
    copie = client.get(f"/api/v1/demandes/{candidats[0].numero_unique}", **entete).json()
    assert copie["attributions"] == parcours["passages"]
    evenements = client.get("/api/v1/evenements", **entete).json()
    types = [e["type"] for e in evenements["evenements"]]
    assert {"candidature_cal", "decision_cal", "radiation"} <= set(types)


def test_les_regles_repondent_422_en_francais(client, entete, candidats):
    logement = poster(client, entete, "/api/v1/logements", LOGEMENT_JSON).json()
    seance = poster(client, entete, "/api/v1/cal/seances", {"date": "2027-03-10"}).json()
    candidature = poster(
        client,
        entete,
        f"/api/v1/cal/seances/{seance['id']}/candidatures",
        {"logement": logement["id"], "numero_unique": candidats[0].numero_unique},
    ).json()

    reponse = poster(
        client,
        entete,
        f"/api/v1/cal/candidatures/{candidature['id']}/decision",
        {"decision": "non_attribution"},
    )
    assert reponse.status_code == 422
    assert reponse.json()["code"] == "motif_requis"
    assert "Une non-attribution est motivée" in reponse.json()["detail"]

    reponse = poster(
        client, entete, f"/api/v1/cal/candidatures/{candidature['id']}/bail", {"le": "2027-03-14"}
    )
    assert reponse.status_code == 422 and reponse.json()["code"] == "pas_d_attribution"
    assert poster(client, entete, "/api/v1/logements", LOGEMENT_JSON).json()["code"] == (
        "logement_existant"
    )


def test_un_autre_bailleur_ne_voit_rien_une_mairie_ne_saisit_rien(client, entete, candidats):
    seance = poster(client, entete, "/api/v1/cal/seances", {"date": "2027-03-10"}).json()
    logement = poster(client, entete, "/api/v1/logements", LOGEMENT_JSON).json()

    autre = GuichetFactory(
        code="75BB1", organisation=OrganisationFactory(nom="Autre"), departements=["75"]
    )
    entete_autre = entete_de(autre)
    assert client.get(f"/api/v1/cal/seances/{seance['id']}", **entete_autre).status_code == 404
    assert client.get(f"/api/v1/logements/{logement['id']}", **entete_autre).status_code == 404

    mairie = GuichetFactory(
        code="75MA2",
        organisation=OrganisationFactory(type=Organisation.Type.COMMUNE),
        departements=["75"],
    )
    reponse = poster(client, entete_de(mairie), "/api/v1/cal/seances", {"date": "2027-03-10"})
    assert reponse.status_code == 403 and reponse.json()["code"] == "guichet_non_bailleur"


def test_une_demande_hors_perimetre_est_introuvable(client, guichet, candidats):
    restreint = GuichetFactory(
        code="75BA3", organisation=guichet.organisation, departements=["75"], communes=["75113"]
    )
    entete = entete_de(restreint)
    seance = poster(client, entete, "/api/v1/cal/seances", {"date": "2027-03-10"}).json()
    logement = poster(client, entete, "/api/v1/logements", LOGEMENT_JSON).json()
    autre = GuichetFactory(code="75AU2", departements=["75"], communes=["75120"])
    demande = nouvelle_demande(autre, agent(autre), 9, date_depot="2026-04-02")

    reponse = poster(
        client,
        entete,
        f"/api/v1/cal/seances/{seance['id']}/candidatures",
        {"logement": logement["id"], "numero_unique": demande.numero_unique},
    )
    assert reponse.status_code == 404

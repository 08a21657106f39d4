"""`POST /api/v1/demandes`, `GET` and `PATCH /api/v1/demandes/{numero_unique}`,
`POST /api/v1/doublons/recherche` (API-CONTRACT « Demandes »): the services of the agent
pages, with the token desk's rights, history and audit log."""

import json

import pytest

from sne.audit.models import EvenementAudit
from sne.comptes import jetons
from sne.demandes import services
from sne.demandes.models import Demande, Personne
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def bailleur():
    return GuichetFactory(code="75TE1", departements=["75", "92"])


def entete_de(guichet):
    _, en_clair = jetons.creer_jeton(guichet, libelle="Logiciel X")
    return {"HTTP_AUTHORIZATION": f"Bearer {en_clair}"}


@pytest.fixture
def entete(bailleur):
    return entete_de(bailleur)


def poster(client, entete, corps, **extra):
    return client.post(
        "/api/v1/demandes", json.dumps(corps), content_type="application/json", **entete, **extra
    )


def patcher(client, entete, numero, corps):
    return client.patch(
        f"/api/v1/demandes/{numero}", json.dumps(corps), content_type="application/json", **entete
    )


def test_enregistrer_rend_201_le_numero_et_l_adresse_de_la_copie(client, entete, bailleur):
    reponse = poster(client, entete, donnees_minimales(reference_externe="OPH-1"))

    assert reponse.status_code == 201, reponse.content
    corps = reponse.json()
    demande = Demande.objects.get()
    assert corps["numero_unique"] == demande.numero_unique
    assert corps["statut"] == "active"
    assert corps["reference_externe"] == "OPH-1"
    assert corps["guichet_enregistreur"] == "75TE1"
    assert corps["date_expiration"] == demande.date_expiration.isoformat()
    assert corps["attestation_url"] == f"/api/v1/demandes/{demande.numero_unique}/attestation.pdf"
    assert reponse["Location"] == f"/api/v1/demandes/{demande.numero_unique}"
    # Registered by the desk's technical account, as the history and the journal say.
    creation = demande.historique.get()
    assert creation.guichet == bailleur and creation.utilisateur == bailleur.compte_systeme


def test_la_meme_reference_renvoyee_rend_200_et_la_meme_demande(client, entete):
    premiere = poster(client, entete, donnees_minimales(reference_externe="OPH-2"))
    seconde = poster(client, entete, donnees_minimales(reference_externe="OPH-2"))

    assert (premiere.status_code, seconde.status_code) == (201, 200)
    assert seconde.json() == premiere.json()
    assert Demande.objects.count() == 1


def test_la_meme_cle_d_idempotence_sans_reference_ne_cree_qu_une_demande(client, entete):
    cle = {"HTTP_IDEMPOTENCY_KEY": "envoi-42"}
    premiere = poster(client, entete, donnees_minimales(), **cle)
    seconde = poster(client, entete, donnees_minimales(), **cle)

    assert premiere.status_code == 201
    assert seconde.json()["numero_unique"] == premiere.json()["numero_unique"]
    assert Demande.objects.count() == 1


def test_suspicion_de_doublon_409_puis_forcee_avec_justification(client, entete):
    poster(client, entete, donnees_minimales(reference_externe="A"))

    refus = poster(client, entete, donnees_minimales(reference_externe="B"))
    assert refus.status_code == 409
    assert refus["Content-Type"] == "application/problem+json"
    probleme = refus.json()
    assert probleme["code"] == "suspicion_doublon"
    assert set(probleme["doublons"][0]) >= {"numero_unique", "departement", "date_depot", "score"}
    assert "Martin" not in json.dumps(probleme["doublons"])  # never the person's data

    forcee = poster(
        client,
        entete,
        donnees_minimales(reference_externe="B", forcer={"justification": "Homonyme vérifié."}),
    )
    assert forcee.status_code == 201
    assert Demande.objects.count() == 2


def test_departement_non_habilite_403(client, entete):
    reponse = poster(client, entete, donnees_minimales(departement="93"))

    assert reponse.status_code == 403
    assert reponse.json()["code"] == "departement_non_habilite"


def test_donnees_invalides_422_avec_le_chemin_des_champs(client, entete):
    corps = donnees_minimales()
    corps["demandeur"] = {**corps["demandeur"], "date_naissance": "1987-02-31"}
    corps["souhaits"] = {"communes": ["75120"], "typologies": ["T9"]}

    reponse = poster(client, entete, corps)

    assert reponse.status_code == 422
    champs = {e["champ"] for e in reponse.json()["erreurs"]}
    assert {"demandeur.date_naissance", "souhaits.typologies.0"} <= champs


def test_piece_d_identite_absente_et_commune_inconnue_422(client, entete):
    corps = donnees_minimales(souhaits={"communes": ["Pétaouchnok"]})
    del corps["demandeur"]["piece_identite"]

    reponse = poster(client, entete, corps)

    assert reponse.status_code == 422
    codes = {e["code"] for e in reponse.json()["erreurs"]}
    assert "piece_identite_manquante" in codes
    assert {"commune_inconnue", "commune_ambigue"} & codes


def test_sans_jeton_401(client):
    reponse = client.post("/api/v1/demandes", "{}", content_type="application/json")
    assert reponse.status_code == 401


def test_la_copie_numerique_donne_toute_la_demande_et_se_journalise(client, entete, bailleur):
    numero = poster(client, entete, donnees_minimales(reference_externe="C")).json()[
        "numero_unique"
    ]

    reponse = client.get(f"/api/v1/demandes/{numero}", **entete)

    assert reponse.status_code == 200
    copie = reponse.json()
    assert copie["demandeur"]["nom"] == "Martin"
    assert copie["demandeur"]["adresse"]["code_insee"] == "75120"
    assert copie["souhaits"]["communes"] == ["75120"]
    assert copie["nombre_personnes"] == 1
    assert [h["code_fichier"] for h in copie["historique"]] == ["CRE"]
    assert copie["pieces"] == []
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CONSULTATION,
        utilisateur=bailleur.compte_systeme,
        resume__contains=numero,
    ).exists()


def test_une_demande_hors_du_perimetre_est_introuvable(client, entete):
    autre = GuichetFactory(code="93TE9", departements=["93"])
    demande = services.enregistrer_demande(
        autre, agent(autre), donnees_minimales(departement="93", souhaits={"communes": ["93066"]})
    )

    lecture = client.get(f"/api/v1/demandes/{demande.numero_unique}", **entete)
    modification = patcher(client, entete, demande.numero_unique, {"motif_precision": "x"})

    assert (lecture.status_code, modification.status_code) == (404, 404)
    assert lecture.json()["code"] == "demande_introuvable"


def test_modifier_ne_change_que_ce_qui_est_envoye(client, entete):
    numero = poster(client, entete, donnees_minimales(reference_externe="D")).json()[
        "numero_unique"
    ]

    reponse = patcher(
        client,
        entete,
        numero,
        {
            "version": 1,
            "demandeur": {"telephone": "06 12 34 56 78", "adresse": {"commune": "75111"}},
            "ressources": {"revenu_fiscal_reference": 18000},
            "souhaits": {"communes": ["75111", "75120"], "typologies": ["T2"]},
        },
    )

    assert reponse.status_code == 200, reponse.content
    corps = reponse.json()
    assert corps["demande"]["version"] == 2
    champs = {c["champ"] for c in corps["changements"]}
    assert {
        "demandeur.telephone",
        "revenu_fiscal_reference",
        "souhaits.communes",
        "typologies",
    } <= champs
    demande = Demande.objects.get(numero_unique=numero)
    assert demande.demandeur.telephone == "+33612345678"
    assert demande.demandeur.commune_id == "75111"
    assert demande.demandeur.adresse_ligne1 == ""  # the address is replaced as a whole
    assert demande.demandeur.nom == "Martin"  # not sent: kept
    assert demande.historique.latest("pk").action == "modification"


def test_modifier_ajoute_et_retire_des_personnes(client, entete):
    numero = poster(client, entete, donnees_minimales(reference_externe="E")).json()[
        "numero_unique"
    ]
    reponse = patcher(
        client,
        entete,
        numero,
        {
            "ajouts": [
                {
                    "role": "personne_a_charge",
                    "personne": {"prenom": "Léa", "nom": "Martin", "date_naissance": "2020-10-03"},
                }
            ]
        },
    )
    assert reponse.status_code == 200, reponse.content
    enfant = Personne.objects.get(prenom="Léa")
    assert Demande.objects.get().nombre_personnes == 2

    renomme = patcher(
        client, entete, numero, {"personnes_a_charge": [{"id": enfant.pk, "prenom": "Léna"}]}
    )
    assert renomme.status_code == 200
    enfant.refresh_from_db()
    assert enfant.prenom == "Léna"

    retire = patcher(client, entete, numero, {"retraits": [enfant.pk]})
    assert retire.status_code == 200
    assert Demande.objects.get().nombre_personnes == 1


def test_modifier_refuse_un_champ_inconnu_et_une_version_perimee(client, entete):
    numero = poster(client, entete, donnees_minimales(reference_externe="F")).json()[
        "numero_unique"
    ]

    inconnu = patcher(client, entete, numero, {"demandeur": {"pointure": 42}})
    assert inconnu.status_code == 422
    assert inconnu.json()["erreurs"][0]["champ"] == "demandeur.pointure"

    patcher(client, entete, numero, {"motif_precision": "Changé ailleurs", "version": 1})
    perimee = patcher(client, entete, numero, {"motif_precision": "Autre", "version": 1})
    assert perimee.status_code == 409
    assert perimee.json()["code"] == "modification_concurrente"


def test_modifier_un_co_demandeur_absent_est_refuse(client, entete):
    numero = poster(client, entete, donnees_minimales(reference_externe="G")).json()[
        "numero_unique"
    ]
    reponse = patcher(client, entete, numero, {"co_demandeur": {"prenom": "Karim"}})
    assert reponse.status_code == 422
    assert reponse.json()["erreurs"][0]["code"] == "co_demandeur_absent"


def test_modifier_une_valeur_invalide_dit_laquelle(client, entete):
    numero = poster(client, entete, donnees_minimales(reference_externe="H")).json()[
        "numero_unique"
    ]
    reponse = patcher(client, entete, numero, {"demandeur": {"email": "pas-une-adresse"}})
    assert reponse.status_code == 422
    erreur = reponse.json()["erreurs"][0]
    assert erreur["champ"] == "demandeur.email"
    assert "Adresse e-mail invalide" in erreur["message"]


def test_recherche_de_doublons_nationale_sans_donnees_personnelles(client, entete):
    autre = GuichetFactory(code="93TE8", departements=["93"])
    demande = services.enregistrer_demande(
        autre, agent(autre), donnees_minimales(departement="93", souhaits={"communes": ["93066"]})
    )

    reponse = client.post(
        "/api/v1/doublons/recherche",
        json.dumps({"nom": "MARTIN", "prenom": "elodie", "date_naissance": "1987-04-12"}),
        content_type="application/json",
        **entete,
    )

    assert reponse.status_code == 200
    suspicions = reponse.json()["suspicions"]
    assert [s["numero_unique"] for s in suspicions] == [demande.numero_unique]
    assert set(suspicions[0]) == {
        "numero_unique",
        "departement",
        "date_depot",
        "guichet",
        "score",
        "raisons",
    }


def test_un_guichet_qui_ne_fait_que_consulter_ne_modifie_pas(client, entete):
    """The rule is the service's (`regles.exiger_saisie_sur`), whatever the entry point: a
    desk of 93 whose consultation scope reaches Paris reads the demande, never modifies it."""
    from sne.referentiels.models import Departement

    numero = poster(client, entete, donnees_minimales(reference_externe="I")).json()[
        "numero_unique"
    ]
    lecteur = GuichetFactory(code="93TE7", departements=["93"])
    lecteur.consultation_departements.add(Departement.objects.get(code="75"))
    entete_lecteur = entete_de(lecteur)

    assert client.get(f"/api/v1/demandes/{numero}", **entete_lecteur).status_code == 200
    reponse = patcher(client, entete_lecteur, numero, {"motif_precision": "Changé"})
    assert reponse.status_code == 403
    assert reponse.json()["code"] == "departement_non_habilite"
    assert Demande.objects.get(numero_unique=numero).version == 1

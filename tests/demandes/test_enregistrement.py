"""Registration (CCH R441-2-1 to R441-2-4; FAQ « Règles d'usage »)."""

import threading
from datetime import date

import pytest
from django.db import connection

from sne.demandes import services
from sne.demandes.models import Demande, HistoriqueDemande, Personne
from sne.demandes.numero import analyser, territoire
from sne.demandes.services import DonneesInvalides, SuspicionDoublon
from sne.exceptions import NonAutorise
from tests.demandes.conftest import donnees_minimales, personne_distincte
from tests.factories import GuichetFactory, agent

pytestmark = pytest.mark.django_db


def erreurs(exc) -> dict:
    return {e["champ"]: e["code"] for e in exc.value.details["erreurs"]}


@pytest.mark.aujourd_hui(date(2025, 3, 3))
def test_une_demande_minimale_est_enregistree_avec_son_numero_unique(guichet_75, agent_75, donnees):
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert demande.statut == Demande.Statut.ACTIVE
    assert len(demande.numero_unique) == 18
    assert demande.numero_unique.startswith("0750325")
    assert demande.numero_unique.endswith("75TS1")
    assert demande.date_depot == date(2025, 3, 3)
    assert demande.date_expiration == date(2026, 3, 3)
    assert demande.nombre_personnes == 1
    assert demande.historique.get().action == HistoriqueDemande.Action.CREATION


def test_les_numeros_se_suivent_dans_le_mois_et_le_territoire(guichet_75, agent_75):
    premiere = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    autre = donnees_minimales()
    autre["demandeur"] = {**autre["demandeur"], "prenom": "Karim"}
    seconde = services.enregistrer_demande(guichet_75, agent_75, autre)

    assert analyser(seconde.numero_unique).sequence == analyser(premiere.numero_unique).sequence + 1


def test_le_territoire_a_trois_caracteres():
    assert [territoire(d) for d in ("75", "2A", "971")] == ["075", "02A", "971"]


def test_une_demande_sans_piece_identite_n_est_pas_enregistree(guichet_75, agent_75, donnees):
    del donnees["demandeur"]["piece_identite"]

    with pytest.raises(DonneesInvalides) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert erreurs(exc)["demandeur.piece_identite"] == "piece_identite_manquante"
    assert "carte d'identité, passeport ou titre de séjour" in exc.value.message
    assert not Demande.objects.exists()


@pytest.mark.parametrize("type_piece", ["carte_identite", "passeport", "titre_sejour"])
def test_les_trois_pieces_acceptees_suffisent(guichet_75, agent_75, donnees, type_piece):
    donnees["demandeur"]["piece_identite"] = {"type": type_piece}

    assert services.enregistrer_demande(guichet_75, agent_75, donnees).pk


def test_une_piece_perimee_est_acceptee(guichet_75, agent_75, donnees):
    donnees["demandeur"]["piece_identite"] = {"type": "passeport", "date_expiration": "2019-05-01"}

    assert services.enregistrer_demande(guichet_75, agent_75, donnees).pk


def test_un_autre_document_n_est_pas_une_piece_d_identite(guichet_75, agent_75, donnees):
    donnees["demandeur"]["piece_identite"] = {"type": "permis_de_conduire"}

    with pytest.raises(Exception) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert "piece_identite" in str(exc.value)


def test_un_guichet_non_habilite_sur_le_departement_reoriente_le_demandeur(
    guichet_75, agent_75, donnees
):
    donnees["departement"] = "93"
    donnees["souhaits"] = {"communes": ["93066"]}

    with pytest.raises(NonAutorise) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert exc.value.code == "departement_non_habilite"
    assert (
        "Réorientez le demandeur vers un guichet enregistreur habilité sur le département 93"
        in (exc.value.message)
    )


def test_un_agent_en_consultation_seule_n_enregistre_pas(guichet_75, donnees):
    with pytest.raises(NonAutorise):
        services.enregistrer_demande(guichet_75, agent(guichet_75, "consultation"), donnees)


@pytest.mark.parametrize(
    ("champ", "retrait"),
    [
        ("demandeur.date_naissance", lambda d: d["demandeur"].pop("date_naissance")),
        ("demandeur.adresse", lambda d: d["demandeur"].pop("adresse")),
        ("deja_locataire_hlm", lambda d: d.pop("deja_locataire_hlm")),
        ("souhaits.communes", lambda d: d.pop("souhaits")),
    ],
)
def test_ce_que_la_loi_exige_est_exige(guichet_75, agent_75, donnees, champ, retrait):
    retrait(donnees)

    with pytest.raises(DonneesInvalides) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert champ in erreurs(exc)


def test_rien_d_autre_n_est_exige(guichet_75, agent_75, donnees):
    """No e-mail, phone, resources, motifs, typologies, nationality, situation… required."""
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert demande.revenu_fiscal_reference is None
    assert demande.motifs == []
    assert demande.demandeur.email == ""


def test_une_commune_inconnue_est_refusee_avec_un_message(guichet_75, agent_75, donnees):
    donnees["souhaits"] = {"communes": ["Ville-Qui-N-Existe-Pas"]}

    with pytest.raises(DonneesInvalides) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert erreurs(exc)["souhaits.communes[0]"] == "commune_inconnue"


def test_une_adresse_cedex_est_ramenee_au_code_postal_de_reference(guichet_75, agent_75, donnees):
    donnees["demandeur"]["employeur"] = "Ministère"
    donnees["demandeur"]["employeur_adresse"] = {
        "ligne1": "Tour Séquoia",
        "code_postal": "92055",
        "commune": "La Défense Cedex",
    }
    donnees["demandeur"]["adresse"] = {
        "ligne1": "1 avenue de France",
        "code_postal": "75913",
        "commune": "Paris Cedex 13",
    }

    with pytest.raises(DonneesInvalides) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)
    # La Défense spans three communes: the agent is asked which one, never a silent guess.
    assert erreurs(exc) == {"demandeur.employeur_adresse.commune": "commune_ambigue"}

    donnees["demandeur"]["employeur_adresse"]["commune"] = "Puteaux Cedex"
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)
    demandeur = demande.demandeur
    assert (demandeur.commune_id, demandeur.code_postal) == ("75113", "75013")
    assert (demandeur.employeur_commune_id, demandeur.employeur_code_postal) == ("92062", "92800")


def test_en_ile_de_france_les_communes_souhaitees_couvrent_la_region(guichet_75, agent_75, donnees):
    donnees["souhaits"] = {"communes": ["75120", "93048"]}

    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert list(demande.communes_souhaitees.values_list("commune_id", flat=True)) == [
        "75120",
        "93048",
    ]


def test_hors_ile_de_france_les_communes_souhaitees_sont_du_departement(agent_75, donnees):
    guichet = GuichetFactory(departements=["33"])
    donnees.update(departement="33", souhaits={"communes": ["33063", "31555"]})
    donnees["demandeur"]["adresse"] = {"ligne1": "1 cours de l'Intendance", "commune": "Bordeaux"}

    with pytest.raises(DonneesInvalides) as exc:
        services.enregistrer_demande(guichet, agent(guichet), donnees)

    assert erreurs(exc)["souhaits.communes[1]"] == "commune_hors_departement"


@pytest.mark.aujourd_hui(date(2025, 3, 3))
def test_la_date_de_depot_est_celle_de_la_reception_jamais_dans_le_futur(
    guichet_75, agent_75, donnees
):
    donnees["date_depot"] = "2025-03-04"
    with pytest.raises(DonneesInvalides) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)
    assert erreurs(exc)["date_depot"] == "date_future"

    donnees["date_depot"] = "2025-02-11"
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)
    assert demande.date_depot == date(2025, 2, 11)
    assert demande.date_expiration == date(2026, 2, 11)


def test_toute_adresse_e_mail_valide_est_acceptee_sans_limite_de_longueur(
    guichet_75, agent_75, donnees
):
    longue = "prenom.nom-de-famille-tres-long@sous-domaine.collectivite-territoriale.gouv.fr"
    donnees["demandeur"]["email"] = longue

    assert services.enregistrer_demande(guichet_75, agent_75, donnees).demandeur.email == longue


def test_une_adresse_e_mail_invalide_est_refusee(guichet_75, agent_75, donnees):
    donnees["demandeur"]["email"] = "elodie.martin@example,fr"

    with pytest.raises(Exception) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert "e-mail invalide" in str(exc.value)


def test_un_doublon_exact_bloque_sans_justification(guichet_75, agent_75, donnees):
    premiere = services.enregistrer_demande(guichet_75, agent_75, donnees)

    with pytest.raises(SuspicionDoublon) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())

    suspicion = exc.value.details["doublons"][0]
    assert suspicion["numero_unique"] == premiere.numero_unique
    assert set(suspicion) == {
        "numero_unique",
        "departement",
        "date_depot",
        "guichet",
        "score",
        "raisons",
    }


def test_un_doublon_est_detecte_quelle_que_soit_la_casse_et_les_accents(
    guichet_75, agent_75, donnees
):
    services.enregistrer_demande(guichet_75, agent_75, donnees)
    autre = donnees_minimales()
    autre["demandeur"] = {**autre["demandeur"], "nom": "MARTIN", "prenom": "elodie"}

    with pytest.raises(SuspicionDoublon):
        services.enregistrer_demande(guichet_75, agent_75, autre)


def test_un_doublon_hors_perimetre_est_signale_sans_donnees_personnelles(donnees):
    """FAQ: a commune sees only its territory, yet the suspicion must reach it."""
    bailleur = GuichetFactory(departements=["93"])
    mairie = GuichetFactory(departements=["93"], communes=["93066"])
    donnees.update(departement="93", souhaits={"communes": ["93048"]})
    existante = services.enregistrer_demande(bailleur, agent(bailleur), donnees)
    assert (
        not Demande.objects.visibles_par(agent(mairie, "consultation"))
        .filter(pk=existante.pk)
        .exists()
    )

    with pytest.raises(SuspicionDoublon) as exc:
        services.enregistrer_demande(
            mairie,
            agent(mairie),
            donnees_minimales(departement="93", souhaits={"communes": ["93066"]}),
        )

    assert exc.value.details["doublons"][0]["numero_unique"] == existante.numero_unique
    assert "Martin" not in str(exc.value.details)


def test_forcer_malgre_un_doublon_exige_et_garde_une_justification(guichet_75, agent_75, donnees):
    services.enregistrer_demande(guichet_75, agent_75, donnees)

    demande = services.enregistrer_demande(
        guichet_75,
        agent_75,
        donnees_minimales(),
        justification_forcage="Homonyme vérifié : autre mère.",
    )

    assert "Homonyme vérifié : autre mère." in demande.historique.get().commentaire


def test_la_meme_reference_externe_ne_cree_jamais_deux_demandes(guichet_75, agent_75, donnees):
    donnees["reference_externe"] = "OPH-2026-000123"

    premiere = services.enregistrer_demande(guichet_75, agent_75, donnees)
    seconde = services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert premiere.pk == seconde.pk
    assert Demande.objects.count() == 1


def test_le_menage_est_enregistre_et_compte(guichet_75, agent_75, donnees):
    donnees["co_demandeur"] = {
        "nom": "Martin",
        "prenom": "Karim",
        "date_naissance": "1985-09-30",
        "lien": "conjoint",
    }
    donnees["personnes_a_charge"] = [
        {"nom": "Martin", "prenom": "Inès", "date_naissance": "2016-02-03", "lien": "enfant"}
    ]

    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert demande.nombre_personnes == 3
    assert demande.co_demandeur.prenom == "Karim"
    assert [p.prenom for p in demande.personnes_a_charge] == ["Inès"]


def test_la_base_refuse_deux_demandeurs_sur_une_demande(guichet_75, agent_75, donnees):
    from django.db import IntegrityError

    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)
    with pytest.raises(IntegrityError):
        Personne.objects.create(demande=demande, role="demandeur", nom="X", prenom="Y")


def test_la_base_refuse_un_numero_mal_forme(guichet_75, agent_75, donnees):
    from django.db import IntegrityError

    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)
    with pytest.raises(IntegrityError):
        Demande.objects.filter(pk=demande.pk).update(numero_unique="075132600000175TS1")


@pytest.mark.django_db(transaction=True)
def test_des_enregistrements_simultanes_ont_tous_un_numero_different(referentiels_charges):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("SQLite en mémoire : un seul connecteur partagé, pas de vraie concurrence.")
    guichet = GuichetFactory(code="75TC1", departements=["75"])
    agents = [agent(guichet) for _ in range(6)]
    numeros, erreurs_vues = [], []

    def enregistrer(i):
        try:
            d = donnees_minimales()
            d["demandeur"] = {**d["demandeur"], **personne_distincte(i)}
            numeros.append(services.enregistrer_demande(guichet, agents[i % 6], d).numero_unique)
        except Exception as e:  # pragma: no cover - reported below
            erreurs_vues.append(repr(e))
        finally:
            connection.close()

    fils = [threading.Thread(target=enregistrer, args=(i,)) for i in range(12)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()

    assert erreurs_vues == []
    assert len(numeros) == 12
    assert len(set(numeros)) == 12


def test_une_association_hors_table_est_enregistree_avec_son_nom_sa_date_et_son_adresse(
    guichet_75, agent_75, donnees
):
    """FAQ: when the département's table is empty, the desk types the association in."""
    donnees["beneficiaire"] = "association"
    donnees["association"] = {
        "nom": "Solidarité Logement Paris",
        "date_creation": "1998-05-04",
        "adresse": {"ligne1": "5 rue Myrha", "commune": "Paris 18e"},
    }

    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert demande.association_nom == "Solidarité Logement Paris"
    assert (demande.association_adresse, demande.association_commune_id) == ("5 rue Myrha", "75118")


def test_une_association_sans_date_de_creation_n_est_pas_enregistree(guichet_75, agent_75, donnees):
    donnees["beneficiaire"] = "association"
    donnees["association"] = {
        "nom": "Asso",
        "adresse": {"ligne1": "1 rue X", "commune": "Paris 18e"},
    }

    with pytest.raises(DonneesInvalides) as exc:
        services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert "association.date_creation" in erreurs(exc)

"""The lifecycle of a demande through the API (API-CONTRACT « Demandes », issue 10): renew,
strike off, reactivate, split for a separation, read the attestation — each through the
service the pages call, with the token's desk, within its scope and rights."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sne.attestations.models import Attestation
from sne.audit.models import EvenementAudit
from sne.comptes import jetons
from sne.demandes import services
from sne.demandes.models import Demande, HistoriqueDemande
from sne.referentiels.models import Departement
from tests.demandes.conftest import donnees_minimales
from tests.demandes.test_separation import couple_avec_deux_enfants, enfant
from tests.factories import GuichetFactory, agent
from tests.outils import a_midi

DEPOT = date(2026, 1, 5)
pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(DEPOT)]

ACTIONS = {
    "renouvellement": None,
    "radiation": {"motif": "renonciation"},
    "reactivation": None,
    "duplication-separation": {
        "piece_identite_type": "passeport",
        "adresse_ligne1": "8 avenue Jean Jaurès",
        "commune": "93066",
    },
}


@pytest.fixture(autouse=True)
def medias(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def guichet():
    return GuichetFactory(code="75AC1", departements=["75"], nom="Agence Paris-Nord")


@pytest.fixture
def saisie(guichet):
    return agent(guichet)


def entete_de(guichet) -> dict:
    _, en_clair = jetons.creer_jeton(guichet, libelle="Logiciel du bailleur")
    return {"HTTP_AUTHORIZATION": f"Bearer {en_clair}"}


@pytest.fixture
def entete(guichet):
    return entete_de(guichet)


@pytest.fixture
def demande(guichet, saisie, django_capture_on_commit_callbacks):
    """Registered on DEPOT by the token's desk, its attestation d'enregistrement produced."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.enregistrer_demande(guichet, saisie, donnees_minimales())


def poster(client, entete, numero, action, corps=None, **extra):
    url = f"/api/v1/demandes/{numero}/{action}"
    if corps is None:  # no body at all, as `curl -X POST`
        return client.generic("POST", url, **entete, **extra)
    return client.post(url, corps, content_type="application/json", **entete, **extra)


def probleme(reponse, statut: int) -> dict:
    assert reponse.status_code == statut, reponse.content
    assert reponse["Content-Type"].startswith("application/problem+json")
    return reponse.json()


def types_du_flux(client, entete) -> list[tuple[str, str, str]]:
    page = client.get("/api/v1/evenements?limite=1000", **entete).json()
    return [(e["type"], e["code_fichier"], e["numero_unique"]) for e in page["evenements"]]


# --- Renewal ---------------------------------------------------------------------------------


def test_le_renouvellement_repousse_l_expiration_et_l_attestation_suit(
    client, demande, entete, horloge, django_capture_on_commit_callbacks
):
    horloge.move_to(a_midi(date(2026, 11, 30)))

    with django_capture_on_commit_callbacks(execute=True):
        reponse = poster(client, entete, demande.numero_unique, "renouvellement")

    assert reponse.status_code == 200
    etat = reponse.json()
    assert etat["numero_unique"] == demande.numero_unique
    assert etat["statut"] == "active"
    assert etat["date_depot"] == "2026-01-05"  # seniority kept
    assert etat["date_dernier_renouvellement"] == "2026-11-30"
    assert etat["date_expiration"] == "2027-11-30"
    assert etat["version"] == demande.version + 1
    assert etat["attestation_url"] == f"/api/v1/demandes/{demande.numero_unique}/attestation.pdf"
    renouvelee = Demande.objects.get(pk=demande.pk)
    assert renouvelee.historique.filter(action=HistoriqueDemande.Action.RENOUVELLEMENT).exists()
    assert renouvelee.attestations.filter(type=Attestation.Type.RENOUVELLEMENT).exists()
    pdf = client.get(etat["attestation_url"], **entete)
    assert "-renouvellement-20261130.pdf" in pdf["Content-Disposition"]


def test_un_numero_tape_avec_espaces_et_minuscules_est_retrouve(client, demande, entete):
    numero = demande.numero_unique.lower()
    tape = f"{numero[:6]} {numero[6:]}"

    reponse = poster(client, entete, tape, "renouvellement")

    assert reponse.status_code == 200
    assert reponse.json()["numero_unique"] == demande.numero_unique


def test_une_demande_radiee_ne_se_renouvelle_pas(client, demande, entete):
    poster(client, entete, demande.numero_unique, "radiation", {"motif": "renonciation"})

    reponse = poster(client, entete, demande.numero_unique, "renouvellement")

    assert probleme(reponse, 422)["code"] == "demande_radiee"


# --- Radiation -------------------------------------------------------------------------------


def test_la_radiation_pour_attribution_est_immediate(client, demande, entete):
    reponse = poster(
        client,
        entete,
        demande.numero_unique,
        "radiation",
        {"motif": "attribution", "commentaire": "Bail signé le 04/01/2026."},
    )

    assert reponse.status_code == 200
    etat = reponse.json()
    assert (etat["statut"], etat["motif_radiation"], etat["sous_motif_radiation"]) == (
        "radiee",
        "attribution",
        "",
    )
    assert etat["date_radiation"] == "2026-01-05"
    radiee = Demande.objects.get(pk=demande.pk)
    assert radiee.commentaire_radiation == "Bail signé le 04/01/2026."
    entree = radiee.historique.get(action=HistoriqueDemande.Action.RADIATION)
    assert entree.guichet.code == "75AC1"
    assert entree.utilisateur.guichet_systeme.code == "75AC1"  # the desk's technical account


def test_l_irrecevabilite_se_radie_un_mois_apres_le_courrier_avec_son_sous_motif(
    client, demande, entete, horloge
):
    horloge.move_to(a_midi(date(2026, 4, 1)))

    reponse = poster(
        client,
        entete,
        demande.numero_unique,
        "radiation",
        {
            "motif": "irrecevabilite",
            "sous_motif": "ressources_superieures",
            "date_avertissement": "2026-02-20",
        },
    )

    assert reponse.status_code == 200
    assert reponse.json()["sous_motif_radiation"] == "ressources_superieures"


@pytest.mark.parametrize(
    ("corps", "code"),
    [
        ({"motif": "irrecevabilite"}, "sous_motif_requis"),
        ({"motif": "irrecevabilite", "sous_motif": "inconnu"}, "sous_motif_requis"),
        ({"motif": "attribution", "sous_motif": "irregularite_sejour"}, "sous_motif_interdit"),
        (
            {"motif": "irrecevabilite", "sous_motif": "irregularite_sejour"},
            "avertissement_requis",
        ),
        ({"motif": "impossibilite_contact"}, "avertissement_requis"),
        (
            {"motif": "impossibilite_contact", "date_avertissement": "2025-12-01"},
            "date_avertissement_improbable",
        ),
        (
            {"motif": "impossibilite_contact", "date_avertissement": "2026-03-20"},
            "delai_avertissement",
        ),
        ({"motif": "non_renouvellement"}, "delai_non_renouvellement"),
    ],
)
def test_une_radiation_que_la_loi_ne_permet_pas_encore_est_refusee_avec_son_code(
    client, demande, entete, horloge, corps, code
):
    horloge.move_to(a_midi(date(2026, 4, 1)))

    reponse = poster(client, entete, demande.numero_unique, "radiation", corps)

    document = probleme(reponse, 422)
    assert document["code"] == code
    assert document["detail"]
    assert Demande.objects.get(pk=demande.pk).est_active


@pytest.mark.parametrize(
    ("corps", "champ"),
    [
        ({"motif": "demenagement"}, "motif"),
        ({}, "motif"),
        ({"motif": "renonciation", "date_avertissement": "hier"}, "date_avertissement"),
        ({"motif": "renonciation", "commentaire": "x" * 2001}, "commentaire"),
    ],
)
def test_un_corps_de_radiation_invalide_dit_quel_champ(client, demande, entete, corps, champ):
    reponse = poster(client, entete, demande.numero_unique, "radiation", corps)

    document = probleme(reponse, 422)
    assert document["code"] == "donnees_invalides"
    assert [e["champ"] for e in document["erreurs"]] == [champ]


def test_une_radiation_sans_corps_est_refusee(client, demande, entete):
    url = f"/api/v1/demandes/{demande.numero_unique}/radiation"

    reponse = client.post(url, "", content_type="application/json", **entete)

    assert probleme(reponse, 422)["code"] == "donnees_invalides"


@pytest.mark.parametrize(
    ("type_contenu", "statut", "code"),
    [
        # Not declared JSON: 415, the detail says which header to send (sne/api/corps.py).
        ("multipart/form-data", 415, "type_de_contenu_non_accepte"),
        ("application/x-www-form-urlencoded", 415, "type_de_contenu_non_accepte"),
        # Declared JSON but not JSON: 400, the detail says where reading stopped.
        ("application/json", 400, "json_invalide"),
    ],
)
def test_un_corps_qui_n_est_pas_du_json_est_refuse_sans_erreur_500(
    client, demande, entete, type_contenu, statut, code
):
    url = f"/api/v1/demandes/{demande.numero_unique}/radiation"
    if type_contenu == "multipart/form-data":
        reponse = client.post(url, {"motif": "renonciation"}, **entete)
    else:
        reponse = client.post(url, "motif=renonciation", content_type=type_contenu, **entete)

    document = probleme(reponse, statut)
    assert document["code"] == code
    assert ("Content-Type: application/json" in document["detail"]) is (statut == 415)
    assert Demande.objects.get(pk=demande.pk).est_active


def test_une_demande_deja_radiee_ne_se_radie_pas_deux_fois(client, demande, entete):
    poster(client, entete, demande.numero_unique, "radiation", {"motif": "attribution"})

    reponse = poster(client, entete, demande.numero_unique, "radiation", {"motif": "renonciation"})

    assert probleme(reponse, 422)["code"] == "demande_radiee"
    assert Demande.objects.get(pk=demande.pk).motif_radiation == "attribution"


# --- Reactivation ----------------------------------------------------------------------------


def test_la_reactivation_garde_le_numero_et_l_anciennete(client, demande, entete, horloge):
    poster(client, entete, demande.numero_unique, "radiation", {"motif": "renonciation"})
    horloge.move_to(a_midi(date(2026, 3, 2)))

    reponse = poster(
        client,
        entete,
        demande.numero_unique,
        "reactivation",
        {"commentaire": "Le demandeur n'a pas renoncé."},
    )

    assert reponse.status_code == 200
    etat = reponse.json()
    assert (etat["numero_unique"], etat["statut"], etat["date_depot"]) == (
        demande.numero_unique,
        "active",
        "2026-01-05",
    )
    assert (etat["motif_radiation"], etat["date_radiation"]) == ("", None)
    entree = demande.historique.get(action=HistoriqueDemande.Action.REACTIVATION)
    assert entree.commentaire == "Le demandeur n'a pas renoncé."


def test_la_reactivation_se_passe_de_corps(client, demande, entete):
    poster(client, entete, demande.numero_unique, "radiation", {"motif": "renonciation"})

    reponse = poster(client, entete, demande.numero_unique, "reactivation")

    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "active"


def test_une_demande_active_ne_se_reactive_pas(client, demande, entete):
    reponse = poster(client, entete, demande.numero_unique, "reactivation", {})

    assert probleme(reponse, 422)["code"] == "deja_active"


def test_hors_de_la_fenetre_la_reactivation_est_refusee(client, demande, entete, horloge):
    poster(client, entete, demande.numero_unique, "radiation", {"motif": "renonciation"})
    horloge.move_to(a_midi(DEPOT + timedelta(days=366)))

    reponse = poster(client, entete, demande.numero_unique, "reactivation")

    document = probleme(reponse, 422)
    assert document["code"] == "fenetre_reactivation_depassee"
    assert "05/01/2027" in document["detail"]  # the last day it was possible
    assert not Demande.objects.get(pk=demande.pk).est_active


# --- Duplication for a separation ------------------------------------------------------------


@pytest.fixture
def couple(guichet, saisie, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return couple_avec_deux_enfants(guichet, saisie)


def corps_separation(**changements) -> dict:
    return {
        "piece_identite_type": "passeport",
        "piece_identite_numero": "19AB12345",
        "piece_identite_expiration": "2029-01-31",
        "adresse_ligne1": "8 avenue Jean Jaurès",
        "commune": "St-Denis",
        "code_postal": "93200",
        "email": "paul.durand@example.fr",
        "telephone": "06 12 34 56 78",
        "situation_demandeur": "divorce",
        "situation_co_demandeur": "divorce",
        **changements,
    }


def test_la_separation_cree_la_demande_du_co_demandeur_avec_la_meme_anciennete(
    client, couple, entete, horloge, django_capture_on_commit_callbacks
):
    horloge.move_to(a_midi(date(2026, 6, 15)))
    lea = enfant(couple, "Léa")

    with django_capture_on_commit_callbacks(execute=True):
        reponse = poster(
            client,
            entete,
            couple.numero_unique,
            "duplication-separation",
            corps_separation(partent_avec_le_co_demandeur=[lea.pk], version=couple.version),
        )

    assert reponse.status_code == 201, reponse.content
    etat = reponse.json()
    assert etat["numero_unique"] != couple.numero_unique
    assert etat["numero_unique_origine"] == couple.numero_unique
    assert reponse["Location"] == f"/api/v1/demandes/{etat['numero_unique']}"
    assert (etat["statut"], etat["date_depot"], etat["version"]) == ("active", "2026-01-05", 1)
    assert etat["guichet_enregistreur"] == "75AC1"
    nouvelle = Demande.objects.get(numero_unique=etat["numero_unique"])
    assert nouvelle.date_depot == couple.date_depot
    paul = nouvelle.demandeur
    assert (paul.prenom, paul.commune_id, paul.code_postal, paul.telephone) == (
        "Paul",
        "93066",
        "93200",
        "+33612345678",  # the one check of telephones, E.164 as everywhere
    )
    assert [p.prenom for p in nouvelle.personnes_a_charge] == ["Léa"]
    origine = Demande.objects.get(pk=couple.pk)
    assert origine.co_demandeur is None
    assert [p.prenom for p in origine.personnes_a_charge] == ["Tom"]
    # The new demande's attestation d'enregistrement is there for the connected system.
    pdf = client.get(etat["attestation_url"], **entete)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_un_celibataire_n_a_pas_de_duplication_pour_separation(client, demande, entete):
    reponse = poster(
        client, entete, demande.numero_unique, "duplication-separation", corps_separation()
    )

    assert probleme(reponse, 422)["code"] == "duplication_impossible"
    assert Demande.objects.count() == 1


def test_une_separation_deja_faite_ne_se_refait_pas(client, couple, entete):
    premiere = poster(
        client, entete, couple.numero_unique, "duplication-separation", corps_separation()
    )
    assert premiere.status_code == 201

    seconde = poster(
        client, entete, couple.numero_unique, "duplication-separation", corps_separation()
    )

    assert probleme(seconde, 422)["code"] == "duplication_impossible"
    assert Demande.objects.count() == 2


def test_les_donnees_de_la_separation_refusees_le_sont_toutes_a_la_fois(client, couple, entete):
    reponse = poster(
        client,
        entete,
        couple.numero_unique,
        "duplication-separation",
        corps_separation(
            piece_identite_type="permis_de_conduire",
            adresse_ligne1="  ",
            partent_avec_le_co_demandeur=[999999],
            situation_demandeur="marie",
        ),
    )

    document = probleme(reponse, 422)
    assert document["code"] == "donnees_invalides"
    assert {(e["champ"], e["code"]) for e in document["erreurs"]} == {
        ("piece_identite_type", "piece_identite_manquante"),
        ("adresse_ligne1", "obligatoire"),
        ("partent_avec_le_co_demandeur", "personne_inconnue"),
        ("situation_demandeur", "situation_apres_separation"),
    }
    assert Demande.objects.get(pk=couple.pk).co_demandeur is not None


@pytest.mark.parametrize(
    ("changements", "champ"),
    [
        ({"piece_identite_type": None}, "piece_identite_type"),
        ({"commune": None}, "commune"),
        ({"telephone": "12"}, "telephone"),
        ({"partent_avec_le_co_demandeur": [-1]}, "partent_avec_le_co_demandeur"),
        ({"partent_avec_le_co_demandeur": "Léa"}, "partent_avec_le_co_demandeur"),
        ({"version": 0}, "version"),
        ({"piece_identite_expiration": "31/01/2029"}, "piece_identite_expiration"),
    ],
)
def test_un_corps_de_separation_mal_forme_dit_quel_champ(
    client, couple, entete, changements, champ
):
    corps = corps_separation(**changements)
    corps = {cle: valeur for cle, valeur in corps.items() if valeur is not None}

    reponse = poster(client, entete, couple.numero_unique, "duplication-separation", corps)

    document = probleme(reponse, 422)
    assert document["code"] == "donnees_invalides"
    assert document["erreurs"][0]["champ"].startswith(champ)


def test_une_separation_sur_une_version_depassee_ne_fait_rien(
    client, couple, entete, guichet, saisie
):
    version_lue = couple.version
    services.renouveler(couple, saisie, guichet)

    reponse = poster(
        client,
        entete,
        couple.numero_unique,
        "duplication-separation",
        corps_separation(version=version_lue),
    )

    document = probleme(reponse, 409)
    assert document["code"] == "modification_concurrente"
    assert document["version_lue"] == version_lue
    assert Demande.objects.count() == 1


# --- Attestation -----------------------------------------------------------------------------


def test_l_attestation_est_un_pdf_et_sa_lecture_est_journalisee(client, demande, entete, guichet):
    reponse = client.get(f"/api/v1/demandes/{demande.numero_unique}/attestation.pdf", **entete)

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    assert "no-store" in reponse["Cache-Control"]  # personal data: kept by no cache
    texte = PdfReader(io.BytesIO(reponse.content)).pages[0].extract_text()
    assert demande.numero_unique in texte
    lecture = EvenementAudit.objects.get(
        action=EvenementAudit.Action.CONSULTATION, objet_id=str(demande.pk)
    )
    assert lecture.guichet == guichet
    assert lecture.utilisateur == guichet.compte_systeme
    assert "Téléchargement de l'attestation d'enregistrement" in lecture.resume


def test_l_adresse_de_l_attestation_a_un_nom(demande):
    assert reverse("api-v1:attestation_pdf", args=[demande.numero_unique]) == (
        f"/api/v1/demandes/{demande.numero_unique}/attestation.pdf"
    )


def test_tant_que_l_attestation_n_est_pas_produite_elle_est_introuvable(
    client, guichet, saisie, entete, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        demande = services.enregistrer_demande(guichet, saisie, donnees_minimales())

    reponse = client.get(f"/api/v1/demandes/{demande.numero_unique}/attestation.pdf", **entete)

    document = probleme(reponse, 404)
    assert document["code"] == "attestation_introuvable"
    assert not EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CONSULTATION, objet_id=str(demande.pk)
    ).exists()


def test_juste_apres_un_renouvellement_l_ancienne_attestation_n_est_pas_servie(
    client, demande, entete, horloge, django_capture_on_commit_callbacks
):
    horloge.move_to(a_midi(date(2026, 11, 30)))
    with django_capture_on_commit_callbacks(execute=False):
        poster(client, entete, demande.numero_unique, "renouvellement")

    reponse = client.get(f"/api/v1/demandes/{demande.numero_unique}/attestation.pdf", **entete)

    assert probleme(reponse, 404)["code"] == "attestation_introuvable"


# --- Who may call them -----------------------------------------------------------------------

APPELS = [
    ("post", action, corps) for action, corps in ACTIONS.items() if action != "reactivation"
] + [("post", "reactivation", None), ("get", "attestation.pdf", None)]


def appeler(client, entete, numero, methode, action, corps):
    if methode == "get":
        return client.get(f"/api/v1/demandes/{numero}/{action}", **entete)
    return poster(client, entete, numero, action, corps)


@pytest.mark.parametrize(("methode", "action", "corps"), APPELS)
def test_sans_jeton_chaque_appel_repond_401(client, demande, methode, action, corps):
    reponse = appeler(client, {}, demande.numero_unique, methode, action, corps)

    assert probleme(reponse, 401)["code"] == "jeton_invalide"
    assert Demande.objects.get(pk=demande.pk).version == demande.version


@pytest.mark.parametrize(("methode", "action", "corps"), APPELS)
def test_une_demande_hors_du_perimetre_du_guichet_est_introuvable(
    client, demande, methode, action, corps
):
    seine_saint_denis = entete_de(GuichetFactory(code="93AC1", departements=["93"]))

    reponse = appeler(client, seine_saint_denis, demande.numero_unique, methode, action, corps)

    document = probleme(reponse, 404)
    assert document["code"] == "demande_introuvable"
    assert document["suggestions"] == []  # not even as a close numéro
    assert Demande.objects.get(pk=demande.pk).version == demande.version


@pytest.mark.parametrize(("methode", "action", "corps"), APPELS)
def test_un_numero_mal_forme_est_refuse_avec_422(client, entete, methode, action, corps):
    reponse = appeler(client, entete, "0751126", methode, action, corps)

    document = probleme(reponse, 422)
    assert document["code"] != "donnees_invalides"  # the numéro's own code (`numero.analyser`)
    assert "suggestions" in document


@pytest.mark.parametrize(("action", "corps"), list(ACTIONS.items()))
def test_un_guichet_qui_ne_fait_que_consulter_la_demande_ne_peut_pas_agir(
    client, couple, guichet, saisie, action, corps
):
    """A desk of 93 whose consultation scope reaches Paris reads the demande, as on the pages,
    but may not act on it: it is not habilitated on 75 (the pages' `pour_agir`)."""
    lecteur = GuichetFactory(code="93AC2", departements=["93"])
    lecteur.consultation_departements.add(Departement.objects.get(code="75"))
    entete = entete_de(lecteur)
    if action == "reactivation":
        services.radier(couple, "renonciation", par=saisie, guichet=guichet)
    version = Demande.objects.get(pk=couple.pk).version

    reponse = poster(client, entete, couple.numero_unique, action, corps)

    assert probleme(reponse, 403)["code"] == "departement_non_habilite"
    assert Demande.objects.get(pk=couple.pk).version == version
    lecture = client.get(f"/api/v1/demandes/{couple.numero_unique}/attestation.pdf", **entete)
    assert lecture.status_code == 200


@pytest.mark.parametrize(("action", "corps"), list(ACTIONS.items()))
def test_un_guichet_dont_le_parametrage_n_est_pas_finalise_n_agit_pas(
    client, couple, guichet, saisie, action, corps
):
    nouveau = GuichetFactory(code="75AC3", departements=["75"], a_parametrer=True)
    entete = entete_de(nouveau)
    if action == "reactivation":
        services.radier(couple, "renonciation", par=saisie, guichet=guichet)

    reponse = poster(client, entete, couple.numero_unique, action, corps)

    assert probleme(reponse, 403)["code"] == "guichet_non_parametre"


# --- The change feed -------------------------------------------------------------------------


def test_le_flux_des_evenements_montre_chaque_action(client, couple, entete, horloge):
    horloge.move_to(a_midi(date(2026, 11, 30)))
    numero = couple.numero_unique

    poster(client, entete, numero, "renouvellement")
    separee = poster(client, entete, numero, "duplication-separation", corps_separation()).json()
    poster(client, entete, numero, "radiation", {"motif": "renonciation"})
    poster(client, entete, numero, "reactivation")

    nouvelle = separee["numero_unique"]
    assert types_du_flux(client, entete) == [
        ("creation", "CRE", numero),
        ("renouvellement", "REN", numero),
        ("creation_suite_separation", "CRS", nouvelle),
        ("duplication_separation", "MOD", numero),
        ("radiation", "RAD", numero),
        ("reactivation", "MOD", numero),
    ]


# --- The documentation -----------------------------------------------------------------------


def test_la_documentation_decrit_le_pdf_et_les_erreurs_de_chaque_appel(client):
    description = client.get("/api/v1/openapi.json").json()
    chemins = description["paths"]
    base = "/api/v1/demandes/{numero_unique}"

    attestation = chemins[f"{base}/attestation.pdf"]["get"]
    assert set(attestation["responses"]["200"]["content"]) == {"application/pdf"}
    assert "attestation_introuvable" in attestation["responses"]["404"]["description"]
    for action in ACTIONS:
        operation = chemins[f"{base}/{action}"]["post"]
        assert operation["tags"] == ["Cycle de vie"]
        assert {"401", "403", "404", "422"} <= set(operation["responses"])
    separation = chemins[f"{base}/duplication-separation"]["post"]
    assert "201" in separation["responses"] and "409" in separation["responses"]
    motif = description["components"]["schemas"]["MotifRadiation"]
    assert motif["enum"] == [
        "attribution",
        "renonciation",
        "irrecevabilite",
        "non_renouvellement",
        "impossibilite_contact",
    ]


# --- Hostile bodies ---------------------------------------------------------------------------

CORPS_HOSTILES = [
    "[]",
    "null",
    '"radiation"',
    "{",
    '{"motif": null}',
    '{"motif": ["attribution"]}',
    '{"motif": "renonciation", "commentaire": 12}',
    '{"motif": "impossibilite_contact", "date_avertissement": "2026-02-31"}',
    '{"motif": "impossibilite_contact", "date_avertissement": "0000-01-01"}',
    '{"motif": "impossibilite_contact", "date_avertissement": 1767225600}',
    '{"piece_identite_type": "passeport", "adresse_ligne1": "x", "commune": "93066",'
    ' "version": 99999999999999999999}',
    '{"piece_identite_type": "passeport", "adresse_ligne1": "x", "commune": "93066",'
    ' "partent_avec_le_co_demandeur": [99999999999999999999]}',
    '{"piece_identite_type": "passeport", "adresse_ligne1": "x", "commune": "93066",'
    ' "partent_avec_le_co_demandeur": {"id": 1}}',
    '{"piece_identite_type": "passeport", "adresse_ligne1": "x", "commune": "93066",'
    ' "piece_identite_expiration": "2029-13-01"}',
    '{"piece_identite_type": "passeport", "adresse_ligne1": "' + "x" * 5000 + '",'
    ' "commune": "93066"}',
    '{"piece_identite_type": "passeport", "adresse_ligne1": "x", "commune": "\\u0000"}',
    '{"piece_identite_type": "passeport", "adresse_ligne1": "x", "commune": "93066",'
    ' "email": "pas une adresse", "telephone": "+"}',
]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("corps", CORPS_HOSTILES)
def test_aucun_corps_hostile_ne_provoque_d_erreur_500(
    client, guichet, saisie, entete, action, corps
):
    couple = couple_avec_deux_enfants(guichet, saisie)  # no attestation: not needed here
    if action == "reactivation":
        client.post(
            f"/api/v1/demandes/{couple.numero_unique}/radiation",
            {"motif": "renonciation"},
            content_type="application/json",
            **entete,
        )
    version = Demande.objects.get(pk=couple.pk).version

    reponse = client.post(
        f"/api/v1/demandes/{couple.numero_unique}/{action}",
        corps,
        content_type="application/json",
        **entete,
    )

    assert reponse.status_code < 500, reponse.content
    assert reponse["Content-Type"].startswith(("application/json", "application/problem+json"))
    if reponse.status_code >= 400:
        assert Demande.objects.get(pk=couple.pk).version == version

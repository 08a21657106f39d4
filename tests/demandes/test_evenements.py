"""The change feed (outbox): every change writes exactly one event, in its own transaction, with
its national file type; a desk reads only what it may see, oldest first, from a cursor that
never skips an event (docs/adr/0013-flux-des-evenements.md)."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de
from sne.demandes import services
from sne.demandes.models import Demande, EvenementCommune, EvenementDemande, HistoriqueDemande
from sne.demandes.services import evenements
from sne.demandes.services.evenements import (
    DUREE_CONSERVATION,
    droits_du_guichet,
    evenement_en_dict,
)
from tests.demandes.conftest import donnees_minimales, personne_distincte
from tests.factories import GuichetFactory, agent, gestionnaire, national
from tests.outils import a_midi

DEPOT = date(2025, 3, 3)
pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(DEPOT)]


@pytest.fixture
def demande(guichet_75, agent_75):
    return services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())


def _evenements(demande):
    return list(EvenementDemande.objects.filter(demande=demande).order_by("id"))


def _dernier(demande) -> EvenementDemande:
    return EvenementDemande.objects.filter(demande=demande).latest("id")


def test_chaque_action_de_l_historique_a_son_type_d_evenement_et_son_code_national():
    for action in HistoriqueDemande.Action:
        assert action.value in EvenementDemande.Type.values
        if action.value in HistoriqueDemande.SANS_CODE_FICHIER:
            # The national interface has no file type for the dossier unique nor the CAL.
            assert action.value not in HistoriqueDemande.CODES_FICHIER
            continue
        assert HistoriqueDemande.CODES_FICHIER[action.value] in {"CRE", "CRS", "MOD", "REN", "RAD"}


def test_l_enregistrement_ecrit_un_evenement_de_creation(demande, guichet_75):
    (evenement,) = _evenements(demande)

    assert (evenement.type, evenement.code_fichier) == ("creation", "CRE")
    assert evenement.guichet == evenement.guichet_enregistreur == guichet_75
    assert evenement.departement_id == "75"
    assert evenement.donnees == {
        "numero_unique": demande.numero_unique,
        "version": demande.version,
        "statut": "active",
        "champs": [],
    }
    assert list(evenement.communes.values_list("commune", "departement")) == [("75120", "75")]
    assert evenement_en_dict(evenement) == {
        "curseur": evenement.id,
        "type": "creation",
        "code_fichier": "CRE",
        "date": evenement.horodatage.isoformat(),
        "numero_unique": demande.numero_unique,
        "version": demande.version,
        "statut": "active",
        "champs": [],
        "departement": "75",
        "guichet": "75TS1",
    }


def test_une_modification_ecrit_un_evenement_qui_nomme_les_champs_sans_leurs_valeurs(
    demande, guichet_75, agent_75
):
    services.modifier_demande(
        demande,
        agent_75,
        guichet_75,
        personnes={demande.demandeur.pk: {"nir": "287047512012341", "telephone": "0601020304"}},
        communes=["75119", "75120"],
        version=demande.version,
    )

    evenements = _evenements(demande)
    assert [e.type for e in evenements] == ["creation", "modification"]
    evenement = evenements[-1]
    assert evenement.code_fichier == "MOD"
    assert evenement.donnees["version"] == Demande.objects.get(pk=demande.pk).version
    assert "287047512012341" not in str(evenement.donnees)
    assert "0601020304" not in str(evenement.donnees)
    assert set(evenement.communes.values_list("commune", flat=True)) == {"75119", "75120"}


def test_la_mairie_dont_la_commune_est_retiree_lit_encore_cette_modification(guichet_75, agent_75):
    mairie = GuichetFactory(code="75TS9", departements=["75"], communes=["75120"])
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    services.modifier_demande(demande, agent_75, guichet_75, communes=["75119"])
    services.renouveler(demande, agent_75, guichet_75)

    evenements, _ = services.evenements_pour(mairie)

    assert [e.type for e in evenements] == ["creation", "modification"]
    assert not Demande.objects.visibles_par(agent(mairie)).exists()


def test_renouveler_radier_reactiver_ecrivent_chacun_un_evenement(demande, guichet_75, agent_75):
    services.renouveler(demande, agent_75, guichet_75)
    assert (_dernier(demande).type, _dernier(demande).code_fichier) == ("renouvellement", "REN")

    services.radier(demande, "renonciation", par=agent_75, guichet=guichet_75)
    radiation = _dernier(demande)
    assert (radiation.type, radiation.code_fichier) == ("radiation", "RAD")
    assert radiation.donnees["statut"] == "radiee"

    services.reactiver(demande, agent_75, guichet_75, commentaire="Renonciation par erreur")
    assert (_dernier(demande).type, _dernier(demande).code_fichier) == ("reactivation", "MOD")

    assert [e.type for e in _evenements(demande)] == [
        "creation",
        "renouvellement",
        "radiation",
        "reactivation",
    ]
    versions = [e.donnees["version"] for e in _evenements(demande)]
    assert versions == sorted(versions) and len(set(versions)) == 4


def test_la_duplication_pour_separation_ecrit_un_evenement_sur_chaque_demande(
    guichet_75, agent_75, horloge
):
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "situation_familiale": "marie"}
    donnees["co_demandeur"] = {
        "nom": "Martin",
        "prenom": "Karim",
        "date_naissance": "1985-09-30",
        "lien": "conjoint",
    }
    origine = services.enregistrer_demande(guichet_75, agent_75, donnees)
    horloge.move_to(a_midi(date(2025, 9, 19)))

    nouvelle = services.dupliquer_pour_separation(
        origine,
        agent_75,
        guichet_75,
        services.Separation(
            piece_identite_type="titre_sejour",
            adresse_ligne1="4 rue de Belleville",
            commune="75119",
        ),
    )

    assert [(e.type, e.code_fichier) for e in _evenements(origine)] == [
        ("creation", "CRE"),
        ("duplication_separation", "MOD"),
    ]
    assert [(e.type, e.code_fichier) for e in _evenements(nouvelle)] == [
        ("creation_suite_separation", "CRS")
    ]
    assert _dernier(nouvelle).donnees["numero_unique"] == nouvelle.numero_unique
    assert list(_dernier(nouvelle).communes.values_list("commune", flat=True)) == ["75120"]


def test_une_action_annulee_ne_laisse_aucun_evenement(demande, guichet_75, agent_75):
    avant = (EvenementDemande.objects.count(), EvenementCommune.objects.count())

    class Panne(Exception):
        pass

    with pytest.raises(Panne), transaction.atomic():
        services.renouveler(demande, agent_75, guichet_75)
        services.radier(demande, "renonciation", par=agent_75, guichet=guichet_75)
        raise Panne

    assert (EvenementDemande.objects.count(), EvenementCommune.objects.count()) == avant


def test_un_enregistrement_refuse_n_ecrit_aucun_evenement(guichet_75, agent_75):
    donnees = donnees_minimales()
    del donnees["demandeur"]["piece_identite"]

    with pytest.raises(services.DonneesInvalides):
        services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert not EvenementDemande.objects.exists()


# --- Reading the feed: scope and cursor -----------------------------------------------------


@pytest.fixture
def guichet_93():
    return GuichetFactory(code="93TS1", departements=["93"])


@pytest.fixture
def mairie_saint_denis():
    """Like 93CO1: habilitated on 93, consulting Saint-Denis (93066) only."""
    return GuichetFactory(code="93TS2", departements=["93"], communes=["93066"])


def _demande_93(guichet, commune):
    donnees = donnees_minimales(departement="93", souhaits={"communes": [commune]})
    donnees["demandeur"] = {
        **donnees["demandeur"],
        **personne_distincte(EvenementDemande.objects.count()),
    }
    return services.enregistrer_demande(guichet, agent(guichet), donnees)


def test_une_mairie_ne_lit_que_les_evenements_de_sa_commune_et_de_ses_demandes(
    guichet_93, mairie_saint_denis, demande
):
    a_saint_denis = _demande_93(guichet_93, "93066")
    a_montreuil = _demande_93(guichet_93, "93048")
    de_la_mairie_a_montreuil = _demande_93(mairie_saint_denis, "93048")

    evenements, _ = services.evenements_pour(mairie_saint_denis, None, 100)

    lues = {e.demande_id for e in evenements}
    assert lues == {a_saint_denis.pk, de_la_mairie_a_montreuil.pk}
    # the same rule as the pages: what the feed shows, the desk's agents may open
    agent_mairie = agent(mairie_saint_denis, "consultation")
    assert lues == set(Demande.objects.visibles_par(agent_mairie).values_list("pk", flat=True))
    assert a_montreuil.pk not in lues and demande.pk not in lues


def test_un_guichet_du_93_ne_lit_rien_du_75_et_un_gestionnaire_lit_son_departement(
    guichet_93, demande
):
    du_93 = _demande_93(guichet_93, "93048")

    assert {e.demande_id for e in services.evenements_pour(guichet_93)[0]} == {du_93.pk}
    droits_gestion_75 = droits_de(gestionnaire("75"))
    assert {e.demande_id for e in services.evenements_pour(droits_gestion_75)[0]} == {demande.pk}
    droits_nationaux = droits_de(national())
    tout = services.evenements_pour(droits_nationaux)[0]
    assert {e.demande_id for e in tout} == {demande.pk, du_93.pk}


def test_le_curseur_rend_les_evenements_dans_l_ordre_sans_en_sauter_ni_en_repeter(
    guichet_75, agent_75
):
    demandes = [
        services.enregistrer_demande(
            guichet_75,
            agent_75,
            donnees_minimales(
                demandeur={
                    **donnees_minimales()["demandeur"],
                    "prenom": prenom,
                }
            ),
            justification_forcage="Homonymes vérifiés au guichet",
        )
        for prenom in ("Ana", "Bob", "Chloé", "Driss", "Emma")
    ]
    for d in demandes[:3]:
        services.renouveler(d, agent_75, guichet_75)
    attendus = list(EvenementDemande.objects.order_by("id").values_list("id", flat=True))
    assert len(attendus) == 8

    lus, curseur, pages = [], None, 0
    while True:
        page, suivant = services.evenements_pour(guichet_75, curseur, 3)
        pages += 1
        if not page:
            break
        lus += [e.id for e in page]
        assert suivant == page[-1].id
        curseur = suivant

    assert lus == attendus
    assert pages == 4  # 3 + 3 + 2, then an empty page at the end
    assert services.evenements_pour(guichet_75, curseur, 3) == ([], curseur)


def test_un_curseur_ou_une_limite_hors_bornes_restent_sans_danger(demande, guichet_75):
    assert len(services.evenements_pour(guichet_75, -5, 0)[0]) == 1
    assert len(services.evenements_pour(guichet_75, None, 10**9)[0]) == 1
    assert services.evenements_pour(guichet_75, 2**62, 10) == ([], 2**62)
    assert services.evenements_pour(guichet_75, 2**80, 10) == ([], 2**63 - 1)


def test_les_droits_d_un_guichet_sont_ceux_de_ses_agents(guichet_75, agent_75):
    droits = droits_de(agent_75)
    assert droits_du_guichet(guichet_75).guichets_consultation == droits.guichets_consultation


def test_les_evenements_de_plus_de_treize_mois_sont_purges(demande, guichet_75, agent_75):
    services.renouveler(demande, agent_75, guichet_75)
    ancien = _evenements(demande)[0]
    EvenementDemande.objects.filter(pk=ancien.pk).update(
        horodatage=timezone.now() - DUREE_CONSERVATION - timedelta(minutes=1)
    )

    assert services.purger_evenements() == 1

    assert [e.type for e in _evenements(demande)] == ["renouvellement"]
    assert not EvenementCommune.objects.filter(evenement=ancien.pk).exists()


# --- PostgreSQL: transactions that commit out of id order -----------------------------------


def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite sérialise les écritures : les id sont validés dans l'ordre.")


class _Ecritures:
    """Two renewals in two transactions: the first takes the lower event id and waits, the
    second takes the next id and commits at once."""

    def __init__(self, guichet, agent_saisie, a, b):
        self.guichet, self.agent, self.a, self.b = guichet, agent_saisie, a, b
        self.premier_ecrit, self.liberer = threading.Event(), threading.Event()
        self.erreurs = []
        self.lent = threading.Thread(target=self._lente)

    def _lente(self):
        try:
            with transaction.atomic():
                services.renouveler(self.a, self.agent, self.guichet)
                self.premier_ecrit.set()
                assert self.liberer.wait(30)
        except Exception as e:  # reported by the test, not lost in the thread
            self.erreurs.append(e)
            self.premier_ecrit.set()
        finally:
            connection.close()

    def _rapide(self):
        try:
            services.renouveler(self.b, self.agent, self.guichet)
        finally:
            connection.close()

    def commencer(self):
        self.lent.start()
        assert self.premier_ecrit.wait(30)
        rapide = threading.Thread(target=self._rapide)
        rapide.start()
        rapide.join()

    def finir(self):
        self.liberer.set()
        self.lent.join()
        assert self.erreurs == []


@pytest.fixture
def deux_ecritures(referentiels_charges):
    guichet = GuichetFactory(code="75TC9", departements=["75"])
    agent_saisie = agent(guichet)
    a, b = (
        services.enregistrer_demande(
            guichet,
            agent_saisie,
            donnees_minimales(demandeur={**donnees_minimales()["demandeur"], "prenom": prenom}),
        )
        for prenom in ("Agathe", "Bertrand")
    )
    ecritures = _Ecritures(guichet, agent_saisie, a, b)
    yield ecritures
    ecritures.liberer.set()
    if ecritures.lent.is_alive():
        ecritures.lent.join()


@pytest.mark.django_db(transaction=True)
def test_postgresql_le_lecteur_ne_saute_pas_l_evenement_valide_apres_un_id_plus_grand(
    deux_ecritures, monkeypatch
):
    _postgresql()
    e = deux_ecritures
    _, curseur = services.evenements_pour(e.guichet)  # past the two registrations
    e.commencer()

    # The trap: read naively, the later id is there and the earlier one is not (yet).
    naif = EvenementDemande.objects.filter(id__gt=curseur).values_list("demande", flat=True)
    assert list(naif) == [e.b.pk]
    # The feed waits for the transaction in flight, and serves nothing rather than skip it.
    monkeypatch.setattr(evenements, "ATTENTE_MAX_SECONDES", 0.3)
    assert services.evenements_pour(e.guichet, curseur, 10) == ([], curseur)

    e.finir()

    page, suivant = services.evenements_pour(e.guichet, curseur, 10)
    assert [(ev.demande_id, ev.type) for ev in page] == [
        (e.a.pk, "renouvellement"),
        (e.b.pk, "renouvellement"),
    ]
    assert suivant == page[-1].id


@pytest.mark.django_db(transaction=True)
def test_postgresql_le_lecteur_attend_une_transaction_courte_puis_sert_tout_dans_l_ordre(
    deux_ecritures,
):
    _postgresql()
    e = deux_ecritures
    _, curseur = services.evenements_pour(e.guichet)
    e.commencer()
    threading.Timer(0.2, e.liberer.set).start()  # commits while the reader waits

    page, _ = services.evenements_pour(e.guichet, curseur, 10)

    assert [ev.demande_id for ev in page] == [e.a.pk, e.b.pk]
    e.finir()


@pytest.mark.django_db(transaction=True)
def test_postgresql_un_lecteur_qui_a_deja_ecrit_dans_sa_transaction_ne_s_attend_pas_lui_meme(
    deux_ecritures, monkeypatch
):
    _postgresql()
    monkeypatch.setattr(evenements, "ATTENTE_MAX_SECONDES", 0.3)
    e = deux_ecritures

    with transaction.atomic():  # as a request that writes its audit entry, then reads
        journaliser(EvenementAudit.Action.CONSULTATION, utilisateur=e.agent, resume="lecture")
        page, _ = services.evenements_pour(e.guichet)

    assert [ev.demande_id for ev in page] == [e.a.pk, e.b.pk]

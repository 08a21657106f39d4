"""Finding demandes (`sne.demandes.recherche`): who sees which demande, the close numbers
suggested for a mistyped numéro unique, and pages whose number of queries does not grow with
the number of demandes they list."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sne.comptes.models import Habilitation, Utilisateur
from sne.demandes import recherche
from sne.demandes.models import (
    CommuneSouhaitee,
    Demande,
    HistoriqueDemande,
    Personne,
    perimetre_de_consultation,
)
from sne.exceptions import ErreurMetier, Introuvable
from sne.organisations.models import Guichet
from tests.factories import GuichetFactory, UtilisateurFactory, agent, gestionnaire, national
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

URL_RECHERCHE = "/demandes/"
_sequence = iter(range(1, 999_999))


def creer_demande(
    guichet,
    departement="75",
    communes=("75120",),
    nom="Martin",
    prenom="Élodie",
    naissance=date(1987, 4, 12),
    enregistree_il_y_a=0,
) -> Demande:
    """A demande written straight to the database (no attestation, no duplicate check): these
    tests are about finding demandes, not registering them."""
    depot = timezone.localdate() - timedelta(days=enregistree_il_y_a)
    demande = Demande.objects.create(
        numero_unique=(
            f"{departement.rjust(3, '0')}{depot.month:02d}{depot.year % 100:02d}"
            f"{next(_sequence):06d}{guichet.code}"
        ),
        departement_id=departement,
        guichet_enregistreur=guichet,
        date_depot=depot,
        date_expiration=depot + timedelta(days=365),
        nombre_personnes=1,
        deja_locataire_hlm=False,
    )
    Personne.objects.create(
        demande=demande,
        role=Personne.Role.DEMANDEUR,
        nom=nom,
        prenom=prenom,
        date_naissance=naissance,
    )
    CommuneSouhaitee.objects.bulk_create(
        CommuneSouhaitee(demande=demande, commune_id=c, rang=i)
        for i, c in enumerate(communes, start=1)
    )
    return demande


# --- Who sees which demande --------------------------------------------------------------------


@pytest.fixture
def monde():
    """A landlord consulting Paris and the Hauts-de-Seine, a desk consulting the whole 93, the
    town hall of Saint-Denis consulting its commune only, and demandes on each side."""
    bailleur_75 = GuichetFactory(code="75TS1", departements=["75", "92"])
    bailleur_93 = GuichetFactory(code="93TS1", departements=["93"])
    mairie = GuichetFactory(code="93MA1", departements=["93"], communes=["93066"])
    demandes = {
        "paris": creer_demande(bailleur_75, "75", ["75120"]),
        # Two wished communes in the same scope: still one demande, not two rows.
        "paris_deux_voeux": creer_demande(bailleur_75, "75", ["75120", "75119"]),
        "nanterre": creer_demande(bailleur_75, "92", ["92050"]),
        "saint_denis": creer_demande(bailleur_93, "93", ["93066"]),
        "montreuil": creer_demande(bailleur_93, "93", ["93048"]),
        # Île-de-France: a 93 demande may wish Paris (wished communes, not its département).
        "montreuil_vers_paris": creer_demande(bailleur_93, "93", ["93048", "75120"]),
        "par_la_mairie_hors_commune": creer_demande(mairie, "93", ["93048"]),
    }
    personnes = {
        "saisie_75": agent(bailleur_75),
        "consultation_75": agent(bailleur_75, "consultation"),
        "saisie_93": agent(bailleur_93),
        "mairie": agent(mairie),
        "gestionnaire_93": gestionnaire("93"),
        "gestionnaire_75": gestionnaire("75"),
        "national": national(),
        "sans_habilitation": UtilisateurFactory(),
    }
    return {"guichets": (bailleur_75, bailleur_93, mairie), **demandes, **personnes}


VISIBILITE = {
    "saisie_75": {"paris", "paris_deux_voeux", "nanterre", "montreuil_vers_paris"},
    "consultation_75": {"paris", "paris_deux_voeux", "nanterre", "montreuil_vers_paris"},
    "saisie_93": {
        "saint_denis",
        "montreuil",
        "montreuil_vers_paris",
        "par_la_mairie_hors_commune",
    },
    "mairie": {"saint_denis", "par_la_mairie_hors_commune"},
    "gestionnaire_93": {
        "saint_denis",
        "montreuil",
        "montreuil_vers_paris",
        "par_la_mairie_hors_commune",
    },
    "gestionnaire_75": {"paris", "paris_deux_voeux"},
    "national": {
        "paris",
        "paris_deux_voeux",
        "nanterre",
        "saint_denis",
        "montreuil",
        "montreuil_vers_paris",
        "par_la_mairie_hors_commune",
    },
    "sans_habilitation": set(),
}


def noms_des_visibles(monde, personne, par_ensembles=False) -> list[str]:
    """The demandes the person sees, by name, read afresh (rights are cached on the user)."""
    noms = {monde[nom].pk: nom for nom in VISIBILITE["national"]}
    utilisateur = Utilisateur.objects.get(pk=monde[personne].pk)
    demandes = Demande.objects.filter(
        perimetre_de_consultation(utilisateur, par_ensembles=par_ensembles)
    )
    return [noms[pk] for pk in demandes.values_list("pk", flat=True)]


@pytest.mark.parametrize("par_ensembles", [False, True], ids=["par_exists", "par_ensembles"])
@pytest.mark.parametrize("personne", sorted(VISIBILITE))
def test_chacun_voit_les_demandes_de_son_perimetre_une_seule_fois(monde, personne, par_ensembles):
    visibles = noms_des_visibles(monde, personne, par_ensembles)

    assert set(visibles) == VISIBILITE[personne]
    assert len(visibles) == len(set(visibles))


@pytest.mark.parametrize("par_ensembles", [False, True], ids=["par_exists", "par_ensembles"])
def test_le_perimetre_s_applique_aux_personnes_par_leur_demande(monde, par_ensembles):
    for personne, visibles in VISIBILITE.items():
        utilisateur = Utilisateur.objects.get(pk=monde[personne].pk)
        condition = perimetre_de_consultation(utilisateur, "demande", par_ensembles)

        demandes = Personne.objects.filter(condition).values_list("demande", flat=True)

        assert sorted(demandes) == sorted(monde[n].pk for n in visibles), personne


def test_visibles_par_est_le_perimetre_de_consultation(monde):
    utilisateur = Utilisateur.objects.get(pk=monde["mairie"].pk)

    assert set(Demande.objects.visibles_par(utilisateur)) == {
        monde["saint_denis"],
        monde["par_la_mairie_hors_commune"],
    }


def test_un_agent_qui_est_aussi_gestionnaire_voit_les_deux_perimetres(monde):
    Habilitation.objects.create(
        utilisateur=monde["mairie"], role="gestionnaire", departement_id="75"
    )

    assert set(noms_des_visibles(monde, "mairie")) == {
        "saint_denis",
        "par_la_mairie_hors_commune",
        "paris",
        "paris_deux_voeux",
    }


def test_un_guichet_desactive_ne_montre_plus_rien_a_ses_agents(monde):
    Guichet.objects.filter(code="93MA1").update(actif=False)

    assert noms_des_visibles(monde, "mairie") == []


def test_une_habilitation_echue_ne_montre_plus_rien(monde):
    hier = timezone.localdate() - timedelta(days=1)
    Habilitation.objects.filter(utilisateur=monde["saisie_75"]).update(
        date_debut=hier - timedelta(days=30), date_fin=hier
    )

    assert noms_des_visibles(monde, "saisie_75") == []


def test_la_commune_souhaitee_garde_le_departement_de_sa_commune(monde):
    souhaitee = monde["montreuil_vers_paris"].communes_souhaitees.get(commune_id="75120")
    assert souhaitee.departement_id == "75"

    souhaitee.commune_id = "92050"
    souhaitee.save()
    souhaitee.refresh_from_db()
    assert souhaitee.departement_id == "92"


# --- By numéro unique -----------------------------------------------------------------------


@pytest.fixture
def bailleur():
    return GuichetFactory(code="75TS1", departements=["75", "92"])


@pytest.fixture
def agent_75(bailleur):
    return agent(bailleur)


def remplacer(numero, i, caractere):
    return numero[:i] + caractere + numero[i + 1 :]


def test_un_numero_visible_est_retrouve_tel_quel(bailleur, agent_75):
    demande = creer_demande(bailleur)

    assert recherche.trouver_demande(demande.numero_unique.lower(), agent_75) == demande


@pytest.mark.parametrize("position", range(18))
def test_un_caractere_remplace_a_n_importe_quelle_place_propose_le_bon_numero(
    bailleur, agent_75, position
):
    demande = creer_demande(bailleur)
    numero = demande.numero_unique
    # Another character valid at that place when there is one (the month keeps 01–12),
    # otherwise a character that breaks the layout.
    for caractere in "1234567890ABZ":
        faux = remplacer(numero, position, caractere)
        if faux != numero:
            break

    with pytest.raises(ErreurMetier) as exc:
        recherche.trouver_demande(faux, agent_75)

    assert demande.numero_unique in exc.value.details["suggestions"]


def test_deux_caracteres_voisins_inverses_proposent_le_bon_numero(bailleur, agent_75):
    demande = creer_demande(bailleur)
    numero = demande.numero_unique
    for i in range(17):
        if numero[i] == numero[i + 1]:
            continue
        faux = numero[:i] + numero[i + 1] + numero[i] + numero[i + 2 :]
        with pytest.raises(ErreurMetier) as exc:
            recherche.trouver_demande(faux, agent_75)
        assert numero in exc.value.details["suggestions"], faux


def test_un_caractere_oublie_ou_en_trop_propose_le_bon_numero(bailleur, agent_75):
    demande = creer_demande(bailleur)
    numero = demande.numero_unique

    for i in range(18):
        with pytest.raises(ErreurMetier) as exc:
            recherche.trouver_demande(numero[:i] + numero[i + 1 :], agent_75)
        assert "18 caractères" in exc.value.message
        assert numero in exc.value.details["suggestions"]

    with pytest.raises(ErreurMetier) as exc:
        recherche.trouver_demande(numero[:10] + "7" + numero[10:], agent_75)
    assert numero in exc.value.details["suggestions"]


def test_une_demande_invisible_n_est_jamais_suggeree(bailleur, agent_75):
    ailleurs = GuichetFactory(code="93TS1", departements=["93"])
    cachee = creer_demande(ailleurs, "93", ["93048"])
    faux = remplacer(cachee.numero_unique, 12, "9" if cachee.numero_unique[12] != "9" else "8")

    with pytest.raises(Introuvable) as exc:
        recherche.trouver_demande(faux, agent_75)

    assert exc.value.details["suggestions"] == []
    with pytest.raises(Introuvable):
        recherche.trouver_demande(cachee.numero_unique, agent_75)


def test_un_numero_a_deux_fautes_ne_propose_rien(bailleur, agent_75):
    demande = creer_demande(bailleur)
    numero = demande.numero_unique
    autre = {c: "1" if c != "1" else "2" for c in numero}
    faux = remplacer(remplacer(numero, 8, autre[numero[8]]), 12, autre[numero[12]])

    with pytest.raises(Introuvable) as exc:
        recherche.trouver_demande(faux, agent_75)

    assert exc.value.details["suggestions"] == []


def test_les_messages_precis_de_la_structure_du_numero_sont_gardes(agent_75):
    with pytest.raises(ErreurMetier) as exc:
        recherche.trouver_demande("075 01", agent_75)
    assert exc.value.message == "Un numéro unique compte 18 caractères ; « 075 01 » en compte 5."
    assert exc.value.code == "numero_unique_longueur"

    with pytest.raises(ErreurMetier) as exc:
        recherche.trouver_demande("075132600000175TS1", agent_75)
    assert exc.value.code == "numero_unique_mois"

    with pytest.raises(ErreurMetier) as exc:
        recherche.trouver_demande("0750126OOOOO175TS1", agent_75)
    assert exc.value.code == "numero_unique_forme"


def test_les_numeros_voisins_sont_bien_formes_et_en_nombre_borne():
    numero = "075012600012375TS1"

    voisins, prefixe = recherche.numeros_voisins(numero)

    assert numero not in voisins
    assert "075012600012475TS1" in voisins  # a digit replaced
    assert "075012600013275TS1" in voisins  # two digits swapped
    assert "075132600012375TS1" not in voisins  # month 13 does not exist
    assert prefixe == "0750126000123"  # an error in the desk code: found by its prefix
    assert all(len(v) == 18 for v in voisins)
    assert len(voisins) < 150
    assert len(recherche.numeros_voisins(numero[:-1])[0]) < 150
    assert recherche.numeros_voisins("075") == (set(), None)


def test_une_faute_dans_le_code_du_guichet_retrouve_la_demande(bailleur, agent_75):
    demande = creer_demande(bailleur)
    faux = demande.numero_unique[:13] + "99ZZ9"

    with pytest.raises(Introuvable) as exc:
        recherche.trouver_demande(faux, agent_75)

    assert exc.value.details["suggestions"] == [demande.numero_unique]


def test_la_page_de_recherche_propose_les_numeros_proches_meme_si_la_longueur_est_fausse(
    client, bailleur, agent_75
):
    connecter(client, agent_75)
    demande = creer_demande(bailleur)
    faux = demande.numero_unique[:5] + demande.numero_unique[6:]

    page = texte(client.get(URL_RECHERCHE, {"numero": faux}))

    assert f"« {faux} » en compte 17" in page
    assert "Vouliez-vous dire ?" in page
    assert f'href="/demandes/{demande.numero_unique}/"' in page


# --- By demandeur, and pages -----------------------------------------------------------------


def test_la_recherche_par_nom_compte_toutes_les_demandes_et_pagine(client, bailleur, agent_75):
    connecter(client, agent_75)
    for i in range(30):
        creer_demande(bailleur, nom="Martinez", enregistree_il_y_a=i)
    creer_demande(bailleur, nom="Durand")

    premiere = client.get(URL_RECHERCHE, {"nom": "mart"})
    seconde = client.get(URL_RECHERCHE, {"nom": "mart", "page": "2"})
    au_dela = client.get(URL_RECHERCHE, {"nom": "mart", "page": "9"})
    invalide = client.get(URL_RECHERCHE, {"nom": "mart", "page": "x"})

    assert "30 demandes parmi celles que vous pouvez consulter" in texte(premiere)
    assert texte(premiere).count('href="/demandes/0') == 25
    assert texte(seconde).count('href="/demandes/0') == 5
    assert "2 / 2" in texte(seconde)
    assert texte(au_dela).count('href="/demandes/0') == 5
    assert texte(invalide).count('href="/demandes/0') == 25


def test_une_recherche_par_nom_sans_resultat_compte_zero(agent_75):
    page = recherche.rechercher_par_personne(agent_75, "Inconnu", "", None, 1, 25)

    assert page.paginator.count == 0
    assert list(page) == []


def test_la_recherche_par_nom_porte_sur_le_nom_de_naissance_et_la_date(bailleur, agent_75):
    epouse = creer_demande(bailleur, nom="Durand", naissance=date(1980, 5, 1))
    Personne.objects.filter(demande=epouse).update(nom_naissance_cle="martin")
    creer_demande(bailleur, nom="Martin", naissance=date(1990, 1, 1))

    page = recherche.rechercher_par_personne(agent_75, "Mart", "", date(1980, 5, 1), 1, 25)
    par_date = recherche.rechercher_par_personne(agent_75, "", "", date(1980, 5, 1), 1, 25)

    assert list(page) == [epouse]
    assert list(par_date) == [epouse]


def test_la_recherche_par_nom_ne_montre_que_les_demandes_visibles_une_fois(monde):
    for demande in ("paris_deux_voeux", "montreuil_vers_paris"):
        Personne.objects.create(
            demande=monde[demande],
            role=Personne.Role.CO_DEMANDEUR,
            nom="Martinez",
            prenom="Hugo",
            date_naissance=date(1985, 1, 1),
        )

    for personne, visibles in VISIBILITE.items():
        utilisateur = Utilisateur.objects.get(pk=monde[personne].pk)
        page = recherche.rechercher_par_personne(utilisateur, "mart", "", None, 1, 25)
        assert sorted(d.pk for d in page) == sorted(monde[n].pk for n in visibles), personne


def requetes_de(client, url, donnees=None) -> int:
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(url, donnees or {})
    assert reponse.status_code == 200
    return len(capture.captured_queries)


def test_la_recherche_par_nom_fait_autant_de_requetes_pour_10_ou_40_resultats(
    client, bailleur, agent_75, django_assert_max_num_queries
):
    connecter(client, agent_75)
    for i in range(10):
        creer_demande(bailleur, nom="Martin", enregistree_il_y_a=i)
    pour_dix = requetes_de(client, URL_RECHERCHE, {"nom": "martin"})

    for i in range(30):
        creer_demande(bailleur, nom="Martin", enregistree_il_y_a=10 + i)

    with django_assert_max_num_queries(pour_dix):
        reponse = client.get(URL_RECHERCHE, {"nom": "martin"})
    assert "40 demandes parmi celles" in texte(reponse)
    with django_assert_max_num_queries(pour_dix):
        client.get(URL_RECHERCHE, {"nom": "martin", "page": "2"})


def test_la_liste_des_recentes_fait_autant_de_requetes_pour_3_ou_10_demandes(
    client, bailleur, agent_75, django_assert_max_num_queries
):
    connecter(client, agent_75)
    for _ in range(3):
        creer_demande(bailleur)
    pour_trois = requetes_de(client, URL_RECHERCHE)

    for _ in range(12):
        creer_demande(bailleur)

    with django_assert_max_num_queries(pour_trois):
        reponse = client.get(URL_RECHERCHE)
    assert texte(reponse).count('href="/demandes/0') == recherche.NOMBRE_RECENTES


def test_la_fiche_fait_autant_de_requetes_quelle_que_soit_la_taille_du_menage(
    client, bailleur, agent_75, django_assert_max_num_queries
):
    connecter(client, agent_75)
    seule = creer_demande(bailleur)
    pour_une_personne = requetes_de(client, reverse("demandes:demande", args=[seule.numero_unique]))

    famille = creer_demande(bailleur, communes=("75120", "75119", "75118", "92050"))
    for k in range(5):
        Personne.objects.create(
            demande=famille,
            role=Personne.Role.PERSONNE_A_CHARGE,
            nom="Martin",
            prenom=f"Enfant {k}",
            date_naissance=date(2015, 1, 1 + k),
            lien="enfant",
            ordre=k + 1,
        )
        HistoriqueDemande.objects.create(
            demande=famille, action=HistoriqueDemande.Action.MODIFICATION, utilisateur=agent_75
        )

    with django_assert_max_num_queries(pour_une_personne):
        client.get(reverse("demandes:demande", args=[famille.numero_unique]))

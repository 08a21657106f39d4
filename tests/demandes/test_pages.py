"""The agent's pages for demandes (Django test client): search, step-by-step registration with
its duplicate step, the demande page and its actions."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.demandes import services
from sne.demandes.models import BrouillonDemande, Demande, HistoriqueDemande, plier
from sne.demandes.views.entree import localiser_erreur
from tests.demandes.conftest import valeurs_du_formulaire
from tests.factories import GuichetFactory, agent, habiliter
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

URL_RECHERCHE = "/demandes/"
CORPS_NIR = "2791175113042"
NIR = CORPS_NIR + f"{97 - int(CORPS_NIR) % 97:02d}"


def contenu(**changements) -> dict:
    """The content of a demande as the services take it (what the law requires, no more)."""
    donnees = {
        "departement": "75",
        "demandeur": {
            "nom": "Durand-Lefèvre",
            "prenom": "Élodie",
            "date_naissance": "1985-04-12",
            "piece_identite": {"type": "carte_identite", "numero": "X1234567"},
            "adresse": {"ligne1": "3 rue de la Paix", "code_postal": "75002", "commune": "Paris"},
        },
        "deja_locataire_hlm": False,
        "souhaits": {"communes": ["75113"]},
    }
    for cle, valeur in changements.items():
        if isinstance(valeur, dict) and isinstance(donnees.get(cle), dict):
            donnees[cle] = {**donnees[cle], **valeur}
        else:
            donnees[cle] = valeur
    return donnees


@pytest.fixture
def guichet():
    return GuichetFactory(code="75TA1", nom="Bailleur de test", departements=["75"])


@pytest.fixture
def agent_saisie(client, guichet):
    utilisateur = agent(guichet, email="saisie@bailleur-test.fr")
    connecter(client, utilisateur)
    return utilisateur


def enregistrer(guichet, utilisateur, **changements) -> Demande:
    return services.enregistrer_demande(guichet, utilisateur, contenu(**changements))


def url_demande(demande, action=""):
    nom = f"demandes:{action}" if action else "demandes:demande"
    return reverse(nom, kwargs={"numero": demande.numero_unique})


# --- Search ----------------------------------------------------------------------------------


def test_la_recherche_par_numero_tolere_espaces_et_minuscules(client, guichet, agent_saisie):
    demande = enregistrer(guichet, agent_saisie)
    n = demande.numero_unique
    saisie = f" {n[:3]} {n[3:7]} {n[7:13]} {n[13:].lower()} "

    reponse = client.get(URL_RECHERCHE, {"numero": saisie})

    assert reponse.status_code == 302
    assert reponse.url == url_demande(demande)


def test_un_numero_mal_forme_recoit_le_message_de_sa_structure(client, agent_saisie):
    reponse = client.get(URL_RECHERCHE, {"numero": "075 01"})
    assert "Un numéro unique compte 18 caractères ; « 075 01 » en compte 5." in texte(reponse)

    reponse = client.get(URL_RECHERCHE, {"numero": "075132600000175TA1"})
    assert "Le mois du numéro unique (13) doit être compris entre 01 et 12." in texte(reponse)


def test_un_numero_presque_juste_propose_le_bon(client, guichet, agent_saisie):
    demande = enregistrer(guichet, agent_saisie)
    n = demande.numero_unique
    faute = n[:12] + ("7" if n[12] != "7" else "8") + n[13:]

    reponse = client.get(URL_RECHERCHE, {"numero": faute})

    page = texte(reponse)
    assert f"Aucune demande visible ne porte le numéro {faute}" in page
    assert "Vouliez-vous dire ?" in page
    assert f'href="{url_demande(demande)}"' in page


def test_la_recherche_par_nom_ignore_accents_et_majuscules(client, guichet, agent_saisie):
    elodie = enregistrer(guichet, agent_saisie)
    autre = enregistrer(
        guichet,
        agent_saisie,
        demandeur={"nom": "Martin", "prenom": "Hugo", "date_naissance": "1990-01-01"},
    )

    reponse = client.get(URL_RECHERCHE, {"nom": "durand lefevre", "prenom": "ELODIE"})

    page = texte(reponse)
    assert elodie.numero_unique in page
    assert autre.numero_unique not in page
    assert "1 demande parmi celles que vous pouvez consulter" in page

    par_date = texte(client.get(URL_RECHERCHE, {"date_naissance": "1990-01-01"}))
    assert autre.numero_unique in par_date and elodie.numero_unique not in par_date


def test_une_recherche_sans_resultat_le_dit_et_propose_une_nouvelle_demande(client, agent_saisie):
    page = texte(client.get(URL_RECHERCHE, {"nom": "Inconnu"}))

    assert "Aucune demande ne correspond" in page
    assert reverse("demandes:nouvelle") in page


@pytest.mark.parametrize(
    ("saisie", "nom", "trouve"),
    [
        ("le behec", "LE BÉHEC", True),
        ("Le Béhec", "Lebehec-Martin", True),
        ("ndiaye", "N'Diaye", True),
        ("jean pierre", "Jean-Pierre", True),
        ("behec", "Le Béhec", False),
    ],
)
def test_la_recherche_par_nom_ignore_accents_casse_et_separateurs(saisie, nom, trouve):
    assert plier(nom).startswith(plier(saisie)) is trouve


# --- Registration, step by step -------------------------------------------------------------


def donnees_etapes(guichet, **par_etape) -> dict:
    etapes = {
        "guichet": {
            "guichet": str(guichet.pk),
            "departement": "75",
            "date_depot": "",
            "beneficiaire": "menage",
        },
        "demandeur": {
            "civilite": "MME",
            "nom": "Nguyen",
            "prenom": "Thi Mai",
            "date_naissance": "1979-11-03",
            "piece_identite_type": "titre_sejour",
            "piece_identite_numero": "TS998877",
            "piece_identite_expiration": "2020-01-31",
            "nir": " ".join(
                (NIR[:1], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:])
            ),
            "adresse_ligne1": "12 avenue d'Italie",
            "commune": "Paris 13e Arrondissement (75013)",
            "commune_code": "75113",
            "email": "thi.mai.nguyen-tres-longue-adresse@association-logement.example.org",
            "situation_familiale": "celibataire",
        },
        "menage": {
            "personnes-TOTAL_FORMS": "1",
            "personnes-INITIAL_FORMS": "0",
            "personnes-MIN_NUM_FORMS": "0",
            "personnes-MAX_NUM_FORMS": "10",
            "personnes-0-nom": "Nguyen",
            "personnes-0-prenom": "Linh",
            "personnes-0-date_naissance": "2014-06-01",
            "personnes-0-lien": "enfant",
        },
        "ressources": {"deja_locataire_hlm": "non", "motifs": ["logement_trop_cher"]},
        "souhaits": {
            "commune_1": "Paris 13e Arrondissement (75013)",
            "commune_1_code": "75113",
            "commune_2": "montreuil 93100",
            "typologies": ["T2", "T3"],
        },
    }
    for etape, valeurs in par_etape.items():
        etapes[etape] = {**etapes[etape], **valeurs}
    return etapes


def parcourir(client, etapes: dict) -> str:
    """Post every step up to the duplicate step; returns its URL."""
    reponse = client.get(reverse("demandes:nouvelle"))
    assert reponse.status_code == 302
    url = reponse.url
    for etape in ("guichet", "demandeur", "menage", "ressources", "souhaits"):
        assert url.endswith(f"/{etape}/"), url
        assert client.get(url).status_code == 200
        reponse = client.post(url, etapes[etape])
        assert reponse.status_code == 302, texte(reponse)[:3000]
        url = reponse.url
    assert url.endswith("/doublons/")
    return url


def test_l_agent_enregistre_une_demande_etape_par_etape(client, guichet, agent_saisie):
    url = parcourir(client, donnees_etapes(guichet))

    reponse = client.post(url, {})
    assert reponse.url.endswith("/recapitulatif/")
    recap = texte(client.get(reponse.url))
    assert "Montreuil (93048)" in recap
    assert "renseigné (masqué)" in recap
    assert CORPS_NIR not in recap

    reponse = client.post(reponse.url, {}, follow=True)

    demande = Demande.objects.get()
    page = texte(reponse)
    assert f"Demande enregistrée : numéro unique {demande.numero_unique}" in page
    assert demande.numero_unique.startswith("075") and demande.numero_unique.endswith("75TA1")
    assert demande.nombre_personnes == 2
    assert demande.deja_locataire_hlm is False
    assert [c.commune_id for c in demande.communes_souhaitees.all()] == ["75113", "93048"]
    demandeur = demande.demandeur
    assert demandeur.email.startswith("thi.mai.nguyen-tres-longue-adresse@")
    assert demandeur.piece_identite_type == "titre_sejour"
    assert demandeur.commune_id == "75113" and demandeur.code_postal == "75013"
    assert demandeur.nir == NIR
    assert demandeur.nir not in page and demandeur.nir_masque in page
    # The wizard is over: its draft, and the personal data it held, are erased.
    assert not BrouillonDemande.objects.exists()


def test_chaque_etape_valide_ce_que_la_loi_exige_avec_des_messages_clairs(
    client, guichet, agent_saisie
):
    url = client.get(reverse("demandes:nouvelle")).url
    url = client.post(url, donnees_etapes(guichet)["guichet"]).url

    reponse = client.post(url, {"nom": "Sans", "prenom": "Pièce", "email": "19@17.3"})

    page = texte(reponse)
    assert reponse.status_code == 200
    assert "Une pièce d'identité est obligatoire" in page
    assert "L'adresse du demandeur (voie et commune) est obligatoire." in page
    assert "Adresse e-mail invalide" in page
    assert 'href="#id_piece_identite_type_0"' in page  # the summary links to the field
    assert "fr-input-group--error" in page


def test_la_commune_et_le_departement_sont_verifies_a_leur_etape(client, guichet, agent_saisie):
    url = client.get(reverse("demandes:nouvelle")).url
    reponse = client.post(url, {"guichet": str(guichet.pk), "departement": "93"})
    assert reponse.status_code == 200  # 93 is not a choice of this desk

    etapes = donnees_etapes(
        guichet, souhaits={"commune_1": "Lyon 3e", "commune_1_code": "", "commune_2": ""}
    )
    url = client.get(reverse("demandes:nouvelle")).url
    for etape in ("guichet", "demandeur", "menage", "ressources"):
        url = client.post(url, etapes[etape]).url
    reponse = client.post(url, etapes["souhaits"])

    assert "n'est pas dans le département 75 de la demande" in texte(reponse)


def test_l_etape_des_doublons_bloque_sans_justification_et_enregistre_avec(
    client, guichet, agent_saisie
):
    ailleurs = GuichetFactory(code="93ZZ1", departements=["93"])
    existante = services.enregistrer_demande(
        ailleurs,
        agent(ailleurs),
        contenu(
            departement="93",
            demandeur={"nom": "NGUYEN", "prenom": "Thi Mai", "date_naissance": "1979-11-03"},
            souhaits={"communes": ["93066"]},
        ),
    )
    url = parcourir(client, donnees_etapes(guichet))

    page = texte(client.get(url))
    assert existante.numero_unique in page
    assert "hors de votre périmètre de consultation" in page
    assert "Surtout, ne forcez pas la création de la demande !" in page
    assert 'value="contacter_gestionnaire"' in page  # « Contacter mon gestionnaire territorial »

    reponse = client.post(url, {"justification": "  "})
    assert reponse.status_code == 200
    assert "ne forcez la création qu'avec une justification écrite" in texte(reponse)

    justification = "Homonyme né le même jour, vérifié avec le gestionnaire du 93."
    reponse = client.post(url, {"justification": justification})
    assert reponse.url.endswith("/recapitulatif/")
    client.post(reponse.url, {})

    nouvelle = Demande.objects.exclude(pk=existante.pk).get()
    creation = nouvelle.historique.get(action=HistoriqueDemande.Action.CREATION)
    assert existante.numero_unique in creation.commentaire
    assert justification in creation.commentaire


def test_les_erreurs_du_service_reviennent_a_leur_etape():
    propres = {"souhaits": {"communes": [{"code": "75113", "champ": "commune_3"}]}}

    assert localiser_erreur("demandeur.piece_identite", propres) == (
        "demandeur",
        "piece_identite_type",
    )
    assert localiser_erreur("demandeur.adresse.commune", propres) == ("demandeur", "commune")
    assert localiser_erreur("souhaits.communes[0]", propres) == ("souhaits", "commune_3")
    assert localiser_erreur("deja_locataire_hlm", propres) == ("ressources", "deja_locataire_hlm")
    assert localiser_erreur("co_demandeur.date_naissance", propres) == (
        "menage",
        "co_date_naissance",
    )
    assert localiser_erreur("date_depot", propres) == ("guichet", "date_depot")


def test_un_agent_en_consultation_seule_ne_peut_pas_saisir(client, guichet):
    connecter(client, habiliter(role="consultation", guichet=guichet))

    assert client.get(reverse("demandes:nouvelle")).status_code == 403
    assert "Nouvelle demande" not in texte(client.get(URL_RECHERCHE))


# --- The demande page ------------------------------------------------------------------------


def test_ouvrir_une_demande_ecrit_une_entree_d_audit(client, guichet, agent_saisie):
    demande = enregistrer(guichet, agent_saisie)

    reponse = client.get(url_demande(demande))

    assert reponse.status_code == 200
    page = texte(reponse)
    for onglet in (
        "Demandeur",
        "Ménage",
        "Ressources",
        "Souhaits",
        "Pièces justificatives",
        "Historique",
    ):
        assert f'role="tab" aria-selected="{"true" if onglet == "Demandeur" else "false"}"' in page
        assert f">{onglet}</button>" in page
    assert "Aucune pièce pour l'instant" in page
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CONSULTATION,
        objet_id=str(demande.pk),
        utilisateur=agent_saisie,
        guichet=guichet,
    ).exists()


def test_un_numero_tape_en_minuscules_dans_l_adresse_redirige(client, guichet, agent_saisie):
    demande = enregistrer(guichet, agent_saisie)

    reponse = client.get(f"/demandes/{demande.numero_unique.lower()}/")

    assert reponse.status_code == 302 and reponse.url == url_demande(demande)


def test_une_demande_hors_perimetre_est_introuvable(client, agent_saisie):
    ailleurs = GuichetFactory(code="93ZZ2", departements=["93"])
    demande = services.enregistrer_demande(
        ailleurs, agent(ailleurs), contenu(departement="93", souhaits={"communes": ["93066"]})
    )

    reponse = client.get(url_demande(demande))

    assert reponse.status_code == 404
    assert "Aucune demande visible ne porte le numéro" in texte(reponse)


def test_un_agent_en_consultation_seule_ne_voit_aucun_bouton_d_action(client, guichet):
    demande = enregistrer(guichet, agent(guichet))
    consultant = habiliter(role="consultation", guichet=guichet)
    connecter(client, consultant)

    page = texte(client.get(url_demande(demande)))

    assert demande.demandeur.prenom in page
    for action in ("modifier", "renouveler", "radier", "dupliquer", "reactiver"):
        assert url_demande(demande, action) not in page
    assert url_demande(demande, "attestation") in page  # reading the attestation is reading
    assert client.post(url_demande(demande, "renouveler")).status_code == 403
    demande.refresh_from_db()
    assert demande.date_dernier_renouvellement is None


@pytest.mark.parametrize(
    ("situation", "avec_co", "attendu"),
    [
        ("marie", True, True),
        ("pacse", True, True),
        ("concubin", True, False),
        ("marie", False, False),
    ],
)
def test_la_duplication_pour_separation_n_est_offerte_qu_aux_couples_maries_ou_pacses(
    client, guichet, agent_saisie, situation, avec_co, attendu
):
    changements = {"demandeur": {"situation_familiale": situation}}
    if avec_co:
        changements["co_demandeur"] = {
            "nom": "Durand",
            "prenom": "Marc",
            "date_naissance": "1983-02-02",
            "lien": "conjoint",
        }
    demande = enregistrer(guichet, agent_saisie, **changements)
    lien = url_demande(demande, "dupliquer")

    assert (lien in texte(client.get(url_demande(demande)))) is attendu
    assert (lien in texte(client.get(url_demande(demande, "modifier")))) is attendu


def test_la_duplication_donne_au_co_demandeur_sa_demande_avec_l_anciennete(
    client, guichet, agent_saisie
):
    demande = enregistrer(
        guichet,
        agent_saisie,
        demandeur={"situation_familiale": "pacse"},
        co_demandeur={"nom": "Durand", "prenom": "Marc", "date_naissance": "1983-02-02"},
    )

    reponse = client.post(
        url_demande(demande, "dupliquer"),
        {
            "version": demande.version,
            "piece_identite_type": "passeport",
            "adresse_ligne1": "5 rue Oberkampf",
            "commune": "Paris 11e",
            "situation_demandeur": "separe",
            "situation_co_demandeur": "separe",
        },
        follow=True,
    )

    nouvelle = Demande.objects.exclude(pk=demande.pk).get()
    assert f"Marc DURAND a désormais sa propre demande {nouvelle.numero_unique}" in texte(reponse)
    assert nouvelle.date_depot == demande.date_depot
    assert nouvelle.demandeur.prenom == "Marc"


def test_une_irrecevabilite_se_radie_avec_son_sous_motif(client, guichet, agent_saisie):
    depot = (timezone.localdate() - timedelta(days=90)).isoformat()
    demande = enregistrer(guichet, agent_saisie, date_depot=depot)
    avertissement = (timezone.localdate() - timedelta(days=40)).isoformat()
    url = url_demande(demande, "radier")

    reponse = client.post(url, {"motif": "irrecevabilite", "date_avertissement": avertissement})

    assert reponse.status_code == 200
    assert "Une irrecevabilité se radie avec son sous-motif" in texte(reponse)
    demande.refresh_from_db()
    assert demande.est_active

    reponse = client.post(
        url,
        {
            "motif": "irrecevabilite",
            "sous_motif": "piece_falsifiee",
            "date_avertissement": avertissement,
        },
        follow=True,
    )
    demande.refresh_from_db()
    assert demande.statut == Demande.Statut.RADIEE
    assert demande.sous_motif_radiation == "piece_falsifiee"
    assert "Demande radiée (irrecevabilité décidée par la CAL)" in texte(reponse)


def test_une_demande_radiee_n_offre_plus_la_modification(client, guichet, agent_saisie):
    demande = enregistrer(guichet, agent_saisie)
    services.radier(demande, "renonciation", par=agent_saisie, guichet=guichet)

    page = texte(client.get(url_demande(demande)))

    assert "Radiée" in page
    assert url_demande(demande, "modifier") not in page
    assert url_demande(demande, "renouveler") not in page
    assert url_demande(demande, "reactiver") in page
    reponse = client.get(url_demande(demande, "modifier"), follow=True)
    assert "elle n'est plus modifiable" in texte(reponse)


def test_renouveler_puis_modifier(client, guichet, agent_saisie):
    demande = enregistrer(guichet, agent_saisie)

    confirmation = texte(client.get(url_demande(demande, "renouveler")))
    assert "Confirmer le renouvellement" in confirmation
    reponse = client.post(url_demande(demande, "renouveler"), follow=True)
    demande.refresh_from_db()
    assert demande.date_dernier_renouvellement == timezone.localdate()
    assert f"elle expire désormais le {demande.date_expiration:%d/%m/%Y}" in texte(reponse)

    formulaire = client.get(url_demande(demande, "modifier"))
    assert formulaire.status_code == 200
    reponse = client.post(
        url_demande(demande, "modifier"),
        valeurs_du_formulaire(
            formulaire,
            email="elodie@exemple.fr",
            deja_locataire_hlm="oui",
            commune_1="Paris 13e Arrondissement (75013)",
            commune_1_code="75113",
            commune_2="Paris 14e",
        ),
        follow=True,
    )

    page = texte(reponse)
    assert "Modifications enregistrées — aucune attestation n'est nécessaire" in page, page[:3000]
    demande.refresh_from_db()
    assert demande.deja_locataire_hlm is True
    assert [c.commune_id for c in demande.communes_souhaitees.all()] == ["75113", "75114"]
    modification = demande.historique.get(action=HistoriqueDemande.Action.MODIFICATION)
    assert {c["champ"] for c in modification.changements} >= {
        "deja_locataire_hlm",
        "demandeur.email",
        "souhaits.communes",
    }
    historique = texte(client.get(url_demande(demande) + "?onglet=historique"))
    assert "Demandeur — e-mail : — → elodie@exemple.fr" in historique


def test_l_attestation_pas_encore_produite_est_annoncee_en_preparation(
    client, guichet, agent_saisie
):
    demande = enregistrer(guichet, agent_saisie)

    reponse = client.get(url_demande(demande, "attestation"), follow=True)

    assert reponse.status_code == 200
    assert "L'attestation est en préparation" in texte(reponse)


def test_ajouter_une_personne_a_charge_ou_une_commune_sans_perdre_la_saisie(
    client, guichet, agent_saisie
):
    etapes = donnees_etapes(guichet)
    url = client.get(reverse("demandes:nouvelle")).url
    for etape in ("guichet", "demandeur"):
        url = client.post(url, etapes[etape]).url

    reponse = client.post(url, {**etapes["menage"], "action": "ajouter_personne"})

    page = texte(reponse)
    assert reponse.status_code == 200
    assert "Personne à charge n° 2" in page
    assert 'value="Linh"' in page
    assert "fr-input-group--error" not in page  # nothing validated yet
    assert re.search(r'<input[^>]*name="personnes-1-nom"[^>]*autofocus', page)
    donnees = {**etapes["menage"], "personnes-TOTAL_FORMS": "2"}
    donnees.update({"personnes-1-nom": "Nguyen", "personnes-1-prenom": "Bao"})
    url = client.post(url, donnees).url
    url = client.post(url, etapes["ressources"]).url

    reponse = client.post(url, {"commune_1": "", "action": "ajouter_commune"})
    assert "Commune souhaitée n° 4" in texte(reponse)
    assert "Indiquez au moins une commune" not in texte(reponse)


def test_sans_javascript_chaque_onglet_a_son_adresse(client, guichet, agent_saisie):
    demande = enregistrer(guichet, agent_saisie)

    page = texte(client.get(url_demande(demande) + "?onglet=historique"))

    assert "<noscript>" in page and 'href="?onglet=souhaits"' in page
    assert 'id="panneau-historique" class="fr-tabs__panel fr-tabs__panel--selected"' in page


def test_un_refus_du_service_revient_sur_le_champ_de_son_etape(
    client, guichet, agent_saisie, monkeypatch
):
    url = parcourir(client, donnees_etapes(guichet))
    url = client.post(url, {}).url

    def refuser(*args, **kwargs):
        raise services.DonneesInvalides(
            "La demande ne peut pas être enregistrée : commune inconnue.",
            details={
                "erreurs": [
                    {
                        "champ": "demandeur.adresse.commune",
                        "code": "commune_inconnue",
                        "message": "Aucune commune ne correspond à « Paris 13e ».",
                    }
                ]
            },
        )

    monkeypatch.setattr(services, "enregistrer_demande", refuser)
    reponse = client.post(url, {}, follow=True)

    page = texte(reponse)
    assert reponse.redirect_chain[-1][0].endswith("/demandeur/")
    assert "La demande n'a pas été enregistrée : corrigez l'erreur signalée." in page
    assert 'href="#id_commune">Commune de résidence : Aucune commune ne correspond' in page
    assert not Demande.objects.exists()

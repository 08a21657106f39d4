"""A married or PACS couple separates (FAQ « Un couple se sépare »): the co-demandeur gets a
complete demande of their own — identity document, address, the children who follow them —
both keep the seniority, both households and situations are right, both histories say what
happened, both applicants are told (issue 9)."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from sne.attestations import services as attestations
from sne.demandes import services
from sne.demandes.models import Demande, HistoriqueDemande
from sne.demandes.regles import ModificationConcurrente
from sne.demandes.services.separation import Separation
from sne.exceptions import ErreurMetier, NonAutorise
from sne.notifications import services as notifications
from sne.notifications.models import Message
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.outils import a_midi, connecter, texte
from tests.test_saisies_hostiles import VALEURS_HOSTILES, _formulaires

DEPOT = date(2025, 3, 3)
SEPARATION = date(2025, 9, 19)

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(DEPOT)]


def couple_avec_deux_enfants(
    guichet, saisie, *, email_demandeur="marie.durand@example.fr", justification=None
):
    donnees = donnees_minimales()
    donnees["demandeur"] = {
        **donnees["demandeur"],
        "nom": "Durand",
        "prenom": "Marie",
        "civilite": "MME",
        "situation_familiale": "marie",
        "email": email_demandeur,
    }
    donnees["co_demandeur"] = {
        "nom": "Durand",
        "prenom": "Paul",
        "civilite": "M",
        "date_naissance": "1984-06-02",
        "lien": "conjoint",
    }
    donnees["personnes_a_charge"] = [
        {"nom": "Durand", "prenom": "Léa", "date_naissance": "2015-05-10", "lien": "enfant"},
        {"nom": "Durand", "prenom": "Tom", "date_naissance": "2018-11-23", "lien": "enfant"},
    ]
    return services.enregistrer_demande(guichet, saisie, donnees, justification)


def enfant(demande, prenom):
    return next(p for p in demande.personnes_a_charge if p.prenom == prenom)


def separation(**changements) -> Separation:
    valeurs = {
        "piece_identite_type": "passeport",
        "piece_identite_numero": "19AB12345",
        "piece_identite_expiration": date(2029, 1, 31),
        "adresse_ligne1": "8 avenue Jean Jaurès",
        "commune": "93066",
        "email": "paul.durand@example.fr",
        "telephone": "06 12 34 56 78",
        "situation_demandeur": "divorce",
        "situation_co_demandeur": "divorce",
    }
    return Separation(**{**valeurs, **changements})


@pytest.fixture
def couple(guichet_75, agent_75):
    return couple_avec_deux_enfants(guichet_75, agent_75)


# --- The service ------------------------------------------------------------------------------


def test_la_separation_donne_au_co_demandeur_une_demande_complete_avec_l_anciennete(
    couple, guichet_75, agent_75, horloge, django_capture_on_commit_callbacks
):
    horloge.move_to(a_midi(SEPARATION))
    lea = enfant(couple, "Léa")

    with django_capture_on_commit_callbacks(execute=True):
        nouvelle = services.dupliquer_pour_separation(
            couple,
            agent_75,
            guichet_75,
            separation(partent_avec_le_co_demandeur=frozenset({lea.pk})),
            version=couple.version,
        )

    origine = Demande.objects.get(pk=couple.pk)
    nouvelle = Demande.objects.get(pk=nouvelle.pk)
    assert nouvelle.date_depot == origine.date_depot == DEPOT  # seniority kept
    paul = nouvelle.demandeur
    assert (paul.prenom, paul.situation_familiale) == ("Paul", "divorce")
    assert (paul.piece_identite_type, paul.piece_identite_numero) == ("passeport", "19AB12345")
    assert paul.piece_identite_expiration == date(2029, 1, 31)
    assert (paul.adresse_ligne1, paul.commune_id, paul.code_postal) == (
        "8 avenue Jean Jaurès",
        "93066",
        "93200",
    )
    assert (paul.email, paul.telephone) == ("paul.durand@example.fr", "06 12 34 56 78")
    assert [p.prenom for p in nouvelle.personnes_a_charge] == ["Léa"]
    assert [p.prenom for p in origine.personnes_a_charge] == ["Tom"]
    assert origine.co_demandeur is None
    assert origine.demandeur.situation_familiale == "divorce"
    assert (origine.nombre_personnes, nouvelle.nombre_personnes) == (2, 2)
    assert [c.commune_id for c in nouvelle.communes_souhaitees.all()] == ["75120"]


def test_les_deux_historiques_disent_ce_qui_s_est_passe_en_mots(
    couple, guichet_75, agent_75, horloge
):
    horloge.move_to(a_midi(SEPARATION))
    lea = enfant(couple, "Léa")

    nouvelle = services.dupliquer_pour_separation(
        couple,
        agent_75,
        guichet_75,
        separation(partent_avec_le_co_demandeur=frozenset({lea.pk})),
    )

    entree = couple.historique.get(action=HistoriqueDemande.Action.DUPLICATION_SEPARATION)
    assert entree.commentaire == (
        f"Séparation : Paul DURAND a désormais sa propre demande {nouvelle.numero_unique}, avec "
        "la même ancienneté (dépôt le 03/03/2025) ; Léa DURAND (enfant) part avec Paul DURAND ; "
        "Tom DURAND (enfant) reste avec Marie DURAND ; situation familiale de Marie DURAND : "
        "Marié(e) → Divorcé(e) ; personnes à loger : 4 → 2"
    )
    assert {"champ": "co_demandeur", "avant": "Paul DURAND", "apres": None} in entree.changements
    assert {"champ": "nombre_personnes", "avant": 4, "apres": 2} in entree.changements
    assert {
        "champ": "demandeur.situation_familiale",
        "avant": "marie",
        "apres": "divorce",
    } in entree.changements
    creation = nouvelle.historique.get()
    assert creation.action == HistoriqueDemande.Action.CREATION_SUITE_SEPARATION
    assert creation.commentaire == (
        f"Créée par séparation de la demande {couple.numero_unique}, ancienneté conservée "
        "(dépôt le 03/03/2025). Demandeur : Paul DURAND, pièce d'identité : Passeport ; "
        "Léa DURAND (enfant) part avec Paul DURAND ; situation familiale : Divorcé(e) ; "
        "personnes à loger : 2"
    )


def test_sans_enfant_qui_le_suit_le_co_demandeur_est_seul_dans_sa_demande(
    couple, guichet_75, agent_75
):
    nouvelle = services.dupliquer_pour_separation(
        couple, agent_75, guichet_75, separation(situation_demandeur="separe")
    )

    couple.refresh_from_db()
    assert nouvelle.nombre_personnes == 1
    assert couple.nombre_personnes == 3
    assert [p.prenom for p in couple.personnes_a_charge] == ["Léa", "Tom"]
    assert couple.demandeur.situation_familiale == "separe"


def test_une_separation_sans_piece_d_identite_ni_adresse_n_ecrit_rien(couple, guichet_75, agent_75):
    with pytest.raises(services.DonneesInvalides) as exc:
        services.dupliquer_pour_separation(
            couple,
            agent_75,
            guichet_75,
            separation(piece_identite_type="", adresse_ligne1=" ", commune="", email="paul@"),
        )

    champs = {e["champ"]: e["code"] for e in exc.value.details["erreurs"]}
    assert champs == {
        "piece_identite_type": "piece_identite_manquante",
        "adresse_ligne1": "obligatoire",
        "commune": "obligatoire",
        "email": "email_invalide",
    }
    assert Demande.objects.count() == 1
    couple.refresh_from_db()
    assert couple.co_demandeur is not None and couple.nombre_personnes == 4
    assert not couple.historique.exclude(action=HistoriqueDemande.Action.CREATION).exists()


@pytest.mark.parametrize("situation", ["marie", "pacse", "concubin", "n_importe_quoi"])
def test_apres_une_separation_personne_ne_reste_marie_ni_pacse(
    couple, guichet_75, agent_75, situation
):
    with pytest.raises(services.DonneesInvalides) as exc:
        services.dupliquer_pour_separation(
            couple, agent_75, guichet_75, separation(situation_co_demandeur=situation)
        )

    assert exc.value.details["erreurs"][0]["champ"] == "situation_co_demandeur"


def test_une_commune_inconnue_ou_un_code_postal_d_ailleurs_est_refuse(couple, guichet_75, agent_75):
    with pytest.raises(services.DonneesInvalides) as exc:
        services.dupliquer_pour_separation(
            couple, agent_75, guichet_75, separation(commune="Saint-Denis", code_postal="75001")
        )
    assert exc.value.details["erreurs"][0]["champ"] == "commune"  # several Saint-Denis

    with pytest.raises(services.DonneesInvalides) as exc:
        services.dupliquer_pour_separation(
            couple, agent_75, guichet_75, separation(code_postal="75001")
        )
    assert exc.value.details["erreurs"] == [
        {
            "champ": "code_postal",
            "code": "code_postal_incoherent",
            "message": "Le code postal 75001 n'est pas celui de Saint-Denis.",
        }
    ]


def test_le_code_postal_departage_les_communes_homonymes(couple, guichet_75, agent_75):
    """« St-Denis » is four communes; with 93200 it is Saint-Denis (93), as for any address
    of a registration (a connected system sends the name as typed and the postal code)."""
    nouvelle = services.dupliquer_pour_separation(
        couple, agent_75, guichet_75, separation(commune="St-Denis", code_postal="93200")
    )

    assert (nouvelle.demandeur.commune_id, nouvelle.demandeur.code_postal) == ("93066", "93200")


def test_seule_une_personne_a_charge_de_la_demande_peut_suivre_le_co_demandeur(
    couple, guichet_75, agent_75
):
    autre = couple_avec_deux_enfants(guichet_75, agent_75, justification="Homonymes vérifiés")
    intrus = enfant(autre, "Léa")

    with pytest.raises(services.DonneesInvalides) as exc:
        services.dupliquer_pour_separation(
            couple,
            agent_75,
            guichet_75,
            separation(partent_avec_le_co_demandeur=frozenset({intrus.pk})),
        )
    assert exc.value.details["erreurs"][0]["code"] == "personne_inconnue"
    assert enfant(Demande.objects.get(pk=autre.pk), "Léa").demande_id == autre.pk


def test_une_separation_sur_une_version_depassee_est_refusee(couple, guichet_75, agent_75):
    version_lue = couple.version
    services.modifier_demande(
        couple, agent_75, guichet_75, personnes={couple.demandeur.pk: {"telephone": "0102030405"}}
    )

    with pytest.raises(ModificationConcurrente):
        services.dupliquer_pour_separation(
            couple, agent_75, guichet_75, separation(), version=version_lue
        )
    assert Demande.objects.count() == 1


def test_une_separation_repetee_ne_cree_pas_une_troisieme_demande(couple, guichet_75, agent_75):
    services.dupliquer_pour_separation(couple, agent_75, guichet_75, separation())

    with pytest.raises(ErreurMetier) as exc:
        services.dupliquer_pour_separation(couple, agent_75, guichet_75, separation())
    assert exc.value.code == "duplication_impossible"
    assert Demande.objects.count() == 2


def test_un_agent_en_consultation_ne_separe_pas(couple, guichet_75):
    consultant = agent(guichet_75, "consultation")

    with pytest.raises(NonAutorise):
        services.dupliquer_pour_separation(couple, consultant, guichet_75, separation())
    assert Demande.objects.count() == 1


# --- Both are told ----------------------------------------------------------------------------


def test_chacun_est_informe_par_e_mail(
    couple, guichet_75, agent_75, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        nouvelle = services.dupliquer_pour_separation(couple, agent_75, guichet_75, separation())

    destinataires = {a for m in mail.outbox for a in m.to}
    assert {"marie.durand@example.fr", "paul.durand@example.fr"} <= destinataires
    attestation = nouvelle.messages.get(type=Message.Type.ATTESTATION_ENREGISTREMENT)
    assert attestation.canal == Message.Canal.EMAIL
    # Each e-mail is recorded as the notice of this separation to that person, sent once.
    avis = Message.objects.filter(
        type=Message.Type.AVIS_SEPARATION, cle__endswith=f":s{nouvelle.pk}:email"
    )
    assert {(a.demande_id, a.canal) for a in avis} == {(couple.pk, "email"), (nouvelle.pk, "email")}
    assert all(a.statut == "envoye" for a in avis)


def test_sans_e_mail_chacun_recoit_un_courrier_a_imprimer(
    guichet_75, agent_75, django_capture_on_commit_callbacks
):
    couple = couple_avec_deux_enfants(guichet_75, agent_75, email_demandeur="")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        nouvelle = services.dupliquer_pour_separation(
            couple, agent_75, guichet_75, separation(email="")
        )

    assert not mail.outbox
    courrier_origine = couple.messages.get(type=Message.Type.AVIS_SEPARATION)
    assert (courrier_origine.canal, courrier_origine.statut) == ("courrier", "a_imprimer")
    assert notifications.reimprimer(courrier_origine, agent_75)[1].startswith(b"%PDF")
    assert courrier_origine.donnees["numero_unique"] == couple.numero_unique
    assert courrier_origine.donnees["nombre_personnes"] == 3
    assert nouvelle.numero_unique not in str(courrier_origine.donnees)  # not disclosed
    attestation = nouvelle.messages.get()
    assert (attestation.type, attestation.canal) == ("attestation_enregistrement", "courrier")
    assert set(notifications.courriers_a_imprimer()) >= {courrier_origine, attestation}
    assert attestations.derniere_attestation(couple) is None  # a letter is no attestation


# --- The guided step --------------------------------------------------------------------------


@pytest.fixture
def guichet():
    return GuichetFactory(code="75TA1", nom="Bailleur de test", departements=["75"])


@pytest.fixture
def saisie(client, guichet):
    utilisateur = agent(guichet, email="saisie@bailleur-test.fr")
    connecter(client, utilisateur)
    return utilisateur


def url(demande, action="dupliquer"):
    return reverse(f"demandes:{action}", kwargs={"numero": demande.numero_unique})


def formulaire(demande, **changements) -> dict:
    donnees = {
        "version": demande.version,
        "piece_identite_type": "carte_identite",
        "adresse_ligne1": "8 avenue Jean Jaurès",
        "commune": "Saint-Denis (93200)",
        "commune_code": "93066",
        "situation_demandeur": "separe",
        "situation_co_demandeur": "separe",
        **{f"enfant_{p.pk}": "reste" for p in demande.personnes_a_charge},
    }
    donnees.update(changements)
    return {k: v for k, v in donnees.items() if v is not None}


def test_la_page_propose_chaque_enfant_et_les_situations(client, guichet, saisie):
    couple = couple_avec_deux_enfants(guichet, saisie)

    page = texte(client.get(url(couple)))

    assert "Pièce d'identité présentée" in page
    assert "Léa DURAND (enfant, né(e) le 10/05/2015)" in page
    assert "Part avec Paul DURAND" in page and "Reste avec Marie DURAND" in page
    assert "Situation familiale de Marie DURAND" in page
    assert "Divorcé(e)" in page and "Marié(e)" not in page
    assert url(couple) in texte(client.get(url(couple, "demande")))  # the page's button


def test_la_page_montre_chaque_erreur_sur_son_champ_et_n_ecrit_rien(client, guichet, saisie):
    couple = couple_avec_deux_enfants(guichet, saisie)

    reponse = client.post(
        url(couple),
        formulaire(
            couple,
            piece_identite_type=None,
            adresse_ligne1="",
            commune="Trifouillis-sur-Mer",
            commune_code="",
            email="paul@",
        ),
    )

    assert reponse.status_code == 200
    erreurs = reponse.context["form"].errors
    assert "pièce d'identité est obligatoire" in erreurs["piece_identite_type"][0]
    assert erreurs["adresse_ligne1"] == [
        "La nouvelle adresse de Paul DURAND (voie et commune) est obligatoire."
    ]
    assert "commune" in erreurs
    assert erreurs["email"][0].startswith("Adresse e-mail invalide")
    assert "erreurs sont à corriger" in texte(reponse)
    assert Demande.objects.count() == 1
    assert Demande.objects.get(pk=couple.pk).version == couple.version


def test_la_page_enregistre_la_separation_et_mene_a_la_nouvelle_demande(client, guichet, saisie):
    couple = couple_avec_deux_enfants(guichet, saisie)
    tom = enfant(couple, "Tom")

    reponse = client.post(
        url(couple), formulaire(couple, **{f"enfant_{tom.pk}": "part"}), follow=True
    )

    nouvelle = Demande.objects.exclude(pk=couple.pk).get()
    page = texte(reponse)
    assert reponse.redirect_chain[-1][0] == url(nouvelle, "demande")
    assert f"Paul DURAND a désormais sa propre demande {nouvelle.numero_unique}" in page
    assert "Carte nationale d'identité" in page
    assert "8 avenue Jean Jaurès, 93200 Saint-Denis" in page
    assert [p.prenom for p in nouvelle.personnes_a_charge] == ["Tom"]
    assert nouvelle.demandeur.situation_familiale == "separe"


def test_une_version_depassee_garde_la_saisie_et_dit_ce_qui_a_change(client, guichet, saisie):
    couple = couple_avec_deux_enfants(guichet, saisie)
    donnees = formulaire(couple, telephone="0601020304")
    services.modifier_demande(
        couple, saisie, guichet, personnes={couple.demandeur.pk: {"telephone": "0102030405"}}
    )

    reponse = client.post(url(couple), donnees)

    assert reponse.status_code == 200
    assert "a été modifiée pendant que vous la modifiiez" in texte(reponse)
    assert reponse.context["form"]["telephone"].value() == "0601020304"
    assert reponse.context["form"]["version"].value() == str(couple.version + 1)
    assert Demande.objects.count() == 1


def test_la_page_n_est_pas_offerte_a_un_couple_non_marie(client, guichet, saisie):
    donnees = donnees_minimales()
    donnees["co_demandeur"] = {"nom": "Durand", "prenom": "Paul", "date_naissance": "1984-06-02"}
    demande = services.enregistrer_demande(guichet, saisie, donnees)

    reponse = client.get(url(demande))

    assert "n'est possible que pour un couple marié ou pacsé" in texte(reponse)
    assert "Enregistrer la séparation" not in texte(reponse)
    client.post(url(demande), {"version": demande.version, "piece_identite_type": "passeport"})
    assert Demande.objects.count() == 1


def test_aucune_saisie_hostile_sur_l_etape_de_separation_ne_provoque_d_erreur_500(
    client, guichet, saisie
):
    """The walk of tests/test_saisies_hostiles.py, on this form (each field in turn)."""
    couple = couple_avec_deux_enfants(guichet, saisie)
    client.raise_request_exception = False
    page = client.get(url(couple)).content.decode()
    (_, action, valeurs, noms), *_ = [
        f for f in _formulaires(page, url(couple)) if f[0] == "post" and "version" in f[3]
    ]
    assert {"piece_identite_type", "commune", f"enfant_{enfant(couple, 'Léa').pk}"} <= set(noms)
    erreurs = []
    for nom in noms:
        for hostile in VALEURS_HOSTILES:
            statut = client.post(action, {**valeurs, nom: hostile}).status_code
            if statut >= 500:
                erreurs.append(f"{nom}={hostile[:20]!r} → {statut}")

    assert not erreurs, "\n".join(erreurs)
    assert Demande.objects.count() == 1

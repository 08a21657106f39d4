"""The renewal campaign (CCH R441-2-7, R441-2-8): the notice one month before expiry, by the
right channels, once; the radiation for non-renouvellement one month after expiry, never
without a month's warning; catching up after downtime; a renewal always wins."""

import threading
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from sne.audit.models import EvenementAudit
from sne.demandes import nomenclatures as n
from sne.demandes import services as demandes
from sne.demandes.models import Demande, HistoriqueDemande
from sne.doublons.models import EmpreinteIdentite
from sne.notifications import campagne, services
from sne.notifications.models import EvenementMessage, JourneeCampagne, Message
from sne.notifications.sms import MemoireSms
from tests.outils import a_midi

from .conftest import DEPOT, EXPIRATION

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(DEPOT)]

UN_MOIS_AVANT = date(2026, 12, 2)
UN_MOIS_APRES = date(2027, 2, 2)


def lancer(le: date, *options) -> str:
    sortie = StringIO()
    call_command("campagne_renouvellement", "--date", le.isoformat(), *options, stdout=sortie)
    return sortie.getvalue()


def preavis(demande):
    return demande.messages.filter(type=Message.Type.PREAVIS_RENOUVELLEMENT)


def test_un_mois_avant_l_expiration_le_preavis_part_par_la_poste_et_par_e_mail(enregistrer):
    demande = enregistrer()
    assert demande.date_expiration == EXPIRATION

    sortie = lancer(UN_MOIS_AVANT)

    assert "1 préavis" in sortie
    # Never registered nor renewed on the portal: by post, and by e-mail since it is known.
    assert sorted(preavis(demande).values_list("canal", "statut")) == [
        ("courrier", "a_imprimer"),
        ("email", "envoye"),
    ]
    [email] = mail.outbox
    assert email.to == ["elodie@example.fr"]
    assert demande.numero_unique in email.subject + email.body
    assert "02/01/2027" in email.body
    courrier = preavis(demande).get(canal="courrier")
    assert list(services.courriers_a_imprimer("75")) == [courrier]
    assert courrier.cycle == EXPIRATION and courrier.date_avis == UN_MOIS_AVANT
    assert courrier.donnees["numero_unique"] == demande.numero_unique
    assert "75020 PARIS" in courrier.adresse[-1]
    evenements = EvenementMessage.objects.filter(message__in=preavis(demande))
    assert sorted(evenements.values_list("message__canal", "type")) == [
        ("courrier", "cree"),
        ("email", "cree"),
        ("email", "envoye"),
    ]


def test_une_seconde_campagne_n_envoie_rien_le_jour_meme_ni_les_jours_suivants(enregistrer):
    demande = enregistrer()
    lancer(UN_MOIS_AVANT)
    lancer(UN_MOIS_AVANT)
    lancer(UN_MOIS_AVANT + timedelta(days=1))
    lancer(EXPIRATION)

    assert preavis(demande).count() == 2
    assert len(mail.outbox) == 1
    assert JourneeCampagne.objects.get(date=UN_MOIS_AVANT).preavis == 1


def test_avant_la_fenetre_du_preavis_rien_ne_part(enregistrer):
    demande = enregistrer()
    assert "0 préavis" in lancer(UN_MOIS_AVANT - timedelta(days=1))
    assert not preavis(demande).exists()


def test_qui_a_fait_ses_demarches_en_ligne_recoit_le_preavis_par_e_mail_seulement(enregistrer):
    en_ligne = enregistrer(demarches_en_ligne=True)
    lancer(UN_MOIS_AVANT)
    assert list(preavis(en_ligne).values_list("canal", flat=True)) == ["email"]


def test_qui_a_demande_la_poste_la_recoit_aussi(enregistrer):
    demande = enregistrer(demarches_en_ligne=True, courrier=True)
    lancer(UN_MOIS_AVANT)
    assert sorted(preavis(demande).values_list("canal", flat=True)) == ["courrier", "email"]


def test_un_mobile_connu_recoit_aussi_un_sms(enregistrer):
    demande = enregistrer(telephone="06 12 34 56 78")
    lancer(UN_MOIS_AVANT)
    sms = preavis(demande).get(canal="sms")
    assert sms.statut == "envoye" and sms.destinataire == "+33612345678"
    [envoye] = MemoireSms.boite
    assert envoye["numero"] == "+33612345678"
    assert demande.numero_unique in envoye["texte"]


def test_sans_adresse_postale_ni_e_mail_le_demandeur_est_liste_pour_le_guichet(enregistrer, saisie):
    demande = enregistrer(email="")
    demande.demandeur.__class__.objects.filter(pk=demande.demandeur.pk).update(
        adresse_ligne1="", code_postal="", commune=None
    )
    Demande.objects.filter(pk=demande.pk).update(modifiee_le=a_midi(DEPOT) - timedelta(days=1))

    sortie = lancer(UN_MOIS_AVANT)

    assert "1 demandeur(s) injoignable(s)" in sortie
    [courrier] = preavis(demande)
    assert (courrier.canal, courrier.statut) == ("courrier", "echec")
    assert courrier.evenements.filter(type="non_distribuable").exists()
    assert list(services.a_corriger(saisie)) == [courrier]


def test_un_mois_apres_l_expiration_la_demande_est_radiee_pour_non_renouvellement(enregistrer):
    demande = enregistrer()
    lancer(UN_MOIS_AVANT)
    assert "0 radiation" in lancer(UN_MOIS_APRES - timedelta(days=1))
    demande.refresh_from_db()
    assert demande.est_active

    sortie = lancer(UN_MOIS_APRES)

    assert "1 radiation(s)" in sortie
    demande.refresh_from_db()
    assert demande.statut == Demande.Statut.RADIEE
    assert demande.motif_radiation == n.MotifRadiation.NON_RENOUVELLEMENT
    assert n.code_national(n.MotifRadiation, demande.motif_radiation) == "RADREN"
    assert demande.date_radiation == UN_MOIS_APRES
    entree = demande.historique.get(action=HistoriqueDemande.Action.RADIATION)
    assert entree.utilisateur is None and "Campagne de renouvellement" in entree.commentaire
    avis = demande.messages.filter(type=Message.Type.AVIS_RADIATION)
    assert sorted(avis.values_list("canal", flat=True)) == ["courrier", "email"]
    assert "radiée" in mail.outbox[-1].body
    # Run again: nothing more.
    lancer(UN_MOIS_APRES)
    assert demande.messages.filter(type=Message.Type.AVIS_RADIATION).count() == 2


def test_la_radiation_de_la_campagne_laisse_les_memes_traces_qu_une_radiation_au_guichet(
    enregistrer,
):
    """History, audit journal, change-feed event (with the wished communes, for the desks that
    follow them) and duplicate index: written by batch, as `enregistrer_version` writes them."""
    demandes_ = [enregistrer(numero=i) for i in range(3)]
    lancer(UN_MOIS_AVANT)
    lancer(UN_MOIS_APRES)

    for demande in demandes_:
        demande.refresh_from_db()
        assert demande.version == 2 and demande.statut == "radiee"
        entree = demande.historique.get(action="radiation")
        assert entree.version == 2 and entree.changements[1]["apres"] == "non_renouvellement"
        assert EvenementAudit.objects.filter(
            objet_type="demandes.demande",
            objet_id=str(demande.pk),
            resume=f"Radiation de la demande {demande.numero_unique}",
        ).exists()
        evenement = demande.evenements.get(type="radiation")
        assert evenement.code_fichier == "RAD"
        assert evenement.donnees == {
            "numero_unique": demande.numero_unique,
            "version": 2,
            "statut": "radiee",
            "champs": ["motif_radiation", "statut"],
        }
        assert list(evenement.communes.values_list("commune_id", "departement_id")) == [
            ("75120", "75")
        ]
        assert not EmpreinteIdentite.objects.filter(demande=demande, actif=True).exists()
        assert EmpreinteIdentite.objects.filter(demande=demande).exists()


def test_jamais_de_radiation_sans_un_mois_de_preavis_meme_apres_un_long_arret(enregistrer):
    demande = enregistrer()
    arret = UN_MOIS_APRES + timedelta(days=20)  # the campaign never ran before

    bilan = campagne.lancer_campagne(arret)

    assert (bilan.preavis, bilan.radiations) == (1, 0)
    demande.refresh_from_db()
    assert demande.est_active
    # The notice is of 22 February: the radiation waits until 22 March.
    assert campagne.lancer_campagne(date(2027, 3, 21)).radiations == 0
    assert campagne.lancer_campagne(date(2027, 3, 22)).radiations == 1


def test_la_campagne_rattrape_seule_des_jours_d_arret(enregistrer, horloge):
    premiere = enregistrer()
    horloge.move_to(a_midi(DEPOT + timedelta(days=5)))
    deuxieme = enregistrer(numero=1)
    horloge.move_to(a_midi(DEPOT + timedelta(days=10)))
    troisieme = enregistrer(numero=2)

    bilan = campagne.lancer_campagne(UN_MOIS_AVANT + timedelta(days=10))

    assert bilan.preavis == 3
    for demande in (premiere, deuxieme, troisieme):
        assert preavis(demande).count() == 2


def test_a_blanc_la_campagne_compte_et_ne_change_rien(enregistrer):
    demande = enregistrer()
    lancer(UN_MOIS_AVANT)
    mail.outbox.clear()

    sortie = lancer(UN_MOIS_APRES, "--a-blanc")

    assert "0 préavis à envoyer, 1 demande(s) à radier" in sortie
    demande.refresh_from_db()
    assert demande.est_active and mail.outbox == []
    assert not JourneeCampagne.objects.filter(date=UN_MOIS_APRES).exists()


def test_une_date_mal_ecrite_est_refusee_en_francais():
    with pytest.raises(CommandError, match=r"Date invalide : « 01/03/2027 ».*AAAA-MM-JJ"):
        call_command("campagne_renouvellement", "--date", "01/03/2027")


def test_une_reprise_apres_un_plantage_n_envoie_rien_deux_fois(enregistrer, monkeypatch):
    demandes_ = [enregistrer(numero=i) for i in range(3)]
    vraie = services.notifier_plusieurs
    lots = []

    def plante_au_second_lot(avis):
        lots.append(avis)
        if len(lots) == 2:
            raise RuntimeError("le serveur s'arrête")
        return vraie(avis)

    monkeypatch.setattr(campagne, "TAILLE_LOT", 2)
    monkeypatch.setattr(campagne, "notifier_plusieurs", plante_au_second_lot)
    with pytest.raises(RuntimeError):
        campagne.lancer_campagne(UN_MOIS_AVANT)
    assert not JourneeCampagne.objects.get(date=UN_MOIS_AVANT).terminee_le
    assert Message.objects.filter(type=Message.Type.PREAVIS_RENOUVELLEMENT).count() == 4
    monkeypatch.setattr(campagne, "notifier_plusieurs", vraie)

    campagne.lancer_campagne(UN_MOIS_AVANT)
    services.envoyer_messages_en_attente()

    for demande in demandes_:
        assert sorted(preavis(demande).values_list("canal", flat=True)) == ["courrier", "email"]
    assert sorted(m.to[0] for m in mail.outbox) == ["elodie@example.fr"] * 3
    assert JourneeCampagne.objects.get(date=UN_MOIS_AVANT).terminee_le


def test_un_preavis_ecrit_entre_temps_par_une_autre_campagne_n_est_pas_double(
    enregistrer, monkeypatch
):
    """The campaign writes a batch's messages in one query, after looking up those already
    recorded. Another run (a retried task) that records one of them between the look-up and
    the write makes the write fail on the unique key: the batch is then written one message
    at a time, and the notice exists once."""
    demandes_ = [enregistrer(numero=i) for i in range(2)]
    filtrer = Message.objects.filter
    autre_campagne = []

    def l_autre_campagne_ecrit_juste_apres_le_controle(*args, **kwargs):
        if "cle__in" not in kwargs:
            return filtrer(*args, **kwargs)
        cle = services.cle_message(
            Message.Type.PREAVIS_RENOUVELLEMENT, demandes_[0].pk, "courrier", "2027-01-02"
        )
        autre_campagne.append(
            Message.objects.create(
                demande=demandes_[0],
                departement_id="75",
                type=Message.Type.PREAVIS_RENOUVELLEMENT,
                canal="courrier",
                statut="a_imprimer",
                cle=cle,
                date_avis=UN_MOIS_AVANT,
                cycle=EXPIRATION,
            )
        )
        return Message.objects.none()  # looked up just before that write

    monkeypatch.setattr(Message.objects, "filter", l_autre_campagne_ecrit_juste_apres_le_controle)
    bilan = campagne.lancer_campagne(UN_MOIS_AVANT)
    monkeypatch.undo()

    assert bilan.preavis == 2
    assert bilan.messages == 3  # the fourth is the other run's
    for demande in demandes_:
        assert sorted(preavis(demande).values_list("canal", flat=True)) == ["courrier", "email"]
    assert preavis(demandes_[0]).get(canal="courrier") == autre_campagne[0]
    assert EvenementMessage.objects.filter(message__in=preavis(demandes_[1])).count() == 2


def test_un_renouvellement_apres_le_preavis_arrete_le_cycle(
    enregistrer, guichet, saisie, horloge, django_capture_on_commit_callbacks
):
    demande = enregistrer()
    lancer(UN_MOIS_AVANT)
    horloge.move_to(a_midi(UN_MOIS_AVANT + timedelta(days=3)))
    with django_capture_on_commit_callbacks(execute=True):
        demandes.renouveler(demande, saisie, guichet)

    # The notice letter not printed yet is not sent any more.
    courrier = preavis(demande).get(canal="courrier")
    assert courrier.statut == "annule"
    assert courrier.evenements.filter(type="annule").exists()
    assert list(services.courriers_a_imprimer()) == [] or all(
        m.type != Message.Type.PREAVIS_RENOUVELLEMENT for m in services.courriers_a_imprimer()
    )
    lancer(UN_MOIS_APRES)
    demande.refresh_from_db()
    assert demande.est_active and demande.date_expiration == date(2027, 12, 5)


def test_un_agent_qui_renouvelle_juste_apres_la_radiation_la_fait_oublier(
    enregistrer, guichet, saisie, horloge, django_capture_on_commit_callbacks
):
    """The agent's page was open before the campaign struck the demande off: « Renouveler »
    still wins, with the same numéro and seniority."""
    demande = enregistrer()
    lancer(UN_MOIS_AVANT)
    lancer(UN_MOIS_APRES)
    horloge.move_to(a_midi(UN_MOIS_APRES))
    with django_capture_on_commit_callbacks(execute=True):
        renouvelee = demandes.renouveler(demande, saisie, guichet)
    assert renouvelee.est_active
    assert renouvelee.date_depot == DEPOT
    assert renouvelee.date_expiration == date(2028, 2, 2)


@pytest.mark.django_db(transaction=True)
def test_la_campagne_n_attend_pas_et_ne_radie_pas_une_demande_qu_un_agent_renouvelle(
    referentiels_charges, enregistrer, guichet, saisie
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite sérialise les écritures : pas de verrou de ligne à sauter.")
    demande = enregistrer()
    campagne.lancer_campagne(UN_MOIS_AVANT)
    verrou_pris = threading.Event()
    fin_campagne = threading.Event()

    def agent_qui_renouvelle():
        try:
            with transaction.atomic():
                Demande.objects.select_for_update().get(pk=demande.pk)
                verrou_pris.set()
                fin_campagne.wait(20)
                Demande.objects.filter(pk=demande.pk).update(date_expiration=date(2028, 2, 2))
        finally:
            connection.close()

    fil = threading.Thread(target=agent_qui_renouvelle)
    fil.start()
    verrou_pris.wait(20)
    bilan = campagne.lancer_campagne(UN_MOIS_APRES)  # does not wait for the agent
    fin_campagne.set()
    fil.join()

    assert bilan.radiations == 0
    demande.refresh_from_db()
    assert demande.est_active and demande.date_expiration == date(2028, 2, 2)
    assert campagne.lancer_campagne(UN_MOIS_APRES).radiations == 0

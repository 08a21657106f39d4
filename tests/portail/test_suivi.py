"""The signed-in applicant: sees the demande, renews it from the notice window on, updates it,
renounces it, downloads only their own attestations — each action in the history with the
portal's desk and no agent, and in the audit log."""

from copy import deepcopy
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.demandes import nomenclatures as n
from sne.demandes import services as demandes
from sne.demandes.models import Demande, HistoriqueDemande
from sne.exceptions import ErreurMetier
from sne.portail import services_compte as services
from sne.portail.commun import guichet_du_portail
from tests.portail.conftest import DONNEES, jeton_recu, ouvrir_session_portail

pytestmark = pytest.mark.django_db


def expire_dans(demande, jours: int) -> None:
    Demande.objects.filter(pk=demande.pk).update(
        date_expiration=timezone.localdate() + timedelta(days=jours)
    )
    demande.refresh_from_db()


def derniere_entree(demande) -> HistoriqueDemande:
    return HistoriqueDemande.objects.filter(demande=demande).latest("pk")


def test_la_page_montre_la_demande_et_est_journalisee(connecte, demande):
    reponse = connecte.get("/portail/ma-demande/")
    page = reponse.content.decode()
    for attendu in (
        demande.numero_unique,
        "Déposée le",
        "Ancienneté",
        "Renouvellement possible à partir du",
        "Samia BENALI",
        "Attestation d&#x27;enregistrement",
        "Courriel",  # the attestation's message, its channel
        "Enregistrement",  # the history
    ):
        assert attendu in page, attendu
    assert "no-store" in reponse["Cache-Control"]
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CONSULTATION,
        objet_id=str(demande.pk),
        guichet=guichet_du_portail(),
        utilisateur=None,
    ).exists()


def test_renouveler_avant_la_fenetre_est_refuse_en_disant_quand(connecte, demande):
    with pytest.raises(ErreurMetier) as erreur:
        services.renouveler_en_ligne(demande)
    ouverture = services.ouverture_renouvellement(demande)
    assert ouverture == demande.date_expiration - relativedelta(months=1)
    assert f"Vous pourrez la renouveler à partir du {ouverture:%d/%m/%Y}" in erreur.value.message
    reponse = connecte.post("/portail/ma-demande/renouveler/", follow=True)
    assert "Vous pourrez la renouveler à partir du" in reponse.content.decode()
    demande.refresh_from_db()
    assert demande.date_dernier_renouvellement is None


def test_renouveler_dans_la_fenetre_envoie_l_attestation(
    connecte, demande, django_capture_on_commit_callbacks
):
    expire_dans(demande, 20)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = connecte.post("/portail/ma-demande/renouveler/")
    assert reponse["Location"] == "/portail/ma-demande/"
    demande.refresh_from_db()
    assert demande.date_dernier_renouvellement == timezone.localdate()
    assert demande.demarches_en_ligne
    assert any("renouvellement" in m.subject for m in mail.outbox)
    entree = derniere_entree(demande)
    assert entree.action == HistoriqueDemande.Action.RENOUVELLEMENT
    assert entree.utilisateur is None and entree.guichet == guichet_du_portail()
    # A second submit (the form sent twice) renews nothing more: the window is closed again.
    connecte.post("/portail/ma-demande/renouveler/")
    assert (
        HistoriqueDemande.objects.filter(
            demande=demande, action=HistoriqueDemande.Action.RENOUVELLEMENT
        ).count()
        == 1
    )


def test_les_modifications_sont_dans_l_historique_avec_le_guichet_du_portail(connecte, demande):
    reponse = connecte.post(
        "/portail/ma-demande/modifier/situation/",
        {
            "version": demande.version,
            "situation_familiale": n.SituationFamiliale.values[0],
            "situation_professionnelle": "",
            "employeur": "Boulangerie du Coin",
            "revenus_mensuels": "1450",
        },
    )
    assert reponse["Location"] == "/portail/ma-demande/"
    entree = derniere_entree(demande)
    assert entree.action == HistoriqueDemande.Action.MODIFICATION
    assert entree.utilisateur is None and entree.guichet == guichet_du_portail()
    assert {c["champ"] for c in entree.changements} >= {
        "demandeur.employeur",
        "demandeur.revenus_mensuels",
    }
    page = connecte.get("/portail/ma-demande/").content.decode()
    assert "Vous, en ligne" in page
    # No attestation after a modification (FAQ).
    assert not mail.outbox


def test_les_souhaits_et_les_ressources_se_modifient_par_le_meme_service(demande):
    services.modifier_en_ligne(
        demande,
        demande_valeurs={"typologies": ["T2", "T3"], "revenu_fiscal_reference": 18000},
        communes=["93066", "93048"],
    )
    demande.refresh_from_db()
    assert demande.typologies == ["T2", "T3"]
    assert list(
        demande.communes_souhaitees.order_by("rang").values_list("commune_id", flat=True)
    ) == ["93066", "93048"]
    assert derniere_entree(demande).guichet == guichet_du_portail()


def test_l_adresse_electronique_ne_se_change_pas_sans_lien(demande):
    with pytest.raises(ErreurMetier):
        services.modifier_en_ligne(demande, personne={"email": "autre@example.fr"})
    with pytest.raises(ErreurMetier):
        services.modifier_en_ligne(demande, personne={"nom": "Autre"})


def test_changer_d_adresse_electronique_passe_par_le_lien_d_activation(
    connecte, demande, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reponse = connecte.post(
            "/portail/ma-demande/modifier/adresse-electronique/",
            {"email": "samia.b@example.org"},
        )
    assert reponse["Location"] == "/portail/connexion/lien-envoye/"
    demande.refresh_from_db()
    assert demande.demandeur.email == "samia.benali@example.fr"  # not before activation
    connecte.post(f"/portail/activation/{jeton_recu()}/")
    demande.refresh_from_db()
    assert demande.demandeur.email == "samia.b@example.org"


def test_une_adresse_invalide_est_refusee_en_francais(connecte):
    reponse = connecte.post(
        "/portail/ma-demande/modifier/adresse-electronique/", {"email": "pas une adresse"}
    )
    assert reponse.status_code == 200
    assert "resume-erreurs" in reponse.content.decode()


def test_renoncer_demande_une_confirmation_puis_radie(connecte, demande):
    reponse = connecte.post("/portail/ma-demande/renoncer/", {})
    assert "Cochez la case pour confirmer que vous renoncez." in reponse.content.decode()
    demande.refresh_from_db()
    assert demande.est_active
    reponse = connecte.post("/portail/ma-demande/renoncer/", {"confirmation": "on"})
    assert reponse["Location"] == "/portail/ma-demande/"
    demande.refresh_from_db()
    assert not demande.est_active
    assert demande.motif_radiation == n.MotifRadiation.RENONCIATION
    entree = derniere_entree(demande)
    assert entree.action == HistoriqueDemande.Action.RADIATION
    assert entree.utilisateur is None and entree.guichet == guichet_du_portail()
    # Read-only now: the demande shows, nothing changes any more.
    assert connecte.get("/portail/ma-demande/").status_code == 200
    assert connecte.get("/portail/ma-demande/modifier/")["Location"] == "/portail/ma-demande/"
    connecte.post("/portail/ma-demande/renoncer/", {"confirmation": "on"})  # a second submit
    assert (
        HistoriqueDemande.objects.filter(
            demande=demande, action=HistoriqueDemande.Action.RADIATION
        ).count()
        == 1
    )


def test_l_applicant_telecharge_sa_propre_attestation_et_pas_celle_d_un_autre(
    client, demande, guichet, agent_saisie, django_capture_on_commit_callbacks
):
    donnees = deepcopy(DONNEES)
    donnees["demandeur"].update(nom="Autre", prenom="Jean", date_naissance="1980-01-01")
    with django_capture_on_commit_callbacks(execute=True):
        autre = demandes.enregistrer_demande(guichet, agent_saisie, donnees)
    mienne = demande.attestations.get()
    sienne = autre.attestations.get()
    ouvrir_session_portail(client, demande)
    reponse = client.get(f"/portail/ma-demande/attestations/{mienne.pk}/")
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    assert "no-store" in reponse["Cache-Control"]
    assert client.get(f"/portail/ma-demande/attestations/{sienne.pk}/").status_code == 404
    assert EvenementAudit.objects.filter(
        objet_id=str(demande.pk), details__attestation=mienne.pk
    ).exists()


def test_sans_session_les_pages_du_demandeur_menent_a_la_connexion(client):
    for adresse in (
        "/portail/ma-demande/",
        "/portail/ma-demande/renouveler/",
        "/portail/ma-demande/modifier/",
        "/portail/ma-demande/renoncer/",
        "/portail/ma-demande/attestations/1/",
    ):
        assert client.get(adresse)["Location"].startswith("/portail/connexion/?suivant=")


def test_une_section_inconnue_est_introuvable(connecte):
    assert connecte.get("/portail/ma-demande/modifier/nimportequoi/").status_code == 404

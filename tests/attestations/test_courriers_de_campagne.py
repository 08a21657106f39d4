"""The letters of the renewal campaign — content only (the sending belongs to notifications):
the renewal notice (CCH R441-2-7: at least one month before expiry, the applicant is told that
the demande expires and will be struck off without a renewal) and the notice of radiation for
non-renewal (CCH R441-2-8, motif RADREN) with the window of reactivation; their e-mail and SMS."""

import io
import json
from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from pypdf import PdfReader

from sne.attestations import services as attestations
from sne.demandes import services as demandes
from sne.exceptions import ErreurMetier
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, PointContactFactory, agent, gestionnaire
from tests.outils import a_midi

pytestmark = pytest.mark.django_db

NIR = "287047512345606"
GSM_7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def texte_pdf(contenu: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages).split()
    )


@pytest.fixture
def guichet():
    g = GuichetFactory(code="75TA1", departements=["75"], nom="Agence Paris-Est")
    PointContactFactory(guichet=g, adresse="3 avenue Gambetta", code_postal="75020")
    return g


@pytest.fixture
def demande(guichet, django_capture_on_commit_callbacks):
    """Registered on 5 January 2026 (the test's day): it expires on 5 January 2027."""
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "civilite": "MME", "nir": NIR}
    donnees["demandeur"]["email"] = "elodie@example.fr"
    with django_capture_on_commit_callbacks(execute=True):
        return demandes.enregistrer_demande(guichet, agent(guichet), donnees)


@pytest.mark.aujourd_hui(date(2026, 1, 5))
def test_le_preavis_dit_quand_la_demande_expire_et_sera_radiee_et_comment_la_renouveler(
    demande, horloge
):
    horloge.move_to(a_midi(date(2026, 12, 1)))

    donnees = attestations.donnees_preavis_renouvellement(demande)

    assert donnees["type"] == "preavis_renouvellement"
    assert donnees["version"] == 1
    assert donnees["numero_unique"] == demande.numero_unique
    assert donnees["date_depot"] == "2026-01-05"
    assert donnees["date_expiration"] == "2027-01-05"
    assert donnees["date_radiation_prevue"] == "2027-02-05"  # expiry + 1 month (R441-2-8)
    assert donnees["guichet_enregistreur"]["code"] == "75TA1"
    assert donnees["demandeur"]["email"] == "elodie@example.fr"
    assert donnees["demandeur"]["adresse"]["ligne1"] == "12 rue des Lilas"
    assert json.loads(json.dumps(donnees)) == donnees
    assert NIR not in json.dumps(donnees)

    texte = texte_pdf(attestations.rendre_pdf(donnees))
    assert "Avis de renouvellement" in texte
    assert demande.numero_unique in texte
    assert "expire le 05/01/2027" in texte
    assert "radiée à partir du 05/02/2027" in texte
    assert settings.SNE_URL_PORTAIL in texte
    assert "guichet enregistreur du département (Paris)" in texte
    assert "ressources de l'année 2026" in texte
    assert "composition de votre ménage" in texte
    assert "Votre ancienneté est conservée" in texte and "05/01/2026" in texte
    assert "Madame Élodie MARTIN" in texte and "75020 PARIS" in texte
    assert "Page 1 sur 1" in texte


@pytest.mark.aujourd_hui(date(2026, 1, 5))
def test_l_avis_de_radiation_dit_jusqu_a_quand_la_demande_peut_etre_reactivee(demande, horloge):
    horloge.move_to(a_midi(date(2027, 2, 8)))
    radiee = demandes.radier(demande, "non_renouvellement", par=gestionnaire("75"))

    donnees = attestations.donnees_avis_radiation(radiee)

    assert donnees["type"] == "avis_radiation"
    assert donnees["date_radiation"] == "2027-02-08"
    assert donnees["motif"]["code_national"] == "RADREN"
    fin = demandes.fin_fenetre_reactivation(radiee)
    assert donnees["reactivation"]["date_limite"] == fin.isoformat()
    texte = texte_pdf(attestations.rendre_pdf(donnees))
    assert "Avis de radiation" in texte
    assert radiee.numero_unique in texte
    assert "radiée le 08/02/2027" in texte
    assert f"Réactivation possible jusqu'au {fin:%d/%m/%Y}" in texte
    assert "même numéro unique et la même ancienneté" in texte
    assert settings.SNE_URL_PORTAIL in texte
    assert "75020 PARIS" in texte


@pytest.mark.aujourd_hui(date(2026, 1, 5))
def test_pas_de_preavis_pour_une_demande_radiee(demande, horloge):
    horloge.move_to(a_midi(date(2027, 2, 8)))
    radiee = demandes.radier(demande, "non_renouvellement", par=gestionnaire("75"))

    with pytest.raises(ErreurMetier) as erreur:
        attestations.donnees_preavis_renouvellement(radiee)
    assert erreur.value.code == "demande_non_active"


def test_pas_d_avis_de_radiation_pour_non_renouvellement_d_une_demande_active(demande):
    with pytest.raises(ErreurMetier) as erreur:
        attestations.donnees_avis_radiation(demande)
    assert erreur.value.code == "pas_radiee_pour_non_renouvellement"


@pytest.mark.aujourd_hui(date(2026, 1, 5))
def test_l_e_mail_et_le_sms_du_preavis_et_de_la_radiation(demande, horloge):
    horloge.move_to(a_midi(date(2026, 12, 1)))
    preavis = attestations.donnees_preavis_renouvellement(demande)
    horloge.move_to(a_midi(date(2027, 2, 8)))
    radiee = demandes.radier(demande, "non_renouvellement", par=gestionnaire("75"))
    radiation = attestations.donnees_avis_radiation(radiee)
    fin = f"{demandes.fin_fenetre_reactivation(radiee):%d/%m/%Y}"

    objet, corps = attestations.message_email(preavis)
    assert objet == (
        f"Avis de renouvellement de votre demande de logement social — n° {demande.numero_unique}"
    )
    assert "expire le 05/01/2027" in corps and "05/02/2027" in corps
    assert settings.SNE_URL_PORTAIL in corps
    assert "ancienneté" in corps

    objet, corps = attestations.message_email(radiation)
    assert objet.startswith("Avis de radiation") and demande.numero_unique in objet
    assert "radiée le 08/02/2027" in corps and f"Jusqu'au {fin}" in corps

    sms = attestations.message_sms(preavis)
    assert demande.numero_unique in sms and "05/01/2027" in sms and "radiation" in sms
    sms = attestations.message_sms(radiation)
    assert demande.numero_unique in sms and "08/02/2027" in sms and fin in sms


@pytest.mark.aujourd_hui(date(2026, 1, 5))
def test_chaque_sms_tient_en_un_message_gsm_7_sans_donnee_personnelle(demande, horloge):
    """160 characters of the GSM-7 alphabet: a single SMS, not three UCS-2 parts."""
    attestation = demande.attestations.get()
    horloge.move_to(a_midi(date(2026, 12, 1)))
    preavis = attestations.donnees_preavis_renouvellement(demande)
    horloge.move_to(a_midi(date(2027, 2, 8)))
    radiation = attestations.donnees_avis_radiation(
        demandes.radier(demande, "non_renouvellement", par=gestionnaire("75"))
    )
    separation = attestations.donnees_courrier_separation(demande)

    for donnees in (attestation.donnees, preavis, radiation, separation):
        sms = attestations.message_sms(donnees)
        assert len(sms) <= 160, sms
        assert set(sms) <= GSM_7, set(sms) - GSM_7
        assert demande.numero_unique in sms
        assert "Martin" not in sms and "MARTIN" not in sms and "Élodie" not in sms
        assert "elodie@example.fr" not in sms and "Lilas" not in sms


def test_l_e_mail_de_l_attestation_est_celui_envoye_aujourd_hui(demande):
    [envoye] = mail.outbox
    attestation = demande.attestations.get()

    assert attestations.message_email(attestation.donnees) == (envoye.subject, envoye.body)


def test_l_e_mail_de_separation_reprend_l_objet_et_le_texte_du_courrier(demande):
    donnees = {**attestations.donnees_courrier_separation(demande), "nouvelle": False}

    objet, corps = attestations.message_email(donnees)

    assert objet == (
        f"Votre demande de logement social après votre séparation — n° {demande.numero_unique}"
    )
    assert "ancienneté est conservée" in corps
    assert demande.numero_unique in corps

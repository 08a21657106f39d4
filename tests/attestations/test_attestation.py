"""Attestations d'enregistrement and de renouvellement (CCH R441-2-4; FAQ: sent directly to
the applicant at registration and renewal; a connected system prints the same content)."""

import io
import json
from copy import deepcopy
from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from sne.attestations import services as attestations
from sne.attestations.models import Attestation, ParametresDepartement
from sne.demandes import services as demandes
from sne.exceptions import Introuvable
from sne.organisations.models import Organisation
from sne.referentiels.models import Departement
from tests.factories import (
    GuichetFactory,
    OrganisationFactory,
    PointContactFactory,
    agent,
)
from tests.outils import a_midi, connecter

pytestmark = pytest.mark.django_db

NIR = "287047512345606"  # a well-formed NIR (key = 97 - body % 97)

DONNEES = {
    "departement": "75",
    "demandeur": {
        "nom": "Martin",
        "prenom": "Élodie",
        "civilite": "MME",
        "date_naissance": "1987-04-12",
        "email": "elodie@example.fr",
        "nir": NIR,
        "piece_identite": {"type": "carte_identite", "numero": "X4RTBPFW4"},
        "adresse": {"ligne1": "12 rue des Lilas", "commune": "Paris 20e"},
    },
    "personnes_a_charge": [
        {"nom": "Martin", "prenom": "Lucas", "date_naissance": "2015-09-01", "lien": "enfant"}
    ],
    "deja_locataire_hlm": False,
    "motifs": ["logement_trop_petit"],
    "souhaits": {"communes": ["75120"], "typologies": ["T3"]},
}


@pytest.fixture(autouse=True)
def medias(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def guichet():
    g = GuichetFactory(code="75TA1", departements=["75"], nom="Agence Paris-Est")
    PointContactFactory(guichet=g, adresse="3 avenue Gambetta", code_postal="75020")
    return g


@pytest.fixture
def saisie(guichet):
    return agent(guichet, "saisie")


def enregistrer(guichet, saisie, django_capture_on_commit_callbacks, **modifs):
    donnees = deepcopy(DONNEES)
    for cle, valeur in modifs.items():
        donnees["demandeur"][cle] = valeur
    with django_capture_on_commit_callbacks(execute=True):
        return demandes.enregistrer_demande(guichet, saisie, donnees)


def texte_pdf(contenu: bytes) -> str:
    lecteur = PdfReader(io.BytesIO(contenu))
    return "\n".join(page.extract_text() for page in lecteur.pages)


def texte_aplati(contenu: bytes) -> str:
    """The text without line breaks, to find phrases that wrap."""
    return " ".join(texte_pdf(contenu).split())


def age_de(naissance: date) -> int:
    jour = timezone.localdate()
    return jour.year - naissance.year - ((jour.month, jour.day) < (naissance.month, naissance.day))


def lire(attestation: Attestation) -> bytes:
    with attestation.fichier.open("rb") as f:
        return f.read()


def test_l_enregistrement_envoie_l_attestation_par_e_mail_avec_le_pdf(
    guichet, saisie, django_capture_on_commit_callbacks
):
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks)

    attestation = demande.attestations.get()
    assert attestation.type == Attestation.Type.ENREGISTREMENT
    assert demande.messages.get().attestation == attestation  # sent (sne.notifications)
    aujourd_hui = timezone.localdate()
    assert attestation.fichier.name.endswith(
        f"attestation-{demande.numero_unique}-enregistrement-{aujourd_hui:%Y%m%d}.pdf"
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["elodie@example.fr"]
    assert message.subject == (
        "Votre attestation d'enregistrement de demande de logement social — "
        f"n° {demande.numero_unique}"
    )
    assert f"{demande.date_expiration:%d/%m/%Y}" in message.body
    [(nom, contenu, type_mime)] = message.attachments
    assert type_mime == "application/pdf"
    assert nom.endswith(".pdf")
    assert contenu == lire(attestation)

    texte = texte_aplati(contenu)
    assert demande.numero_unique in texte
    assert "Attestation d'enregistrement" in texte
    assert "République française — Système National d'Enregistrement" in texte
    assert f"{demande.date_depot:%d/%m/%Y}" in texte
    assert f"{demande.date_expiration:%d/%m/%Y}" in texte
    assert "commission de médiation" in texte
    assert "Commission de médiation DALO — Préfecture de Paris" in texte
    assert "Élodie MARTIN" in texte
    assert "12 rue des Lilas" in texte
    assert "Agence Paris-Est" in texte
    assert "bailleurs sociaux intervenant sur les communes demandées" in texte
    assert "Annexe 1" in texte and "Annexe 2" in texte
    assert f"Lucas, {age_de(date(2015, 9, 1))} ans" in texte
    assert "Page 1 sur" in texte


@pytest.mark.aujourd_hui(date(2024, 2, 29))
def test_le_delai_de_saisine_de_la_commission_et_son_adresse_viennent_du_departement(
    guichet, saisie, django_capture_on_commit_callbacks, settings
):
    settings.SNE_DELAI_ANORMALEMENT_LONG_MOIS_DEFAUT = 24
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks)
    dalo = demande.attestations.get().donnees["dalo"]
    assert dalo["delai_anormalement_long_mois"] == 24
    assert dalo["source_delai"] == "defaut_national"
    assert dalo["date_saisine_possible"] == "2026-02-28"

    ParametresDepartement.objects.create(
        departement=Departement.objects.get(code="75"),
        delai_anormalement_long_mois=120,
        commission_mediation_adresse="Commission de médiation de Paris\n5 rue Leblanc\n75015 Paris",
    )
    donnees = attestations.donnees_attestation(demande, "enregistrement")
    assert donnees["dalo"]["delai_anormalement_long_mois"] == 120
    assert donnees["dalo"]["source_delai"] == "arrete_prefectoral"
    assert donnees["dalo"]["date_saisine_possible"] == "2034-02-28"
    texte = texte_aplati(attestations.rendre_pdf(donnees))
    assert "5 rue Leblanc" in texte
    assert "arrêté préfectoral" in texte


def test_sans_e_mail_l_attestation_porte_l_adresse_pour_l_enveloppe_a_fenetre(
    guichet, saisie, django_capture_on_commit_callbacks
):
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks, email="")

    attestation = demande.attestations.get()
    assert mail.outbox == []
    texte = texte_aplati(lire(attestation))
    assert "75020 PARIS" in texte  # the postal address for the window envelope


def test_le_renouvellement_produit_une_attestation_de_renouvellement(
    guichet, saisie, django_capture_on_commit_callbacks
):
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        demandes.renouveler(demande, saisie, guichet)

    attestation = attestations.derniere_attestation(demande)
    assert attestation.type == Attestation.Type.RENOUVELLEMENT
    assert demande.attestations.count() == 2
    assert attestation.donnees["date_dernier_renouvellement"] == timezone.localdate().isoformat()
    texte = texte_aplati(lire(attestation))
    assert "Attestation de renouvellement" in texte
    assert f"{timezone.localdate():%d/%m/%Y}" in texte
    assert mail.outbox[-1].subject.startswith("Votre attestation de renouvellement")


def test_un_second_appel_le_meme_jour_ne_renvoie_pas_l_attestation(
    guichet, saisie, django_capture_on_commit_callbacks
):
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks)
    premiere = demande.attestations.get()

    seconde = attestations.produire_attestation(demande.pk, "enregistrement")

    assert seconde.pk == premiere.pk
    assert demande.attestations.count() == 1
    assert len(mail.outbox) == 1


def test_les_donnees_suffisent_a_un_systeme_connecte_et_ne_contiennent_pas_le_nir(
    guichet, saisie, django_capture_on_commit_callbacks
):
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks)
    attestation = demande.attestations.get()
    donnees = attestation.donnees

    assert donnees["version"] == 1
    assert {
        "type",
        "titre",
        "numero_unique",
        "demandeur",
        "co_demandeur",
        "guichet_enregistreur",
        "date_depot",
        "date_dernier_renouvellement",
        "date_expiration",
        "bailleurs",
        "dalo",
        "validite",
        "suivi",
        "annexes",
    } <= donnees.keys()
    assert donnees["numero_unique"] == demande.numero_unique
    assert donnees["date_depot"] == demande.date_depot.isoformat()
    assert donnees["demandeur"]["nom"] == "Martin"
    assert donnees["demandeur"]["adresse"]["ligne1"] == "12 rue des Lilas"
    assert donnees["guichet_enregistreur"]["code"] == "75TA1"
    assert donnees["guichet_enregistreur"]["adresse"].startswith("3 avenue Gambetta")
    assert {"date_saisine_possible", "commission_adresse"} <= donnees["dalo"].keys()
    assert {"date_expiration", "renouvellement", "actualisation", "radiation"} <= donnees[
        "validite"
    ].keys()
    assert donnees["suivi"]["url_portail"] == settings.SNE_URL_PORTAIL
    resume = donnees["annexes"]["resume"]
    assert [c["code_insee"] for c in resume["communes_souhaitees"]] == ["75120"]
    assert resume["typologies"] == ["T3"]
    assert resume["motifs"] == ["Logement trop petit"]
    assert [p["prenom"] for p in resume["menage"]] == ["Élodie", "Lucas"]
    assert all(
        set(p) == {"role", "role_libelle", "lien", "prenom", "age"} for p in resume["menage"]
    )
    assert donnees["annexes"]["pieces_a_fournir"]
    assert json.loads(json.dumps(donnees)) == donnees

    serialise = json.dumps(donnees)
    assert NIR not in serialise and "X4RTBPFW4" not in serialise
    assert "1987-04-12" not in serialise  # ages only
    texte = texte_aplati(lire(attestation))
    assert NIR not in texte.replace(" ", "") and "X4RTBPFW4" not in texte


def test_les_bailleurs_sont_ceux_qui_consultent_les_communes_demandees(
    guichet, saisie, django_capture_on_commit_callbacks
):
    proche = GuichetFactory(
        departements=["75"],
        communes=["75120"],
        organisation=OrganisationFactory(nom="Habitat du 20e"),
    )
    GuichetFactory(
        departements=["75"],
        communes=["75115"],
        organisation=OrganisationFactory(nom="Logis du 15e"),
    )
    GuichetFactory(
        departements=["75"],
        organisation=OrganisationFactory(nom="Mairie de Paris", type=Organisation.Type.COMMUNE),
    )
    GuichetFactory(
        departements=["75"],
        communes=["75120"],
        actif=False,
        organisation=OrganisationFactory(nom="Ancien bailleur fermé"),
    )
    GuichetFactory(
        departements=["75"],
        communes=["75056"],  # Paris as a whole covers its 20th arrondissement
        organisation=OrganisationFactory(nom="Paris Habitat"),
    )
    GuichetFactory(
        departements=["93"],
        organisation=OrganisationFactory(nom="Bailleur de Seine-Saint-Denis"),
    )
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks)

    noms = [b["nom"] for b in demande.attestations.get().donnees["bailleurs"]]
    assert "Habitat du 20e" in noms
    assert "Paris Habitat" in noms
    assert "Bailleur de Seine-Saint-Denis" not in noms
    assert guichet.organisation.nom in noms  # the registering landlord consults all of 75
    assert "Logis du 15e" not in noms
    assert "Mairie de Paris" not in noms
    assert "Ancien bailleur fermé" not in noms
    assert proche.organisation.nom in texte_aplati(lire(demande.attestations.get()))


def separer(
    guichet, saisie, capture, *, email_demandeur="elodie@example.fr", email_co=True, informer=True
):
    """A married couple registered, then separated; the e-mails of the registration are
    cleared, those of the separation are in `mail.outbox` (`informer=False`: nothing sent
    after the separation, the test runs the task itself)."""
    donnees = deepcopy(DONNEES)
    donnees["demandeur"]["situation_familiale"] = "marie"
    donnees["demandeur"]["email"] = email_demandeur
    donnees["co_demandeur"] = {
        "nom": "Martin",
        "prenom": "Karim",
        "date_naissance": "1985-02-03",
        "email": "karim@example.fr",
        "lien": "conjoint",
    }
    with capture(execute=True):
        demande = demandes.enregistrer_demande(guichet, saisie, donnees)
    mail.outbox.clear()
    with capture(execute=informer):
        nouvelle = demandes.dupliquer_pour_separation(
            demande,
            saisie,
            guichet,
            demandes.Separation(
                piece_identite_type="carte_identite",
                adresse_ligne1="4 rue de Belleville",
                commune="75119",
                email="karim@example.fr" if email_co else "",
            ),
        )
    return demande, nouvelle


def e_mails_de_separation():
    return [m for m in mail.outbox if "séparation" in m.subject]


def test_la_separation_informe_chacun_de_son_numero(
    guichet, saisie, django_capture_on_commit_callbacks
):
    demande, nouvelle = separer(guichet, saisie, django_capture_on_commit_callbacks)

    separation = e_mails_de_separation()
    par_destinataire = {m.to[0]: m for m in separation}
    assert set(par_destinataire) == {"elodie@example.fr", "karim@example.fr"}
    assert demande.numero_unique in par_destinataire["elodie@example.fr"].body
    assert nouvelle.numero_unique in par_destinataire["karim@example.fr"].body
    assert nouvelle.numero_unique not in par_destinataire["elodie@example.fr"].body
    for m in separation:
        assert f"{demande.date_depot:%d/%m/%Y}" in m.body
        assert "ancienneté est conservée" in m.body
    # The new demande gets its own attestation d'enregistrement.
    assert nouvelle.attestations.get(type=Attestation.Type.ENREGISTREMENT)


def test_un_agent_telecharge_l_attestation_d_une_demande_qu_il_voit(
    guichet, saisie, django_capture_on_commit_callbacks
):
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks)
    attestation = attestations.derniere_attestation(demande)

    nom, contenu = attestations.pdf_pour_agent(attestation, saisie, guichet)
    assert nom.startswith(f"attestation-{demande.numero_unique}-enregistrement-")
    assert contenu.startswith(b"%PDF")

    autre = agent(GuichetFactory(departements=["93"]), "consultation")
    with pytest.raises(Introuvable):
        attestations.pdf_pour_agent(attestation, autre)


@pytest.mark.aujourd_hui(date(2026, 1, 5))
def test_apres_un_renouvellement_le_telechargement_ne_sert_jamais_l_ancienne_attestation(
    client, guichet, saisie, django_capture_on_commit_callbacks, horloge
):
    """Issue 9: right after a renewal, the registration attestation (old expiry, « dernier
    renouvellement : aucun ») was served until the worker had run."""
    demande = enregistrer(guichet, saisie, django_capture_on_commit_callbacks)
    url = reverse("demandes:attestation", args=[demande.numero_unique])
    horloge.move_to(a_midi(date(2026, 11, 2)))
    connecter(client, saisie)
    with django_capture_on_commit_callbacks(execute=False) as taches:
        demandes.renouveler(demande, saisie, guichet)

    en_attente = client.get(url)  # the worker has not produced it yet
    assert en_attente["Content-Type"].startswith("text/html")
    assert "L'attestation est en préparation" in en_attente.content.decode()
    # Asked again in the background, without a timed reload of the page (WCAG 2.2.1).
    assert f'data-attestation-url="{url}"' in en_attente.content.decode()
    assert "sne/attestation-en-preparation.js" in en_attente.content.decode()

    for tache in taches:
        tache()
    pdf = client.get(url)
    assert pdf["Content-Type"] == "application/pdf"
    assert "-renouvellement-20261102.pdf" in pdf["Content-Disposition"]

"""Applying online (issue 13): the e-mail link, the CERFA's steps on a draft the applicant
leaves and resumes, the identity document checked by its content, the registration by the
desks' service (numéro unique, attestation, R441-2-7 channel), a suspicion of duplicate sent to
a desk showing nothing of the other demande, the purge of abandoned drafts with notice, the
rate limits."""

import os
import re
from copy import deepcopy
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sne.attestations.models import Attestation
from sne.demandes import services as demandes
from sne.demandes.models import Demande, HistoriqueDemande
from sne.demandes.schemas import DemandeEntree
from sne.demandes.views.entree import construire_entree
from sne.demandes.views.etat_assistant import propres
from sne.portail import services_demande_en_ligne as services
from sne.portail.models import AdresseVerifiee, DemandeEnLigne, Tentative
from sne.portail.session import CLE_DEMANDE
from sne.portail.tasks import purger_demandes_en_ligne_abandonnees
from sne.portail.vues_demande_en_ligne import EtatEnLigne
from tests.outils import texte
from tests.pieces import fichiers
from tests.portail.conftest import DONNEES

pytestmark = pytest.mark.django_db

EMAIL = "awa.diallo@example.fr"
DEBUT = reverse("portail:demande_en_ligne")
REPRENDRE = reverse("portail:demande_en_ligne_reprendre")
PDF = fichiers.pdf()
PNG = fichiers.png()


def etape(slug: str) -> str:
    return reverse("portail:demande_en_ligne_etape", kwargs={"etape": slug})


ETAPES = {
    "departement": {"departement": "93"},
    "demandeur": {
        "civilite": "MME",
        "nom": "Diallo",
        "prenom": "Awa",
        "date_naissance": "1987-02-11",
        "piece_identite_type": "passeport",
        "piece_identite_numero": "19AB12345",
    },
    "coordonnees": {
        "adresse_ligne1": "8 rue Gabriel Péri",
        "commune": "Saint-Denis (93200)",
        "commune_code": "93066",
        "email": EMAIL,
        "telephone": "06 11 22 33 44",
    },
    "menage": {
        "personnes-TOTAL_FORMS": "1",
        "personnes-INITIAL_FORMS": "0",
        "personnes-MIN_NUM_FORMS": "0",
        "personnes-MAX_NUM_FORMS": "10",
        "personnes-0-nom": "Diallo",
        "personnes-0-prenom": "Moussa",
        "personnes-0-date_naissance": "2016-09-01",
        "personnes-0-lien": "enfant",
    },
    "ressources": {"deja_locataire_hlm": "non", "motifs": ["logement_trop_petit"]},
    "souhaits": {"commune_1": "Saint-Denis (93200)", "commune_1_code": "93066"},
}


def lien_du_dernier_mail() -> str:
    corps = mail.outbox[-1].body
    return re.search(r"https?://\S+/portail/demande-en-ligne/ouvrir/\S+/", corps).group(0)


def demander_lien(client, captures, url=DEBUT, email=EMAIL):
    with captures(execute=True):
        reponse = client.post(url, {"email": email})
    assert reponse.status_code == 302, texte(reponse)[:2000]
    return reponse


def ouvrir(client, lien: str):
    chemin = lien.split("localhost:8000", 1)[-1] if "localhost" in lien else lien
    chemin = chemin[chemin.index("/portail/") :]
    assert (
        client.get(chemin).status_code == 200
    )  # a page with a button: mail scanners spend nothing
    return client.post(chemin)


def commencer(client, captures, email=EMAIL):
    demander_lien(client, captures, email=email)
    return ouvrir(client, lien_du_dernier_mail())


def remplir(client, jusqu_a="souhaits", etapes=ETAPES):
    for slug, valeurs in etapes.items():
        assert client.get(etape(slug)).status_code == 200
        reponse = client.post(etape(slug), valeurs)
        assert reponse.status_code == 302, texte(reponse)[:3000]
        if slug == jusqu_a:
            return reponse


def deposer(client, contenu=PDF, nom="passeport.pdf", type_="application/pdf"):
    return client.post(etape("piece"), {"fichier": SimpleUploadedFile(nom, contenu, type_)})


# --- The whole flow ------------------------------------------------------------------------


def test_un_demandeur_fait_sa_demande_en_ligne_jusqu_au_numero_unique_et_a_l_attestation(
    client, django_capture_on_commit_callbacks, settings
):
    reponse = client.get(DEBUT)
    assert f"après {settings.SNE_PORTAIL_PURGE_BROUILLON_JOURS} jours" in texte(reponse)

    demander_lien(client, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == [EMAIL]
    lien = lien_du_dernier_mail()
    assert lien.startswith(settings.SNE_URL_SITE)  # the configured site, never the Host
    brouillon = DemandeEnLigne.objects.get()
    assert brouillon.email_verifie_le is None and brouillon.jeton_hache
    assert lien.rsplit("/", 2)[-2] not in brouillon.jeton_hache  # only its hash is kept

    reponse = ouvrir(client, lien)
    assert reponse.url == etape("departement")
    brouillon.refresh_from_db()
    assert brouillon.email_verifie_le is not None

    reponse = remplir(client)
    assert reponse.url == etape("piece")
    # Without the identity document, no summary and no registration (S10).
    assert client.get(etape("recapitulatif")).url == etape("piece")
    assert deposer(client).url == etape("recapitulatif")

    recap = texte(client.get(etape("recapitulatif")))
    assert "Saint-Denis (93066)" in recap and "passeport.pdf" in recap

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(etape("recapitulatif"), {"action": "suivant"})
    assert reponse.url == reverse("portail:demande_en_ligne_envoyee")

    demande = Demande.objects.get()
    assert demande.numero_unique.startswith("093")
    assert demande.numero_unique.endswith(settings.SNE_GUICHET_PORTAIL)
    assert demande.demarches_en_ligne is True  # CCH R441-2-7: the applicant used the portal
    assert demande.demandeur.email == EMAIL
    assert [p.prenom for p in demande.personnes.order_by("pk")] == ["Awa", "Moussa"]
    assert AdresseVerifiee.objects.get(demande=demande).email == EMAIL
    brouillon.refresh_from_db()
    assert brouillon.statut == "enregistree" and brouillon.demande == demande
    entree = HistoriqueDemande.objects.get(demande=demande, action="creation")
    assert entree.utilisateur is None and entree.guichet.code == settings.SNE_GUICHET_PORTAIL
    # The identity document is the first pièce of the dossier unique, sent by the applicant.
    piece = demande.pieces.get()
    assert piece.type == "identite" and piece.origine == "portail"
    assert piece.personne == demande.demandeur and piece.nom_fichier == "passeport.pdf"
    assert piece.guichet.code == settings.SNE_GUICHET_PORTAIL and piece.utilisateur is None
    assert not brouillon.piece_identite  # the draft's copy is gone
    # The attestation, produced after commit by the existing signals, is sent by e-mail.
    assert Attestation.objects.filter(demande=demande).exists()
    assert any(EMAIL in m.to for m in mail.outbox)

    page = texte(client.get(reponse.url))
    assert demande.numero_unique in page
    assert "attestation" in page
    # The applicant is now signed in on the portal, on their demande.
    assert client.get(reverse("portail:ma_demande")).status_code == 200

    # A second « Envoyer » (double click, back button): the same demande, no second one.
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(etape("recapitulatif"), {"action": "suivant"})
    assert reponse.url == reverse("portail:demande_en_ligne_envoyee")
    assert Demande.objects.count() == 1


def test_un_double_envoi_ne_fait_qu_une_demande(client, django_capture_on_commit_callbacks):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client)
    deposer(client)
    brouillon = DemandeEnLigne.objects.get()
    entree = DemandeEntree.model_validate(construire_entree(propres(EtatEnLigne(brouillon))[0]))
    with django_capture_on_commit_callbacks(execute=True):
        premiere = services.envoyer_demande(brouillon, entree)
        # The same draft sent again from a stale copy (another tab): the token holds.
        DemandeEnLigne.objects.filter(pk=brouillon.pk).update(statut="brouillon")
        seconde = services.envoyer_demande(brouillon, entree)
    assert premiere.pk == seconde.pk
    assert Demande.objects.count() == 1


# --- The link ------------------------------------------------------------------------------


def test_un_lien_ne_sert_qu_une_fois_et_expire(client, django_capture_on_commit_callbacks):
    demander_lien(client, django_capture_on_commit_callbacks)
    lien = lien_du_dernier_mail()
    ouvrir(client, lien)
    client.post(etape("departement"), ETAPES["departement"])

    autre = client.__class__()
    reponse = ouvrir(autre, lien)
    assert reponse.url == REPRENDRE
    assert "Ce lien ne fonctionne plus" in texte(autre.get(REPRENDRE))

    demander_lien(autre, django_capture_on_commit_callbacks, url=REPRENDRE)
    lien = lien_du_dernier_mail()
    DemandeEnLigne.objects.update(jeton_expire_le=timezone.now() - timedelta(minutes=1))
    reponse = ouvrir(autre, lien)
    assert "Ce lien a expiré" in texte(autre.get(reponse.url))
    # Nothing already typed is lost.
    assert DemandeEnLigne.objects.get().donnees["etapes"]["guichet"]["departement"] == ["93"]


def test_reprendre_ne_dit_jamais_si_une_demande_existe_pour_l_adresse(
    client, django_capture_on_commit_callbacks
):
    commencer(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    pages = []
    for email in (EMAIL, "inconnu@example.fr"):
        c = client.__class__()
        reponse = demander_lien(c, django_capture_on_commit_callbacks, url=REPRENDRE, email=email)
        pages.append(texte(c.get(reponse.url)).replace(email, "…"))
    assert pages[0] == pages[1]
    assert [m.to for m in mail.outbox] == [[EMAIL]]


def test_sans_lien_ouvert_les_etapes_renvoient_a_reprendre(client):
    reponse = client.get(etape("demandeur"))
    assert reponse.url == REPRENDRE
    assert "ouvrez le lien reçu par e-mail" in texte(client.get(REPRENDRE))


def test_une_adresse_invalide_a_un_message_clair_lie_au_champ(client):
    page = texte(client.post(DEBUT, {"email": "pas-une-adresse"}))
    assert "Cette adresse e-mail n'est pas valide" in page
    assert 'href="#id_email"' in page


def test_les_demandes_de_lien_sont_limitees_par_adresse_et_par_ip(
    client, django_capture_on_commit_callbacks, settings
):
    settings.SNE_PORTAIL_TENTATIVES_MAX = {**settings.SNE_PORTAIL_TENTATIVES_MAX}
    settings.SNE_PORTAIL_TENTATIVES_MAX["demande_en_ligne"] = (3, 60)
    for _ in range(3):
        demander_lien(client, django_capture_on_commit_callbacks, url=REPRENDRE)
    envoyes = len(mail.outbox)
    reponse = client.post(REPRENDRE, {"email": EMAIL})
    assert reponse.status_code == 200
    assert "beaucoup de liens en peu de temps" in texte(reponse)
    assert len(mail.outbox) == envoyes
    # Another address from the same IP address: refused too.
    reponse = client.post(REPRENDRE, {"email": "autre@example.fr"})
    assert "beaucoup de liens en peu de temps" in texte(reponse)
    assert Tentative.objects.filter(type="demande_en_ligne").exists()


def test_des_liens_inventes_sont_limites_par_ip(client, settings):
    settings.SNE_PORTAIL_TENTATIVES_MAX = {**settings.SNE_PORTAIL_TENTATIVES_MAX}
    settings.SNE_PORTAIL_TENTATIVES_MAX["demande_en_ligne"] = (2, 60)
    for i in range(2):
        client.post(reverse("portail:demande_en_ligne_ouvrir", args=[f"invente{i}"]))
    reponse = client.post(reverse("portail:demande_en_ligne_ouvrir", args=["invente3"]))
    assert "Trop d'essais" in texte(client.get(reponse.url))


# --- The steps and the draft ---------------------------------------------------------------


def test_le_brouillon_se_reprend_la_ou_il_en_etait_avec_ce_qui_a_ete_tape(
    client, django_capture_on_commit_callbacks
):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client, jusqu_a="coordonnees")
    # Half of the ménage step typed, then « Enregistrer et continuer plus tard ».
    reponse = client.post(
        etape("menage"),
        {**ETAPES["menage"], "personnes-0-prenom": "", "action": "plus_tard"},
    )
    assert reponse.url == reverse("portail:demande_en_ligne_plus_tard")
    assert "n'est pas encore envoyée" in texte(client.get(reponse.url))

    # Another day, another browser: a new link, back at the ménage step with what was typed.
    autre = client.__class__()
    demander_lien(autre, django_capture_on_commit_callbacks, url=REPRENDRE)
    reponse = ouvrir(autre, lien_du_dernier_mail())
    assert reponse.url == etape("menage")
    page = autre.get(etape("menage")).content.decode()
    assert 'value="Moussa"' not in page and 'value="Diallo"' in page
    # The steps already done keep their answers.
    assert 'value="Awa"' in autre.get(etape("demandeur")).content.decode()


def test_l_etape_precedente_garde_ce_qui_a_ete_tape(client, django_capture_on_commit_callbacks):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client, jusqu_a="ressources")
    reponse = client.post(etape("souhaits"), {"typologies": ["T3"], "action": "precedente"})
    assert reponse.url == etape("ressources")
    assert DemandeEnLigne.objects.get().donnees["en_cours"]["souhaits"]["typologies"] == ["T3"]
    page = client.get(etape("souhaits")).content.decode()
    assert re.search(r'<input[^>]*value="T3"[^>]*checked', page)


def test_le_demandeur_se_remplit_en_deux_ecrans_valides_ensemble_par_le_formulaire_du_guichet(
    client, django_capture_on_commit_callbacks
):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client, jusqu_a="demandeur")
    page = client.get(etape("coordonnees")).content.decode()
    assert f'value="{EMAIL}"' in page  # the proved address, for the attestation
    assert "Une pièce d'identité est obligatoire" not in page  # the other screen's fields
    # Back to the first screen with the address half typed: kept, the first screen unchanged.
    reponse = client.post(
        etape("coordonnees"), {"adresse_ligne1": "8 rue Gabriel Péri", "action": "precedente"}
    )
    assert reponse.url == etape("demandeur")
    assert 'value="Awa"' in client.get(etape("demandeur")).content.decode()
    assert 'value="8 rue Gabriel Péri"' in client.get(etape("coordonnees")).content.decode()
    # Without the commune, the second screen says so; with it, the whole demandeur is kept.
    page = texte(client.post(etape("coordonnees"), {"adresse_ligne1": "8 rue Gabriel Péri"}))
    assert 'href="#id_commune"' in page
    assert client.post(etape("coordonnees"), ETAPES["coordonnees"]).url == etape("menage")
    assert DemandeEnLigne.objects.get().donnees["etapes"]["demandeur"]["prenom"] == ["Awa"]


def test_changer_de_departement_fait_rechoisir_les_communes(
    client, django_capture_on_commit_callbacks
):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client)
    assert client.post(etape("departement"), {"departement": "75"}).url == etape("souhaits")
    # The draft's other answers are kept.
    assert 'value="Awa"' in client.get(etape("demandeur")).content.decode()


def test_les_pages_d_issue_suivent_l_etat_du_brouillon(client, django_capture_on_commit_callbacks):
    commencer(client, django_capture_on_commit_callbacks)
    assert client.get(reverse("portail:demande_en_ligne_guichet")).url == etape("departement")
    assert client.get(reverse("portail:demande_en_ligne_envoyee")).url == etape("departement")


def test_une_etape_inventee_dans_l_adresse_a_un_message_clair(
    client, django_capture_on_commit_callbacks
):
    commencer(client, django_capture_on_commit_callbacks)
    reponse = client.get(etape("paiement"))
    assert reponse.url == etape("departement")
    assert "Cette étape n'existe pas" in texte(client.get(reponse.url))
    # A step further than reached: back to the first one to do.
    assert client.get(etape("souhaits")).url == etape("departement")


def test_les_erreurs_des_formulaires_du_guichet_sont_liees_aux_champs(
    client, django_capture_on_commit_callbacks
):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client, jusqu_a="departement")
    page = texte(client.post(etape("demandeur"), {"nom": "Diallo"}))
    assert "Une pièce d'identité est obligatoire" in page
    assert 'href="#id_piece_identite_type_0"' in page
    assert "Votre prénom" in page  # the applicant's labels


# --- The identity document -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("contenu", "nom", "type_", "message"),
    [
        (b"", "vide.pdf", "application/pdf", "Le fichier est vide"),
        (b"MZ\x90\x00 programme", "photo.jpg", "image/jpeg", "ni un PDF, ni une image"),
        (b"<html>bonjour</html>", "scan.png", "image/png", "ni un PDF, ni une image"),
        (
            b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
            "piece.pdf",
            "application/pdf",
            "contient un programme",
        ),
        (
            b"%PDF-1.7\n1 0 obj << /Names << /EmbeddedFiles 2 0 R >> >>",
            "piece.pdf",
            "application/pdf",
            "contient un programme",
        ),
        (b"%PDF-1.7\n<< /S /J#61vaScript >>", "piece.pdf", "application/pdf", "programme"),
    ],
)
def test_une_piece_d_identite_est_verifiee_par_son_contenu(
    client, django_capture_on_commit_callbacks, contenu, nom, type_, message
):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client)
    reponse = deposer(client, contenu, nom, type_)
    assert reponse.status_code == 200
    page = texte(reponse)
    assert message in page
    assert 'href="#id_fichier"' in page
    assert not DemandeEnLigne.objects.get().piece_identite


def test_une_piece_trop_lourde_est_refusee(client, django_capture_on_commit_callbacks, settings):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client)
    trop = PNG + b"\0" * settings.SNE_PIECES_TAILLE_MAX
    reponse = deposer(client, trop, "photo.png", "image/png")
    assert "le maximum est 10 Mo" in texte(reponse)


def test_une_piece_est_gardee_hors_des_adresses_publiques_sous_un_nom_aleatoire(
    client, django_capture_on_commit_callbacks, settings
):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client)
    # The browser says « PDF »; the content is a PNG: the content decides.
    assert deposer(client, PNG, "passeport.pdf", "application/pdf").status_code == 302
    brouillon = DemandeEnLigne.objects.get()
    assert brouillon.piece_identite_type_contenu == "image/png"
    assert brouillon.piece_identite.name.endswith(".png")
    assert "passeport" not in brouillon.piece_identite.name
    chemin = brouillon.piece_identite.path
    assert chemin.startswith(str(settings.MEDIA_ROOT))
    # Replaced by a new one: the old file goes.
    with django_capture_on_commit_callbacks(execute=True):
        deposer(client)
    assert not os.path.exists(chemin)
    assert client.get("/media/" + brouillon.piece_identite.name).status_code == 404


# --- Duplicates ----------------------------------------------------------------------------


def test_une_suspicion_de_doublon_envoie_vers_un_guichet_sans_rien_montrer_de_l_autre_demande(
    client, django_capture_on_commit_callbacks, demande, guichet
):
    donnees = deepcopy(DONNEES)
    d = donnees["demandeur"]
    commencer(client, django_capture_on_commit_callbacks)
    remplir(
        client,
        etapes={
            **ETAPES,
            "demandeur": {
                **ETAPES["demandeur"],
                "nom": d["nom"],
                "prenom": d["prenom"],
                "date_naissance": d["date_naissance"],
            },
        },
    )
    deposer(client)
    reponse = client.post(etape("recapitulatif"), {"action": "suivant"})
    assert reponse.url == reverse("portail:demande_en_ligne_guichet")
    assert Demande.objects.count() == 1
    assert DemandeEnLigne.objects.get().statut == "guichet"

    page = texte(client.get(reponse.url))
    assert "existe peut-être déjà" in page
    contact = guichet.contacts.get()
    assert guichet.nom in page and contact.email in page
    # Nothing of the other demande: no numéro, no address, no date.
    assert demande.numero_unique not in page
    assert "rue de la République" not in page and "15/06/1990" not in page
    # The draft is not editable any more: its steps lead to the same page.
    assert client.get(etape("demandeur")).url == reverse("portail:demande_en_ligne_guichet")


def test_un_brouillon_deja_enregistre_rouvert_montre_son_numero(
    client, django_capture_on_commit_callbacks
):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client)
    deposer(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(etape("recapitulatif"), {"action": "suivant"})
    numero = Demande.objects.get().numero_unique

    autre = client.__class__()
    demander_lien(autre, django_capture_on_commit_callbacks, url=REPRENDRE)
    reponse = ouvrir(autre, lien_du_dernier_mail())
    assert reponse.url == reverse("portail:demande_en_ligne_envoyee")
    assert numero in texte(autre.get(reponse.url))
    # The draft's link does not sign in on the demande: the FAQ's login does.
    assert CLE_DEMANDE not in autre.get(reponse.url).wsgi_request.portail
    assert autre.get(etape("souhaits")).url == reverse("portail:demande_en_ligne_envoyee")


# --- Purge ---------------------------------------------------------------------------------


def test_un_brouillon_abandonne_est_supprime_apres_un_preavis(
    client, django_capture_on_commit_callbacks, settings
):
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client)
    deposer(client)
    brouillon = DemandeEnLigne.objects.get()
    chemin = brouillon.piece_identite.path
    jours, preavis = (
        settings.SNE_PORTAIL_PURGE_BROUILLON_JOURS,
        settings.SNE_PORTAIL_PREAVIS_PURGE_JOURS,
    )
    Tentative.objects.update(horodatage=timezone.now() - timedelta(days=2))

    # Untouched for (delay − notice) days: the applicant is told, nothing is deleted.
    DemandeEnLigne.objects.update(modifie_le=timezone.now() - timedelta(days=jours - preavis + 1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resultat = purger_demandes_en_ligne_abandonnees.call_local()
    assert resultat["avertis"] == 1 and resultat["supprimes"] == 0
    assert resultat["tentatives"] >= 1
    assert mail.outbox[-1].to == [EMAIL]
    assert "sera supprimée" in mail.outbox[-1].body
    assert DemandeEnLigne.objects.get().avertie_purge_le is not None

    # Run again the same day: no second notice.
    with django_capture_on_commit_callbacks(execute=True):
        assert purger_demandes_en_ligne_abandonnees.call_local()["avertis"] == 0

    # The delay reached and the notice old enough: deleted, with its file.
    DemandeEnLigne.objects.update(
        modifie_le=timezone.now() - timedelta(days=jours + 1),
        avertie_purge_le=timezone.now() - timedelta(days=preavis),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert purger_demandes_en_ligne_abandonnees.call_local()["supprimes"] == 1
    assert not DemandeEnLigne.objects.exists()
    assert not os.path.exists(chemin)


def test_un_brouillon_repris_apres_le_preavis_n_est_pas_supprime(
    client, django_capture_on_commit_callbacks, settings
):
    commencer(client, django_capture_on_commit_callbacks)
    jours = settings.SNE_PORTAIL_PURGE_BROUILLON_JOURS
    DemandeEnLigne.objects.update(
        modifie_le=timezone.now() - timedelta(days=jours + 1),
        avertie_purge_le=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        resultat = purger_demandes_en_ligne_abandonnees.call_local()
    assert resultat == {**resultat, "avertis": 1, "supprimes": 0}  # told first, never at once
    client.post(etape("departement"), ETAPES["departement"])  # the applicant comes back
    brouillon = DemandeEnLigne.objects.get()
    assert brouillon.avertie_purge_le is None
    with django_capture_on_commit_callbacks(execute=True):
        assert purger_demandes_en_ligne_abandonnees.call_local()["supprimes"] == 0


def test_une_demande_enregistree_n_est_jamais_purgee(guichet, agent_saisie, settings):
    demande = demandes.enregistrer_demande(guichet, agent_saisie, deepcopy(DONNEES))
    DemandeEnLigne.objects.create(email=EMAIL, statut="enregistree", demande=demande)
    DemandeEnLigne.objects.update(modifie_le=timezone.now() - timedelta(days=1000))
    assert services.purger_brouillons()["supprimes"] == 0


def test_la_session_du_portail_tient_le_brouillon_pas_l_adresse(
    client, django_capture_on_commit_callbacks
):
    commencer(client, django_capture_on_commit_callbacks)
    brouillon = DemandeEnLigne.objects.get()
    assert str(brouillon.uuid) not in client.get(etape("departement")).content.decode()
    assert CLE_DEMANDE not in client.get(DEBUT).wsgi_request.portail

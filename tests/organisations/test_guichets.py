"""Setting up desks: onboarding, consultation scope, contact points, habilitations (FAQ
« Comment faire pour accéder à l'application nationale ? » and « Options de paramétrage »)."""

from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from sne.audit.models import EvenementAudit
from sne.comptes.models import Habilitation, Utilisateur
from sne.exceptions import ErreurMetier, NonAutorise
from sne.organisations import services
from sne.organisations.models import Guichet, Organisation, siren_valide
from sne.referentiels.models import Commune, Departement
from tests.factories import GuichetFactory, PointContactFactory, agent, gestionnaire, national
from tests.outils import a_midi, connecter, texte

pytestmark = pytest.mark.django_db


def test_un_gestionnaire_cree_un_guichet_sur_son_departement(client):
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/guichets/nouveau/",
        {
            "organisation_nom": "Foyer Dionysien",
            "organisation_type": "bailleur",
            "organisation_siren": "999 990 039",
            "code": "93fd1",
            "nom": "Foyer Dionysien — agence centre",
            "email": "agence@foyer-dionysien.fr",
            "departements": ["93"],
        },
    )

    assert reponse.status_code == 302
    guichet = Guichet.objects.get(code="93FD1")
    assert guichet.organisation.siren == "999990039"
    assert list(guichet.consultation_departements.values_list("code", flat=True)) == ["93"]


@pytest.mark.parametrize(
    ("siren", "valide"),
    [
        ("775672272", True),
        ("356000000", True),  # La Poste
        ("775672273", False),  # check digit
        ("775 672 272", False),  # stored without spaces
        ("77567227", False),
        ("٧٧٥٦٧٢٢٧٢", False),  # digits, but not ASCII ones
    ],
)
def test_un_siren_compte_neuf_chiffres_dont_une_cle_de_controle(siren, valide):
    assert siren_valide(siren) is valide


def test_un_siren_invalide_du_nouveau_guichet_s_affiche_sur_son_champ(client):
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/guichets/nouveau/",
        {
            "organisation_nom": "Foyer Dionysien",
            "organisation_type": "bailleur",
            "organisation_siren": "999 990 038",
            "code": "93FD1",
            "nom": "Agence centre",
            "departements": ["93"],
        },
    )

    message = "Le SIREN doit compter 9 chiffres et être valide (clé de contrôle)."
    assert reponse.context["form"].errors == {"organisation_siren": [message]}
    contenu = reponse.content.decode().replace("&#x27;", "'")
    assert f'<a href="#id_organisation_siren">SIREN : {message}</a>' in contenu
    assert not Guichet.objects.filter(code="93FD1").exists()


def test_un_siren_deja_pris_ou_un_code_deja_attribue_s_affichent_sur_leur_champ(client):
    GuichetFactory(code="93AA1", organisation__siren="999990039")
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/guichets/nouveau/",
        {
            "organisation_nom": "Autre",
            "organisation_type": "bailleur",
            "organisation_siren": "999990039",
            "code": "93AA2",
            "nom": "G",
            "departements": ["93"],
        },
    )
    code_pris = client.post(
        "/gestion/guichets/nouveau/",
        {
            "organisation_nom": "Autre",
            "organisation_type": "bailleur",
            "code": "93AA1",
            "nom": "G",
            "departements": ["93"],
        },
    )

    assert "déjà le SIREN 999990039" in reponse.context["form"].errors["organisation_siren"][0]
    assert "déjà attribué" in code_pris.context["form"].errors["code"][0]
    assert not Organisation.objects.filter(nom="Autre").exists()


def test_un_gestionnaire_ne_cree_pas_de_guichet_hors_de_ses_departements():
    with pytest.raises(NonAutorise):
        services.creer_guichet(
            par=gestionnaire("93"),
            organisation=Organisation.objects.create(nom="X", type="bailleur"),
            code="75ZZ1",
            nom="Hors département",
            departements=[Departement.objects.get(code="75")],
        )


def test_un_code_de_guichet_deja_pris_ou_mal_forme_est_refuse_sans_rien_creer(client):
    GuichetFactory(code="93AA1")
    connecter(client, gestionnaire("93"))
    donnees = {
        "organisation_nom": "Orga",
        "organisation_type": "commune",
        "nom": "G",
        "departements": ["93"],
    }

    deja_pris = client.post("/gestion/guichets/nouveau/", {**donnees, "code": "93AA1"})
    mal_forme = client.post("/gestion/guichets/nouveau/", {**donnees, "code": "93-A1"})

    assert "déjà attribué" in texte(deja_pris)
    assert "5 caractères" in texte(mal_forme)
    assert not Organisation.objects.filter(nom="Orga").exists()


def test_le_parametrage_finalise_previent_les_contacts_du_guichet(
    django_capture_on_commit_callbacks,
):
    guichet = GuichetFactory(departements=["93"], email="guichet@mairie.fr", a_parametrer=True)
    PointContactFactory(guichet=guichet, email="accueil@mairie.fr")
    referent = gestionnaire("93")
    services.enregistrer_convention(
        guichet,
        par=referent,
        convention_signee_le=date(2026, 11, 2),
        fiche_collecte=SimpleUploadedFile("fiche.csv", b"a;b\n"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        finalisation = services.finaliser_parametrage(guichet, par=referent)

    assert finalisation.destinataires == ["accueil@mairie.fr", "guichet@mairie.fr"]
    assert sorted(mail.outbox[-1].to) == finalisation.destinataires
    assert guichet.code in mail.outbox[-1].subject
    assert "Mot de passe inconnu" in mail.outbox[-1].body


def test_le_parametrage_ne_se_finalise_pas_sans_convention_fiche_collecte_adresse_ni_e_mail():
    guichet = GuichetFactory(
        departements=["93"], a_parametrer=True, email="", organisation__adresse=""
    )

    with pytest.raises(ErreurMetier) as erreur:
        services.finaliser_parametrage(guichet, par=gestionnaire("93"))

    assert erreur.value.code == "parametrage_incomplet"
    assert erreur.value.message == (
        "Le paramétrage ne peut pas être finalisé : il manque la date de signature de la "
        "convention ; la fiche collecte ; l'adresse du guichet, imprimée sur les attestations "
        "(un point de contact avec son adresse, ou l'adresse de l'organisation) ; une adresse "
        "e-mail de contact (du guichet ou d'un point de contact)."
    )
    guichet.refresh_from_db()
    assert not guichet.est_parametre


def test_l_adresse_du_guichet_est_celle_de_son_point_de_contact_sinon_de_son_organisation():
    guichet = GuichetFactory(organisation__adresse="1 rue de Paris\n93200 Saint-Denis")
    assert guichet.adresse_postale() == "1 rue de Paris\n93200 Saint-Denis"

    PointContactFactory(
        guichet=guichet, adresse="2 place Victor Hugo", code_postal="93200", commune_id="93066"
    )

    assert guichet.adresse_postale() == "2 place Victor Hugo\n93200 Saint-Denis"


def test_finaliser_invite_les_agents_qui_n_ont_pas_encore_active_leur_compte(
    django_capture_on_commit_callbacks, mailoutbox
):
    guichet = GuichetFactory(code="93CO7", departements=["93"], a_parametrer=True)
    referent = gestionnaire("93")
    nouvelle = Utilisateur.objects.create_user("nouvelle@mairie.fr", None, prenom="Léa")
    Habilitation.objects.create(utilisateur=nouvelle, role="saisie", guichet=guichet)
    deja_active = agent(guichet)  # has chosen a password: nothing to send
    services.enregistrer_convention(
        guichet,
        par=referent,
        convention_signee_le=date(2026, 11, 2),
        fiche_collecte=SimpleUploadedFile("fiche.csv", b"a;b\n"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        finalisation = services.finaliser_parametrage(guichet, par=referent, base_url="https://x")

    assert finalisation.invites == [nouvelle]
    invitation = next(m for m in mailoutbox if m.to == ["nouvelle@mairie.fr"])
    assert "https://x/comptes/activation/" in invitation.body
    assert f"{referent.nom_complet}, vous a ouvert un compte" in " ".join(invitation.body.split())
    assert "93CO7" in invitation.body
    assert not any(m.to == [deja_active.email] for m in mailoutbox)
    evenement = EvenementAudit.objects.filter(guichet=guichet, action="parametrage").first()
    assert evenement.details["invitations"] == [nouvelle.pk]


def test_finaliser_deux_fois_ne_previent_pas_deux_fois(django_capture_on_commit_callbacks):
    guichet = GuichetFactory(departements=["93"])  # already set up

    with pytest.raises(ErreurMetier) as erreur:
        services.finaliser_parametrage(guichet, par=gestionnaire("93"))

    assert erreur.value.code == "parametrage_deja_finalise"
    assert mail.outbox == []


def test_la_page_du_guichet_a_parametrer_dit_ce_qui_manque_et_finaliser_l_explique(client):
    guichet = GuichetFactory(code="93CO9", departements=["93"], a_parametrer=True)
    connecter(client, gestionnaire("93"))

    page = texte(client.get("/gestion/guichets/93CO9/"))
    reponse = client.post("/gestion/guichets/93CO9/finaliser/", follow=True)

    assert "Paramétrage à terminer" in page
    assert "la date de signature de la convention" in page
    assert "ne peut pas encore enregistrer de demandes" in page
    assert "il manque la date de signature de la convention" in texte(reponse)
    guichet.refresh_from_db()
    assert not guichet.est_parametre


def test_la_base_refuse_un_guichet_parametre_sans_convention():
    guichet = GuichetFactory(a_parametrer=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Guichet.objects.filter(pk=guichet.pk).update(parametrage_termine_le=a_midi(date.today()))


def test_le_perimetre_de_consultation_se_modifie_a_tout_moment_et_se_journalise(client):
    guichet = GuichetFactory(code="93CO8", departements=["93"])
    referent = gestionnaire("93")
    connecter(client, referent)

    reponse = client.post(
        "/gestion/guichets/93CO8/perimetre/",
        {"communes": "St-Denis\n93400\nAubervilliers"},
    )

    assert reponse.status_code == 302
    assert set(guichet.consultation_communes.values_list("code_insee", flat=True)) == {
        "93066",
        "93070",
        "93001",
    }
    assert not guichet.consultation_departements.exists()
    evenement = EvenementAudit.objects.filter(guichet=guichet, action="parametrage").first()
    assert evenement.details["avant"]["departements"] == ["93"]
    assert evenement.details["apres"]["communes"] == ["93001", "93066", "93070"]


def test_une_commune_ambigue_du_perimetre_est_signalee_avec_les_choix(client):
    GuichetFactory(code="93CO7", departements=["93"])
    connecter(client, gestionnaire("93"))

    contenu = texte(
        client.post("/gestion/guichets/93CO7/perimetre/", {"communes": "Ville-Inconnue"})
    )

    assert "Ville-Inconnue" in contenu
    assert "aucune commune de vos départements" in contenu


def test_un_gestionnaire_ne_peut_etendre_un_perimetre_hors_de_ses_departements():
    guichet = GuichetFactory(departements=["93"])

    with pytest.raises(NonAutorise):
        services.modifier_perimetre(
            guichet,
            par=gestionnaire("93"),
            departements_entiers=[],
            communes=[Commune.objects.get(pk="75120")],
        )


def test_habiliter_une_nouvelle_personne_cree_son_compte_et_l_invite(
    client, django_capture_on_commit_callbacks
):
    GuichetFactory(code="93CO6", departements=["93"])
    connecter(client, gestionnaire("93"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/gestion/guichets/93CO6/agents/",
            {
                "email": "nouvel.agent@mairie.fr",
                "prenom": "Inès",
                "nom": "Diallo",
                "role": "saisie",
            },
        )

    personne = Utilisateur.objects.get(email="nouvel.agent@mairie.fr")
    assert not personne.has_usable_password()
    assert Habilitation.objects.get(utilisateur=personne).role == "saisie"
    assert mail.outbox[-1].to == ["nouvel.agent@mairie.fr"]
    assert "/comptes/activation/" in mail.outbox[-1].body


def test_habiliter_sur_un_guichet_a_parametrer_n_invite_qu_a_la_finalisation(
    client, django_capture_on_commit_callbacks
):
    GuichetFactory(code="93CO6", departements=["93"], a_parametrer=True)
    connecter(client, gestionnaire("93"))

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            "/gestion/guichets/93CO6/agents/",
            {"email": "agent@mairie.fr", "prenom": "Inès", "nom": "Diallo", "role": "saisie"},
            follow=True,
        )

    assert Habilitation.objects.filter(utilisateur__email="agent@mairie.fr").exists()
    assert mail.outbox == []
    assert "partira quand vous finaliserez le paramétrage" in texte(reponse)


def test_une_adresse_partagee_par_deux_personnes_est_refusee_avec_explication(client):
    guichet = GuichetFactory(code="93CO5", departements=["93"])
    agent(guichet, email="accueil@mairie.fr", prenom="Jean", nom="Dupont")
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/guichets/93CO5/agents/",
        {"email": "accueil@mairie.fr", "prenom": "Marie", "nom": "Curie", "role": "saisie"},
        follow=True,
    )

    assert "une adresse identifie une seule personne" in texte(reponse)
    assert Habilitation.objects.filter(guichet=guichet).count() == 1


def test_seule_l_assistance_nationale_nomme_un_gestionnaire():
    from sne.comptes.services import habiliter

    personne = agent(GuichetFactory())
    with pytest.raises(NonAutorise):
        habiliter(
            personne,
            "gestionnaire",
            par=gestionnaire("93"),
            departement=Departement.objects.get(code="93"),
        )
    habiliter(
        personne, "gestionnaire", par=national(), departement=Departement.objects.get(code="93")
    )


@pytest.mark.aujourd_hui(date(2025, 1, 2))
def test_retirer_une_habilitation_la_clot_sans_l_effacer(client, horloge):
    guichet = GuichetFactory(code="93CO4", departements=["93"])
    personne = agent(guichet)
    habilitation = Habilitation.objects.get(utilisateur=personne)
    horloge.move_to(a_midi(date(2025, 3, 3)))
    connecter(client, gestionnaire("93"))

    url = f"/gestion/guichets/93CO4/habilitations/{habilitation.pk}/retirer/"
    confirmation = client.post(url)  # the button of the guichet page asks first
    habilitation.refresh_from_db()
    assert habilitation.date_fin is None
    assert "Confirmer le retrait" in confirmation.content.decode()

    client.post(url, {"confirme": "1"})

    habilitation.refresh_from_db()
    assert (habilitation.date_debut, habilitation.date_fin) == (date(2025, 1, 2), date(2025, 3, 2))


def test_un_point_de_contact_se_saisit_avec_une_commune_tapee_librement(client):
    guichet = GuichetFactory(code="93CO3", departements=["93"])
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/guichets/93CO3/contacts/nouveau/",
        {
            "libelle": "Accueil",
            "adresse": "2 place Victor Hugo",
            "commune": "St Denis 93200",
            "horaires": "Mardi 9 h – 12 h",
            "telephone": "01 49 00 00 00",
            "email": "accueil@mairie.fr",
        },
    )

    assert reponse.status_code == 302
    contact = guichet.contacts.get()
    assert contact.commune_id == "93066"
    assert contact.code_postal == "93200"


def test_un_point_de_contact_sans_commune_s_enregistre_et_figure_au_fichier_des_contacts(client):
    guichet = GuichetFactory(code="93CO3", departements=["93"])
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/guichets/93CO3/contacts/nouveau/",
        {"libelle": "Accueil téléphonique", "telephone": "01 49 00 00 00", "commune": ""},
    )

    assert reponse.status_code == 302
    contact = guichet.contacts.get()
    assert contact.commune is None
    assert client.get(f"/gestion/guichets/93CO3/contacts/{contact.pk}/").status_code == 200
    assert client.get("/gestion/guichets/93CO3/").status_code == 200
    assert client.get("/gestion/departements/contacts/?departement=93").status_code == 200
    assert client.get("/gestion/departements/contacts/93/xlsx/").status_code == 200


def test_le_service_accepte_un_point_de_contact_dont_la_commune_est_vide():
    guichet = GuichetFactory(code="93CO3", departements=["93"])

    point = services.enregistrer_point_contact(
        guichet, par=gestionnaire("93"), libelle="Accueil", commune=""
    )

    assert point.commune is None


def test_l_adresse_imprimee_est_celle_du_premier_point_de_contact_qui_en_a_une():
    guichet = GuichetFactory(organisation__adresse="1 rue de Paris")
    PointContactFactory(guichet=guichet, libelle="Accueil téléphonique", adresse="")
    PointContactFactory(guichet=guichet, libelle="Bureau", adresse="3 rue Z", code_postal="")

    assert guichet.point_contact_principal().libelle == "Bureau"
    assert guichet.adresse_postale() == "3 rue Z"


def test_un_guichet_parametre_garde_une_adresse_pour_ses_attestations(client):
    guichet = GuichetFactory(code="93AD1", departements=["93"], organisation__adresse="")
    point = PointContactFactory(guichet=guichet, adresse="2 place Victor Hugo")
    connecter(client, gestionnaire("93"))

    url = f"/gestion/guichets/93AD1/contacts/{point.pk}/"
    suppression = client.post(f"{url}supprimer/", follow=True)
    vidage = client.post(
        url,
        {"libelle": "Accueil", "adresse": "", "code_postal": "", "commune": ""},
    )

    assert "gardez au moins une adresse" in texte(suppression)
    assert "gardez au moins une adresse" in texte(vidage)
    point.refresh_from_db()
    assert point.adresse == "2 place Victor Hugo"


def test_la_convention_d_un_guichet_ne_s_efface_pas():
    guichet = GuichetFactory()

    with pytest.raises(ErreurMetier) as erreur:
        services.enregistrer_convention(guichet, par=gestionnaire("93"), convention_signee_le=None)

    assert erreur.value.code == "convention_requise"

"""The file of contacts (FAQ « Options de paramétrage »): every month, the desks of a
département and their contact points are sent to every desk; the file can be downloaded at
any time by those who manage the département and by its desks."""

from datetime import date
from io import BytesIO

import pytest
from django.core import mail
from openpyxl import load_workbook

from sne.audit.models import EvenementAudit
from sne.organisations.fichier_contacts import (
    PREMIERE_LIGNE,
    XLSX,
    envoyer_fichiers_contacts,
    fichier_contacts,
)
from sne.referentiels.models import Commune
from tests.factories import GuichetFactory, PointContactFactory, agent, gestionnaire
from tests.outils import connecter

pytestmark = pytest.mark.django_db

URL_PAGE = "/gestion/departements/contacts/"


def url_xlsx(code):
    return f"/gestion/departements/contacts/{code}/xlsx/"


def url_envoi(code):
    return f"/gestion/departements/contacts/{code}/envoyer/"


@pytest.fixture
def guichets_93():
    """Two active desks of 93 (one also on 94, without any contact point), one of 75 and an
    inactive desk of 93."""
    bondy = GuichetFactory(code="93BO1", nom="Agence de Bondy", departements=["93"])
    PointContactFactory(
        guichet=bondy,
        libelle="Accueil du public",
        code_postal="93140",
        commune=Commune.objects.get(pk="93010"),
        email="accueil@bondy-habitat.fr",
    )
    PointContactFactory(guichet=bondy, libelle="Permanence téléphonique", adresse="")
    sans_contact = GuichetFactory(code="93SC1", nom="Mairie de Pantin", departements=["93", "94"])
    paris = GuichetFactory(code="75PA1", departements=["75"])
    PointContactFactory(guichet=paris)
    GuichetFactory(code="93FE1", departements=["93"], actif=False)
    return {"bondy": bondy, "sans_contact": sans_contact, "paris": paris}


def lire(contenu: bytes):
    feuille = load_workbook(BytesIO(contenu)).active
    lignes = list(feuille.iter_rows(min_row=PREMIERE_LIGNE, values_only=True))
    return feuille, lignes


@pytest.mark.aujourd_hui(date(2025, 3, 31))
def test_le_fichier_liste_chaque_guichet_actif_du_departement_avec_ses_points_de_contact(
    guichets_93,
):
    feuille, lignes = lire(fichier_contacts("93"))

    assert feuille.title == "Contacts 93 — 2025-03"
    assert [(ligne[0], ligne[5]) for ligne in lignes] == [
        ("93BO1", "Accueil du public"),
        ("93BO1", "Permanence téléphonique"),
        ("93SC1", None),
    ]
    accueil = lignes[0]
    assert accueil[1] == "Agence de Bondy"
    assert accueil[7:9] == ("93140", "Bondy")
    assert accueil[11] == "accueil@bondy-habitat.fr"
    assert accueil[12] is not None  # modifié le


def test_un_guichet_sans_point_de_contact_figure_au_fichier_avec_des_colonnes_vides(guichets_93):
    _, lignes = lire(fichier_contacts("93"))

    pantin = next(ligne for ligne in lignes if ligne[0] == "93SC1")
    assert pantin[1] == "Mairie de Pantin"
    assert pantin[4] == "93, 94"
    assert all(valeur is None for valeur in pantin[5:])


def test_le_fichier_a_un_titre_une_entete_en_gras_figee_et_des_largeurs(guichets_93):
    feuille, _ = lire(fichier_contacts("93"))

    assert "Seine-Saint-Denis (93)" in feuille["A1"].value
    assert feuille["A2"].value == "Code guichet"
    assert feuille["M2"].value == "Modifié le"
    assert feuille["A2"].font.bold
    assert feuille.freeze_panes == f"A{PREMIERE_LIGNE}"
    assert feuille.column_dimensions["B"].width > 20


@pytest.mark.aujourd_hui(date(2025, 3, 31))
def test_l_envoi_mensuel_adresse_le_fichier_en_piece_jointe_a_chaque_guichet(guichets_93):
    rapports = envoyer_fichiers_contacts()

    assert {r.departement: sorted(r.envoyes) for r in rapports} == {
        "75": ["75PA1"],
        "93": ["93BO1", "93SC1"],
        "94": ["93SC1"],
    }
    pour_bondy = [m for m in mail.outbox if "accueil@bondy-habitat.fr" in m.to]
    assert len(pour_bondy) == 1
    message = pour_bondy[0]
    assert message.subject.startswith("SNE — Fichier des contacts des guichets — Seine-Saint-")
    assert guichets_93["bondy"].email in message.to
    assert "pour actualisation" in message.body
    [(nom, contenu, type_mime)] = message.attachments
    assert nom == "sne-contacts-93-2025-03.xlsx"
    assert type_mime == XLSX
    assert {ligne[0] for ligne in lire(contenu)[1]} == {"93BO1", "93SC1"}


def test_chaque_envoi_est_journalise_une_fois_par_departement(guichets_93):
    envoyer_fichiers_contacts("93")

    [evenement] = EvenementAudit.objects.filter(action=EvenementAudit.Action.EXPORT)
    assert evenement.objet_type == "referentiels.departement"
    assert evenement.objet_id == "93"
    assert evenement.utilisateur is None
    assert sorted(evenement.details["envoyes"]) == ["93BO1", "93SC1"]
    assert len(mail.outbox) == 2


def test_un_guichet_sans_adresse_e_mail_n_est_pas_prevenu_et_le_journal_le_dit():
    GuichetFactory(code="93NA1", departements=["93"], email="")

    [rapport] = envoyer_fichiers_contacts("93")

    assert rapport.sans_adresse == ["93NA1"]
    assert mail.outbox == []
    evenement = EvenementAudit.objects.get(action=EvenementAudit.Action.EXPORT)
    assert evenement.details["sans_adresse"] == ["93NA1"]


def test_le_gestionnaire_telecharge_le_fichier_de_son_departement(client, guichets_93):
    utilisateur = gestionnaire("93")
    connecter(client, utilisateur)

    reponse = client.get(url_xlsx("93"))

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == XLSX
    assert reponse["Content-Disposition"].startswith('attachment; filename="sne-contacts-93-')
    assert len(lire(reponse.content)[1]) == 3
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.EXPORT, utilisateur=utilisateur, objet_id="93"
    ).exists()


def test_un_gestionnaire_du_75_ne_peut_pas_telecharger_le_fichier_du_93(client, guichets_93):
    connecter(client, gestionnaire("75"))

    assert client.get(url_xlsx("93")).status_code == 403
    assert client.get(URL_PAGE, {"departement": "93"}).status_code == 403
    assert not EvenementAudit.objects.filter(action=EvenementAudit.Action.EXPORT).exists()


def test_l_agent_d_un_guichet_telecharge_le_fichier_des_departements_de_son_guichet(
    client, guichets_93
):
    """The file is sent to every desk every month: its agents may fetch it too."""
    connecter(client, agent(guichets_93["sans_contact"], role="consultation"))

    assert client.get(url_xlsx("93")).status_code == 200
    assert client.get(url_xlsx("94")).status_code == 200
    assert client.get(url_xlsx("75")).status_code == 403


def test_la_page_montre_l_apercu_et_les_actions_au_gestionnaire(client, guichets_93):
    connecter(client, gestionnaire("93"))

    contenu = client.get(URL_PAGE).content.decode()

    assert "Agence de Bondy" in contenu
    assert "Aucun point de contact" in contenu  # Pantin
    assert "75PA1" not in contenu and "93FE1" not in contenu
    assert "Télécharger (XLSX)" in contenu
    assert "Envoyer maintenant aux guichets" in contenu


def test_l_agent_voit_l_apercu_mais_ne_peut_pas_envoyer(client, guichets_93):
    connecter(client, agent(guichets_93["bondy"]))

    contenu = client.get(URL_PAGE).content.decode()

    assert "Agence de Bondy" in contenu
    assert "Envoyer maintenant aux guichets" not in contenu
    assert client.post(url_envoi("93")).status_code == 403
    assert mail.outbox == []


def test_le_gestionnaire_envoie_le_fichier_maintenant_et_en_est_informe(client, guichets_93):
    utilisateur = gestionnaire("93")
    connecter(client, utilisateur)

    reponse = client.post(url_envoi("93"), follow=True)

    assert "envoyé à 2 guichets" in reponse.content.decode()
    assert len(mail.outbox) == 2
    evenement = EvenementAudit.objects.get(action=EvenementAudit.Action.EXPORT)
    assert evenement.utilisateur == utilisateur


def test_un_gestionnaire_du_75_ne_peut_pas_envoyer_le_fichier_du_93(client, guichets_93):
    connecter(client, gestionnaire("75"))

    assert client.post(url_envoi("93")).status_code == 403
    assert mail.outbox == []


def test_un_departement_sans_guichet_actif_le_dit(client):
    connecter(client, gestionnaire("48"))

    contenu = client.get(URL_PAGE).content.decode()

    assert "Aucun guichet actif" in contenu


@pytest.mark.parametrize(
    "libelle",
    ['=HYPERLINK("https://attaquant.example","Nouveau formulaire")', "+33 1 49", "-1", "@A1"],
)
def test_un_libelle_qui_commence_comme_une_formule_reste_du_texte_dans_le_fichier(libelle):
    guichet = GuichetFactory(code="93FX1", nom=libelle, departements=["93"])
    PointContactFactory(guichet=guichet, libelle=libelle, horaires=libelle, telephone="+33 1 49")

    feuille, _ = lire(fichier_contacts("93"))

    cellules = {c.column: c for c in feuille[PREMIERE_LIGNE]}
    for colonne in (2, 6, 10, 11):  # guichet, point de contact, horaires, téléphone
        assert cellules[colonne].data_type == "s"
        assert cellules[colonne].value in (libelle, "+33 1 49")
        assert cellules[colonne].quotePrefix  # edited in the spreadsheet, it stays text


def test_un_caractere_de_controle_dans_un_libelle_n_empeche_pas_le_telechargement(client):
    guichet = GuichetFactory(code="93FX1", departements=["93"])
    PointContactFactory(guichet=guichet, libelle="Accueil\x01 du public")
    connecter(client, gestionnaire("93"))

    reponse = client.get(url_xlsx("93"))

    assert reponse.status_code == 200
    _, lignes = lire(b"".join(reponse.streaming_content) if reponse.streaming else reponse.content)
    assert lignes[0][5] == "Accueil du public"

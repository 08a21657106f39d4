"""The stock audit of a département (issue 11): a Huey task (immediate in tests) walks the
active demandes of the département in chunks, keeps the probable pairs, never a pair judged
« personnes différentes »; it resumes after a kill without writing a pair twice; its pairs
are downloaded as XLSX, the download logged."""

import io

import pytest
from openpyxl import load_workbook

from sne.audit.models import EvenementAudit
from sne.demandes import services
from sne.doublons import parcours
from sne.doublons.audit import lancer_audit
from sne.doublons.models import AuditDoublons, EmpreinteIdentite, PaireDoublon
from sne.exceptions import NonAutorise
from sne.referentiels.models import Departement
from tests.doublons.conftest import enregistrer, stock_sans_decision
from tests.factories import gestionnaire, national
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(guichet_75, guichet_93, distinctes):
    """Distinct people, and three injected duplicates in the 75 (a typo, a swapped nom and
    prénom, a co-demandeur registered again as demandeur); one in the 93, another département."""
    martin = enregistrer(guichet_75)
    martn = enregistrer(guichet_75, nom="Martn")
    dupont = enregistrer(guichet_75, nom="Dupont", prenom="Paul", date_naissance="1970-05-06")
    inverse = enregistrer(guichet_75, nom="Paul", prenom="Dupond", date_naissance="1970-05-06")
    couple = enregistrer(
        guichet_75,
        nom="Nguyen",
        prenom="Minh",
        date_naissance="1984-02-20",
        co_demandeur={"nom": "Nguyen", "prenom": "Lan", "date_naissance": "1986-06-01"},
    )
    seule = enregistrer(guichet_75, nom="Nguyen", prenom="Lan", date_naissance="1986-06-01")
    enregistrer(guichet_93, nom="Benali", prenom="Inès", date_naissance="1990-01-02")
    enregistrer(guichet_93, nom="Benalli", prenom="Ines", date_naissance="1990-01-02")
    stock_sans_decision()
    return {
        "martin": (martin, martn),
        "dupont": (dupont, inverse),
        "couple": (couple, seule),
    }


def paires_de(audit) -> set[tuple[str, str]]:
    return {
        tuple(sorted((p.demande_a.numero_unique, p.demande_b.numero_unique)))
        for p in audit.paires.select_related("demande_a", "demande_b")
    }


def attendu(*couples) -> set[tuple[str, str]]:
    return {tuple(sorted((a.numero_unique, b.numero_unique))) for a, b in couples}


def lancer(django_capture_on_commit_callbacks, departement="75", par=None):
    with django_capture_on_commit_callbacks(execute=True):
        audit, _ = lancer_audit(Departement.objects.get(code=departement), par or national())
    audit.refresh_from_db()
    return audit


def test_l_audit_trouve_les_paires_injectees_et_pas_les_autres(
    stock, django_capture_on_commit_callbacks
):
    audit = lancer(django_capture_on_commit_callbacks, par=gestionnaire("75"))

    assert audit.statut == AuditDoublons.Statut.TERMINE
    assert (
        audit.total
        == audit.traites
        == EmpreinteIdentite.objects.filter(departement="75", actif=True).count()
    )
    assert paires_de(audit) == attendu(stock["martin"], stock["dupont"], stock["couple"])
    assert all(p.departement_id == "75" for p in audit.paires.all())
    assert all(p.score >= 50 and p.raisons for p in audit.paires.all())


def test_une_paire_jugee_personnes_differentes_n_est_plus_proposee(
    stock, django_capture_on_commit_callbacks
):
    premier = lancer(django_capture_on_commit_callbacks)
    paire = premier.paires.get(demande_a__in=[d.pk for d in stock["martin"]])
    services.ecarter_doublon(paire, national())

    second = lancer(django_capture_on_commit_callbacks)

    assert paires_de(second) == attendu(stock["dupont"], stock["couple"])
    assert PaireDoublon.objects.count() == 3  # the same pairs, never a second row


def test_l_audit_reprend_apres_une_interruption_sans_doubler_les_paires(
    stock, django_capture_on_commit_callbacks, monkeypatch
):
    departement = Departement.objects.get(code="75")
    audit, _ = lancer_audit(departement, national())  # not committed: the task is not run
    assert parcours.avancer_audit(audit.pk, taille_lot=5) is False
    audit.refresh_from_db()
    assert audit.traites == 5 and audit.statut == AuditDoublons.Statut.EN_COURS
    deja = audit.paires.count()

    # The worker is killed in the middle of the next chunk: nothing of that chunk is kept.
    vrai = parcours.rechercher_empreinte
    appels = []

    def tue_au_troisieme(*args, **kwargs):
        appels.append(1)
        if len(appels) == 3:
            raise KeyboardInterrupt("worker tué")
        return vrai(*args, **kwargs)

    monkeypatch.setattr(parcours, "rechercher_empreinte", tue_au_troisieme)
    with pytest.raises(KeyboardInterrupt):
        parcours.avancer_audit(audit.pk, taille_lot=5)
    monkeypatch.setattr(parcours, "rechercher_empreinte", vrai)
    audit.refresh_from_db()
    assert audit.traites == 5 and audit.paires.count() == deja

    # Launching again resumes the same audit from the first row not done.
    with django_capture_on_commit_callbacks(execute=True):
        repris, cree = lancer_audit(departement, national())
    assert not cree and repris.pk == audit.pk
    repris.refresh_from_db()
    assert repris.statut == AuditDoublons.Statut.TERMINE
    assert repris.traites == repris.total
    assert paires_de(repris) == attendu(stock["martin"], stock["dupont"], stock["couple"])
    assert PaireDoublon.objects.count() == 3
    assert AuditDoublons.objects.count() == 1


def test_la_reprise_periodique_relance_un_audit_sans_nouvelles(stock, horloge):
    from datetime import timedelta

    from django.utils import timezone

    from sne.doublons.tasks import reprendre_audits_interrompus

    audit, _ = lancer_audit(Departement.objects.get(code="75"), national())
    AuditDoublons.objects.filter(pk=audit.pk).update(
        avance_le=timezone.now() - timedelta(minutes=30)
    )

    reprendre_audits_interrompus.call_local()

    audit.refresh_from_db()
    assert audit.termine
    assert paires_de(audit) == attendu(stock["martin"], stock["dupont"], stock["couple"])


def test_un_gestionnaire_ne_lance_pas_l_audit_d_un_autre_departement(client, stock):
    with pytest.raises(NonAutorise):
        lancer_audit(Departement.objects.get(code="75"), gestionnaire("93"))
    connecter(client, gestionnaire("93"))

    reponse = client.post("/gestion/doublons/audits/", {"departement": "75"})

    assert reponse.status_code == 200  # the form refuses a département not offered
    assert not AuditDoublons.objects.exists()


def test_la_page_lance_l_audit_et_montre_les_paires(
    client, stock, django_capture_on_commit_callbacks
):
    connecter(client, gestionnaire("75"))
    assert "Aucun audit n'a encore été lancé" in texte(client.get("/gestion/doublons/audits/"))

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post("/gestion/doublons/audits/", {"departement": "75"})
    audit = AuditDoublons.objects.get()
    assert (
        reponse.status_code == 302
        and reponse["Location"] == f"/gestion/doublons/audits/{audit.pk}/"
    )

    contenu = texte(client.get(reponse["Location"]))
    martin, martn = stock["martin"]
    assert martin.numero_unique in contenu and martn.numero_unique in contenu
    assert "Recherche terminée" in contenu
    assert "Télécharger ces 3 paires (XLSX)" in contenu
    assert "Élodie" not in contenu and "MARTIN" not in contenu  # no personal data in the list


def test_la_progression_se_rafraichit_tant_que_l_audit_tourne(client, stock):
    connecter(client, gestionnaire("75"))
    audit, _ = lancer_audit(Departement.objects.get(code="75"), national())  # not run
    parcours.avancer_audit(audit.pk, taille_lot=4)

    page = texte(client.get(f"/gestion/doublons/audits/{audit.pk}/"))
    assert "<progress" in page and 'hx-trigger="every 3s"' in page
    partiel = client.get(f"/gestion/doublons/audits/{audit.pk}/", headers={"HX-Request": "true"})
    assert "4 personnes examinées sur" in texte(partiel)
    assert "HX-Refresh" not in partiel

    parcours.parcourir(audit.pk)
    fini = client.get(f"/gestion/doublons/audits/{audit.pk}/", headers={"HX-Request": "true"})
    assert fini["HX-Refresh"] == "true"


def test_le_xlsx_contient_exactement_les_paires_listees_et_le_telechargement_est_journalise(
    client, stock, django_capture_on_commit_callbacks
):
    referent = gestionnaire("75")
    audit = lancer(django_capture_on_commit_callbacks, par=referent)
    for cle in ("dupont", "couple"):
        services.ecarter_doublon(
            audit.paires.get(demande_a__in=[d.pk for d in stock[cle]]), referent
        )
    connecter(client, referent)

    reponse = client.get(
        f"/gestion/doublons/audits/{audit.pk}/paires.xlsx", {"statut": "a_examiner"}
    )

    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    assert "attachment" in reponse["Content-Disposition"]
    lignes = list(load_workbook(io.BytesIO(reponse.content)).active.iter_rows(values_only=True))
    assert lignes[0] == (
        "Numéro unique A",
        "Date de dépôt A",
        "Guichet A",
        "Numéro unique B",
        "Date de dépôt B",
        "Guichet B",
        "Ressemblance (%)",
        "Raisons",
        "Décision",
    )
    assert len(lignes) == 2
    martin, martn = sorted(stock["martin"], key=lambda d: d.pk)
    numero_a, depot_a, guichet_a, numero_b, _, _, score, raisons, decision = lignes[1]
    assert (numero_a, numero_b) == (martin.numero_unique, martn.numero_unique)
    assert depot_a == martin.date_depot.strftime("%d/%m/%Y") and guichet_a == "75DB1"
    assert score >= 50 and "nom" in raisons and decision == "À examiner"
    assert "Martin" not in str(lignes) and "Élodie" not in str(lignes)
    export = EvenementAudit.objects.get(action=EvenementAudit.Action.EXPORT)
    assert export.utilisateur == referent and "(1 paires)" in export.resume


def test_l_audit_d_un_autre_departement_est_introuvable(
    client, stock, django_capture_on_commit_callbacks
):
    audit = lancer(django_capture_on_commit_callbacks)
    connecter(client, gestionnaire("93"))

    assert client.get(f"/gestion/doublons/audits/{audit.pk}/").status_code == 404
    assert client.get(f"/gestion/doublons/audits/{audit.pk}/paires.xlsx").status_code == 404
    assert f"/gestion/doublons/audits/{audit.pk}/" not in texte(
        client.get("/gestion/doublons/audits/")
    )
    paire = audit.paires.first()
    assert client.get(f"/gestion/doublons/paires/{paire.pk}/").status_code == 404

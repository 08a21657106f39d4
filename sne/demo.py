"""The demo data that `make run` creates, part of the API contract (API-CONTRACT.md, « Demo
data »): integrators, the documentation and acceptance tests rely on these exact codes.

Idempotent: running it again changes nothing but resetting the demo password. The password is
public (README): these accounts exist only in demo databases.
"""

from django.db import transaction
from django.utils import timezone

from sne.comptes.models import Habilitation, Utilisateur
from sne.organisations.models import Guichet, Organisation, PointContact
from sne.referentiels.models import Commune, Departement

MOT_DE_PASSE_DEMO = "demo-sne-2026"
# Gestionnaires and administrators must use a second factor: their demo accounts get public,
# single-use backup codes, put back at each seed.
CODES_SECOURS_DEMO = [f"sne-demo-{n}" for n in range(1, 11)]
DOMAINE = "demo.sne.example.fr"

ORGANISATIONS = [
    {
        "siren": "999990013",
        "nom": "Habitat Parisien (démo)",
        "type": "bailleur",
        "adresse": "21 rue de la Bienfaisance, 75008 Paris",
    },
    {
        "siren": "999990021",
        "nom": "Ville de Saint-Denis (démo)",
        "type": "commune",
        "adresse": "2 place Victor Hugo, 93200 Saint-Denis",
    },
]

GUICHETS = [
    {
        "code": "75BA1",
        "nom": "Habitat Parisien — agence Paris-Est (démo)",
        "siren": "999990013",
        "departements": ["75", "92"],
        "consultation_departements": ["75", "92"],
        "consultation_communes": [],
        "email": f"guichet.75ba1@{DOMAINE}",
        "contact": {
            "libelle": "Accueil du public",
            "adresse": "12 rue des Lilas",
            "code_postal": "75020",
            "commune": "75120",
            "horaires": "Lundi au vendredi, 9 h – 12 h 30 et 14 h – 17 h",
            "telephone": "01 40 00 00 01",
            "email": f"accueil.75ba1@{DOMAINE}",
        },
    },
    {
        "code": "93CO1",
        "nom": "Mairie de Saint-Denis — service logement (démo)",
        "siren": "999990021",
        "departements": ["93"],
        "consultation_departements": [],
        "consultation_communes": ["93066"],
        "email": f"guichet.93co1@{DOMAINE}",
        "contact": {
            "libelle": "Service logement",
            "adresse": "2 place Victor Hugo",
            "code_postal": "93200",
            "commune": "93066",
            "horaires": "Mardi et jeudi, 8 h 30 – 12 h",
            "telephone": "01 49 00 00 02",
            "email": f"logement.93co1@{DOMAINE}",
        },
    },
]

COMPTES = [
    {
        "email": f"admin@{DOMAINE}",
        "prenom": "Camille",
        "nom": "Administratrice",
        "role": "national",
        "libelle": "Administratrice nationale (assistance nationale)",
        "is_staff": True,
        "is_superuser": True,
    },
    {
        "email": f"gestionnaire.75@{DOMAINE}",
        "prenom": "Lucas",
        "nom": "Gestionnaire",
        "role": "gestionnaire",
        "departement": "75",
        "libelle": "Gestionnaire territorial de Paris (75)",
    },
    {
        "email": f"gestionnaire.93@{DOMAINE}",
        "prenom": "Aïcha",
        "nom": "Gestionnaire",
        "role": "gestionnaire",
        "departement": "93",
        "libelle": "Gestionnaire territoriale de Seine-Saint-Denis (93)",
    },
    {
        "email": f"agent.75ba1@{DOMAINE}",
        "prenom": "Élodie",
        "nom": "Agent",
        "role": "saisie",
        "guichet": "75BA1",
        "libelle": "Agent de saisie du guichet 75BA1",
    },
    {
        "email": f"agent.93co1@{DOMAINE}",
        "prenom": "Karim",
        "nom": "Agent",
        "role": "saisie",
        "guichet": "93CO1",
        "libelle": "Agent de saisie du guichet 93CO1",
    },
    {
        "email": f"consultation.75ba1@{DOMAINE}",
        "prenom": "Inès",
        "nom": "Consultante",
        "role": "consultation",
        "guichet": "75BA1",
        "libelle": "Consultation seule sur le guichet 75BA1",
    },
]


@transaction.atomic
def creer_donnees_demo() -> list[dict]:
    organisations = {}
    for o in ORGANISATIONS:
        organisations[o["siren"]], _ = Organisation.objects.update_or_create(
            siren=o["siren"], defaults={k: v for k, v in o.items() if k != "siren"}
        )
    for g in GUICHETS:
        guichet, _ = Guichet.objects.update_or_create(
            code=g["code"],
            defaults={
                "nom": g["nom"],
                "organisation": organisations[g["siren"]],
                "email": g["email"],
                "convention_signee_le": timezone.localdate().replace(month=1, day=15),
                "fiche_collecte_recue_le": timezone.localdate().replace(month=1, day=15),
            },
        )
        if guichet.parametrage_termine_le is None:
            guichet.parametrage_termine_le = timezone.now()
            guichet.save(update_fields=["parametrage_termine_le"])
        guichet.departements.set(Departement.objects.filter(code__in=g["departements"]))
        guichet.consultation_departements.set(
            Departement.objects.filter(code__in=g["consultation_departements"])
        )
        guichet.consultation_communes.set(Commune.objects.filter(pk__in=g["consultation_communes"]))
        contact = dict(g["contact"])
        contact["commune"] = Commune.objects.get(pk=contact["commune"])
        PointContact.objects.update_or_create(
            guichet=guichet, libelle=contact.pop("libelle"), defaults=contact
        )
    for c in COMPTES:
        champs = {k: c[k] for k in ("prenom", "nom") if k in c}
        champs["is_staff"] = c.get("is_staff", False)
        champs["is_superuser"] = c.get("is_superuser", False)
        utilisateur, _ = Utilisateur.objects.update_or_create(email=c["email"], defaults=champs)
        utilisateur.set_password(MOT_DE_PASSE_DEMO)
        utilisateur.save(update_fields=["password"])
        Habilitation.objects.get_or_create(
            utilisateur=utilisateur,
            role=c["role"],
            guichet=Guichet.objects.get(code=c["guichet"]) if "guichet" in c else None,
            departement=Departement.objects.get(code=c["departement"])
            if "departement" in c
            else None,
        )
    return COMPTES

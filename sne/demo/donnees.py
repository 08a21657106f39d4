"""The demo data that `make run` creates, part of the API contract (API-CONTRACT.md, « Demo
data »): integrators, the documentation and acceptance tests rely on these exact codes.

Idempotent: running it again changes nothing but resetting the demo password. The password is
public (README): these accounts exist only in demo databases.
"""

import random
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from sne.comptes.models import Habilitation, Utilisateur
from sne.comptes.securite import codes_de_secours_demo
from sne.demandes import regles, services
from sne.demandes.models import Demande
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
            "telephone": "+33140000001",  # stored in E.164, shown « 01 40 00 00 01 »
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
            "telephone": "+33149000002",
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
        if c["role"] in ("gestionnaire", "national"):
            codes_de_secours_demo(utilisateur, CODES_SECOURS_DEMO)
    return COMPTES


# --- Demo demandes: a living register (API contract « a few dozen demandes in various states »)

PRENOMS = [
    "Élodie",
    "Karim",
    "Inès",
    "Mamadou",
    "Sophie",
    "Thomas",
    "Aïcha",
    "Lucas",
    "Fatou",
    "Julien",
    "Camille",
    "Nicolas",
    "Yasmina",
    "Hugo",
    "Chloé",
    "Omar",
    "Léa",
    "Mehdi",
]
# The civility goes with the first name (no « Madame Nicolas FONTAINE »).
FEMININS = {"Élodie", "Inès", "Sophie", "Aïcha", "Fatou", "Camille", "Yasmina", "Chloé", "Léa"}
NOMS = [
    "Martin",
    "Bernard",
    "Diallo",
    "Dubois",
    "Nguyen",
    "Moreau",
    "Benali",
    "Laurent",
    "Traoré",
    "Lefebvre",
    "Garcia",
    "Roux",
    "Haddad",
    "Fontaine",
    "Mercier",
    "Kone",
]
COMMUNES_DEMO = {
    "75BA1": (
        ["75", "92"],
        {"75": ["75120", "75119", "75118", "75111"], "92": ["92050", "92025", "92026", "92062"]},
    ),
    "93CO1": (["93"], {"93": ["93066", "93001", "93070", "93048"]}),
}
ADRESSES_DEMO = {
    "75": ("12 rue des Lilas", "Paris 20e"),
    "92": ("3 rue de la Paix", "Nanterre"),
    "93": ("8 rue de la République", "Saint-Denis"),
}


def creer_demandes_demo(nombre: int = 36) -> int:
    """Register demo demandes through the services (the real path), then age and strike off a
    few so that every state is visible. Idempotent: a demande is recognised by its
    `reference_externe` (DEMO-…) and a step already taken is not taken again."""
    hasard = random.Random(2026)
    aujourd_hui = timezone.localdate()
    crees = 0
    for i in range(nombre):
        code = "75BA1" if i % 3 else "93CO1"
        guichet = Guichet.objects.get(code=code)
        agent = Utilisateur.objects.get(email=f"agent.{code.lower()}@{DOMAINE}")
        departements, communes = COMMUNES_DEMO[code]
        departement = departements[i % len(departements)]
        reference = f"DEMO-{i + 1:04d}"
        if Demande.objects.filter(
            guichet_enregistreur=guichet, reference_externe=reference
        ).exists():
            continue
        en_couple = i % 4 == 0
        ligne, commune = ADRESSES_DEMO[departement]
        donnees = {
            "reference_externe": reference,
            "departement": departement,
            "demandeur": {
                "civilite": "MME" if PRENOMS[i % len(PRENOMS)] in FEMININS else "M",
                "nom": NOMS[i % len(NOMS)],
                "prenom": PRENOMS[i % len(PRENOMS)],
                "date_naissance": date(
                    1960 + hasard.randint(0, 40), hasard.randint(1, 12), hasard.randint(1, 28)
                ).isoformat(),
                "email": f"demandeur{i + 1}@exemple.fr" if i % 5 else "",
                # 06 10 … 06 29: allocated mobile ranges (06 39 is Mayotte's, 06 9x overseas');
                # the same draw as before, so that the rest of the demo does not change.
                "telephone": f"06{10_000_000 + hasard.randint(10000000, 99999999) % 20_000_000}",
                "piece_identite": {"type": ["carte_identite", "passeport", "titre_sejour"][i % 3]},
                "adresse": {
                    "ligne1": f"{i + 1} {ligne[ligne.index(' ') + 1 :]}",
                    "commune": commune,
                },
                "situation_familiale": "marie"
                if en_couple
                else ["celibataire", "divorce", "veuf"][i % 3],
                "situation_professionnelle": ["cdi", "cdd", "chomage", "retraite", "etudiant"][
                    i % 5
                ],
                "revenus_mensuels": str(hasard.randint(800, 2600)),
            },
            "co_demandeur": {
                "nom": NOMS[i % len(NOMS)],
                "prenom": PRENOMS[(i + 7) % len(PRENOMS)],
                "date_naissance": f"{1962 + hasard.randint(0, 35)}-06-15",
                "lien": "conjoint",
            }
            if en_couple
            else None,
            "personnes_a_charge": [
                {
                    "nom": NOMS[i % len(NOMS)],
                    "prenom": PRENOMS[(i + k + 3) % len(PRENOMS)],
                    "date_naissance": f"{2010 + k}-03-0{k + 1}",
                    "lien": "enfant",
                }
                for k in range(i % 3)
            ],
            "deja_locataire_hlm": i % 6 == 0,
            "ressources": {
                "revenu_fiscal_reference": hasard.randint(9000, 32000),
                "annee_revenus": aujourd_hui.year - 2,
            },
            "motifs": [
                [
                    "logement_trop_petit",
                    "logement_trop_cher",
                    "sans_logement",
                    "rapprochement_travail",
                    "decohabitation",
                ][i % 5]
            ],
            "souhaits": {
                "communes": hasard.sample(communes[departement], k=1 + i % 3),
                "typologies": [["T1", "T2"], ["T2", "T3"], ["T3", "T4"]][i % 3],
            },
        }
        with transaction.atomic():
            demande = services.enregistrer_demande(
                guichet, agent, donnees, "Données de démonstration"
            )
            # Spread the seniority over the past two years (demo only: dates set directly).
            depot = aujourd_hui - timedelta(days=hasard.randint(0, 700))
            expiration = regles.un_an_apres(depot)
            renouvellement = None
            while expiration < aujourd_hui and i % 7:
                renouvellement = expiration - timedelta(days=10)
                expiration = regles.un_an_apres(renouvellement)
            Demande.objects.filter(pk=demande.pk).update(
                date_depot=depot,
                date_expiration=expiration,
                date_dernier_renouvellement=renouvellement,
            )
            demande.refresh_from_db()
            if i % 9 == 4:
                services.radier(
                    demande,
                    "attribution",
                    par=agent,
                    guichet=guichet,
                    commentaire="Bail signé (démonstration)",
                )
            elif i % 9 == 7:
                services.radier(demande, "renonciation", par=agent, guichet=guichet)
            elif expiration < aujourd_hui - timedelta(days=31):
                services.radier(demande, "non_renouvellement", par=agent, guichet=guichet)
        crees += 1
    return crees + _creer_doublon_demo()


def _creer_doublon_demo() -> int:
    """A demande forced past a suspicion of duplicate (the demandeur of DEMO-0003 again, a
    letter of the nom dropped), so that the gestionnaire of the 75 has a forced creation to
    compare and decide on, and the audit of the 75 a pair (issue 11). Idempotent."""
    guichet = Guichet.objects.get(code="75BA1")
    reference = "DEMO-DOUBLON-1"
    origine = Demande.objects.filter(
        guichet_enregistreur=guichet, reference_externe="DEMO-0003", statut="active"
    ).first()
    if (
        origine is None
        or Demande.objects.filter(
            guichet_enregistreur=guichet, reference_externe=reference
        ).exists()
    ):
        return 0
    demandeur = origine.personnes.get(role="demandeur")
    ligne, commune = ADRESSES_DEMO[origine.departement_id]
    services.enregistrer_demande(
        guichet,
        Utilisateur.objects.get(email=f"agent.75ba1@{DOMAINE}"),
        {
            "reference_externe": reference,
            "departement": origine.departement_id,
            "demandeur": {
                "civilite": demandeur.civilite,
                "nom": demandeur.nom[:2] + demandeur.nom[3:],
                "prenom": demandeur.prenom,
                "date_naissance": demandeur.date_naissance.isoformat(),
                "piece_identite": {"type": "passeport"},
                "adresse": {"ligne1": ligne, "commune": commune},
            },
            "deja_locataire_hlm": False,
            "souhaits": {"communes": [origine.communes_souhaitees.first().commune_id]},
        },
        "Le demandeur affirme ne jamais avoir déposé de demande (démonstration)",
    )
    return 1


# The demo applicant of the Portail Grand Public (issue 13), printed by `make run`: their
# demande expires in three weeks, so that it can be renewed online at once (the renewal opens
# one month before the expiry).
DEMANDEUR_PORTAIL_DEMO = {
    "reference": "DEMO-PORTAIL",
    "nom": "Moreau",
    "prenom": "Inès",
    "date_naissance": date(1991, 5, 14),
    "email": "ines.moreau@exemple.fr",
    "telephone": "06 21 43 65 87",
}


def creer_demandeur_portail_demo() -> dict:
    """The portal's demo applicant: registered at the mairie de Saint-Denis (93CO1), with an
    e-mail address and a mobile, expiring in three weeks. Idempotent: created once; returns
    what `make run` prints (numéro unique, date of birth, e-mail)."""
    guichet = Guichet.objects.get(code="93CO1")
    d = DEMANDEUR_PORTAIL_DEMO
    demande = Demande.objects.filter(
        guichet_enregistreur=guichet, reference_externe=d["reference"]
    ).first()
    if demande is None:
        aujourd_hui = timezone.localdate()
        with transaction.atomic():
            demande = services.enregistrer_demande(
                guichet,
                Utilisateur.objects.get(email=f"agent.93co1@{DOMAINE}"),
                {
                    "reference_externe": d["reference"],
                    "departement": "93",
                    "demandeur": {
                        "civilite": "MME",
                        "nom": d["nom"],
                        "prenom": d["prenom"],
                        "date_naissance": d["date_naissance"].isoformat(),
                        "email": d["email"],
                        "telephone": d["telephone"],
                        "piece_identite": {"type": "carte_identite"},
                        "adresse": {"ligne1": "14 rue Gabriel Péri", "commune": "93066"},
                        "situation_familiale": "celibataire",
                        "situation_professionnelle": "cdi",
                        "revenus_mensuels": "1650",
                    },
                    "deja_locataire_hlm": False,
                    "motifs": ["logement_trop_petit"],
                    "souhaits": {"communes": ["93066", "93001"], "typologies": ["T2", "T3"]},
                },
                "Données de démonstration",
            )
            depot = aujourd_hui + timedelta(days=21) - relativedelta(years=1)
            Demande.objects.filter(pk=demande.pk).update(
                date_depot=depot, date_expiration=regles.un_an_apres(depot)
            )
            demande.refresh_from_db()
    return {
        "numero_unique": demande.numero_unique,
        "date_naissance": d["date_naissance"].strftime("%d/%m/%Y"),
        "email": d["email"],
        "date_expiration": demande.date_expiration.strftime("%d/%m/%Y"),
    }


LOGEMENTS_DEMO = [
    {
        "reference": "HP-DEMO-0412",
        "identifiant_rpls": "",
        "adresse": "12 rue de Tolbiac",
        "commune": "75113",
        "typologie": "T3",
        "surface": "64.50",
        "loyer": "612.40",
        "charges": "85",
        "etage": "3",
        "ascenseur": True,
        "reservataire": "PPRIOR",
    },
    {
        "reference": "HP-DEMO-0718",
        "adresse": "7 rue des Pyrénées",
        "commune": "75120",
        "typologie": "T2",
        "surface": "45",
        "loyer": "468.10",
        "charges": "62",
        "etage": "0",
        "accessible": True,
        "reservataire": "AUCUN",
    },
    {
        "reference": "HP-DEMO-1903",
        "adresse": "19 avenue Secrétan",
        "commune": "75119",
        "typologie": "T4",
        "surface": "81",
        "loyer": "735",
        "charges": "110",
        "etage": "5",
        "ascenseur": True,
        "reservataire": "COLACT",
    },
]
LIEU_CAL_DEMO = "Siège d'Habitat Parisien (démo), salle du conseil"


def creer_attributions_demo() -> dict | None:
    """Three dwellings of Habitat Parisien (démo) and a past session of its CAL where the T3
    was examined: rank 1 given the dwelling by rank then refusing it, rank 2 given it and
    waiting for the lease, rank 3 not given it. Recorded by the agent of 75BA1 through the
    services, like any desk. Idempotent: created once."""
    from sne.attributions import services as attributions
    from sne.attributions.models import Logement, SeanceCAL

    guichet = Guichet.objects.get(code="75BA1")
    if SeanceCAL.objects.filter(bailleur=guichet.organisation, lieu=LIEU_CAL_DEMO).exists():
        return None
    agent = Utilisateur.objects.get(email=f"agent.75ba1@{DOMAINE}")
    aujourd_hui = timezone.localdate()
    date_seance = aujourd_hui - timedelta(days=14)
    candidats = list(
        Demande.objects.filter(
            guichet_enregistreur=guichet,
            departement_id="75",
            statut=Demande.Statut.ACTIVE,
            date_depot__lt=date_seance,
        ).order_by("pk")[:3]
    )
    if len(candidats) < 3:
        return None
    with transaction.atomic():
        logements = [
            Logement.objects.filter(bailleur=guichet.organisation, reference=d["reference"]).first()
            or attributions.enregistrer_logement(dict(d), par=agent, guichet=guichet)
            for d in LOGEMENTS_DEMO
        ]
        seance = attributions.ouvrir_seance(
            date_seance=date_seance,
            lieu=LIEU_CAL_DEMO,
            membres=[
                ("bailleur", "Habitat Parisien (démo)"),
                ("bailleur", "Habitat Parisien (démo)"),
                ("maire", "Ville de Paris"),
                ("prefet", "Préfecture de la région d'Île-de-France (DRIHL)"),
                ("locataires", "Association des locataires (démo)"),
            ],
            par=agent,
            guichet=guichet,
        )
        t3 = logements[0]
        premier, deuxieme, troisieme = (
            attributions.inscrire_candidat(seance, t3, d, par=agent, guichet=guichet)
            for d in candidats
        )
        for c in (premier, deuxieme):
            attributions.decider(c, "attribution_classement", par=agent, guichet=guichet)
        attributions.decider(
            troisieme, "non_attribution", motif="inadapte_composition", par=agent, guichet=guichet
        )
        attributions.enregistrer_refus(
            premier,
            "localisation",
            le=date_seance + timedelta(days=5),
            par=agent,
            guichet=guichet,
        )
    return {"seance": seance, "candidats": [d.numero_unique for d in candidats]}


GRILLE_DEMO_75 = [
    {"critere": "dalo", "points": 300},
    {"critere": "sans_logement", "points": 80},
    {"critere": "violences", "points": 80},
    {"critere": "logement_indigne", "points": 60},
    {"critere": "expulsion", "points": 60},
    {"critere": "handicap", "points": 50},
    {"critere": "suroccupation", "points": 40},
    {"critere": "ressources_faibles", "points": 25, "seuil": 6000},
    {"critere": "anciennete", "points": 2, "plafond": 120},
]


def creer_grille_demo() -> int | None:
    """The cotation grid of Paris (75), published by its demo gestionnaire, and the scores of
    its active demandes. Idempotent: published once (the nightly task keeps scores fresh)."""
    from sne.attributions import services_cotation
    from sne.attributions.models import GrilleCotation

    if GrilleCotation.objects.filter(departement_id="75").exists():
        return None
    gestion = Utilisateur.objects.get(email=f"gestionnaire.75@{DOMAINE}")
    with transaction.atomic():
        grille = services_cotation.publier_grille(
            "75",
            GRILLE_DEMO_75,
            par=gestion,
            presentation="Grille de démonstration : elle reprend les publics prioritaires de "
            "l'article L441-1 du code de la construction et de l'habitation, puis l'ancienneté.",
        )
        # Published three months ago in the demo's story (the past CAL session reads it).
        GrilleCotation.objects.filter(pk=grille.pk).update(
            publiee_le=timezone.now() - timedelta(days=90)
        )
    services_cotation.recalculer_departement("75")
    return grille.version


def creer_statistiques_demo():
    """The statistics' snapshot of today (the nightly task takes yesterday's) and the month's
    open-data file: the demo's figures readable at once on /gestion/statistiques/ and
    /donnees-ouvertes/. Taken once (a snapshot never changes): None when it already exists."""
    from sne.statistiques.donnees_ouvertes import publier_mois
    from sne.statistiques.models import Instantane
    from sne.statistiques.services import prendre_instantane

    # On the primary database, as prendre_instantane asks (never a read replica, maybe late).
    if Instantane.objects.using("default").filter(jour=timezone.localdate()).exists():
        return None
    instantane = prendre_instantane(timezone.localdate())
    publier_mois(instantane.jour)  # the month's open-data file (/donnees-ouvertes/)
    return instantane

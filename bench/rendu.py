"""Banc du rendu des courriers et attestations (PDF, WeasyPrint) — issue 12.

Ce que le script mesure, sans base de données : les données d'une attestation
d'enregistrement, d'un préavis de renouvellement et d'un avis de radiation sont construites en
mémoire (mêmes clés et textes de même longueur que `donnees_attestation`,
`donnees_preavis_renouvellement` et `donnees_avis_radiation` ; demandeurs, numéros et
adresses tous distincts), puis rendues par `sne.attestations.services` :

- un document par appel (`rendre_pdf`, comme `produire_et_envoyer` le fait pour chaque
  attestation) : secondes par document ;
- N documents groupés en un PDF (`rendre_pdfs`, comme une tournée de courriers ou le PDF d'un
  lot) pour N = 1, 10, 100, 500 : documents par seconde, pages, taille du PDF ;
- le pic de mémoire (VmHWM) de chaque mesure : chacune tourne dans un processus fils (fork)
  du processus chauffé (WeasyPrint importé, un document déjà rendu), dont le pic de départ est
  imprimé à part.

Un seul cœur est utilisé (un worker Huey). Chaque débit est imprimé en temps écoulé et en
temps CPU du processus : sur 2 cœurs partagés, le second dépend moins de la charge.

Lancement depuis la racine du projet :

    .venv/bin/python bench/rendu.py [--tailles 1,10,100,500] [--un-par-appel 10]
        [--types attestation,preavis,radiation] [--tranche 100]
"""

import argparse
import ast
import io
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from contexte import charge, decrire_code

RACINE = Path(__file__).resolve().parent.parent

PRENOMS = ("Élodie", "Karim", "Inès", "Lucas", "Fatoumata", "Jean-Baptiste", "Chloé", "Mehdi")
NOMS = ("Martin", "Benali", "Diallo", "Fournier", "Nguyen", "Da Silva", "Lefèvre", "Hoarau")
VOIES = ("rue des Lilas", "avenue Gambetta", "boulevard de Belleville", "allée des Tilleuls")


def _commun(services, i: int, type_: str) -> dict:
    """What every document shares (recipient, desk, dates), all distinct from one to the next."""
    depot = date(2025, 1, 1) + timedelta(days=i % 300)
    portail = "https://www.demande-logement-social.gouv.fr"
    return {
        "version": 1,
        "type": type_,
        "titre": services.TITRES[type_],
        "date_edition": "2026-11-30",
        "numero_unique": f"0751125{i:06d}75TA1",
        "departement": {"code": "75", "nom": "Paris"},
        "demandeur": {
            "civilite": "MME" if i % 2 else "M",
            "civilite_libelle": "Madame" if i % 2 else "Monsieur",
            "nom": NOMS[i % len(NOMS)],
            "prenom": PRENOMS[i % len(PRENOMS)],
            "adresse": {
                "ligne1": f"{i % 180 + 1} {VOIES[i % len(VOIES)]}",
                "ligne2": "Bâtiment B, escalier 2" if i % 3 == 0 else "",
                "code_postal": "75020",
                "commune": "Paris 20e Arrondissement",
                "code_insee": "75120",
                "acheminement": "PARIS",
            },
            "email": "",
        },
        "co_demandeur": {"civilite": "M", "nom": "Martin", "prenom": "Karim"} if i % 4 else None,
        "association": None,
        "guichet_enregistreur": {
            "code": "75TA1",
            "nom": "Agence Paris-Est",
            "organisation": "Paris Habitat",
            "point_contact": "Accueil du public",
            "adresse": "3 avenue Gambetta\n75020 Paris",
            "horaires": "du lundi au vendredi, de 9 h à 12 h 30 et de 13 h 30 à 17 h",
            "telephone": "+33140000000",
            "email": "accueil.paris-est@example.fr",
        },
        "date_depot": depot.isoformat(),
        "date_dernier_renouvellement": None,
        "date_expiration": (depot + timedelta(days=365)).isoformat(),
        "url_portail": portail,
    }


def attestation(services, i: int) -> dict:
    d = _commun(services, i, "enregistrement")
    portail = d.pop("url_portail")
    long_ = "Votre demande est valable un an. " * 3
    d.update(
        {
            "bailleurs": [
                {"nom": nom, "siren": "", "adresse": "21 bis rue Claude Bernard 75005 Paris"}
                for nom in ("Paris Habitat", "Elogie-Siemp", "RIVP", "3F Résidences")
            ],
            "bailleurs_mention": services.MENTION_BAILLEURS,
            "dalo": {
                "delai_anormalement_long_mois": 36,
                "source_delai": "defaut_national",
                "date_saisine_possible": "2028-01-01",
                "commission_adresse": "Commission de médiation DALO — Préfecture de Paris",
                "mention_delai": "Ce délai, dit « anormalement long », est fixé par arrêté "
                "préfectoral dans chaque département (CCH L441-1-4). La date indiquée applique "
                "le délai par défaut : renseignez-vous auprès de la préfecture.",
                "cas_saisine": "Vous pouvez saisir la commission de médiation du département "
                "(droit au logement opposable, DALO — CCH L441-2-3) si vous n'avez reçu aucune "
                "proposition adaptée à votre demande à partir du 01/01/2028. Vous pouvez la "
                "saisir sans condition de délai si, de bonne foi :",
                "cas_sans_delai": list(services.CAS_SAISINE_SANS_DELAI),
            },
            "validite": {
                "duree_mois": 12,
                "date_expiration": d["date_expiration"],
                "date_radiation_si_non_renouvelee": d["date_expiration"],
                "texte": long_,
                "actualisation": long_ * 2,
                "renouvellement": long_ * 2,
                "radiation": [long_, "si un logement vous est attribué ;", "si vous y renoncez ;"],
            },
            "suivi": {"url_portail": portail, "texte": long_ * 3},
            "informations_legales": long_ * 3,
            "annexes": {
                "resume": {
                    "nombre_personnes": 3,
                    "menage": [
                        {
                            "role": "demandeur",
                            "role_libelle": "Demandeur",
                            "lien": "",
                            "prenom": d["demandeur"]["prenom"],
                            "age": 38,
                        },
                        {
                            "role": "co_demandeur",
                            "role_libelle": "Co-demandeur",
                            "lien": "Conjoint",
                            "prenom": "Karim",
                            "age": 40,
                        },
                        {
                            "role": "personne_a_charge",
                            "role_libelle": "Personne à charge",
                            "lien": "Enfant",
                            "prenom": "Lucas",
                            "age": 9,
                        },
                    ],
                    "communes_souhaitees": [
                        {"code_insee": "75120", "nom": "Paris 20e Arrondissement"},
                        {"code_insee": "75119", "nom": "Paris 19e Arrondissement"},
                    ],
                    "typologies": ["T3", "T4"],
                    "categorie_logement": "Appartement",
                    "motifs": ["Logement trop petit", "Logement trop cher"],
                    "motif_precision": "",
                    "deja_locataire_hlm": False,
                    "logement_actuel": "Locataire du parc privé",
                    "ascenseur_necessaire": False,
                    "rez_de_chaussee": False,
                    "logement_adapte_handicap": False,
                },
                "etapes_a_venir": list(services.ETAPES_A_VENIR),
                "pieces_a_fournir": [dict(p) for p in services.PIECES_A_FOURNIR],
            },
        }
    )
    return d


def preavis(services, i: int) -> dict:
    d = _commun(services, i, services.PREAVIS_RENOUVELLEMENT)
    d["date_radiation_prevue"] = d["date_expiration"]
    d["renouvellement"] = {
        "date_limite": d["date_expiration"],
        "texte": "Votre demande de logement social expire le 01/01/2027. Pour qu'elle reste "
        "examinée par les bailleurs, renouvelez-la avant cette date.",
        "comment": [
            f"sur le portail {d['url_portail']}, avec votre numéro unique {d['numero_unique']} ;",
            "ou auprès d'un guichet enregistreur du département (Paris), sur place ou par "
            "courrier.",
        ],
        "a_verifier": [
            "votre situation : situation familiale et professionnelle, logement actuel, "
            "adresse, téléphone, e-mail ;",
            "vos ressources de l'année 2026 et celles de chaque personne à loger, avec votre "
            "dernier avis d'imposition ;",
            "la composition de votre ménage : les personnes qui vivront avec vous dans le "
            "logement (naissance, mariage, séparation, départ…).",
        ],
        "anciennete": "En renouvelant, vous gardez votre numéro unique et votre ancienneté : la "
        "date de dépôt du 01/01/2025 continue de compter.",
        "radiation": "Sans renouvellement, votre demande sera radiée à partir du 01/02/2027 "
        "(CCH R441-2-8) : elle ne pourra plus vous faire proposer de logement.",
    }
    return d


def radiation(services, i: int) -> dict:
    d = _commun(services, i, services.AVIS_RADIATION)
    d["date_radiation"] = "2026-11-30"
    d["motif"] = {"code": "non_renouvellement", "code_national": "RADREN", "libelle": "x"}
    d["texte"] = (
        "Votre demande de logement social n'a pas été renouvelée avant le 30/10/2026, date de "
        "son expiration. Elle a été radiée le 30/11/2026 (CCH R441-2-8) : elle n'est plus "
        "examinée par les bailleurs."
    )
    d["reactivation"] = {
        "date_limite": "2027-05-01",
        "texte": "Jusqu'au 01/05/2027, vous pouvez la faire réactiver : elle retrouve le même "
        "numéro unique et la même ancienneté (date de dépôt du 01/11/2025), et elle est "
        "renouvelée pour un an.",
        "comment": [
            f"sur le portail {d['url_portail']}, avec votre numéro unique {d['numero_unique']} ;",
            "ou auprès d'un guichet enregistreur du département (Paris), sur place ou par "
            "courrier.",
        ],
        "apres": "Après le 01/05/2027, il faudra déposer une nouvelle demande : l'ancienneté "
        "repartira de sa date de dépôt.",
    }
    return d


FABRIQUES = {"attestation": attestation, "preavis": preavis, "radiation": radiation}


def pic_memoire_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dans_un_fils(mesure):
    """Run `mesure()` in a forked child (its own peak memory); returns its result and peak."""
    lecture, ecriture = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(lecture)
        resultat = mesure()
        with os.fdopen(ecriture, "w") as sortie:
            sortie.write(repr((resultat, pic_memoire_mo())))
        os._exit(0)
    os.close(ecriture)
    with os.fdopen(lecture) as entree:
        texte = entree.read()
    os.waitpid(pid, 0)
    return ast.literal_eval(texte)  # our own child's repr of a tuple of numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tailles", default="1,10,100,500")
    parser.add_argument("--un-par-appel", type=int, default=10, help="documents rendus un à un")
    parser.add_argument("--types", default="attestation,preavis,radiation")
    parser.add_argument("--tranche", type=int, help="documents mis en page ensemble (défaut : "
                        "TAILLE_TRANCHE du service)")  # fmt: skip
    arguments = parser.parse_args()

    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    donnees_temporaires = tempfile.mkdtemp(prefix="sne-bench-rendu-")
    os.environ["SNE_DATA_DIR"] = donnees_temporaires  # no database: nothing written in ./var
    try:
        mesurer(arguments)
    finally:
        shutil.rmtree(donnees_temporaires, ignore_errors=True)


def mesurer(arguments) -> None:
    import django

    django.setup()
    import weasyprint
    from pypdf import PdfReader

    from sne.attestations import services

    if arguments.tranche:
        services.TAILLE_TRANCHE = arguments.tranche
    tailles = [int(t) for t in arguments.tailles.split(",")]
    print(f"Rendu des courriers et attestations — WeasyPrint {weasyprint.__version__}")
    print(f"code : {decrire_code()} ; {charge()} ; tranche {services.TAILLE_TRANCHE} documents")

    for nom in arguments.types.split(","):
        fabrique = FABRIQUES[nom]
        services.rendre_pdf(fabrique(services, 0))  # warm-up: imports, fonts, stylesheet
        pages = len(PdfReader(io.BytesIO(services.rendre_pdf(fabrique(services, 1)))).pages)
        print(f"\n{nom} ({pages} page(s) par document) — pic du processus chauffé "
              f"{pic_memoire_mo():.0f} Mo")  # fmt: skip

        def un_par_appel(nombre=arguments.un_par_appel, fabrique=fabrique):
            debut, cpu = time.perf_counter(), time.process_time()
            for i in range(nombre):
                services.rendre_pdf(fabrique(services, i))
            return (time.perf_counter() - debut) / nombre, (time.process_time() - cpu) / nombre

        (secondes, secondes_cpu), pic = dans_un_fils(un_par_appel)
        print(
            f"  un par appel (rendre_pdf × {arguments.un_par_appel}) : {secondes:.3f} s par "
            f"document ({1 / secondes:.1f} documents/s) ; CPU {secondes_cpu:.3f} s "
            f"({1 / secondes_cpu:.1f} documents/s) ; pic {pic:.0f} Mo"
        )

        for taille in tailles:

            def groupe(taille=taille, fabrique=fabrique):
                donnees = [fabrique(services, i) for i in range(taille)]
                debut, cpu = time.perf_counter(), time.process_time()
                pdf = services.rendre_pdfs(donnees)
                duree, duree_cpu = time.perf_counter() - debut, time.process_time() - cpu
                return duree, duree_cpu, len(PdfReader(io.BytesIO(pdf)).pages), len(pdf)

            (duree, duree_cpu, nombre_pages, octets), pic = dans_un_fils(groupe)
            print(
                f"  groupés par {taille:>4} (rendre_pdfs) : {taille / duree:5.1f} documents/s, "
                f"CPU {taille / duree_cpu:5.1f} documents/s ({nombre_pages / duree_cpu:5.1f} "
                f"pages/s) ; {duree:6.2f} s, {nombre_pages} pages, {octets / 1024:.0f} Kio ; "
                f"pic {pic:.0f} Mo"
            )


if __name__ == "__main__":
    main()

"""Banc de mesure de l'audit des doublons d'un département (issue 11).

Ce que le script mesure : le parcours d'un audit (`sne.doublons.parcours.parcourir`, ce que
fait la tâche Huey) sur les demandes actives d'un département — durée totale, personnes
examinées par seconde, paires trouvées ; et, sur des doublons injectés en proportion connue,
combien l'audit en retrouve (rappel) et combien de paires il propose en plus (homonymes nés
le même jour, ou vrais doublons du tirage).

Les données : la démonstration (`sne.demo`), puis `--nombre` demandes (20 000 par défaut) du
75 enregistrées par le guichet 75BA1, demandeur Faker fr_FR (nom, prénom, date de naissance
entre 1940 et 2005), chargées par `bulk_create` et indexées (`indexer_demandes`) ; puis
`--doublons` % (2 % par défaut) d'entre elles enregistrées une seconde fois avec une variante :
une lettre du nom oubliée, une lettre doublée, nom et prénom inversés, jour et mois inversés.

Base : PostgreSQL sur 127.0.0.1:5432 (utilisateur postgres), base dédiée
`sne_bench_audit_doublons` supprimée et recréée, migrée, référentiels chargés.

Lancement depuis la racine du projet :

    .venv/bin/python bench/audit_doublons.py
    .venv/bin/python bench/audit_doublons.py --nombre 100000 --taille-lot 500
"""

import argparse
import io
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from contexte import RACINE, charge, decrire_code

URL_SERVEUR = "postgres://postgres@127.0.0.1:5432"
BASE_BANC = "sne_bench_audit_doublons"


def preparer_postgresql() -> None:
    import psycopg

    with psycopg.connect(f"{URL_SERVEUR}/postgres", autocommit=True) as cnx:
        cnx.execute(f"DROP DATABASE IF EXISTS {BASE_BANC} WITH (FORCE)")
        cnx.execute(f"CREATE DATABASE {BASE_BANC}")


def variante(nom: str, prenom: str, naissance: date, rng: random.Random):
    """Une saisie différente de la même personne, et son genre."""
    genre = rng.choice(["lettre oubliée", "lettre doublée", "nom et prénom inversés", "jour/mois"])
    if genre == "jour/mois" and naissance.day > 12:
        genre = "lettre oubliée"
    if genre == "lettre oubliée" and len(nom) > 4:
        i = rng.randrange(1, len(nom) - 1)
        return nom[:i] + nom[i + 1 :], prenom, naissance, genre
    if genre == "lettre doublée":
        i = rng.randrange(1, len(nom))
        return nom[:i] + nom[i - 1] + nom[i:], prenom, naissance, genre
    if genre == "jour/mois" and naissance.day != naissance.month:
        return nom, prenom, naissance.replace(day=naissance.month, month=naissance.day), genre
    return prenom, nom, naissance, "nom et prénom inversés"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", type=int, default=20_000, help="demandes du département")
    parser.add_argument("--doublons", type=float, default=2.0, help="%% de doublons injectés")
    parser.add_argument("--taille-lot", type=int, default=200, help="empreintes par lot")
    parser.add_argument("--graine", type=int, default=20261130)
    args = parser.parse_args()

    os.environ["SNE_DATA_DIR"] = tempfile.mkdtemp(prefix="sne-banc-audit-")
    os.environ.setdefault("SECRET_KEY", "cle-du-banc-seulement")
    os.environ["SNE_PRODUCTION"] = "0"
    preparer_postgresql()
    os.environ["DATABASE_URL"] = f"{URL_SERVEUR}/{BASE_BANC}"
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from faker import Faker

    from sne.comptes.models import Utilisateur
    from sne.demandes.models import Demande, Personne
    from sne.demo.donnees import creer_donnees_demo
    from sne.doublons.models import AuditDoublons, EmpreinteIdentite, PaireDoublon
    from sne.doublons.parcours import parcourir
    from sne.doublons.services import indexer_demandes
    from sne.organisations.models import Guichet
    from sne.referentiels.models import Departement

    print("Banc de mesure — audit des doublons d'un département (sne.doublons)")
    print(f"Date             : {datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"Python           : {platform.python_version()} ({os.cpu_count()} cœurs)")
    print(f"Charge machine   : {charge()} au départ")
    print(f"Code             : {decrire_code()}")
    call_command("migrate", verbosity=0)
    call_command("charger_referentiels", stdout=io.StringIO())
    creer_donnees_demo()
    print(f"Base de données  : PostgreSQL {connection.pg_version // 10000} (base {BASE_BANC})")

    rng = random.Random(args.graine)
    faker = Faker("fr_FR")
    faker.seed_instance(args.graine)
    guichet = Guichet.objects.get(code="75BA1")
    paris = Departement.objects.get(code="75")
    aujourd_hui = date.today()
    t0 = time.perf_counter()

    def charger(identites):
        demandes = []
        for i, _ in enumerate(identites):
            depot = aujourd_hui - timedelta(days=rng.randrange(0, 330))
            sequence = charger.sequence + i
            demandes.append(
                Demande(
                    numero_unique=f"075{depot:%m%y}{sequence:06d}75BA1",
                    departement=paris,
                    guichet_enregistreur=guichet,
                    date_depot=depot,
                    date_expiration=depot + timedelta(days=365),
                    nombre_personnes=1,
                    deja_locataire_hlm=False,
                )
            )
        charger.sequence += len(identites)
        Demande.objects.bulk_create(demandes, batch_size=2000)
        Personne.objects.bulk_create(
            [
                Personne(demande=d, role="demandeur", nom=n, prenom=p, date_naissance=j)
                for d, (n, p, j) in zip(demandes, identites, strict=True)
            ],
            batch_size=2000,
        )
        indexer_demandes([d.pk for d in demandes])
        return demandes

    charger.sequence = 500_000
    identites = [
        (
            faker.last_name(),
            faker.first_name(),
            date(1940, 1, 1) + timedelta(days=rng.randrange(0, 65 * 365)),
        )
        for _ in range(args.nombre)
    ]
    originales = charger(identites)
    nombre_doublons = round(args.nombre * args.doublons / 100)
    choisies = rng.sample(range(args.nombre), nombre_doublons)
    variantes, genres = [], []
    for i in choisies:
        *identite, genre = variante(*identites[i], rng)
        variantes.append(tuple(identite))
        genres.append(genre)
    copies = charger(variantes)
    injectees = {
        PaireDoublon.ordonner(originales[i].pk, c.pk): g
        for i, c, g in zip(choisies, copies, genres, strict=True)
    }
    print(
        f"Chargement       : {args.nombre} demandes + {nombre_doublons} doublons injectés "
        f"en {time.perf_counter() - t0:.0f} s"
    )

    with connection.cursor() as curseur:
        curseur.execute("VACUUM ANALYZE")
    gestionnaire = Utilisateur.objects.get(email="gestionnaire.75@demo.sne.example.fr")
    audit = AuditDoublons.objects.create(
        departement=paris,
        lance_par=gestionnaire,
        total=EmpreinteIdentite.objects.filter(departement="75", actif=True).count(),
    )
    t0 = time.perf_counter()
    parcourir(audit.pk, args.taille_lot)
    duree = time.perf_counter() - t0
    audit.refresh_from_db()
    trouvees = {(p.demande_a_id, p.demande_b_id) for p in audit.paires.all()}
    retrouvees = trouvees & set(injectees)
    print(f"Charge machine   : {charge()} à la fin")
    print()
    print(
        f"Audit du 75      : {audit.traites} personnes examinées en {duree:.1f} s "
        f"({audit.traites / duree:.0f} par seconde), lots de {args.taille_lot}"
    )
    print(f"Paires proposées : {len(trouvees)}")
    print(
        f"Rappel           : {len(retrouvees)} / {len(injectees)} doublons injectés retrouvés "
        f"({100 * len(retrouvees) / max(1, len(injectees)):.1f} %)"
    )
    for genre in sorted(set(genres)):
        du_genre = [k for k, g in injectees.items() if g == genre]
        print(f"  {genre:<24}: {len(set(du_genre) & trouvees)} / {len(du_genre)}")
    print(
        f"Autres paires    : {len(trouvees - set(injectees))} (homonymes nés le même jour, "
        "doublons du tirage Faker)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

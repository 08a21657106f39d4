"""Banc de mesure du flux des événements (issue 10, ADR 0013).

Ce que le script mesure : `evenements_pour(guichet, apres, limite)` — le service que le point
d'entrée `GET /api/v1/evenements` appellera — sur une base PostgreSQL de `--nombre`
événements (2 000 000 par défaut, soit ~1/7 des ~15 millions gardés 13 mois à l'échelle
nationale), pour quatre lecteurs :

- 75BA1 (bailleur, consultation de Paris et des Hauts-de-Seine) ;
- 93CO1 (mairie de Saint-Denis, consultation de la seule commune 93066) ;
- un gestionnaire du 93 ; le niveau national.

Deux situations : « rattrapage » (curseur au début du flux, page de `--limite` événements) et
« à jour » (curseur sur les 200 derniers événements : ce que lit un système qui interroge le flux
toutes les minutes). Pour chacune, p50 et p95 en ms sur `--repetitions` appels (curseurs tirés
au hasard dans la zone, graine fixe).

Les données : démonstration (`sne.demo` : guichets 75BA1 et 93CO1, une trentaine de demandes
enregistrées par les services, donc leurs événements), puis `--nombre` événements insérés en
SQL (`generate_series`) sur ces demandes : département tiré uniformément parmi les 101,
une commune souhaitée de ce département (deux une fois sur deux), guichet enregistreur 75BA1
ou 93CO1 une fois sur cinquante dans leurs départements. Le périmètre ne lit que ces copies,
pas les demandes : la distribution suffit. Puis VACUUM ANALYZE.

Base : PostgreSQL sur 127.0.0.1:5432 (utilisateur postgres), base `sne_bench_evenements`
supprimée et recréée. Lancement depuis la racine du projet :

    .venv/bin/python bench/evenements.py                    # ~8 min sur 2 cœurs chargés
    .venv/bin/python bench/evenements.py --nombre 200000    # plus petit
"""

import argparse
import io
import os
import platform
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from contexte import charge, decrire_code

RACINE = Path(__file__).resolve().parent.parent
URL_SERVEUR = "postgres://postgres@127.0.0.1:5432"
BASE_BANC = "sne_bench_evenements"


def preparer_postgresql() -> None:
    import psycopg

    with psycopg.connect(f"{URL_SERVEUR}/postgres", autocommit=True) as cnx:
        cnx.execute(f"DROP DATABASE IF EXISTS {BASE_BANC} WITH (FORCE)")
        cnx.execute(f"CREATE DATABASE {BASE_BANC}")


INSERER_EVENEMENTS = """
WITH deps AS (
    SELECT row_number() OVER (ORDER BY departement_id) - 1 AS rang, departement_id AS dep,
           array_agg(code_insee ORDER BY code_insee) AS communes
    FROM referentiels_commune GROUP BY departement_id
), tirage AS (
    SELECT n, floor(random() * (SELECT count(*) FROM deps))::int AS rang, random() AS r
    FROM generate_series(1, %(nombre)s) AS n
)
INSERT INTO demandes_evenementdemande
    (demande_id, type, code_fichier, horodatage, guichet_id, guichet_enregistreur_id,
     departement_id, donnees)
SELECT (%(demandes)s)[1 + (t.n %% cardinality(%(demandes)s))], 'modification', 'MOD',
       now() - interval '1 second' * (%(nombre)s - t.n),
       g.guichet, g.guichet, d.dep, '{"numero_unique": "000000000000000000", "version": 2}'
FROM tirage t JOIN deps d ON d.rang = t.rang
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN t.r < 0.02 AND d.dep IN ('75', '92') THEN %(g75)s
        WHEN t.r < 0.02 AND d.dep = '93' THEN %(g93)s
        ELSE %(autre)s END AS guichet
) g
ORDER BY t.n
"""

INSERER_COMMUNES = """
INSERT INTO demandes_evenementcommune (evenement_id, commune_id, departement_id)
SELECT DISTINCT e.id, d.communes[1 + floor(random() * cardinality(d.communes))::int], d.dep
FROM demandes_evenementdemande e
JOIN (SELECT departement_id AS dep, array_agg(code_insee) AS communes
      FROM referentiels_commune GROUP BY departement_id) d ON d.dep = e.departement_id
CROSS JOIN generate_series(1, 1 + (e.id %% 2)::int)
WHERE e.id > %(depuis)s
ON CONFLICT DO NOTHING
"""


def centile(valeurs: list[float], q: float) -> float:
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, int(q * len(valeurs)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nombre", type=int, default=2_000_000, help="événements à insérer")
    parser.add_argument("--limite", type=int, default=500, help="taille d'une page")
    parser.add_argument("--repetitions", type=int, default=30, help="appels mesurés par mesure")
    args = parser.parse_args()

    os.environ["SNE_DATA_DIR"] = tempfile.mkdtemp(prefix="sne-banc-evenements-")
    os.environ.setdefault("SECRET_KEY", "cle-du-banc-seulement")
    preparer_postgresql()
    os.environ["DATABASE_URL"] = f"{URL_SERVEUR}/{BASE_BANC}"
    os.environ["SNE_PRODUCTION"] = "0"
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sne.comptes.droits import Droits
    from sne.demandes import services
    from sne.demandes.models import Demande, EvenementCommune, EvenementDemande
    from sne.demo.donnees import creer_demandes_demo, creer_donnees_demo
    from sne.organisations.models import Guichet

    services._envoyer_attestation = lambda demande, type_: None
    print("Banc de mesure — flux des événements (sne.demandes.services.evenements)")
    print(f"Date             : {datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"Python           : {platform.python_version()} ({os.cpu_count()} cœurs)")
    print(f"Charge machine   : {charge()} au départ")
    print(f"Code             : {decrire_code()}")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("charger_referentiels", stdout=io.StringIO())
    creer_donnees_demo()
    creer_demandes_demo()
    print(f"Préparation      : {time.perf_counter() - t0:.0f} s (migrations, référentiels, démo)")

    g75, g93 = Guichet.objects.get(code="75BA1"), Guichet.objects.get(code="93CO1")
    # The other desks of the country, as one desk of the bench (a copy of 75BA1's row).
    autre = Guichet.objects.get(pk=g75.pk)
    autre.pk, autre.code, autre.email = None, "99BAN", "banc@bailleur.example.fr"
    autre.save()
    demandes = list(Demande.objects.values_list("pk", flat=True))
    depuis = EvenementDemande.objects.order_by("-id").values_list("id", flat=True).first() or 0
    t0 = time.perf_counter()
    parametres = {
        "nombre": args.nombre,
        "demandes": demandes,
        "g75": g75.pk,
        "g93": g93.pk,
        "autre": autre.pk,
        "depuis": depuis,
    }
    with connection.cursor() as curseur:
        curseur.execute(INSERER_EVENEMENTS, parametres)
        curseur.execute(INSERER_COMMUNES, parametres)
        curseur.execute("VACUUM ANALYZE demandes_evenementdemande")
        curseur.execute("VACUUM ANALYZE demandes_evenementcommune")
        curseur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('demandes_evenementdemande')),"
            " pg_size_pretty(pg_total_relation_size('demandes_evenementcommune'))"
        )
        taille_ev, taille_co = curseur.fetchone()
    print(
        f"Chargement       : {EvenementDemande.objects.count()} événements, "
        f"{EvenementCommune.objects.count()} communes en {time.perf_counter() - t0:.0f} s ; "
        f"tables et index : {taille_ev} + {taille_co}"
    )

    dernier = EvenementDemande.objects.order_by("-id").values_list("id", flat=True).first()
    lecteurs = {
        "75BA1": g75,
        "93CO1 (Saint-Denis)": g93,
        "gestionnaire 93": Droits(departements_gestion=frozenset({"93"})),
        "national": Droits(national=True),
    }
    rng = random.Random(20261130)
    print(f"\nPages de {args.limite} ; {args.repetitions} appels par mesure ; p50 / p95 en ms")
    print(f"{'lecteur':<22} {'rattrapage':>22} {'à jour (200 derniers)':>24}")
    for nom, lecteur in lecteurs.items():
        cases = []
        for zone in ((0, depuis + 1000), (dernier - 200, dernier - 1)):
            durees, servis = [], 0
            for _ in range(args.repetitions):
                apres = rng.randint(*zone)
                t = time.perf_counter()
                page, _ = services.evenements_pour(lecteur, apres, args.limite)
                durees.append((time.perf_counter() - t) * 1000)
                servis += len(page)
            cases.append(
                f"{centile(durees, 0.5):6.1f} / {centile(durees, 0.95):6.1f}"
                f" ({servis // args.repetitions:>3} év.)"
            )
        print(f"{nom:<22} {cases[0]:>22} {cases[1]:>24}")
    print(f"\nCharge machine   : {charge()} à la fin")
    return 0


if __name__ == "__main__":
    sys.exit(main())

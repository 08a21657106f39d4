"""Where the statistics are read: on the read replica when there is one (DATABASE_REPLICA_URL,
the database alias `replique`), so that the gestionnaires' pages and exports do not load the
primary database of the register (docs/deploiement.md, « Réplique en lecture »).

Only the snapshots go there (`Instantane`, `Mesure`): they are written once a night and read
all day, so a replica a few seconds or minutes late shows the same figures. Everything else —
every write, the snapshot's own counting of the demandes, the referential and the rights read
by the same pages, the audit of an export — stays on `default`. Two reads of the snapshots stay
there too, because they must see the latest writes:
- inside a transaction on `default` (the transaction sees its own writes, and so does the test
  suite, whose tests run in one);
- through an object read or written on `default` (`instantane.mesures` of a snapshot just
  taken).
`prendre_instantane` also asks `default` explicitly whether the day is already taken."""

from django.db import DEFAULT_DB_ALIAS, connections

REPLIQUE = "replique"
APPLICATIONS_LUES_SUR_LA_REPLIQUE = frozenset({"statistiques"})


class RouteurReplique:
    def db_for_read(self, model, **hints):
        if model._meta.app_label not in APPLICATIONS_LUES_SUR_LA_REPLIQUE:
            return None
        if REPLIQUE not in connections.settings:
            return None
        instance = hints.get("instance")
        if instance is not None and instance._state.db == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLIQUE

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as `default`: an object read there may be linked to
        # one of `default` (and saved on `default`, db_for_write).
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLIQUE}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema from the primary (replication), never by migrate.
        return db == DEFAULT_DB_ALIAS

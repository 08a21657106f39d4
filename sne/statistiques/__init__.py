"""The register's statistics (issue 16, docs/statistiques.md): daily snapshots of figures
computed by SQL aggregates, the pages of gestionnaires and national users, the open data."""

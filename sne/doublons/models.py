"""The identity index of duplicate detection: one row per demandeur and co-demandeur of every
demande, with its match keys (`cles.py`), kept by `services.indexer_demande` in the same
transaction as every change of the demande (`demandes.services.historique.historiser`).

It also keeps what a suspicion shows to a desk that may not see the demande — numéro unique,
département, date de dépôt, registering desk — so that a search reads this table alone.
The demande and the person are referenced by name (« demandes.Demande »): this app sits below
`sne.demandes` in the layers (the demandes services call it), and the database keeps the
reference (foreign keys, deleted with the demande)."""

from django.db import models
from django.db.models import Q


class EmpreinteIdentite(models.Model):
    personne = models.OneToOneField(
        "demandes.Personne", on_delete=models.CASCADE, related_name="empreinte_identite"
    )
    demande = models.ForeignKey(
        "demandes.Demande", on_delete=models.CASCADE, related_name="empreintes_identite"
    )
    role = models.CharField("rôle", max_length=15)
    actif = models.BooleanField("demande active", default=True)
    # What a suspicion shows, whatever the desk's scope (never personal data).
    numero_unique = models.CharField("numéro unique", max_length=18)
    departement = models.CharField("département", max_length=3)
    date_depot = models.DateField("date de dépôt")
    guichet = models.CharField("guichet enregistreur", max_length=5)
    # Match keys
    nom = models.CharField("nom plié", max_length=100, blank=True)
    nom_naissance = models.CharField("nom de naissance plié", max_length=100, blank=True)
    prenom = models.CharField("prénom plié", max_length=100, blank=True)
    nom_phonetique = models.CharField(max_length=100, blank=True)
    nom_naissance_phonetique = models.CharField(max_length=100, blank=True)
    prenom_phonetique = models.CharField(max_length=100, blank=True)
    date_naissance = models.DateField(null=True, blank=True)
    nir = models.CharField(max_length=15, blank=True)
    piece_identite = models.CharField(max_length=50, blank=True)
    email = models.CharField(max_length=254, blank=True)
    telephone = models.CharField(max_length=30, blank=True)
    civilite = models.CharField(max_length=3, blank=True)

    class Meta:
        verbose_name = "empreinte d'identité"
        verbose_name_plural = "empreintes d'identité"
        # Partial indexes on the active demandes: each block of the candidate search
        # (`services._candidats`) reads one of them.
        indexes = [
            models.Index(
                fields=["date_naissance"], name="empreinte_naissance", condition=Q(actif=True)
            ),
            models.Index(
                fields=["nom_phonetique", "date_naissance"],
                name="empreinte_nom_date",
                condition=Q(actif=True),
            ),
            models.Index(
                fields=["nom_naissance_phonetique", "date_naissance"],
                name="empreinte_naissance_date",
                condition=Q(actif=True) & ~Q(nom_naissance_phonetique=""),
            ),
            models.Index(
                fields=["prenom_phonetique", "date_naissance"],
                name="empreinte_prenom_date",
                condition=Q(actif=True),
            ),
            models.Index(
                fields=["nir"], name="empreinte_nir", condition=Q(actif=True) & ~Q(nir="")
            ),
            models.Index(
                fields=["piece_identite"],
                name="empreinte_piece",
                condition=Q(actif=True) & ~Q(piece_identite=""),
            ),
            models.Index(
                fields=["email"], name="empreinte_email", condition=Q(actif=True) & ~Q(email="")
            ),
            models.Index(
                fields=["telephone"],
                name="empreinte_telephone",
                condition=Q(actif=True) & ~Q(telephone=""),
            ),
        ]

    def __str__(self):
        return f"{self.numero_unique} ({self.role})"

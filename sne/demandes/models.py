"""The demande de logement social (CERFA n°14069*05) and its history.

Field names follow the CERFA. What registration may require is fixed by law (CCH R441-2-1 and
R441-2-3, see `services.enregistrer_demande`): everything else is optional here and can be
completed later. The database refuses what must never exist: two equal numéros uniques, an
active demande without its numéro and dates, a radiée demande without motif, a sous-motif
outside irrecevabilité, two demandeurs on one demande, a reference of a connected system used
twice by the same desk.
"""

import uuid
from datetime import date
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.utils import timezone

from sne.comptes.droits import droits_de
from sne.organisations.models import Association, Guichet
from sne.referentiels.models import Commune, Departement
from sne.referentiels.normalisation import plier

from . import nomenclatures as n
from .regles import REVENU_FISCAL_MAX

REGEX_NUMERO_UNIQUE = r"^([0-9]{3}|02A|02B)(0[1-9]|1[0-2])[0-9]{2}[0-9]{6}[0-9A-Z]{5}$"


def _branches_du_perimetre(utilisateur) -> list[tuple[type[models.Model], Q]] | None:
    """The scope of consultation of a person, branch by branch: (model, condition) where the
    model is `Demande` or `CommuneSouhaitee`; None at the national level (everything).

    A demande is visible when one of its wished communes lies in a département, or is a
    commune, that one of the person's desks consults; when one of their desks registered it
    (a desk always sees what it registered); when it belongs to a département they manage
    (gestionnaire)."""
    droits = droits_de(utilisateur)
    if droits.national:
        return None
    branches = []
    if droits.departements_gestion:
        branches.append((Demande, Q(departement__in=sorted(droits.departements_gestion))))
    if droits.guichets_consultation:
        guichets = sorted(droits.guichets_consultation)
        departements, communes = _zones_consultees(guichets)
        if departements:
            branches.append((CommuneSouhaitee, Q(departement__in=departements)))
        if communes:
            branches.append((CommuneSouhaitee, Q(commune__in=communes)))
        branches.append((Demande, Q(guichet_enregistreur__in=guichets)))
    return branches


def _zones_consultees(guichets: list[int]) -> tuple[list[str], list[str]]:
    """The départements and the communes these desks consult, in one query. Passed to the
    search as values, not as a subquery, so that PostgreSQL estimates each branch from its
    statistics (a big town is wished by tens of thousands of demandes, most communes by a
    few dozen) and does not hash them all to check a single demande."""
    par_departement = (
        Guichet.consultation_departements.through.objects.filter(guichet__in=guichets)
        .values_list(Value("departement", output_field=models.CharField()), "departement")
        .order_by()
    )
    par_commune = (
        Guichet.consultation_communes.through.objects.filter(guichet__in=guichets)
        .values_list(Value("commune", output_field=models.CharField()), "commune")
        .order_by()
    )
    zones = {"departement": set(), "commune": set()}
    for genre, code in par_departement.union(par_commune, all=True):
        zones[genre].add(code)
    return sorted(zones["departement"]), sorted(zones["commune"])


def perimetre_de_consultation(utilisateur, champ: str = "pk", par_ensembles: bool = False) -> Q:
    """The scope of consultation of a person (`_branches_du_perimetre`) as one condition on a
    demande: `champ` names it, `"pk"` on `Demande` itself, `"demande"` on a row pointing at
    one (`Personne`…). One condition per branch joined by OR, never a join: a demande comes
    out once, without `DISTINCT`.

    Two ways to evaluate the same branches, for PostgreSQL's sake:

    - by default, an `EXISTS` per branch, correlated to the demande at hand (or its own
      column): an index probe per candidate, which suits a numéro, a page, a birth date;
    - `par_ensembles`: an `IN (SELECT …)` per branch, read once from its index alone into a
      hash that thousands of candidates are checked against (a name prefix such as « MART »
      has ~20,000 of them at 1 million demandes). Correlated `EXISTS` would cost a probe per
      candidate, and their estimated cost alone makes PostgreSQL compile the query (JIT),
      which takes longer than running it."""
    branches = _branches_du_perimetre(utilisateur)
    if branches is None:
        return Q()

    def condition_de_branche(modele, condition):
        cle = "pk" if modele is Demande else "demande"
        if par_ensembles:
            return Q(**{f"{champ}__in": modele.objects.filter(condition).values(cle)})
        if modele is Demande and champ == "pk":
            return condition
        return Exists(modele.objects.filter(condition, **{cle: OuterRef(champ)}))

    conditions = [condition_de_branche(modele, condition) for modele, condition in branches]
    return reduce(or_, conditions) if conditions else Q(**{f"{champ}__in": []})


class DemandeQuerySet(models.QuerySet):
    def actives(self):
        return self.filter(statut=Demande.Statut.ACTIVE)

    def visibles_par(self, utilisateur):
        """The demandes a person may consult (`perimetre_de_consultation`): an `EXISTS` on
        the wished communes per branch of the scope, or the demande's own column."""
        return self.filter(perimetre_de_consultation(utilisateur))


class Demande(models.Model):
    class Statut(models.TextChoices):
        ACTIVE = "active", "Active"
        RADIEE = "radiee", "Radiée"

    class Beneficiaire(models.TextChoices):
        MENAGE = "menage", "Un ménage (personne physique)"
        ASSOCIATION = "association", "Une association"

    numero_unique = models.CharField("numéro unique", max_length=18, unique=True)
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.ACTIVE
    )
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    guichet_enregistreur = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, related_name="demandes_enregistrees"
    )
    reference_externe = models.CharField(
        "référence du système privatif",
        max_length=100,
        blank=True,
        help_text="L'identifiant de la demande dans le système du guichet (unique par guichet).",
    )

    # Dates (CCH R441-2-4, R441-2-7): seniority counts from the date de dépôt.
    date_depot = models.DateField("date de dépôt")
    enregistree_le = models.DateTimeField("enregistrée le", auto_now_add=True)
    date_dernier_renouvellement = models.DateField("dernier renouvellement", null=True, blank=True)
    date_expiration = models.DateField("date d'expiration")

    # Radiation (CCH R441-2-8)
    date_radiation = models.DateField("radiée le", null=True, blank=True)
    motif_radiation = models.CharField(
        "motif de radiation", max_length=25, choices=n.MotifRadiation.choices, blank=True
    )
    sous_motif_radiation = models.CharField(
        "sous-motif", max_length=25, choices=n.SousMotifIrrecevabilite.choices, blank=True
    )
    commentaire_radiation = models.TextField("commentaire de radiation", blank=True)

    # Beneficiary: a household, or an association (departmental table, else free text — FAQ)
    beneficiaire = models.CharField(
        "bénéficiaire", max_length=12, choices=Beneficiaire.choices, default=Beneficiaire.MENAGE
    )
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="demandes"
    )
    association_nom = models.CharField("nom de l'association", max_length=200, blank=True)
    association_date_creation = models.DateField(
        "date de création de l'association", null=True, blank=True
    )
    association_adresse = models.CharField("adresse de l'association", max_length=300, blank=True)
    association_code_postal = models.CharField(
        "code postal de l'association", max_length=5, blank=True
    )
    association_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Household and current housing
    nombre_personnes = models.PositiveSmallIntegerField("nombre de personnes à loger")
    deja_locataire_hlm = models.BooleanField("déjà locataire d'un logement social")
    logement_actuel = models.CharField(
        "logement actuel", max_length=25, choices=n.LogementActuel.choices, blank=True
    )
    loyer_actuel = models.DecimalField(
        "loyer actuel (€/mois)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    nombre_pieces_actuel = models.PositiveSmallIntegerField(
        "pièces du logement actuel", null=True, blank=True
    )
    bailleur_actuel = models.CharField("bailleur actuel", max_length=200, blank=True)

    # Reasons and resources
    motifs = models.JSONField("motifs de la demande", default=list, blank=True)
    motif_precision = models.CharField("précision du motif « autre »", max_length=300, blank=True)
    revenu_fiscal_reference = models.PositiveIntegerField(
        "revenu fiscal de référence (€)", null=True, blank=True
    )
    annee_revenus = models.PositiveSmallIntegerField("année des revenus", null=True, blank=True)

    # Wishes
    typologies = models.JSONField("typologies souhaitées", default=list, blank=True)
    categorie_logement = models.CharField(
        "type de logement", max_length=12, choices=n.CategorieLogement.choices, blank=True
    )
    ascenseur_necessaire = models.BooleanField("ascenseur nécessaire", default=False)
    rez_de_chaussee = models.BooleanField("rez-de-chaussée souhaité", default=False)
    logement_adapte_handicap = models.BooleanField(
        "logement adapté au handicap nécessaire", default=False
    )
    precisions_handicap = models.TextField("précisions sur le handicap", blank=True)

    # How the applicant is written to (CCH R441-2-7, the renewal notice): by post (and e-mail
    # if known) while they never registered or renewed on the portal themselves; by e-mail once
    # they did; by both when they asked for post. Set by the portal (issue 13) and the desk.
    demarches_en_ligne = models.BooleanField(
        "a enregistré ou renouvelé sa demande en ligne",
        default=False,
        help_text="Le demandeur a lui-même enregistré ou renouvelé sa demande sur le portail.",
    )
    courrier_postal_souhaite = models.BooleanField(
        "souhaite recevoir les courriers par la poste",
        default=False,
        help_text="Le demandeur a demandé à recevoir aussi ses courriers par voie postale.",
    )

    # Priority situations
    statut_dalo = models.CharField(
        "DALO", max_length=15, choices=n.StatutDalo.choices, default=n.StatutDalo.NON
    )

    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)
    version = models.PositiveIntegerField("version", default=1)

    objects = DemandeQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de logement social"
        verbose_name_plural = "demandes de logement social"
        ordering = ["-date_depot", "-pk"]
        indexes = [
            models.Index(
                fields=["departement", "statut", "date_expiration"], name="demande_echeances"
            ),
            models.Index(
                fields=["guichet_enregistreur", "reference_externe"], name="demande_reference"
            ),
            # The latest registered by a desk (« récentes »), and its registered demandes
            # as a set of ids (`perimetre_de_consultation`), both read from the index alone.
            models.Index(
                fields=["guichet_enregistreur", "-enregistree_le", "-id"], name="demande_recentes"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(numero_unique__regex=REGEX_NUMERO_UNIQUE),
                name="demande_numero_unique_bien_forme",
            ),
            models.CheckConstraint(
                condition=Q(statut="active", motif_radiation="", date_radiation__isnull=True)
                | Q(statut="radiee", date_radiation__isnull=False) & ~Q(motif_radiation=""),
                name="demande_radiee_a_un_motif_et_une_date",
            ),
            models.CheckConstraint(
                condition=Q(sous_motif_radiation="") | Q(motif_radiation="irrecevabilite"),
                name="demande_sous_motif_seulement_pour_irrecevabilite",
            ),
            models.CheckConstraint(
                condition=Q(date_expiration__gt=models.F("date_depot")),
                name="demande_expire_apres_son_depot",
            ),
            models.CheckConstraint(
                condition=Q(nombre_personnes__gte=1), name="demande_au_moins_une_personne"
            ),
            models.CheckConstraint(
                condition=Q(revenu_fiscal_reference__lte=REVENU_FISCAL_MAX),
                name="demande_revenu_fiscal_plausible",
            ),
            models.UniqueConstraint(
                fields=["guichet_enregistreur", "reference_externe"],
                condition=~Q(reference_externe=""),
                name="demande_reference_externe_unique_par_guichet",
            ),
        ]

    def __str__(self):
        return self.numero_unique

    @property
    def est_active(self) -> bool:
        return self.statut == self.Statut.ACTIVE

    @property
    def demandeur(self):
        return next((p for p in self.personnes.all() if p.role == Personne.Role.DEMANDEUR), None)

    @property
    def co_demandeur(self):
        return next((p for p in self.personnes.all() if p.role == Personne.Role.CO_DEMANDEUR), None)

    @property
    def personnes_a_charge(self):
        return [p for p in self.personnes.all() if p.role == Personne.Role.PERSONNE_A_CHARGE]

    @property
    def anciennete_jours(self) -> int:
        return (date.today() - self.date_depot).days


class Personne(models.Model):
    """The demandeur, the co-demandeur and the personnes à charge of a demande."""

    class Role(models.TextChoices):
        DEMANDEUR = "demandeur", "Demandeur"
        CO_DEMANDEUR = "co_demandeur", "Co-demandeur"
        PERSONNE_A_CHARGE = "personne_a_charge", "Personne à charge"

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="personnes")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    civilite = models.CharField("civilité", max_length=4, choices=n.Civilite.choices, blank=True)
    nom = models.CharField("nom d'usage", max_length=100)
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True)
    prenom = models.CharField("prénom", max_length=100)
    date_naissance = models.DateField("date de naissance", null=True, blank=True)
    nationalite = models.CharField(
        "nationalité", max_length=25, choices=n.Nationalite.choices, blank=True
    )
    lien = models.CharField(
        "lien avec le demandeur",
        max_length=15,
        blank=True,
        choices=[*n.LienCoDemandeur.choices, *n.LienParente.choices],
    )
    # Identity document (demandeur: required at registration — CCH R441-2-3)
    piece_identite_type = models.CharField(
        "pièce d'identité", max_length=20, choices=n.PieceIdentite.choices, blank=True
    )
    piece_identite_numero = models.CharField("numéro de la pièce", max_length=50, blank=True)
    piece_identite_expiration = models.DateField(
        "date d'expiration de la pièce",
        null=True,
        blank=True,
        help_text="Une pièce périmée est acceptée (FAQ « Dossier unique »).",
    )
    nir = models.CharField(
        "numéro de sécurité sociale",
        max_length=15,
        blank=True,
        help_text="Facultatif ; masqué à l'écran, jamais journalisé.",
    )
    # Contact and address
    # Checked by `schemas.valider_email` (accented addresses are valid), not Django's validator.
    email = models.CharField("e-mail", max_length=254, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    adresse_ligne1 = models.CharField("adresse", max_length=200, blank=True)
    adresse_ligne2 = models.CharField("complément d'adresse", max_length=200, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Situation
    situation_familiale = models.CharField(
        "situation familiale", max_length=15, choices=n.SituationFamiliale.choices, blank=True
    )
    situation_professionnelle = models.CharField(
        "situation professionnelle",
        max_length=15,
        choices=n.SituationProfessionnelle.choices,
        blank=True,
    )
    employeur = models.CharField("employeur", max_length=200, blank=True)
    employeur_adresse = models.CharField("adresse de l'employeur", max_length=300, blank=True)
    employeur_code_postal = models.CharField("code postal de l'employeur", max_length=5, blank=True)
    employeur_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revenus_mensuels = models.DecimalField(
        "revenus mensuels (€)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    # Folded names, kept by `calculer_cles()`: indexed search and duplicate detection.
    nom_cle = models.CharField(max_length=100, blank=True, editable=False)
    nom_naissance_cle = models.CharField(max_length=100, blank=True, editable=False)
    prenom_cle = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = "personne du ménage"
        verbose_name_plural = "personnes du ménage"
        ordering = ["demande", "ordre", "pk"]
        # The search by name (`recherche.rechercher_par_personne`) and duplicate detection
        # (`services.rechercher_doublons`) look only at demandeurs and co-demandeurs: partial
        # indexes, which carry the demande so that the search reads them alone. The folded
        # names are searched by prefix (`startswith` → `LIKE 'mart%'`): on PostgreSQL a btree
        # with the default operator class serves LIKE only under the C collation, so they use
        # the pattern operator class, which also serves equality. SQLite ignores operator
        # classes and included columns.
        indexes = [
            models.Index(
                fields=["nom_cle", "prenom_cle", "date_naissance"],
                name="personne_identite",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
                include=["demande"],
                condition=Q(role__in=["demandeur", "co_demandeur"]),
            ),
            models.Index(
                fields=["nom_naissance_cle", "prenom_cle", "date_naissance"],
                name="personne_nom_naissance",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
                include=["demande"],
                condition=Q(role__in=["demandeur", "co_demandeur"]),
            ),
            models.Index(
                fields=["date_naissance"],
                name="personne_naissance",
                include=["demande"],
                condition=Q(role__in=["demandeur", "co_demandeur"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["demande"], condition=Q(role="demandeur"), name="un_seul_demandeur"
            ),
            models.UniqueConstraint(
                fields=["demande"], condition=Q(role="co_demandeur"), name="un_seul_co_demandeur"
            ),
        ]

    def __str__(self):
        return f"{self.prenom} {self.nom.upper()}"

    def save(self, *args, **kwargs):
        self.calculer_cles()
        if kwargs.get("update_fields") is not None:
            cles = {"nom_cle", "nom_naissance_cle", "prenom_cle"}
            kwargs["update_fields"] = {*kwargs["update_fields"], *cles}
        super().save(*args, **kwargs)

    def calculer_cles(self) -> "Personne":
        self.nom_cle = plier(self.nom)
        self.nom_naissance_cle = plier(self.nom_naissance)
        self.prenom_cle = plier(self.prenom)
        return self

    @property
    def nir_masque(self) -> str:
        return f"{self.nir[:1]} •• •• •• ••• ••• {self.nir[-2:]}" if self.nir else ""


class CommuneSouhaiteeQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        CommuneSouhaitee.completer_departements(objs)
        return super().bulk_create(objs, *args, **kwargs)


class CommuneSouhaitee(models.Model):
    demande = models.ForeignKey(
        Demande, on_delete=models.CASCADE, related_name="communes_souhaitees"
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", db_index=False)
    rang = models.PositiveSmallIntegerField("rang", default=1)
    # The commune's département, copied where the consultation scope filters it
    # (`DemandeQuerySet.visibles_par`): kept by `save()` and `bulk_create()`, never typed.
    # A commune does not change département (the COG keeps its code with it).
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )

    objects = CommuneSouhaiteeQuerySet.as_manager()

    class Meta:
        verbose_name = "commune souhaitée"
        verbose_name_plural = "communes souhaitées"
        ordering = ["demande", "rang"]
        indexes = [
            # The scope of consultation by département and by commune, read from the index
            # alone (`perimetre_de_consultation`).
            models.Index(fields=["departement", "demande"], name="commune_souhaitee_dep"),
            models.Index(fields=["commune", "demande"], name="commune_souhaitee_commune"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["demande", "commune"], name="commune_souhaitee_unique")
        ]

    def __str__(self):
        return f"{self.rang}. {self.commune_id}"

    def save(self, *args, **kwargs):
        self.completer_departements([self])
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "departement"}
        super().save(*args, **kwargs)

    @staticmethod
    def completer_departements(souhaitees: list["CommuneSouhaitee"]) -> None:
        """Copy each commune's département: from the commune already loaded, else with one
        query for all of them."""
        a_chercher = set()
        for s in souhaitees:
            if CommuneSouhaitee.commune.is_cached(s):
                s.departement_id = s.commune.departement_id
            else:
                a_chercher.add(s.commune_id)
        if not a_chercher:
            return
        departements = dict(
            Commune.objects.filter(pk__in=a_chercher).values_list("pk", "departement")
        )
        for s in souhaitees:
            if s.commune_id in departements:
                s.departement_id = departements[s.commune_id]


class CompteurNumeroUnique(models.Model):
    """The last numéro unique given in a territory for a month (DESIGN: `TTT MM YY NNNNNN
    GGGGG`). SQLite: incremented in the registering transaction. PostgreSQL: a SEQUENCE per
    month does the counting without any lock (ADR 0014); this row only says where it starts
    (numbers taken over, `numero.fixer_dernier`)."""

    territoire = models.CharField(max_length=3)
    mois = models.PositiveSmallIntegerField()
    annee = models.PositiveSmallIntegerField()
    dernier = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de numéros uniques"
        constraints = [
            models.UniqueConstraint(fields=["territoire", "mois", "annee"], name="compteur_unique"),
            models.CheckConstraint(condition=Q(dernier__lte=999999), name="compteur_six_chiffres"),
        ]

    def __str__(self):
        return f"{self.territoire} {self.mois:02d}/{self.annee:02d} : {self.dernier}"


class HistoriqueDemande(models.Model):
    """Every change of a demande: who, for which desk, when, which fields, old → new."""

    class Action(models.TextChoices):
        CREATION = "creation", "Enregistrement"
        CREATION_SUITE_SEPARATION = "creation_suite_separation", "Création suite à séparation"
        MODIFICATION = "modification", "Modification"
        RENOUVELLEMENT = "renouvellement", "Renouvellement"
        RADIATION = "radiation", "Radiation"
        REACTIVATION = "reactivation", "Réactivation (déradiation)"
        DUPLICATION_SEPARATION = "duplication_separation", "Duplication pour séparation"
        PIECE_AJOUTEE = "piece_ajoutee", "Pièce justificative ajoutée"
        CANDIDATURE_CAL = "candidature_cal", "Présentée en commission d'attribution (CAL)"
        DECISION_CAL = "decision_cal", "Décision de la commission d'attribution (CAL)"
        REFUS_LOGEMENT = "refus_logement", "Logement attribué refusé par le demandeur"

    # What the national interface has no file type for (ListeTypeFichier): the dossier unique
    # and the CAL's steps; the attribution itself reaches it as the radiation (RAD).
    SANS_CODE_FICHIER = frozenset(
        {"piece_ajoutee", "candidature_cal", "decision_cal", "refus_logement"}
    )
    CODES_FICHIER = {
        "creation": "CRE",
        "creation_suite_separation": "CRS",
        "modification": "MOD",
        "renouvellement": "REN",
        "radiation": "RAD",
        "reactivation": "MOD",
        "duplication_separation": "MOD",
    }

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="historique")
    horodatage = models.DateTimeField("date et heure", auto_now_add=True)
    action = models.CharField("action", max_length=30, choices=Action.choices)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    guichet = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changements = models.JSONField("changements", default=list, blank=True)
    commentaire = models.TextField("commentaire ou justification", blank=True)
    version = models.PositiveIntegerField(
        "version de la demande",
        null=True,
        blank=True,
        help_text="La version de la demande après ce changement (vide avant son introduction).",
    )

    class Meta:
        verbose_name = "entrée d'historique"
        verbose_name_plural = "historique des demandes"
        ordering = ["demande", "horodatage", "pk"]

    def __str__(self):
        return f"{self.demande_id} {self.get_action_display()}"

    @property
    def code_fichier(self) -> str:
        # An added pièce has no national file type (the interface knows no dossier unique).
        return self.CODES_FICHIER.get(self.action, "")


class EvenementDemande(models.Model):
    """One change of a demande in the change feed (outbox) read by connected systems
    (`services.evenements`, docs/adr/0013-flux-des-evenements.md).

    Written by `services.historique.historiser`, in the transaction of the change itself: a
    rolled-back change leaves no event, a committed one always has its event. The id is the
    feed's cursor. What the consultation scope needs is copied here as it is at the change
    (the demande's département and registering desk, the wished communes in
    `EvenementCommune`), so that reading the feed never joins the demandes. The payload
    (`donnees`) holds the numéro unique, the version and the names of the changed fields:
    never a value, so never a NIR nor any other personal data."""

    Type = HistoriqueDemande.Action

    id = models.BigAutoField(primary_key=True)
    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="evenements")
    type = models.CharField("type", max_length=30, choices=Type.choices)
    code_fichier = models.CharField(
        "type de fichier national",
        max_length=3,
        blank=True,
        help_text="ListeTypeFichier de l'interface nationale : CRE, CRS, MOD, REN, RAD.",
    )
    horodatage = models.DateTimeField("date et heure", default=timezone.now, db_index=True)
    guichet = models.ForeignKey(
        Guichet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="guichet qui a agi",
    )
    guichet_enregistreur = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    donnees = models.JSONField("contenu", default=dict, blank=True)

    class Meta:
        verbose_name = "événement du flux"
        verbose_name_plural = "flux des événements"
        ordering = ["id"]
        indexes = [
            # The feed is read by id from a cursor, filtered by the branch of the scope:
            # a gestionnaire's départements, a desk's own registered demandes.
            models.Index(fields=["departement", "id"], name="evenement_departement"),
            models.Index(fields=["guichet_enregistreur", "id"], name="evenement_guichet"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(code_fichier__in=["", "CRE", "CRS", "MOD", "REN", "RAD"]),
                name="evenement_code_fichier_national",
            ),
        ]

    def __str__(self):
        return f"{self.pk} {self.get_type_display()} {self.donnees.get('numero_unique', '')}"


class EvenementCommune(models.Model):
    """A wished commune of the demande at the time of an event: the consultation scope by
    commune (93CO1 sees Saint-Denis) or by département (IDF demandes wish communes of
    several départements) is applied to the feed without reading the demandes."""

    evenement = models.ForeignKey(
        EvenementDemande, on_delete=models.CASCADE, related_name="communes"
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", db_index=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "commune d'un événement"
        verbose_name_plural = "communes des événements"
        indexes = [
            models.Index(fields=["departement", "evenement"], name="evenement_commune_dep"),
            models.Index(fields=["commune", "evenement"], name="evenement_commune_commune"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["evenement", "commune"], name="evenement_commune_unique"
            )
        ]

    def __str__(self):
        return f"{self.evenement_id} {self.commune_id}"


class JetonEnregistrement(models.Model):
    """A registration already made, by the token of the submission that made it: the same
    submission sent again (a double click, three tabs, a retried request) gets the same demande
    instead of a second one. The token is taken in the registering transaction."""

    jeton = models.CharField("jeton de soumission", max_length=64, unique=True)
    demande = models.OneToOneField(
        Demande, on_delete=models.CASCADE, null=True, related_name="jeton_enregistrement"
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "jeton d'enregistrement"
        verbose_name_plural = "jetons d'enregistrement"

    def __str__(self):
        return self.jeton


def _identifiant_brouillon() -> str:
    return uuid.uuid4().hex


class BrouillonDemandeQuerySet(models.QuerySet):
    def de(self, agent):
        """Only their author sees, resumes or abandons a registration in progress."""
        return self.filter(auteur=agent)

    def en_cours(self, maintenant=None):
        """Those not yet expired (the expired ones are purged: `purger_brouillons_expires`)."""
        return self.filter(expire_le__gt=maintenant or timezone.now())


class BrouillonDemande(models.Model):
    """A registration in progress (« saisie en cours ») on the desk's wizard: what the agent
    typed at each step, before the demande exists (no numéro unique yet).

    Kept in the database, per agent, rather than in the session: a desk agent interrupted by a
    phone call, who opens other tabs, logs out at noon or whose 8-hour session ends, finds
    every value typed again, and no count of newer wizards ever drops an older one (the
    session kept the 5 newest and dropped the sixth silently). Personal data (the NIR
    included) stays only as long as needed: a draft expires `DUREE_BROUILLON` after its last
    change and is then purged (daily task), and it is deleted as soon as the demande is
    registered or the draft abandoned. Only its author sees it. See
    docs/adr/0009-saisies-en-cours-en-base.md."""

    identifiant = models.CharField(
        "identifiant", max_length=32, unique=True, default=_identifiant_brouillon, editable=False
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brouillons_demande"
    )
    # {"etapes": {step: {field: [values]}}, "erreurs": {...}, ...}: see views.etat_assistant.
    donnees = models.JSONField("saisie", default=dict)
    cree_le = models.DateTimeField("commencée le", default=timezone.now)
    modifie_le = models.DateTimeField("modifiée le", default=timezone.now)
    expire_le = models.DateTimeField("effacée après le", db_index=True)

    objects = BrouillonDemandeQuerySet.as_manager()

    class Meta:
        verbose_name = "saisie en cours"
        verbose_name_plural = "saisies en cours"
        ordering = ["-modifie_le", "-pk"]
        indexes = [models.Index(fields=["auteur", "expire_le"], name="brouillon_auteur_expire")]
        constraints = [
            models.CheckConstraint(
                condition=Q(modifie_le__gte=models.F("cree_le")),
                name="brouillon_modifie_apres_sa_creation",
            ),
            models.CheckConstraint(
                condition=Q(expire_le__gt=models.F("modifie_le")),
                name="brouillon_expire_apres_sa_modification",
            ),
        ]

    def __str__(self):
        return f"Saisie en cours {self.identifiant}"

"""The départemental table of associations, beneficiaries of demandes (FAQ).

FAQ « bénéficiaire association »: when a desk registers a demande for an association, it
searches the table of the département and picks it from a list. « Il peut arriver que, dans
certains départements, cette table d'associations n'ait pas encore été intégrée. Dans ce cas,
vous pouvez vous-même directement saisir le nom de l'association dans le champ concerné. »

The gestionnaire territorial keeps the table: adds (`services.ajouter_association`), imports a
CSV file (`importer_associations`), deactivates an association that should no longer be offered
(never deleted: demandes point to it), reactivates it. Every change is written to the audit log.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de, exiger
from sne.exceptions import ErreurMetier
from sne.referentiels.normalisation import plier

from .models import Association
from .services import noms_des_associations, preparer_association
from .tableurs import lire_csv

TABLE_VIDE = (
    "La table des associations de ce département n'est pas encore renseignée : le guichet peut "
    "saisir le nom de l'association librement."
)
LIGNES_MAX_IMPORT = 5000


def table_renseignee(departement) -> bool:
    """Whether the département has at least one active association to offer."""
    return Association.objects.filter(departement=departement, active=True).exists()


def rechercher_associations(departement, q: str = "", *, limite: int = 20, actives=True):
    """The associations of the département whose name (or SIREN) contains every word typed,
    whatever the case and accents. Tables are small: folding is done here, the same on
    SQLite and PostgreSQL."""
    qs = Association.objects.filter(departement=departement)
    if actives is not None:
        qs = qs.filter(active=actives)
    mots = [mot for mot in map(plier, q.split()) if mot]
    if not mots:
        return list(qs.order_by("nom")[:limite]) if limite else list(qs.order_by("nom"))
    trouvees = []
    for association in qs.order_by("nom"):
        texte = f"{plier(association.nom)} {association.siren}"
        if all(mot in texte for mot in mots):
            trouvees.append(association)
            if limite and len(trouvees) >= limite:
                break
    return trouvees


def changer_etat_association(association, *, par, active: bool) -> Association:
    """Deactivate (no longer offered to desks) or reactivate an association of the table."""
    code = association.departement_id
    exiger(droits_de(par).gere_departement(code), f"Vous ne gérez pas le département {code}.")
    if association.active == active:
        return association
    association.active = active
    association.save(update_fields=["active"])
    journaliser(
        EvenementAudit.Action.MODIFICATION,
        utilisateur=par,
        objet=association,
        resume=f"Association {association.nom} ({code}) {'réactivée' if active else 'désactivée'}",
    )
    return association


@dataclass
class RapportImport:
    ajoutees: list[str] = field(default_factory=list)
    refusees: list[tuple[int, str, str]] = field(default_factory=list)  # (ligne, nom, raison)


def importer_associations(*, par, departement, contenu: bytes) -> RapportImport:
    """Add the associations of a CSV file `nom;siren;adresse` (header line optional) to the
    table of the département. Each line is added or refused on its own, with the reason:
    an association already in the table (or earlier in the file), an invalid SIREN, an empty
    name.

    Linear in the number of lines: the names of the table are read once, the accepted lines
    are inserted together and the import is written once to the audit log. If another
    person adds one of the names meanwhile, nothing is imported and the message says so.
    """
    exiger(
        droits_de(par).gere_departement(departement.code),
        f"Vous ne gérez pas le département {departement.code}.",
    )
    lignes = lire_csv(contenu, lignes_max=LIGNES_MAX_IMPORT, separateurs=(";",), xlsx_accepte=False)
    rapport = RapportImport()
    noms = noms_des_associations(departement)
    nouvelles = []
    for numero, cellules in enumerate(lignes, start=1):
        cellules = [*cellules, "", "", ""]
        nom, siren, adresse = cellules[:3]
        if not any(cellules):
            continue
        if numero == 1 and plier(nom) == "nom":
            continue
        if not nom:
            rapport.refusees.append((numero, "", "nom manquant"))
            continue
        try:
            association = preparer_association(
                departement, noms, nom=nom, siren=siren, adresse=adresse
            )
        except ErreurMetier as e:
            rapport.refusees.append((numero, nom, e.message))
            continue
        noms[plier(association.nom)] = association.nom
        nouvelles.append(association)
        rapport.ajoutees.append(nom)
    if not nouvelles:
        return rapport
    with transaction.atomic():
        try:
            with transaction.atomic():
                Association.objects.bulk_create(nouvelles, batch_size=500)
        except IntegrityError as e:
            raise ErreurMetier(
                "Une association du fichier vient d'être ajoutée à la table par une autre "
                "personne : rien n'a été importé. Déposez à nouveau le fichier.",
                code="import_concurrent",
            ) from e
        journaliser(
            EvenementAudit.Action.IMPORT,
            utilisateur=par,
            objet=departement,
            resume=(
                f"Import de {len(nouvelles)} association(s) dans la table du "
                f"{departement.code} ({len(rapport.refusees)} ligne(s) refusée(s))"
            ),
            details={
                "departement": departement.code,
                "ajoutees": len(nouvelles),
                "refusees": [ligne for ligne, _, _ in rapport.refusees],
            },
        )
    return rapport

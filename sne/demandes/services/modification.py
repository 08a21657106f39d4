"""Modifying a demande: everything of the CERFA 14069 that can change — the identity of each
person, the household (co-demandeur and personnes à charge added or removed), situation,
resources, current housing, wishes — with its history old → new. What never changes (numéro
unique, date de dépôt, département, guichet enregistreur) is not modifiable here."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from pydantic import ValidationError as ErreursSchema

from sne.organisations.models import Association
from sne.referentiels.telephones import TelephoneInvalide, normaliser_telephone

from .. import nomenclatures as n
from ..models import CommuneSouhaitee, Demande, HistoriqueDemande, Personne
from ..regles import (
    SITUATIONS_COUPLE_SEPARABLE,
    DonneesInvalides,
    ModificationConcurrente,
    SuspicionDoublon,
    departements_souhaitables,
    exiger_modifiable,
    exiger_saisie_sur,
    verifier_date_naissance,
)
from ..schemas import DemandeurEntree, PersonneEntree, valider_email, valider_nir
from ..signaux import apres_validation, demande_modifiee
from .doublons import doublons_des_personnes, enregistrer_forcage
from .entree import communes_souhaitees, personne
from .historique import enregistrer_version
from .menage import recompter_menage
from .separation import peut_dupliquer_pour_separation

# `nombre_personnes` is not here: it is derived from the people (`recompter_menage`).
CHAMPS_DEMANDE_MODIFIABLES = (
    "deja_locataire_hlm",
    "logement_actuel",
    "loyer_actuel",
    "nombre_pieces_actuel",
    "bailleur_actuel",
    "motifs",
    "motif_precision",
    "revenu_fiscal_reference",
    "annee_revenus",
    "typologies",
    "categorie_logement",
    "ascenseur_necessaire",
    "rez_de_chaussee",
    "logement_adapte_handicap",
    "precisions_handicap",
    "statut_dalo",
    # How the applicant wants their letters (CCH R441-2-7: post as well as e-mail).
    "courrier_postal_souhaite",
    # The association a demande is for (CERFA 14069): from the département's table, or typed.
    "association",
    "association_nom",
    "association_date_creation",
    "association_adresse",
    "association_code_postal",
    "association_commune",
)
CHAMPS_ASSOCIATION = {c for c in CHAMPS_DEMANDE_MODIFIABLES if c.startswith("association")}
CHAMPS_PERSONNE_MODIFIABLES = (
    "civilite",
    "nom",
    "nom_naissance",
    "prenom",
    "date_naissance",
    "nationalite",
    "lien",
    "piece_identite_type",
    "piece_identite_numero",
    "piece_identite_expiration",
    "nir",
    "email",
    "telephone",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "commune",
    "situation_familiale",
    "situation_professionnelle",
    "employeur",
    "employeur_adresse",
    "employeur_code_postal",
    "employeur_commune",
    "revenus_mensuels",
)
CHAMPS_SECRETS = {"nir"}  # never written in clear in the history
# A change of one of these, for the demandeur or the co-demandeur, runs the duplicate search
# again (the search of registration, `doublons_des_personnes`).
CHAMPS_IDENTITE = {"nom", "prenom", "date_naissance"}
ROLES_AJOUTABLES = (Personne.Role.CO_DEMANDEUR, Personne.Role.PERSONNE_A_CHARGE)
SITUATIONS_SEPAREES = {n.SituationFamiliale.SEPARE, n.SituationFamiliale.DIVORCE}


def _valeur(v):
    """A value as the history keeps it (JSON)."""
    if isinstance(v, Association):
        return v.nom  # what a person reads: the association's id says nothing
    if hasattr(v, "pk"):
        return str(v.pk)
    if isinstance(v, date):
        return v.isoformat()
    return v if isinstance(v, (int, bool, list, type(None))) else str(v)


def portrait(p: Personne) -> dict:
    """A person as the history keeps them when they join or leave the demande: what a person
    reads (« Léa MARTIN, née le 03/10/2026 »), never an internal id."""
    return {
        "civilite": p.civilite,
        "prenom": p.prenom,
        "nom": p.nom,
        "date_naissance": _valeur(p.date_naissance),
        "lien": p.lien,
    }


def _nom_lisible(p: Personne) -> str:
    return f"{p.prenom} {p.nom.upper()}"


def _erreur(champ: str, code: str, message: str, **extra) -> dict:
    return {"champ": champ, "code": code, "message": message, **extra}


def _champ_de(p: Personne, champ: str) -> str:
    """The dotted name of a person's field in an error: « demandeur.nom », « co_demandeur.nom »,
    « personnes_a_charge.nom » (with the person's pk in the error's `personne`)."""
    role = "personnes_a_charge" if p.role == Personne.Role.PERSONNE_A_CHARGE else p.role
    return f"{role}.{champ}"


def _changer_personne(p: Personne, valeurs: dict, changements: list, erreurs: list) -> set:
    """Apply `valeurs` to `p` (not saved), with the same checks as registration (the e-mail,
    NIR and telephone validators, birth date rule); return the names of the fields changed."""
    changes = set()
    qui = _nom_lisible(p)  # the person as the agent knew them before this change
    for champ, valeur in valeurs.items():
        if champ not in CHAMPS_PERSONNE_MODIFIABLES:
            raise DonneesInvalides(
                f"Le champ {champ} ne se modifie pas ainsi.", code="champ_non_modifiable"
            )
        erreur = None
        try:
            if champ == "nir" and valeur:
                valeur = valider_nir(valeur)
            elif champ == "email" and valeur:
                valeur = valider_email(valeur)
            elif champ == "telephone" and valeur:
                valeur = normaliser_telephone(valeur)
            elif champ == "date_naissance":
                verifier_date_naissance(valeur)
            elif champ in ("nom", "prenom", "nom_naissance") and isinstance(valeur, str):
                valeur = valeur.strip()
        except (ValueError, DonneesInvalides, TelephoneInvalide) as e:
            erreur = getattr(e, "message", str(e))
        if erreur:
            erreurs.append(_erreur(_champ_de(p, champ), "invalide", erreur, personne=p.pk))
            continue
        if getattr(p, champ) != valeur:
            secret = champ in CHAMPS_SECRETS
            changement = {
                "champ": f"{p.role}.{champ}",
                "avant": "•••" if secret else _valeur(getattr(p, champ)),
                "apres": "•••" if secret else _valeur(valeur),
            }
            if p.role == Personne.Role.PERSONNE_A_CHARGE:
                changement["personne"] = qui  # which one, in words
            changements.append(changement)
            setattr(p, champ, valeur)
            changes.add(champ)
    return changes


def _valider_personne(p: Personne, erreurs: list) -> None:
    if p.role == Personne.Role.DEMANDEUR and not p.piece_identite_type:
        erreurs.append(
            _erreur(
                "demandeur.piece_identite",
                "piece_identite_manquante",
                "La pièce d'identité du demandeur ne peut pas être retirée.",
            )
        )
    try:
        p.full_clean(exclude=["demande"])
    except ValidationError as e:
        for champ, messages in e.message_dict.items():
            for message in messages:
                erreurs.append(_erreur(_champ_de(p, champ), "invalide", message, personne=p.pk))


def _verifier_champ_demande(champ: str, valeur, erreurs: list) -> None:
    """What the demande's column accepts (a value, one of its choices, its length), checked
    before anything is written: the pages send only what their form offers, a connected system
    may send anything (`null` for the yes/no `deja_locataire_hlm`, an empty DALO status); the
    refusal names the field, the database never has to refuse it (an error 500)."""
    modele = Demande._meta.get_field(champ)
    if valeur is None and not modele.null:
        erreurs.append(
            _erreur(champ, "obligatoire", "Ce champ est obligatoire : il ne peut pas être vidé.")
        )
        return
    try:
        modele.clean(valeur, None)
    except ValidationError as e:
        erreurs.extend(_erreur(champ, "invalide", message) for message in e.messages)


def _entree_d_ajout(ajout) -> tuple[str, PersonneEntree]:
    """(role, entry) of a person to add: `{"role": …, <PersonneEntree fields>}` or a pair."""
    if isinstance(ajout, dict):
        valeurs = dict(ajout)
        role = valeurs.pop("role", "")
        entree = valeurs.pop("personne", None) or valeurs
    else:
        role, entree = ajout
    if not isinstance(entree, PersonneEntree):
        # The registration's schema and rules; its refusals are listed with the others. A
        # co-demandeur may have an address of their own, as the demandeur.
        schema = DemandeurEntree if role == Personne.Role.CO_DEMANDEUR else PersonneEntree
        entree = schema.model_validate(entree)
    return role, entree


@transaction.atomic
def modifier_demande(
    demande: Demande,
    agent,
    guichet,
    *,
    demande_valeurs: dict | None = None,
    personnes: dict | None = None,
    communes: list[str] | None = None,
    version: int | None = None,
    ajouts: list | None = None,
    retraits: list[int] | None = None,
    justification_doublon: str | None = None,
) -> list[dict]:
    """Change anything of the demande that can change; the history keeps each change old → new
    in one entry. No attestation (FAQ: « il n'y a plus d'obligation de délivrer au demandeur
    une attestation après chaque modification »). Returns the changes recorded.

    - `demande_valeurs`: {field: value} of the demande (`CHAMPS_DEMANDE_MODIFIABLES`).
    - `personnes`: {pk: {field: value}} of the people already on the demande
      (`CHAMPS_PERSONNE_MODIFIABLES`).
    - `ajouts`: people joining the household (a birth, a marriage), each
      `{"role": "co_demandeur" | "personne_a_charge", **PersonneEntree}` (or a pair
      `(role, PersonneEntree)`): validated by the registration's schema and built by the
      registration's `entree.personne`, so the rules are the same.
    - `retraits`: pks of people leaving it (a divorce, a child who leaves). The demandeur
      never leaves: a demande keeps exactly one demandeur, and at most one co-demandeur.
    - `communes`: the wished communes, in order (codes or names).

    The household size (`nombre_personnes`) is never given: it is recounted from the people
    (`recompter_menage`), and its change is part of the history.

    When the nom, prénom or date de naissance of the demandeur or co-demandeur changes, or a
    co-demandeur joins, the duplicate search of registration runs again (`doublons_des_personnes`,
    other active demandes only): a suspicion refuses the change with `SuspicionDoublon`
    (details « doublons »), unless `justification_doublon` is given, which the history keeps.

    `version`: the version of the demande the agent (or the connected system) read before
    changing it. If someone changed it since, nothing is written: `ModificationConcurrente`
    lists what changed meanwhile, so that a stale form never silently reverts a change.

    Refusals list every problem at once (`DonneesInvalides`, details « erreurs », each with its
    dotted `champ`, and `personne` (pk) or `ajout` (index) for a person); nothing is written.
    """
    exiger_saisie_sur(agent, guichet, demande)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    exiger_modifiable(demande)
    if version is not None and version != demande.version:
        raise ModificationConcurrente(demande, version)
    changements, erreurs = [], []

    for champ, valeur in (demande_valeurs or {}).items():
        if champ == "nombre_personnes":
            raise DonneesInvalides(
                "Le nombre de personnes à loger se déduit des personnes de la demande : "
                "ajoutez ou retirez une personne à charge ou le co-demandeur.",
                code="nombre_personnes_deduit",
                champ="nombre_personnes",
            )
        if champ not in CHAMPS_DEMANDE_MODIFIABLES:
            raise DonneesInvalides(
                f"Le champ {champ} ne se modifie pas ainsi.", code="champ_non_modifiable"
            )
        if champ in CHAMPS_ASSOCIATION:
            _verifier_association(demande, champ, valeur, erreurs)
        else:
            _verifier_champ_demande(champ, valeur, erreurs)
        if getattr(demande, champ) != valeur:
            changements.append(
                {
                    "champ": champ,
                    "avant": _valeur(getattr(demande, champ)),
                    "apres": _valeur(valeur),
                }
            )
            setattr(demande, champ, valeur)

    if CHAMPS_ASSOCIATION & set(demande_valeurs or {}):
        _exiger_association_complete(demande, erreurs)

    presentes = {p.pk: p for p in demande.personnes.select_related("commune")}

    # People leaving the household.
    retirees = []
    for pk in dict.fromkeys(retraits or []):
        p = presentes.get(pk)
        if p is None:
            raise DonneesInvalides(
                "Cette personne ne fait pas partie de la demande.", code="personne_inconnue"
            )
        if p.role == Personne.Role.DEMANDEUR:
            raise DonneesInvalides(
                "Le demandeur ne peut pas être retiré de sa demande : une demande a toujours "
                "un demandeur. Pour une séparation, dupliquez la demande.",
                code="demandeur_non_retirable",
                champ="demandeur",
            )
        retirees.append(p)
        changements.append(
            {"champ": p.role, "operation": "retrait", "avant": portrait(p), "apres": None}
        )
    restantes = {pk: p for pk, p in presentes.items() if p not in retirees}

    # People already there whose data changes.
    identite_changee = set()
    modifiees = []
    for pk, valeurs in (personnes or {}).items():
        if pk in presentes and pk not in restantes:
            continue  # leaving the household: their last values do not matter
        p = restantes.get(pk)
        if p is None:
            raise DonneesInvalides(
                "Cette personne ne fait pas partie de la demande.", code="personne_inconnue"
            )
        changes = _changer_personne(p, valeurs, changements, erreurs)
        if changes & CHAMPS_IDENTITE:
            identite_changee.add(p.pk)
        _valider_personne(p, erreurs)
        if changes:
            modifiees.append(p)

    # People joining the household: the registration's schema and builder.
    co_actuel = next((p for p in restantes.values() if p.role == Personne.Role.CO_DEMANDEUR), None)
    ordre = max((p.ordre for p in restantes.values()), default=0)
    ajoutees = []
    ici = departements_souhaitables(demande.departement_id)
    for i, ajout in enumerate(ajouts or []):
        champ = f"ajouts[{i}]"
        try:
            role, entree = _entree_d_ajout(ajout)
        except ErreursSchema as e:
            for err in e.errors():
                chemin = ".".join(str(p) for p in err["loc"])
                message = err["msg"].removeprefix("Value error, ")
                erreurs.append(_erreur(f"{champ}.{chemin}", "invalide", message, ajout=i))
            continue
        if role not in ROLES_AJOUTABLES:
            raise DonneesInvalides(
                "On ajoute à une demande un co-demandeur ou une personne à charge.",
                code="role_inconnu",
                champ=f"{champ}.role",
            )
        if role == Personne.Role.CO_DEMANDEUR and co_actuel is not None:
            erreurs.append(
                _erreur(
                    f"{champ}.nom",
                    "un_seul_co_demandeur",
                    f"La demande a déjà un co-demandeur ({_nom_lisible(co_actuel)}) : "
                    "retirez-le avant d'en ajouter un autre.",
                    ajout=i,
                )
            )
            continue
        ordre += 1
        deja = len(erreurs)
        nouvelle = personne(entree, role, champ, erreurs, ordre=ordre, departements=ici)
        for e in erreurs[deja:]:
            e["ajout"] = i
        if role == Personne.Role.CO_DEMANDEUR:
            co_actuel = nouvelle
        ajoutees.append(nouvelle)
        changements.append(
            {"champ": role, "operation": "ajout", "avant": None, "apres": portrait(nouvelle)}
        )

    _exiger_duplication_pour_separer(restantes.values(), changements, erreurs)

    if communes is not None:
        nouvelles = communes_souhaitees(communes, demande.departement_id, erreurs)
        if not nouvelles and not erreurs:
            erreurs.append(
                _erreur(
                    "souhaits.communes", "obligatoire", "Gardez au moins une commune souhaitée."
                )
            )
        anciennes = list(demande.communes_souhaitees.values_list("commune_id", flat=True))
        if [c.code_insee for c in nouvelles] == anciennes:
            communes = None
        else:
            changements.append(
                {
                    "champ": "souhaits.communes",
                    "avant": anciennes,
                    "apres": [c.code_insee for c in nouvelles],
                }
            )
    if erreurs:
        raise DonneesInvalides(erreurs[0]["message"], details={"erreurs": erreurs})

    # The duplicate search of registration, for an identity that changed or arrived.
    a_verifier = [
        p
        for p in [*modifiees, *ajoutees]
        if p.role in (Personne.Role.DEMANDEUR, Personne.Role.CO_DEMANDEUR)
        and (p.pk is None or p.pk in identite_changee)
    ]
    suspicions = []
    if a_verifier:
        suspicions = doublons_des_personnes(*a_verifier, exclure=demande)
        if suspicions and not (justification_doublon or "").strip():
            raise SuspicionDoublon(details={"doublons": [s.en_dict() for s in suspicions]})

    # Everything is valid: write.
    for p in retirees:
        p.delete()
    for p in modifiees:
        p.save()
    for p in ajoutees:
        p.demande = demande
        p.save()
    if communes is not None:
        demande.communes_souhaitees.all().delete()
        CommuneSouhaitee.objects.bulk_create(
            [
                CommuneSouhaitee(demande=demande, commune=c, rang=i)
                for i, c in enumerate(nouvelles, 1)
            ]
        )
    avant, apres = recompter_menage(demande)
    if avant != apres:
        changements.append({"champ": "nombre_personnes", "avant": avant, "apres": apres})
    if changements:
        commentaire = ""
        if suspicions:
            commentaire = (
                "Modifiée malgré une suspicion de doublon ("
                + ", ".join(s.numero_unique for s in suspicions)
                + f") : {justification_doublon.strip()}"
            )
        enregistrer_version(
            demande,
            HistoriqueDemande.Action.MODIFICATION,
            agent=agent,
            guichet=guichet,
            changements=changements,
            commentaire=commentaire,
        )
        if suspicions:
            enregistrer_forcage(
                demande,
                suspicions,
                justification_doublon,
                agent=agent,
                guichet=guichet,
                operation="modification",
            )
        apres_validation(demande_modifiee, demande_id=demande.pk)
    return changements


def _verifier_association(demande: Demande, champ: str, valeur, erreurs: list) -> None:
    """An association's field only on a demande made for an association; the association picked
    in a table is an active one of the demande's département (as at registration)."""
    if demande.beneficiaire != Demande.Beneficiaire.ASSOCIATION:
        if valeur not in (None, ""):
            erreurs.append(
                _erreur(
                    champ,
                    "pas_une_association",
                    "Cette demande est faite pour un ménage, pas pour une association.",
                )
            )
        return
    if champ != "association" or valeur is None:
        return
    if not isinstance(valeur, Association) or (
        valeur.pk != demande.association_id
        and not Association.objects.filter(
            pk=valeur.pk, departement_id=demande.departement_id, active=True
        ).exists()
    ):
        erreurs.append(
            _erreur(
                "association.id",
                "association_inconnue",
                "Cette association n'est pas dans la table du département.",
            )
        )


def _exiger_association_complete(demande: Demande, erreurs: list) -> None:
    """CCH R441-2-3, as at registration: an association that is not in the table is recorded
    with its name, creation date and address."""
    if demande.beneficiaire != Demande.Beneficiaire.ASSOCIATION or demande.association_id:
        return
    for champ, message in (
        ("association_nom", "Le nom de l'association est obligatoire."),
        ("association_date_creation", "La date de création de l'association est obligatoire."),
        ("association_adresse", "L'adresse de l'association est obligatoire."),
        ("association_commune", "La commune de l'association est obligatoire."),
    ):
        if getattr(demande, champ) in (None, ""):
            erreurs.append(_erreur(champ, "obligatoire", message))


def _exiger_duplication_pour_separer(restantes, changements: list, erreurs: list) -> None:
    """A married or PACS demandeur declared separated or divorced while their co-demandeur is
    still on the demande: that is a separation, made by the duplication (FAQ « Un couple se
    sépare »: both keep the seniority, and the situation of each is set there), not by
    changing one field and leaving the former partner on the demande."""
    demandeur = next((p for p in restantes if p.role == Personne.Role.DEMANDEUR), None)
    co = next((p for p in restantes if p.role == Personne.Role.CO_DEMANDEUR), None)
    if demandeur is None or co is None or co.pk is None:
        return
    for c in changements:
        if (
            c["champ"] == "demandeur.situation_familiale"
            and c["avant"] in SITUATIONS_COUPLE_SEPARABLE
            and c["apres"] in SITUATIONS_SEPAREES
        ):
            erreurs.append(
                _erreur(
                    "demandeur.situation_familiale",
                    "separation_par_duplication",
                    f"{_nom_lisible(co)} est encore co-demandeur : une séparation se fait par "
                    "« Dupliquer la demande pour séparation », qui donne à chacun sa demande "
                    "avec l'ancienneté et y fixe la situation de chacun. Si le co-demandeur "
                    "quitte seulement la demande, retirez-le en même temps.",
                    personne=demandeur.pk,
                )
            )


def separation_a_proposer(demande: Demande, changements: list[dict]) -> bool:
    """After a modification, offer the duplication for separation right away (FAQ: the offer
    should not hide in another tab) when the change concerned the couple (the demandeur's
    situation familiale, a co-demandeur who joined) and the couple can be separated."""
    concerne_le_couple = any(
        c["champ"] == "demandeur.situation_familiale"
        or (c["champ"] == Personne.Role.CO_DEMANDEUR and c.get("operation") == "ajout")
        for c in changements
    )
    return concerne_le_couple and peut_dupliquer_pour_separation(demande)

"""Use cases of the desks' set-up, run by gestionnaires territoriaux (and the national level).

FAQ « Options de paramétrage »: the consultation scope can be changed at any time; contact
points are kept by the gestionnaire and the file of contacts is sent every month to every desk;
a desk is set up once its signed convention and fiche collecte are in, and its contacts are
told by e-mail.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de, exiger
from sne.comptes.models import Habilitation, Utilisateur
from sne.comptes.services import inviter
from sne.exceptions import ErreurMetier, valider
from sne.referentiels.normalisation import plier
from sne.referentiels.telephones import normaliser_telephone

from . import tasks
from .models import Association, DemandeAuGestionnaire, Guichet, Organisation, PointContact

HORS_DEPARTEMENT = "Ce guichet n'est pas habilité sur un département que vous gérez."


def _exiger_gestion_des(departements, par) -> None:
    droits = droits_de(par)
    hors = sorted(d.code for d in departements if not droits.gere_departement(d.code))
    exiger(not hors, f"Vous ne gérez pas le(s) département(s) {', '.join(hors)}.")


@transaction.atomic
def creer_organisation(*, par, nom: str, type: str, siren: str | None = None, adresse: str = ""):
    exiger(droits_de(par).est_gestionnaire, "Seuls les gestionnaires créent des organisations.")
    siren = (siren or "").replace(" ", "") or None
    if siren and Organisation.objects.filter(siren=siren).exists():
        raise ErreurMetier(
            f"Une organisation porte déjà le SIREN {siren} : choisissez-la dans la liste des "
            "organisations existantes.",
            code="siren_existant",
            champ="siren",
        )
    organisation = Organisation(nom=nom.strip(), type=type, siren=siren, adresse=adresse)
    valider(organisation)
    organisation.save()
    journaliser(
        EvenementAudit.Action.CREATION,
        utilisateur=par,
        objet=organisation,
        resume=f"Organisation {organisation.nom}",
    )
    return organisation


@transaction.atomic
def creer_guichet(*, par, organisation, code: str, nom: str, departements, email: str = ""):
    """A new desk, habilitated on `departements` (registration), consulting them all by
    default; its scope can be narrowed later (`modifier_perimetre`)."""
    departements = list(departements)
    if not departements:
        raise ErreurMetier(
            "Un guichet est habilité sur au moins un département.",
            code="departement_requis",
            champ="departements",
        )
    _exiger_gestion_des(departements, par)
    code = code.strip().upper()
    if Guichet.objects.filter(code=code).exists():
        raise ErreurMetier(
            f"Le code de guichet {code} est déjà attribué.", code="code_existant", champ="code"
        )
    guichet = Guichet(code=code, nom=nom.strip(), organisation=organisation, email=email)
    valider(guichet)
    try:
        with transaction.atomic():
            guichet.save()
    except IntegrityError as e:
        raise ErreurMetier(
            f"Le code de guichet {code} est déjà attribué.", code="code_existant", champ="code"
        ) from e
    guichet.departements.set(departements)
    guichet.consultation_departements.set(departements)
    journaliser(
        EvenementAudit.Action.CREATION,
        utilisateur=par,
        guichet=guichet,
        objet=guichet,
        resume=f"Guichet {guichet.code}",
        details={"departements": [d.code for d in departements]},
    )
    return guichet


@transaction.atomic
def modifier_perimetre(guichet, *, par, departements_entiers, communes) -> None:
    """Change what a desk may consult: whole départements and/or communes, at any time (FAQ).

    The scope may be wider than the départements of registration (a landlord present in a
    neighbouring département) only within départements the gestionnaire manages.
    """
    exiger(droits_de(par).gere_guichet(guichet), HORS_DEPARTEMENT)
    departements_entiers = list(departements_entiers)
    communes = list(communes)
    _exiger_gestion_des(departements_entiers + [c.departement for c in communes], par)
    if not departements_entiers and not communes:
        raise ErreurMetier(
            "Le périmètre de consultation ne peut pas être vide.", code="perimetre_vide"
        )
    avant = {
        "departements": sorted(guichet.consultation_departements.values_list("code", flat=True)),
        "communes": sorted(guichet.consultation_communes.values_list("code_insee", flat=True)),
    }
    guichet.consultation_departements.set(departements_entiers)
    guichet.consultation_communes.set(communes)
    apres = {
        "departements": sorted(d.code for d in departements_entiers),
        "communes": sorted(c.code_insee for c in communes),
    }
    journaliser(
        EvenementAudit.Action.PARAMETRAGE,
        utilisateur=par,
        guichet=guichet,
        objet=guichet,
        resume="Périmètre de consultation modifié",
        details={"avant": avant, "apres": apres},
    )


@transaction.atomic
def enregistrer_convention(
    guichet, *, par, convention_signee_le, fiche_collecte=None, fiche_collecte_recue_le=None
) -> None:
    exiger(droits_de(par).gere_guichet(guichet), HORS_DEPARTEMENT)
    if convention_signee_le is None:
        raise ErreurMetier(
            "Indiquez la date de signature de la convention par le préfet.",
            code="convention_requise",
            champ="convention_signee_le",
        )
    if convention_signee_le > timezone.localdate():
        raise ErreurMetier(
            "La date de signature ne peut pas être dans le futur.", code="date_future"
        )
    guichet.convention_signee_le = convention_signee_le
    champs = ["convention_signee_le"]
    if fiche_collecte is not None:
        guichet.fiche_collecte = fiche_collecte
        guichet.fiche_collecte_recue_le = fiche_collecte_recue_le or timezone.localdate()
        champs += ["fiche_collecte", "fiche_collecte_recue_le"]
    guichet.save(update_fields=champs)
    journaliser(
        EvenementAudit.Action.PARAMETRAGE,
        utilisateur=par,
        guichet=guichet,
        objet=guichet,
        resume="Convention et fiche collecte enregistrées",
    )


@dataclass(frozen=True)
class Finalisation:
    """What `finaliser_parametrage` sent: the confirmation's addresses, the people invited."""

    destinataires: list[str]
    invites: list


@transaction.atomic
def finaliser_parametrage(guichet, *, par, base_url: str | None = None) -> Finalisation:
    """Declare the set-up complete, tell the desk's contacts by e-mail and invite its agents.

    FAQ « Comment faire pour accéder à l'application nationale ? »: convention signed by the
    préfet and fiche collecte in, then the set-up, then « un e-mail confirmant la
    finalisation du paramétrage vous est alors adressé », after which each agent activates
    their account. Refused while something is missing (`Guichet.manques_parametrage`: the
    convention's date, the fiche collecte, the address its attestations print, a contact
    e-mail). The agents habilitated meanwhile who never chose a password (fiche collecte,
    « Habiliter une personne ») receive their invitation now. Until then the desk registers
    nothing (`sne.demandes.regles.exiger_guichet_parametre`). Finalising twice (a double
    click) sends nothing twice: the desk is locked and the second call refused.
    """
    exiger(droits_de(par).gere_guichet(guichet), HORS_DEPARTEMENT)
    guichet = Guichet.objects.select_for_update().select_related("organisation").get(pk=guichet.pk)
    if guichet.est_parametre:
        raise ErreurMetier(
            f"Le paramétrage du guichet {guichet.code} est déjà finalisé (le "
            f"{timezone.localtime(guichet.parametrage_termine_le):%d/%m/%Y à %H:%M}) : ses "
            "contacts ont été prévenus.",
            code="parametrage_deja_finalise",
        )
    manque = guichet.manques_parametrage()
    if manque:
        raise ErreurMetier(
            "Le paramétrage ne peut pas être finalisé : il manque " + " ; ".join(manque) + ".",
            code="parametrage_incomplet",
            details={"manque": manque},
        )
    guichet.parametrage_termine_le = timezone.now()
    guichet.save(update_fields=["parametrage_termine_le"])
    adresses = guichet.destinataires()
    a_inviter = list(
        Utilisateur.objects.filter(
            is_active=True,
            habilitations__in=Habilitation.objects.valides().filter(guichet=guichet),
        )
        .distinct()
        .order_by("email")
    )
    a_inviter = [u for u in a_inviter if not u.has_usable_password()]
    journaliser(
        EvenementAudit.Action.PARAMETRAGE,
        utilisateur=par,
        guichet=guichet,
        objet=guichet,
        resume="Paramétrage finalisé, contacts prévenus",
        details={"invitations": [u.pk for u in a_inviter]},
    )
    transaction.on_commit(lambda: tasks.envoyer_email_parametrage_termine(guichet.pk))
    for utilisateur in a_inviter:
        inviter(utilisateur, guichet=guichet, par=par, base_url=base_url or settings.SNE_URL_SITE)
    return Finalisation(destinataires=adresses, invites=a_inviter)


CHAMPS_CONTACT = ("libelle", "adresse", "code_postal", "commune", "horaires", "telephone", "email")


@transaction.atomic
def enregistrer_point_contact(guichet, *, par, point=None, **valeurs) -> PointContact:
    """Create or update a contact point of a desk (gestionnaire of its département)."""
    exiger(droits_de(par).gere_guichet(guichet), HORS_DEPARTEMENT)
    point = point or PointContact(guichet=guichet)
    exiger(point.guichet_id == guichet.pk, "Ce point de contact est celui d'un autre guichet.")
    for champ in CHAMPS_CONTACT:
        if champ not in valeurs:
            continue
        valeur = valeurs[champ]
        if champ == "commune":
            valeur = valeur or None  # no commune is NULL: a foreign key never holds ""
        elif champ == "telephone":
            valeur = normaliser_telephone(valeur)  # E.164, as every number of the register
        elif valeur is None:
            valeur = ""
        setattr(point, champ, valeur)
    valider(point)
    creation = point.pk is None
    point.save()
    _exiger_adresse_des_attestations(guichet)
    journaliser(
        EvenementAudit.Action.CREATION if creation else EvenementAudit.Action.MODIFICATION,
        utilisateur=par,
        guichet=guichet,
        objet=point,
        resume=f"Point de contact {point.libelle}",
    )
    return point


@transaction.atomic
def supprimer_point_contact(point, *, par) -> None:
    exiger(droits_de(par).gere_guichet(point.guichet), HORS_DEPARTEMENT)
    journaliser(
        EvenementAudit.Action.SUPPRESSION,
        utilisateur=par,
        guichet=point.guichet,
        objet=point,
        resume=f"Point de contact {point.libelle} supprimé",
    )
    point.delete()
    _exiger_adresse_des_attestations(point.guichet)


def _exiger_adresse_des_attestations(guichet) -> None:
    """A set-up desk keeps an address for its attestations (`Guichet.manques_parametrage`):
    the change that would remove the last one is refused (and rolled back by the caller's
    transaction)."""
    if guichet.est_parametre and not guichet.adresse_postale():
        raise ErreurMetier(
            f"Le guichet {guichet.code} imprime sur ses attestations l'adresse d'un de ses "
            "points de contact ou, à défaut, celle de son organisation : gardez au moins une "
            "adresse (ajoutez-en une avant de retirer celle-ci).",
            code="adresse_guichet_requise",
            champ="adresse",
        )


# --- Associations (the départemental table, FAQ « bénéficiaire association ») ---------------


def noms_des_associations(departement) -> dict[str, str]:
    """The names of the table of the département, by folded name (`plier`): one query, read
    once by an import of thousands of lines."""
    noms = Association.objects.filter(departement=departement).values_list("nom", flat=True)
    return {plier(nom): nom for nom in noms}


def preparer_association(
    departement, noms: dict[str, str], *, nom: str, siren="", adresse="", date_creation=None
) -> Association:
    """The association to add, checked and not yet saved: its name is not already in the table
    (`noms`, from `noms_des_associations`: case and accents ignored on every database, SQLite's
    iexact folding only ASCII letters) and its fields are valid."""
    nom = " ".join(nom.split())
    existante = noms.get(plier(nom))
    if existante is not None:
        raise _deja_dans_la_table(departement, existante)
    association = Association(
        departement=departement,
        nom=nom,
        siren=siren.replace(" ", ""),
        adresse=adresse,
        date_creation=date_creation,
    )
    try:
        # The fields' own rules (lengths, SIREN key) without a query per association: the
        # département is given and the name's uniqueness is checked above (and by the database).
        association.clean_fields(exclude=["departement"])
    except ValidationError as e:
        raise ErreurMetier(
            " ".join(e.messages),
            code="donnees_invalides",
            details={
                "erreurs": [
                    {"champ": champ, "code": "donnees_invalides", "message": message}
                    for champ, messages in e.message_dict.items()
                    for message in messages
                ]
            },
        ) from e
    return association


def _deja_dans_la_table(departement, nom: str) -> ErreurMetier:
    return ErreurMetier(
        f"L'association « {nom} » figure déjà dans la table du département {departement.code}.",
        code="association_existante",
        champ="nom",
    )


@transaction.atomic
def ajouter_association(
    *, par, departement, nom: str, siren: str = "", adresse: str = "", date_creation=None
) -> Association:
    exiger(
        droits_de(par).gere_departement(departement.code),
        f"Vous ne gérez pas le département {departement.code}.",
    )
    association = preparer_association(
        departement,
        noms_des_associations(departement),
        nom=nom,
        siren=siren,
        adresse=adresse,
        date_creation=date_creation,
    )
    try:
        with transaction.atomic():
            association.save()
    except IntegrityError as e:  # added meanwhile by someone else
        raise _deja_dans_la_table(departement, association.nom) from e
    journaliser(
        EvenementAudit.Action.CREATION,
        utilisateur=par,
        objet=association,
        resume=f"Association {association.nom} ({departement.code})",
    )
    return association


# --- Requests from desks to their gestionnaire ---------------------------------------------


@transaction.atomic
def adresser_demande(guichet, *, par, objet: str, message: str, departement=None):
    """A desk agent asks the gestionnaire of one of the desk's départements."""
    droits = droits_de(par)
    exiger(
        droits.consulte_pour(guichet) or droits.gere_guichet(guichet),
        "Vous n'agissez pas pour ce guichet.",
    )
    departements = list(guichet.departements.all())
    departement = departement or (departements[0] if departements else None)
    exiger(departement in departements, "Ce guichet n'est pas habilité sur ce département.")
    if not message.strip():
        raise ErreurMetier("Écrivez votre demande.", code="message_vide", champ="message")
    demande = DemandeAuGestionnaire.objects.create(
        guichet=guichet, departement=departement, auteur=par, objet=objet, message=message.strip()
    )
    journaliser(
        EvenementAudit.Action.CREATION,
        utilisateur=par,
        guichet=guichet,
        objet=demande,
        resume=f"Demande au gestionnaire : {demande.get_objet_display()}",
    )
    transaction.on_commit(lambda: tasks.prevenir_gestionnaires_nouvelle_demande(demande.pk))
    return demande


@transaction.atomic
def repondre_demande(demande, *, par, reponse: str):
    exiger(
        droits_de(par).gere_departement(demande.departement_id),
        f"Vous ne gérez pas le département {demande.departement_id}.",
    )
    if not reponse.strip():
        raise ErreurMetier("Écrivez votre réponse.", code="reponse_vide", champ="reponse")
    demande.reponse = reponse.strip()
    demande.statut = DemandeAuGestionnaire.Statut.TRAITEE
    demande.repondu_par = par
    demande.repondu_le = timezone.now()
    demande.save()
    journaliser(
        EvenementAudit.Action.MODIFICATION,
        utilisateur=par,
        guichet=demande.guichet,
        objet=demande,
        resume="Réponse à une demande de guichet",
    )
    transaction.on_commit(lambda: tasks.envoyer_reponse_demande(demande.pk))
    return demande

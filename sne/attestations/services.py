"""Attestations d'enregistrement and de renouvellement (CCH L441-2-1, R441-2-4).

At registration and at renewal the applicant receives, directly (FAQ: « à partir du 1er avril
2017, les attestations d'enregistrement et de renouvellement sont envoyées directement au
demandeur »), an attestation with what CCH R441-2-4 requires:

a) the applicant's name, first name and address;
b) the name and address of the desk that registered the demande;
c) the numéro unique national;
d) the date of receipt (date de dépôt) and, where relevant, of the last renewal;
e) the landlords that have social housing in the wished communes;
f) the cases in which the commission de médiation (DALO, CCH L441-2-3) may be seized;
g) the date from which the applicant may seize it for an abnormally long wait, and its address;
h) the validity of the demande, how to update and renew it, and when it is struck off;
i) how to follow the demande;
with annexes: a summary of the demande and the next steps, and the supporting documents
(pièces justificatives) to provide for its instruction.

The content is built once as plain data (`donnees_attestation`, versioned JSON kept in
`Attestation.donnees`) and the PDF is rendered from it (`rendre_pdf`). A connected system may
print its own attestation from the same data (FAQ: « cette attestation personnalisée doit bien
reprendre toutes les informations contenues dans l'attestation du système national »).

This app renders documents (attestations, letters); `sne.notifications` sends them, records
their delivery and keeps them as sent: after the commit of a registration, a renewal or a
reactivation that renews, its task calls `produire_attestation` then sends the attestation.
"""

import contextlib
import gc
import logging
import re
import threading
import unicodedata
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.demandes import nomenclatures as n
from sne.demandes.models import Demande, Personne
from sne.demandes.regles import DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS, mois_apres
from sne.demandes.services.cycle_de_vie import fin_fenetre_reactivation
from sne.exceptions import ErreurMetier, Introuvable
from sne.organisations.models import Guichet, Organisation
from sne.referentiels.models import CodePostal, Commune

from .models import Attestation, ParametresDepartement

logger = logging.getLogger(__name__)

VERSION_DONNEES = 1
MENTION_BAILLEURS = "bailleurs sociaux intervenant sur les communes demandées"

# The letters of the renewal campaign (CCH R441-2-7, R441-2-8). Their sending and their record
# belong to `sne.notifications`; their content and rendering live here, with the attestations'.
PREAVIS_RENOUVELLEMENT = "preavis_renouvellement"
AVIS_RADIATION = "avis_radiation"
# The portal's messages (sne.portail, FAQ « Portail Grand Public »): the code télédemandeur
# (e-mail, SMS or letter) and the link that activates an e-mail address (e-mail only).
CODE_TELEDEMANDEUR = "code_teledemandeur"
LIEN_ACTIVATION = "lien_activation"
# What these documents carry that must not be kept in clear once sent (`masquer_secrets`).
SECRETS = ("code", "lien")
MASQUE = "••••••••"

TITRES = {
    Attestation.Type.ENREGISTREMENT: "Attestation d'enregistrement de demande de logement social",
    Attestation.Type.RENOUVELLEMENT: "Attestation de renouvellement de demande de logement social",
    Attestation.Type.SEPARATION: "Votre demande de logement social après votre séparation",
    PREAVIS_RENOUVELLEMENT: "Avis de renouvellement de votre demande de logement social",
    AVIS_RADIATION: "Avis de radiation de votre demande de logement social",
    CODE_TELEDEMANDEUR: "Votre code télédemandeur",
    LIEN_ACTIVATION: "Activez votre adresse électronique",
}
GABARITS = {
    Attestation.Type.ENREGISTREMENT: "attestations/attestation.html",
    Attestation.Type.RENOUVELLEMENT: "attestations/attestation.html",
    Attestation.Type.SEPARATION: "attestations/courrier_separation.html",
    PREAVIS_RENOUVELLEMENT: "attestations/preavis_renouvellement.html",
    AVIS_RADIATION: "attestations/avis_radiation.html",
    CODE_TELEDEMANDEUR: "attestations/portail.html",
    LIEN_ACTIVATION: "attestations/portail.html",
}
"""The body of each document (a `<section class="document">`); `attestations/documents.html`
puts one or many of them in one HTML page, with the stylesheet `attestations/courriers.css`."""
GABARITS_EMAIL = {
    Attestation.Type.ENREGISTREMENT: "attestations/emails/attestation.txt",
    Attestation.Type.RENOUVELLEMENT: "attestations/emails/attestation.txt",
    Attestation.Type.SEPARATION: "attestations/emails/separation.txt",
    PREAVIS_RENOUVELLEMENT: "attestations/emails/preavis_renouvellement.txt",
    AVIS_RADIATION: "attestations/emails/avis_radiation.txt",
    CODE_TELEDEMANDEUR: "attestations/emails/code_teledemandeur.txt",
    LIEN_ACTIVATION: "attestations/emails/lien_activation.txt",
}
ATTESTATIONS = (Attestation.Type.ENREGISTREMENT, Attestation.Type.RENOUVELLEMENT)

PIECES_A_FOURNIR = (
    {
        "code": "identite",
        "libelle": "Une pièce d'identité de chaque personne majeure à loger (carte nationale "
        "d'identité, passeport ou titre de séjour) ; pour les mineurs, le livret de famille ou "
        "l'acte de naissance.",
        "obligatoire": True,
    },
    {
        "code": "regularite_sejour",
        "libelle": "Pour les personnes de nationalité étrangère (hors Union européenne, EEE et "
        "Suisse) : le titre ou document attestant la régularité du séjour en France.",
        "obligatoire": True,
    },
    {
        "code": "avis_imposition",
        "libelle": "L'avis d'imposition (ou de non-imposition) de l'année N-2 de chaque personne "
        "appelée à vivre dans le logement ; celui de l'année N-1 si vos ressources ont baissé. "
        "À défaut d'avis français : tout justificatif des revenus perçus depuis l'arrivée en "
        "France ou l'avis de l'administration fiscale du pays d'origine.",
        "obligatoire": True,
    },
    {
        "code": "ressources_actuelles",
        "libelle": "Les justificatifs des ressources actuelles : trois derniers bulletins de "
        "salaire ou attestation de l'employeur, attestations de pension, de retraite, "
        "d'indemnités de chômage ou de prestations sociales et familiales (CAF, MSA), bourse.",
        "obligatoire": False,
    },
    {
        "code": "situation_familiale",
        "libelle": "Les justificatifs de situation familiale : livret de famille, attestation "
        "de PACS, jugement de divorce ou de séparation, certificat de grossesse.",
        "obligatoire": False,
    },
    {
        "code": "situation_professionnelle",
        "libelle": "Les justificatifs de situation professionnelle : contrat de travail, "
        "attestation de l'employeur, carte d'étudiant, inscription à France Travail.",
        "obligatoire": False,
    },
    {
        "code": "logement_actuel",
        "libelle": "Les justificatifs du logement actuel : bail et dernière quittance de loyer, "
        "attestation d'hébergement, ou attestation d'une structure d'hébergement.",
        "obligatoire": False,
    },
    {
        "code": "motif",
        "libelle": "Les justificatifs du motif de la demande : par exemple jugement d'expulsion, "
        "constat d'insalubrité ou de non-décence, ordonnance de protection, certificat médical, "
        "décision de la CDAPH ou carte mobilité inclusion en cas de handicap.",
        "obligatoire": False,
    },
)
"""The standard list of supporting documents for the instruction of a demande (annex of the
attestation, CCH R441-2-4 last paragraph), after the annex of the arrêté du 22 décembre 2020
relatif au nouveau formulaire de demande de logement locatif social et aux pièces
justificatives fournies pour l'instruction de la demande (CERFA 14069) — in force since
1 February 2021. `obligatoire`: required by every landlord for the instruction (I of the annex);
the others may be asked by the instructing service according to the situation (II).

Kept as a simple constant: the dossier unique (app `pieces`) will later say which ones are
already on file. None of them may be required to *register* the demande beyond the identity
document (CCH R441-2-3).
"""

ETAPES_A_VENIR = (
    "Votre demande est désormais visible des bailleurs sociaux et des réservataires (communes, "
    "État, Action Logement…) des communes demandées. Vous n'avez pas à la déposer à nouveau "
    "auprès d'eux : un seul dossier suffit.",
    "Un bailleur peut vous contacter pour compléter votre dossier avec les pièces justificatives "
    "listées en annexe 2. Déposées une fois (sur le portail ou auprès d'un guichet), elles sont "
    "partagées entre tous.",
    "Lorsqu'un logement correspondant à votre demande se libère, votre candidature peut être "
    "présentée à la commission d'attribution du bailleur (en général trois candidats par "
    "logement).",
    "La commission décide : attribution, attribution sous condition, non-attribution ou "
    "irrecevabilité. La décision vous est notifiée par écrit.",
    "Si un logement vous est attribué et que vous signez le bail, votre demande est radiée "
    "pour attribution.",
)

CAS_SAISINE_SANS_DELAI = (
    "vous êtes dépourvu de logement ;",
    "vous êtes menacé d'expulsion sans relogement ;",
    "vous êtes hébergé ou logé temporairement dans un établissement ou un logement de "
    "transition, un logement-foyer ou une résidence hôtelière à vocation sociale ;",
    "vous êtes logé dans des locaux impropres à l'habitation ou présentant un caractère "
    "insalubre ou dangereux ;",
    "vous êtes logé dans un logement non décent ou suroccupé, si vous avez au moins un enfant "
    "mineur ou une personne handicapée à charge, ou si vous êtes vous-même handicapé.",
)


# --- Settings and département parameters ----------------------------------------------------


def url_portail() -> str:
    return getattr(settings, "SNE_URL_PORTAIL", "https://www.demande-logement-social.gouv.fr")


def parametres_departement(departement) -> dict:
    """The délai anormalement long (months) and the commission de médiation's address of a
    département; when the département has no `ParametresDepartement`, the national default
    (setting `SNE_DELAI_ANORMALEMENT_LONG_MOIS_DEFAUT`, 36 months) and a generic address."""
    parametres = ParametresDepartement.objects.filter(departement=departement).first()
    generique = f"Commission de médiation DALO — Préfecture de {departement.nom}"
    if parametres is None:
        return {
            "delai_mois": int(getattr(settings, "SNE_DELAI_ANORMALEMENT_LONG_MOIS_DEFAUT", 36)),
            "source_delai": "defaut_national",
            "adresse": generique,
        }
    return {
        "delai_mois": parametres.delai_anormalement_long_mois,
        "source_delai": "arrete_prefectoral",
        "adresse": parametres.commission_mediation_adresse.strip() or generique,
    }


# --- The data behind the attestation --------------------------------------------------------


def _date_iso(valeur: date | None) -> str | None:
    return valeur.isoformat() if valeur else None


def _date_courte(valeur: date) -> str:
    return formats.date_format(valeur, "d/m/Y")


def _age(date_naissance: date | None, le: date) -> int | None:
    if not date_naissance:
        return None
    return (
        le.year
        - date_naissance.year
        - ((le.month, le.day) < (date_naissance.month, date_naissance.day))
    )


def _adresse_postale(personne: Personne) -> dict:
    commune = personne.commune
    acheminement = ""
    if commune is not None:
        acheminement = (
            CodePostal.objects.filter(code=personne.code_postal, commune=commune)
            .values_list("libelle_acheminement", flat=True)
            .first()
            or commune.nom.upper()
        )
    return {
        "ligne1": personne.adresse_ligne1,
        "ligne2": personne.adresse_ligne2,
        "code_postal": personne.code_postal,
        "commune": commune.nom if commune else "",
        "code_insee": commune.code_insee if commune else "",
        "acheminement": acheminement,
    }


def _guichet(guichet: Guichet) -> dict:
    """The registering desk with its first contact point (CCH R441-2-4 b)."""
    contact = guichet.point_contact_principal()
    # The one its set-up requires (`manques_parametrage`).
    adresse = guichet.adresse_postale(contact)
    return {
        "code": guichet.code,
        "nom": guichet.nom,
        "organisation": guichet.organisation.nom,
        "point_contact": contact.libelle if contact else "",
        "adresse": adresse,
        "horaires": contact.horaires if contact else "",
        "telephone": contact.telephone if contact else "",
        "email": (contact.email if contact else "") or guichet.email,
    }


def bailleurs_des_communes(demande: Demande) -> list[dict]:
    """The landlords to name on the attestation (CCH R441-2-4 e: « la liste des bailleurs
    disposant de logements sociaux dans les communes demandées »).

    Approximation: the register holds no data on landlords' housing stock (the RPLS is not
    loaded), so we list the organisations of type « bailleur » that have an active desk
    habilitated on the demande's département whose consultation scope covers at least one
    wished commune (a Paris arrondissement and Paris as a whole cover each other). The PDF says
    so: « bailleurs sociaux intervenant sur les communes demandées ».
    """
    souhaitees = list(
        Commune.objects.filter(pk__in=demande.communes_souhaitees.values("commune_id")).only(
            "code_insee", "departement_id", "commune_parente_id"
        )
    )
    if not souhaitees:
        return []
    codes = {c.code_insee for c in souhaitees}
    # A wished arrondissement is also in its commune; a wished commune covers its arrondissements.
    parentes = {c.commune_parente_id for c in souhaitees if c.commune_parente_id}
    arrondissements = set(
        Commune.objects.filter(commune_parente__in=codes).values_list("code_insee", flat=True)
    )
    codes |= parentes | arrondissements
    departements = {c.departement_id for c in souhaitees}
    guichets = Guichet.objects.filter(
        actif=True,
        organisation__type=Organisation.Type.BAILLEUR,
        departements=demande.departement_id,
    ).filter(Q(consultation_communes__in=codes) | Q(consultation_departements__in=departements))
    return [
        {"nom": o.nom, "siren": o.siren or "", "adresse": o.adresse}
        for o in Organisation.objects.filter(guichets__in=guichets).distinct().order_by("nom")
    ]


def _personne_resumee(personne: Personne, le: date) -> dict:
    """First name and age only: an attestation travels by post and e-mail (no NIR, no
    identity document number, no contact details of other members)."""
    return {
        "role": personne.role,
        "role_libelle": personne.get_role_display(),
        "lien": personne.get_lien_display() if personne.lien else "",
        "prenom": personne.prenom,
        "age": _age(personne.date_naissance, le),
    }


def donnees_attestation(demande: Demande, type_: str) -> dict:
    """Everything the attestation says (CCH R441-2-4), as JSON-serialisable data.

    Stable French snake_case keys, versioned (`"version": 1`): this is also what a connected
    system prints its own attestation from (FAQ: a landlord's attestation « doit bien
    reprendre toutes les informations contenues dans l'attestation du système national »).
    Dates are ISO 8601 strings. Never contains a NIR, an identity document number, or the
    e-mail and phone of anyone but the demandeur.
    """
    type_ = Attestation.Type(type_)
    demande = (
        Demande.objects.select_related(
            "departement", "guichet_enregistreur__organisation", "association"
        )
        .prefetch_related("personnes__commune", "communes_souhaitees__commune")
        .get(pk=demande.pk)
    )
    aujourd_hui = timezone.localdate()
    parametres = parametres_departement(demande.departement)
    date_saisine = mois_apres(demande.date_depot, parametres["delai_mois"])
    date_radiation = mois_apres(demande.date_expiration, DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS)
    portail = url_portail()
    guichet = _guichet(demande.guichet_enregistreur)

    with translation.override(settings.LANGUAGE_CODE):
        expiration = _date_courte(demande.date_expiration)
        validite = {
            "duree_mois": 12,
            "date_expiration": _date_iso(demande.date_expiration),
            "date_radiation_si_non_renouvelee": _date_iso(date_radiation),
            "texte": f"Votre demande est valable un an, jusqu'au {expiration}. Votre ancienneté "
            f"est comptée à partir de la date de dépôt, le {_date_courte(demande.date_depot)}, "
            "et elle est conservée à chaque renouvellement.",
            "actualisation": "Signalez sans attendre tout changement de situation (naissance, "
            "mariage, séparation, ressources, adresse, téléphone, e-mail…) : sur le portail "
            f"{portail} avec votre numéro unique, ou auprès de tout guichet enregistreur du "
            "département, sur place ou par courrier.",
            "renouvellement": f"Renouvelez votre demande avant le {expiration}, sur le portail "
            "ou auprès d'un guichet enregistreur. Un avis de renouvellement vous sera envoyé au "
            "moins un mois avant cette date. Renouveler ne fait pas perdre l'ancienneté.",
            "radiation": [
                f"si elle n'est pas renouvelée : radiation un mois après l'expiration, soit à "
                f"partir du {_date_courte(date_radiation)} (CCH R441-2-8) ;",
                "si un logement vous est attribué (à la signature du bail) ;",
                "si vous y renoncez ;",
                "si la commission d'attribution la déclare irrecevable, ou s'il est impossible "
                "de vous joindre, un mois après un courrier recommandé resté sans réponse.",
            ],
        }
        dalo = {
            "delai_anormalement_long_mois": parametres["delai_mois"],
            "source_delai": parametres["source_delai"],
            "date_saisine_possible": _date_iso(date_saisine),
            "commission_adresse": parametres["adresse"],
            "mention_delai": "Ce délai, dit « anormalement long », est fixé par arrêté "
            "préfectoral dans chaque département (CCH L441-1-4)."
            + (
                ""
                if parametres["source_delai"] == "arrete_prefectoral"
                else " La date indiquée applique le délai par défaut : renseignez-vous auprès "
                "de la préfecture ou de votre guichet pour le délai exact."
            ),
            "cas_saisine": "Vous pouvez saisir la commission de médiation du département "
            "(droit au logement opposable, DALO — CCH L441-2-3) si vous n'avez reçu aucune "
            "proposition adaptée à votre demande "
            + ("à partir du" if date_saisine > aujourd_hui else "depuis le")
            + f" {_date_courte(date_saisine)}. Vous pouvez la saisir sans condition de délai "
            "si, de bonne foi :",
            "cas_sans_delai": list(CAS_SAISINE_SANS_DELAI),
        }
        suivi = {
            "url_portail": portail,
            "texte": f"Sur {portail}, avec votre numéro unique, vous pouvez suivre l'état "
            "d'avancement de votre demande, la mettre à jour, déposer vos pièces justificatives "
            "et la renouveler. Vous pouvez aussi vous adresser à votre guichet enregistreur "
            f"({guichet['nom']}) ou à tout autre guichet du département.",
        }

    personnes = list(demande.personnes.all())
    return {
        "version": VERSION_DONNEES,
        "type": type_.value,
        "titre": TITRES[type_],
        "date_edition": _date_iso(aujourd_hui),
        **_destinataire_et_dates(demande, guichet),
        "bailleurs": bailleurs_des_communes(demande),
        "bailleurs_mention": MENTION_BAILLEURS,
        "dalo": dalo,
        "validite": validite,
        "suivi": suivi,
        "informations_legales": "Les informations de votre demande sont enregistrées dans le "
        "Système National d'Enregistrement. Elles sont accessibles aux bailleurs sociaux, "
        "services de l'État, collectivités et réservataires de logements (CCH R441-2-6). Vous "
        "pouvez y accéder et les faire rectifier sur le portail ou auprès du service qui a "
        "enregistré la demande.",
        "annexes": {
            "resume": {
                "nombre_personnes": demande.nombre_personnes,
                "menage": [_personne_resumee(p, aujourd_hui) for p in personnes],
                "communes_souhaitees": [
                    {"code_insee": c.commune_id, "nom": c.commune.nom}
                    for c in demande.communes_souhaitees.all()
                ],
                "typologies": [n.Typologie(t).label for t in demande.typologies],
                "categorie_logement": demande.get_categorie_logement_display()
                if demande.categorie_logement
                else "",
                "motifs": [n.MotifDemande(m).label for m in demande.motifs],
                "motif_precision": demande.motif_precision,
                "deja_locataire_hlm": demande.deja_locataire_hlm,
                "logement_actuel": demande.get_logement_actuel_display()
                if demande.logement_actuel
                else "",
                "ascenseur_necessaire": demande.ascenseur_necessaire,
                "rez_de_chaussee": demande.rez_de_chaussee,
                "logement_adapte_handicap": demande.logement_adapte_handicap,
            },
            "etapes_a_venir": list(ETAPES_A_VENIR),
            "pieces_a_fournir": [dict(p) for p in PIECES_A_FOURNIR],
        },
    }


# --- The letters of the renewal campaign ------------------------------------------------------


def _demande_pour_courrier(demande: Demande) -> Demande:
    """The demande with what a letter reads; as given when the caller loaded it so already
    (the renewal campaign, by batches: `sne.notifications.campagne._demandes`)."""
    if "personnes" in getattr(demande, "_prefetched_objects_cache", {}):
        return demande
    return (
        Demande.objects.select_related(
            "departement", "guichet_enregistreur__organisation", "association"
        )
        .prefetch_related("personnes__commune")
        .get(pk=demande.pk)
    )


def _destinataire_et_dates(demande: Demande, guichet: dict) -> dict:
    """Who the document is for and the demande's dates, under the same keys in the attestation
    and every letter: never a NIR, an identity document number, or another person's contact
    details."""
    demandeur = demande.demandeur
    co = demande.co_demandeur
    return {
        "numero_unique": demande.numero_unique,
        "departement": {"code": demande.departement.code, "nom": demande.departement.nom},
        "demandeur": {
            "civilite": demandeur.civilite if demandeur else "",
            "civilite_libelle": demandeur.get_civilite_display() if demandeur else "",
            "nom": demandeur.nom if demandeur else "",
            "prenom": demandeur.prenom if demandeur else "",
            "adresse": _adresse_postale(demandeur) if demandeur else {},
            "email": demandeur.email if demandeur else "",
        },
        "co_demandeur": (
            {"civilite": co.civilite, "nom": co.nom, "prenom": co.prenom} if co else None
        ),
        "association": (
            (demande.association.nom if demande.association else demande.association_nom)
            if demande.beneficiaire == Demande.Beneficiaire.ASSOCIATION
            else None
        ),
        "guichet_enregistreur": guichet,
        "date_depot": _date_iso(demande.date_depot),
        "date_dernier_renouvellement": _date_iso(demande.date_dernier_renouvellement),
        "date_expiration": _date_iso(demande.date_expiration),
    }


def _en_tete_courrier(demande: Demande, type_: str) -> dict:
    """What every letter of the campaign shares with the attestation, under the same keys
    (recipient, desk, dates), so that the print run and a connected system read them alike;
    never a NIR, an identity document number, or another person's contact details."""
    return {
        "version": VERSION_DONNEES,
        "type": type_,
        "titre": TITRES[type_],
        "date_edition": _date_iso(timezone.localdate()),
        **_destinataire_et_dates(demande, _guichet(demande.guichet_enregistreur)),
        "url_portail": url_portail(),
    }


def donnees_preavis_renouvellement(demande: Demande) -> dict:
    """The renewal notice (CCH R441-2-7: at least one month before the expiry, the applicant
    is told that the demande expires and that, without a renewal, it will be struck off).

    Says when it expires, when it would be struck off (`date_radiation_prevue`, one month after
    the expiry, CCH R441-2-8), how to renew (the portal with the numéro unique, or any desk of
    the département), what to check (situation, the year's resources, household) and that the
    seniority (date de dépôt) is kept on renewal. Versioned JSON data like the attestation's,
    ISO dates. Refused for a demande that is no longer active (nothing left to renew)."""
    demande = _demande_pour_courrier(demande)
    if not demande.est_active:
        raise ErreurMetier(
            f"La demande {demande.numero_unique} n'est plus active : pas de préavis de "
            "renouvellement.",
            code="demande_non_active",
        )
    donnees = _en_tete_courrier(demande, PREAVIS_RENOUVELLEMENT)
    date_radiation = mois_apres(demande.date_expiration, DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS)
    portail = donnees["url_portail"]
    with translation.override(settings.LANGUAGE_CODE):
        expiration = _date_courte(demande.date_expiration)
        donnees["date_radiation_prevue"] = _date_iso(date_radiation)
        donnees["renouvellement"] = {
            "date_limite": _date_iso(demande.date_expiration),
            "texte": f"Votre demande de logement social expire le {expiration}. Pour qu'elle "
            "reste examinée par les bailleurs, renouvelez-la avant cette date.",
            "comment": [
                f"sur le portail {portail}, avec votre numéro unique {demande.numero_unique} ;",
                "ou auprès d'un guichet enregistreur du département "
                f"({demande.departement.nom}), sur place ou par courrier.",
            ],
            "a_verifier": [
                "votre situation : situation familiale et professionnelle, logement actuel, "
                "adresse, téléphone, e-mail ;",
                f"vos ressources de l'année {timezone.localdate().year} et celles de chaque "
                "personne à loger, avec votre dernier avis d'imposition ;",
                "la composition de votre ménage : les personnes qui vivront avec vous dans le "
                "logement (naissance, mariage, séparation, départ…).",
            ],
            "anciennete": "En renouvelant, vous gardez votre numéro unique et votre ancienneté "
            f": la date de dépôt du {_date_courte(demande.date_depot)} continue de compter.",
            "radiation": "Sans renouvellement, votre demande sera radiée à partir du "
            f"{_date_courte(date_radiation)} (CCH R441-2-8) : elle ne pourra plus vous faire "
            "proposer de logement.",
        }
    return donnees


def donnees_avis_radiation(demande: Demande) -> dict:
    """The notice that a demande was struck off for non-renewal (motif RADREN, CCH R441-2-8),
    with the date of radiation and until when it may be reactivated with the same numéro and
    seniority (`fin_fenetre_reactivation`), at a desk or on the portal.

    Only for a demande radiée for non-renewal: any other radiation has its own letter."""
    demande = _demande_pour_courrier(demande)
    if demande.est_active or demande.motif_radiation != n.MotifRadiation.NON_RENOUVELLEMENT:
        raise ErreurMetier(
            f"La demande {demande.numero_unique} n'est pas radiée pour non-renouvellement.",
            code="pas_radiee_pour_non_renouvellement",
        )
    donnees = _en_tete_courrier(demande, AVIS_RADIATION)
    fin = fin_fenetre_reactivation(demande)
    portail = donnees["url_portail"]
    with translation.override(settings.LANGUAGE_CODE):
        radiee_le = _date_courte(demande.date_radiation)
        donnees["date_radiation"] = _date_iso(demande.date_radiation)
        donnees["motif"] = {
            "code": n.MotifRadiation.NON_RENOUVELLEMENT.value,
            "code_national": n.code_national(n.MotifRadiation, n.MotifRadiation.NON_RENOUVELLEMENT),
            "libelle": "non-renouvellement",
        }
        donnees["texte"] = (
            f"Votre demande de logement social n'a pas été renouvelée avant le "
            f"{_date_courte(demande.date_expiration)}, date de son expiration. Elle a été radiée "
            f"le {radiee_le} (CCH R441-2-8) : elle n'est plus examinée par les bailleurs."
        )
        donnees["reactivation"] = {
            "date_limite": _date_iso(fin),
            "texte": f"Jusqu'au {_date_courte(fin)}, vous pouvez la faire réactiver : elle "
            "retrouve le même numéro unique et la même ancienneté (date de dépôt du "
            f"{_date_courte(demande.date_depot)}), et elle est renouvelée pour un an.",
            "comment": [
                f"sur le portail {portail}, avec votre numéro unique {demande.numero_unique} ;",
                "ou auprès d'un guichet enregistreur du département "
                f"({demande.departement.nom}), sur place ou par courrier.",
            ],
            "apres": f"Après le {_date_courte(fin)}, il faudra déposer une nouvelle demande : "
            "l'ancienneté repartira de sa date de dépôt.",
        }
    return donnees


# --- The portal's messages ------------------------------------------------------------------


def donnees_portail(demande: Demande, type_: str, *, secret: str, valable_jusqu_au) -> dict:
    """A code télédemandeur (`secret`: the code) or an activation link (`secret`: the link) for
    the applicant of `demande` (FAQ « Portail Grand Public »), with the same letterhead and
    recipient as every letter, and until when it is valid (`valable_jusqu_au`, a datetime).
    The caller keeps the secret out of what it stores (`masquer_secrets`)."""
    if type_ not in (CODE_TELEDEMANDEUR, LIEN_ACTIVATION):
        raise ValueError(type_)
    donnees = _en_tete_courrier(_demande_pour_courrier(demande), type_)
    donnees["code" if type_ == CODE_TELEDEMANDEUR else "lien"] = secret
    local = timezone.localtime(valable_jusqu_au)
    donnees["valable_jusqu_au"] = {"date": local.date().isoformat(), "heure": f"{local:%H:%M}"}
    return donnees


def masquer_secrets(donnees: dict) -> dict:
    """The same data with the code or the link hidden (`SECRETS`): what is kept of a message
    once it has left, and what a reprint shows."""
    return {
        cle: (MASQUE if cle in SECRETS and valeur else valeur) for cle, valeur in donnees.items()
    }


def contient_un_secret(donnees: dict) -> bool:
    return any(donnees.get(cle) and donnees[cle] != MASQUE for cle in SECRETS)


# --- The recipient's address block (window envelope) -------------------------------------------

LIGNES_ADRESSE_MAX = 6  # NF Z10-011: six lines at most…
CARACTERES_LIGNE_MAX = 38  # …of 38 characters at most (spaces included)
_CIVILITES = {"M": ("Monsieur", "M."), "MME": ("Madame", "Mme"), "MLLE": ("Mademoiselle", "Mlle")}


def _ligne_nom(civilite: str, prenom: str, nom: str) -> str:
    """« Madame Élodie MARTIN »; when it does not fit in a line, « Mme Élodie MARTIN », then
    « Mme É. MARTIN », then the name alone (cut by `lignes_adresse` if it is still too long):
    the surname is what the postman reads."""
    complete, abregee = _CIVILITES.get(civilite, ("", ""))
    prenom, nom = " ".join(prenom.split()), " ".join(nom.upper().split())
    initiale = f"{prenom[0]}." if prenom else ""
    for ligne in (
        f"{complete} {prenom} {nom}",
        f"{abregee} {prenom} {nom}",
        f"{abregee} {initiale} {nom}",
    ):
        ligne = " ".join(ligne.split())
        if len(ligne) <= CARACTERES_LIGNE_MAX:
            return ligne
    return nom


def destinataire(donnees: dict) -> dict:
    """The recipient of a letter or an attestation, as `lignes_adresse` reads it: who (the
    association that hosts the applicant, the demandeur, the co-demandeur) and where."""
    demandeur = donnees.get("demandeur") or {}
    noms = []
    if donnees.get("association"):
        noms.append(donnees["association"])
    if demandeur.get("nom") or demandeur.get("prenom"):
        noms.append(
            _ligne_nom(demandeur.get("civilite", ""), demandeur.get("prenom", ""), demandeur["nom"])
        )
    co = donnees.get("co_demandeur")
    if co:
        noms.append("et " + " ".join(f"{co['prenom']} {co['nom'].upper()}".split()))
    return {"noms": noms, **(demandeur.get("adresse") or {})}


def _tronquer(ligne: str, longueur: int = CARACTERES_LIGNE_MAX) -> str:
    """At most `longueur` characters, cut between two words when one ends late enough, without
    a dangling comma or dash."""
    ligne = " ".join(ligne.split())
    if len(ligne) <= longueur:
        return ligne
    coupe = ligne[: longueur + 1].rsplit(" ", 1)[0]
    if len(coupe) > longueur or len(coupe) < longueur // 2:  # a very long word: cut it
        coupe = ligne[:longueur]
    return coupe.rstrip(" ,;:-–")


def _ligne_acheminement(code_postal: str, libelle: str) -> str:
    """Last line: postcode and libellé d'acheminement, in capitals without accent nor
    punctuation (« 97200 FORT DE FRANCE », « 75020 PARIS »)."""
    sans_accent = unicodedata.normalize("NFKD", libelle).encode("ascii", "ignore").decode()
    libelle = " ".join(re.sub(r"[^A-Za-z0-9]+", " ", sans_accent).upper().split())
    return _tronquer(f"{code_postal.strip()} {libelle}".strip())


def lignes_adresse(adresse: dict) -> list[str]:
    """The recipient's address block by the norms of La Poste (NF Z10-011): at most six lines
    of at most 38 characters, no empty line, the last one « CODE POSTAL LOCALITÉ » in capitals
    without accent nor punctuation.

    `adresse`: `noms` (the recipient's lines, most important first), `ligne1`, `ligne2`,
    `code_postal` and `acheminement` (or `commune` when no libellé d'acheminement is known),
    as `destinataire` gives them. A longer line is cut between two words; when there are too
    many lines, the last names go first (never the street nor the postcode)."""
    noms = [_tronquer(nom) for nom in adresse.get("noms", []) if nom and nom.strip()]
    voie = [
        _tronquer(adresse[cle])
        for cle in ("ligne1", "ligne2")
        if adresse.get(cle) and adresse[cle].strip()
    ]
    localite = adresse.get("acheminement") or adresse.get("commune") or ""
    derniere = _ligne_acheminement(adresse.get("code_postal") or "", localite)
    fin = [*voie, derniere] if derniere else voie
    place = max(LIGNES_ADRESSE_MAX - len(fin), 1)
    return [*noms[:place], *fin][:LIGNES_ADRESSE_MAX]


# --- The PDF --------------------------------------------------------------------------------


def _dates_en_objets(valeur):
    """The same data with every `date_*` ISO string turned into a `date`, for the template's
    `date` filter."""
    if isinstance(valeur, dict):
        return {
            cle: (
                date.fromisoformat(v)
                if cle.startswith("date_") and isinstance(v, str) and v
                else _dates_en_objets(v)
            )
            for cle, v in valeur.items()
        }
    if isinstance(valeur, list):
        return [_dates_en_objets(v) for v in valeur]
    return valeur


def _corps(donnees: dict, rang: int, pages: int) -> str:
    """One document's `<section class="document">` (template of `GABARITS`; the attestation's
    when the type is unknown): `rang` makes its anchor unique in a print run, `pages` is the
    number of pages its footer announces (« Page 1 sur 4 »)."""
    gabarit = GABARITS.get(donnees.get("type"), "attestations/attestation.html")
    return render_to_string(
        gabarit,
        {
            "d": _dates_en_objets(donnees),
            "rang": rang,
            "pages": pages,
            "adresse": lignes_adresse(destinataire(donnees)),
        },
    )


_par_fil = threading.local()


def _outils_de_rendu():
    """The stylesheet of every document (`attestations/courriers.css`) and the font
    configuration, made once per worker thread and kept: parsing the CSS and loading the fonts
    again for each document cost about a third of the rendering of a one-page letter
    (docs/performance.md). Per thread, because a Pango font map is not shared between
    threads."""
    if not hasattr(_par_fil, "outils"):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        polices = FontConfiguration()
        chemin = Path(__file__).parent / "templates" / "attestations" / "courriers.css"
        feuille = CSS(string=chemin.read_text(encoding="utf-8"), font_config=polices)
        _par_fil.outils = (feuille, polices)
    return _par_fil.outils


def _document(liste: list[dict], pages: list[int]):
    """The documents laid out by WeasyPrint as ONE HTML page (`attestations/documents.html`):
    each one begins on a new sheet, numbers its own pages (the page counter starts again at
    each `section.document`) and announces `pages[i]` pages in its footer. Laying out one page
    of N documents costs far less than N layouts (docs/performance.md, « Rendu des courriers
    et attestations »).

    No external resource is ever fetched: the stylesheet is local, the fonts are the system's,
    and the URL fetcher refuses every scheme but `data:` (a name typed by an applicant cannot
    make the worker reach the network).
    """
    from weasyprint import HTML  # heavy (Pango): loaded by the worker when it renders
    from weasyprint.urls import URLFetcher

    with translation.override(settings.LANGUAGE_CODE):
        corps = [
            _corps(donnees, rang, total)
            for rang, (donnees, total) in enumerate(zip(liste, pages, strict=True), 1)
        ]
        titre = (
            f"{liste[0]['titre']} — {liste[0]['numero_unique']}"
            if len(liste) == 1
            else f"Courriers et attestations — {len(liste)} documents"
        )
        html = render_to_string("attestations/documents.html", {"corps": corps, "titre": titre})
    feuille, polices = _outils_de_rendu()
    return HTML(
        string=html,
        base_url=str(settings.BASE_DIR / "sne" / "attestations" / "templates"),
        url_fetcher=URLFetcher(allowed_protocols={"data"}),
    ).render(stylesheets=[feuille], font_config=polices)


def _pages_par_document(document, nombre: int) -> list[list]:
    """The laid-out pages of each of the `nombre` documents of `_document`: a document starts
    on the page that holds its anchor (`document-<rang>`)."""
    par_document: list[list] = [[] for _ in range(nombre)]
    courant = 0
    for page in document.pages:
        if courant < nombre and f"document-{courant + 1}" in page.anchors:
            courant += 1
        par_document[max(courant, 1) - 1].append(page)
    return par_document


PAGES_HABITUELLES = {Attestation.Type.ENREGISTREMENT: 4, Attestation.Type.RENOUVELLEMENT: 4}
"""How many pages a document of each type usually has (1 when not listed), updated with what
was last laid out: the footer's « sur N » is written before the layout, then checked."""


def _mise_en_page(liste: list[dict]) -> tuple:
    """The WeasyPrint document of `liste` and its laid-out pages, in order, each document with
    its true number of pages in its footer.

    « Page 1 sur N » needs N before the layout: WeasyPrint could count the pages of each
    document itself (a `target-counter`), but it then lays every page out twice. So each
    document announces the number of pages its type usually has; after the layout, the rare
    document that has another number (a long list of landlords…) is laid out again alone with
    the right one (its pages do not move: only the footer's figure changes)."""
    annonces = [PAGES_HABITUELLES.get(d.get("type"), 1) for d in liste]
    document = _document(liste, annonces)
    par_document = _pages_par_document(document, len(liste))
    for rang, (donnees, pages) in enumerate(zip(liste, par_document, strict=True)):
        PAGES_HABITUELLES[donnees.get("type")] = len(pages)
        if len(pages) != annonces[rang]:
            par_document[rang] = _document([donnees], [len(pages)]).pages
    return document, [page for pages in par_document for page in pages]


def rendre_pdf(donnees: dict) -> bytes:
    """One attestation or letter as an A4 PDF."""
    return rendre_pdfs([donnees])


TAILLE_TRANCHE = 100
"""Documents laid out together: beyond a few dozen the layout gains nothing more per
document (docs/performance.md)."""


def rendre_pdfs(liste) -> bytes:
    """Several attestations and letters (their data, any types mixed) as ONE A4 PDF, each
    starting on a new sheet with its own page numbers: a print run (« tournée ») of letters, a
    lot's attestations. Laid out by slices of `TAILLE_TRANCHE` documents, written once (the
    fonts' subsets are embedded once)."""
    liste = list(liste)
    if not liste:
        raise ErreurMetier("Aucun courrier à imprimer.", code="aucun_courrier")
    with _ramasse_miettes_en_pause():
        tranches = [
            _mise_en_page(liste[debut : debut + TAILLE_TRANCHE])
            for debut in range(0, len(liste), TAILLE_TRANCHE)
        ]
        premier = tranches[0][0]
        return premier.copy([page for _, pages in tranches for page in pages]).write_pdf()


@contextlib.contextmanager
def _ramasse_miettes_en_pause():
    """Python's cyclic garbage collector paused while WeasyPrint lays out and writes: the
    hundreds of thousands of boxes it creates make each collection scan them all again, about a
    fifth of the rendering time of a print run (docs/performance.md); the cycles left are
    collected when it resumes."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()


# --- E-mails and SMS ------------------------------------------------------------------------


def message_email(donnees: dict) -> tuple[str, str]:
    """The subject and plain-text body of the e-mail of an attestation or a letter, written
    from its data (so that a retry sends what was recorded): templates of `GABARITS_EMAIL`.
    For an attestation, what its e-mail has always said (the PDF goes attached)."""
    type_ = donnees["type"]
    if type_ in ATTESTATIONS:
        objet = _objet_email(donnees)
    else:
        objet = f"{TITRES[type_]} — n° {donnees['numero_unique']}"
    with translation.override(settings.LANGUAGE_CODE):
        corps = render_to_string(GABARITS_EMAIL[type_], {"d": _dates_en_objets(donnees)})
    return objet, corps


SMS_CARACTERES_MAX = 160  # one SMS in the GSM 03.38 (GSM-7) alphabet


def _site(url: str) -> str:
    """The portal's address as one types it (« demande-logement-social.gouv.fr »)."""
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def _jour(valeur: str | None) -> str:
    return date.fromisoformat(valeur).strftime("%d/%m/%Y") if valeur else ""


def message_sms(donnees: dict) -> str:
    """The SMS of an attestation or a letter: short (one SMS of 160 characters with the
    national portal), in the GSM-7 alphabet (no « ° », « ê », « ç » nor typographic quotes, so
    that it is not sent as UCS-2 in three parts), and with no personal data but the numéro
    unique and dates: an SMS may be read on a shared phone."""
    type_ = donnees["type"]
    numero = donnees["numero_unique"]
    portail = donnees.get("url_portail") or (donnees.get("suivi") or {}).get("url_portail")
    site = _site(portail or url_portail())
    if type_ == PREAVIS_RENOUVELLEMENT:
        return (
            f"Logement social : votre demande {numero} expire le "
            f"{_jour(donnees['date_expiration'])}. Renouvelez-la sur {site} ou en guichet, "
            "sinon radiation."
        )
    if type_ == AVIS_RADIATION:
        return (
            f"Logement social : demande {numero} non renouvelée, radiée le "
            f"{_jour(donnees['date_radiation'])}. Réactivable jusqu'au "
            f"{_jour(donnees['reactivation']['date_limite'])} sur {site}"
        )
    if type_ == CODE_TELEDEMANDEUR:
        return (
            f"Logement social : votre code teledemandeur est {donnees['code']}. Valable "
            f"jusqu'au {_jour(donnees['valable_jusqu_au']['date'])} "
            f"{donnees['valable_jusqu_au']['heure']}. Ne le donnez a personne. {site}"
        )
    if type_ == Attestation.Type.SEPARATION:
        return (
            f"Logement social : après votre séparation, votre demande est la {numero}. "
            f"Ancienneté conservée. Suivi : {site}"
        )
    if type_ == Attestation.Type.RENOUVELLEMENT:
        return (
            f"Logement social : votre demande {numero} est renouvelée jusqu'au "
            f"{_jour(donnees['date_expiration'])}. Ancienneté conservée. Suivi : {site}"
        )
    return (
        f"Logement social : votre demande est enregistrée sous le numéro {numero}, valable "
        f"jusqu'au {_jour(donnees['date_expiration'])}. Suivi : {site}"
    )


# --- Producing the attestation ------------------------------------------------------------------


def _attestation_du_jour(demande_id: int, type_: str) -> Attestation | None:
    debut = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return (
        Attestation.objects.filter(demande_id=demande_id, type=type_, creee_le__gte=debut)
        .order_by("-creee_le")
        .first()
    )


def nom_fichier(numero_unique: str, type_: str, le: date) -> str:
    return f"attestation-{numero_unique}-{type_}-{le:%Y%m%d}.pdf"


def _objet_email(donnees: dict) -> str:
    titre = TITRES[Attestation.Type(donnees["type"])].replace("Attestation", "attestation")
    return f"Votre {titre} — n° {donnees['numero_unique']}"


def produire_attestation(demande_id: int, type_: str) -> Attestation:
    """Build, render and keep the attestation of a demande (CCH R441-2-4): the document the
    desk downloads and that is sent to the applicant (`sne.notifications`). Called twice on
    the same day for the same demande and type (a Huey retry, a double click), it returns the
    existing one."""
    type_ = Attestation.Type(type_).value
    attestation = _attestation_du_jour(demande_id, type_)
    if attestation is not None:
        return attestation
    demande = Demande.objects.get(pk=demande_id)
    donnees = donnees_attestation(demande, type_)
    pdf = rendre_pdf(donnees)
    with transaction.atomic():
        Demande.objects.select_for_update().filter(pk=demande_id).first()
        attestation = _attestation_du_jour(demande_id, type_)
        if attestation is None:
            attestation = Attestation(demande=demande, type=type_, donnees=donnees)
            attestation.fichier.save(
                nom_fichier(demande.numero_unique, type_, timezone.localdate()),
                ContentFile(pdf),
                save=False,
            )
            attestation.save()
            logger.info("Attestation %s produite", attestation.pk)
    return attestation


def donnees_courrier_separation(demande: Demande) -> dict:
    """The letter to the demandeur who keeps the demande after a separation: their numéro
    unique, seniority kept, who is now in their household. Same keys as an attestation for
    what they share (recipient, desk, dates), so that the print run treats it alike; never
    the other person's numéro or contact details."""
    demande = (
        Demande.objects.select_related("departement", "guichet_enregistreur__organisation")
        .prefetch_related("personnes__commune")
        .get(pk=demande.pk)
    )
    aujourd_hui = timezone.localdate()
    demandeur = demande.demandeur
    return {
        "version": VERSION_DONNEES,
        "type": Attestation.Type.SEPARATION.value,
        "titre": TITRES[Attestation.Type.SEPARATION],
        "date_edition": _date_iso(aujourd_hui),
        "numero_unique": demande.numero_unique,
        "departement": {"code": demande.departement.code, "nom": demande.departement.nom},
        "demandeur": {
            "civilite": demandeur.civilite,
            "civilite_libelle": demandeur.get_civilite_display(),
            "nom": demandeur.nom,
            "prenom": demandeur.prenom,
            "adresse": _adresse_postale(demandeur),
            "email": demandeur.email,
        },
        "guichet_enregistreur": _guichet(demande.guichet_enregistreur),
        "date_depot": _date_iso(demande.date_depot),
        "date_expiration": _date_iso(demande.date_expiration),
        "nombre_personnes": demande.nombre_personnes,
        "menage": [_personne_resumee(p, aujourd_hui) for p in demande.personnes.all()],
        "url_portail": url_portail(),
    }


# --- Downloads ------------------------------------------------------------------------------


def derniere_attestation(demande: Demande) -> Attestation | None:
    """The most recent attestation of a demande (registration or renewal, never a letter such
    as the separation's), or None."""
    return demande.attestations.filter(type__in=ATTESTATIONS).order_by("-creee_le", "-pk").first()


def attestation_a_jour(demande: Demande) -> Attestation | None:
    """The attestation of the demande's latest registration or renewal, or None while the
    worker is still producing it: an attestation whose expiry is not the demande's current one
    (the registration's, just after a renewal) is never served in its place (issue 9)."""
    derniere = derniere_attestation(demande)
    if derniere is None or not derniere.fichier:
        return None
    montre = (
        derniere.donnees.get("date_expiration"),
        derniere.donnees.get("date_dernier_renouvellement"),
    )
    actuel = (_date_iso(demande.date_expiration), _date_iso(demande.date_dernier_renouvellement))
    return derniere if montre == actuel else None


def contenu_pdf(attestation: Attestation) -> bytes:
    """The attestation's PDF as stored (every download reads it here, after its rights)."""
    attestation.fichier.open("rb")
    try:
        return attestation.fichier.read()
    finally:
        attestation.fichier.close()


def pdf_pour_agent(attestation: Attestation, par, guichet=None) -> tuple[str, bytes]:
    """The PDF of an attestation for an agent who may see its demande (download): its file
    name and content. The download is written to the audit log like a consultation."""
    if not Demande.objects.visibles_par(par).filter(pk=attestation.demande_id).exists():
        raise Introuvable("Cette attestation n'existe pas ou vous ne pouvez pas la voir.")
    if not attestation.fichier:
        raise Introuvable("Le PDF de cette attestation n'est pas disponible.")
    contenu = contenu_pdf(attestation)
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=par,
        guichet=guichet,
        objet=attestation.demande,
        resume=f"Téléchargement de l'{attestation.get_type_display().lower()} de la demande "
        f"{attestation.demande.numero_unique}",
        details={"attestation": attestation.pk},
    )
    return attestation.fichier.name.rsplit("/", 1)[-1], contenu


def pdf_groupe(attestations) -> bytes:
    """Several attestations in one PDF (a print run, or a lot's certificates), each rendered
    again from the data kept with it, so that the pages are identical to those sent; laid out
    together (`rendre_pdfs`)."""
    return rendre_pdfs([attestation.donnees for attestation in attestations])

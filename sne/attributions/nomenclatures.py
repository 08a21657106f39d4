"""The code lists of the attributions (docs/attributions.md).

`DecisionCAL` is the list of CCH R441-3: for each candidate it examines, the commission
d'attribution des logements (CAL, CALEOL since the ELAN law) takes one of five decisions —
a) attribution of the dwelling to the candidate; b) attribution with the candidates ranked, the
dwelling going to the next one if those ranked before refuse the offer; c) attribution under a
condition precedent (a pièce of the national list is missing, to be given by a set date);
d) non-attribution; e) rejection for irrecevabilité of the demande under the legal conditions
of access (the FAQ's falsified identity document among them: « attendre le passage en C.A.L.
de la demande qui statuera »).
"""

from django.db import models

from sne.demandes.nomenclatures import SousMotifIrrecevabilite


class DecisionCAL(models.TextChoices):
    ATTRIBUTION = "attribution", "Attribution"
    ATTRIBUTION_CLASSEMENT = "attribution_classement", "Attribution par classement (rang)"
    ATTRIBUTION_SOUS_CONDITION = (
        "attribution_sous_condition",
        "Attribution sous condition suspensive",
    )
    NON_ATTRIBUTION = "non_attribution", "Non-attribution"
    IRRECEVABILITE = "irrecevabilite", "Irrecevabilité de la demande"


# The decisions that give the dwelling to the candidate (for a ranked one, once those before
# have refused).
ATTRIBUTIONS = (
    DecisionCAL.ATTRIBUTION,
    DecisionCAL.ATTRIBUTION_CLASSEMENT,
    DecisionCAL.ATTRIBUTION_SOUS_CONDITION,
)


class MotifNonAttribution(models.TextChoices):
    """Why a CAL does not give the dwelling to a candidate: a non-attribution is motivated
    (CCH L441-2-2 and R441-3) and the candidate told the reason."""

    AUTRE_CANDIDAT = "autre_candidat", "Attribué à un candidat prioritaire ou mieux classé"
    INADAPTE_COMPOSITION = (
        "inadapte_composition",
        "Logement inadapté à la composition du ménage",
    )
    INADAPTE_HANDICAP = "inadapte_handicap", "Logement inadapté au handicap ou à la mobilité"
    TAUX_EFFORT = "taux_effort", "Taux d'effort ou reste à vivre insuffisant"
    DOSSIER_INCOMPLET = "dossier_incomplet", "Dossier incomplet"
    AUTRE = "autre", "Autre motif (précisé)"


# The irrecevabilité is one of the sous-motifs of the radiation that will follow it.
MotifIrrecevabilite = SousMotifIrrecevabilite


class MotifRefusDemandeur(models.TextChoices):
    """Why the applicant refused the dwelling offered (the law counts refusals: CCH L441-2-3
    for a DALO household, and the CAL reads them)."""

    LOCALISATION = "localisation", "Localisation (éloignement du travail, de l'école…)"
    LOYER = "loyer", "Loyer ou charges trop élevés"
    TAILLE = "taille", "Logement trop petit ou trop grand"
    ETAT = "etat", "État du logement ou de l'immeuble"
    ACCESSIBILITE = "accessibilite", "Accessibilité (étage, ascenseur, handicap)"
    SANS_REPONSE = "sans_reponse", "Sans réponse dans le délai de 10 jours"
    AUTRE = "autre", "Autre motif (précisé)"


class QualiteMembre(models.TextChoices):
    """Who sits in a CAL (CCH L441-2, R441-9)."""

    BAILLEUR = "bailleur", "Membre désigné par le conseil d'administration du bailleur"
    LOCATAIRES = "locataires", "Représentant des locataires"
    PREFET = "prefet", "Représentant de l'État (préfet)"
    MAIRE = "maire", "Maire de la commune (ou son représentant)"
    EPCI = "epci", "Président de l'EPCI (ou son représentant)"
    RESERVATAIRE = "reservataire", "Réservataire (voix consultative)"
    INSERTION = "insertion", "Association d'insertion (voix consultative)"


class Reservataire(models.TextChoices):
    """ListeTypeReservataire (REFERENCE-CODES): whose contingent the dwelling belongs to."""

    COLTER = "COLTER", "Collectivités territoriales et EPCI"
    COLACT = "COLACT", "Action Logement (employeurs)"
    PPRIOR = "PPRIOR", "Préfet, publics prioritaires"
    PFONCT = "PFONCT", "Préfet, agents publics de l'État"
    AUTRES = "AUTRES", "Autres réservataires"
    AUCUN = "AUCUN", "Hors contingent"

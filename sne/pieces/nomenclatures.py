"""The code lists of the dossier unique (docs/pieces.md).

`TypePiece` follows the annex of the arrêté du 22 décembre 2020 relatif au nouveau formulaire de
demande de logement locatif social et aux pièces justificatives fournies pour l'instruction de
la demande (CERFA 14069*04, CCH R441-2-4): I-A the pièces required to register (identity and
lawful residence), I-B those required to examine the demande (tax notice), II the pièces the
instructing service may ask for (family and professional situation, resources, current
housing, disability, violence, DALO decision…). One value per kind of document a desk files,
grouped by the arrêté's headings (`CATEGORIES`).
"""

from django.db import models


class TypePiece(models.TextChoices):
    # I-A. Pièces obligatoires pour l'enregistrement (identité, régularité du séjour)
    IDENTITE = "identite", "Pièce d'identité (carte nationale d'identité, passeport)"
    TITRE_SEJOUR = "titre_sejour", "Titre de séjour ou document de séjour régulier"
    ETAT_CIVIL_ENFANT = "etat_civil_enfant", "Livret de famille ou acte de naissance (mineurs)"
    TUTELLE = "tutelle", "Jugement de tutelle ou de curatelle"
    # I-B. Pièce obligatoire pour l'instruction
    AVIS_IMPOSITION = "avis_imposition", "Avis d'imposition ou de non-imposition"
    # II. Pièces complémentaires que le service instructeur peut demander
    SITUATION_FAMILIALE = (
        "situation_familiale",
        "Situation familiale (mariage, PACS, divorce, séparation, grossesse, décès)",
    )
    SITUATION_PROFESSIONNELLE = (
        "situation_professionnelle",
        "Situation professionnelle (contrat de travail, attestation France Travail, études)",
    )
    RESSOURCES = (
        "ressources",
        "Ressources mensuelles (bulletins de salaire, pensions, allocations, indemnités)",
    )
    LOGEMENT_ACTUEL = (
        "logement_actuel",
        "Logement actuel (bail, quittance, attestation d'hébergement, jugement d'expulsion)",
    )
    HANDICAP = "handicap", "Handicap ou perte d'autonomie (carte mobilité inclusion, MDPH)"
    VIOLENCES = "violences", "Violences (ordonnance de protection, plainte, attestation)"
    DALO = "dalo", "Décision de la commission de médiation (DALO)"
    AUTRE = "autre", "Autre justificatif"


CATEGORIES = {
    "Pièces obligatoires pour l'enregistrement": [
        TypePiece.IDENTITE,
        TypePiece.TITRE_SEJOUR,
        TypePiece.ETAT_CIVIL_ENFANT,
        TypePiece.TUTELLE,
    ],
    "Pièce obligatoire pour l'instruction": [TypePiece.AVIS_IMPOSITION],
    "Pièces complémentaires": [
        TypePiece.SITUATION_FAMILIALE,
        TypePiece.SITUATION_PROFESSIONNELLE,
        TypePiece.RESSOURCES,
        TypePiece.LOGEMENT_ACTUEL,
        TypePiece.HANDICAP,
        TypePiece.VIOLENCES,
        TypePiece.DALO,
        TypePiece.AUTRE,
    ],
}


class StatutPiece(models.TextChoices):
    EN_ATTENTE_ANALYSE = "en_attente_analyse", "En attente d'analyse antivirus"
    RECUE = "recue", "Reçue"
    VALIDEE = "validee", "Validée"
    REFUSEE = "refusee", "Refusée"
    REMPLACEE = "remplacee", "Remplacée"


class MotifRefus(models.TextChoices):
    """Why a desk refuses a pièce. Not « falsifiée »: the FAQ says a desk that suspects a
    falsified identity document waits for the CAL, which strikes the demande off for
    irrecevabilité (sous-motif `piece_falsifiee`); nor « périmée » for an identity document,
    accepted while the photo resembles."""

    ILLISIBLE = "illisible", "Illisible ou incomplète"
    MAUVAIS_TYPE = "mauvais_type", "Ne correspond pas au type de pièce indiqué"
    AUTRE_PERSONNE = "autre_personne", "Concerne une autre personne"
    NON_VALABLE = "non_valable", "Document non valable (ancien avis, période dépassée)"
    VIRUS = "virus", "Virus détecté par l'antivirus"
    AUTRE = "autre", "Autre motif (précisé)"


# Refused by a desk (the antivirus refuses by itself).
MOTIFS_DU_GUICHET = [m for m in MotifRefus if m != MotifRefus.VIRUS]


class OriginePiece(models.TextChoices):
    GUICHET = "guichet", "Déposée au guichet"
    PORTAIL = "portail", "Envoyée par le demandeur (portail)"
    NUMERISEUR = "numeriseur", "Numériseur industriel"
    API = "api", "Système connecté (API)"

"""The national code lists (REFERENCE-CODES.md), as readable snake_case values.

One vocabulary everywhere (model, API, UI); each value knows its code in the national exchange
interface (`code_national`), so that data exchanged with landlords' systems in the national
format keeps its meaning one-to-one. Values added since CERFA 14069*03 are noted (ADR 0005).
"""

from django.db import models


class Civilite(models.TextChoices):
    MONSIEUR = "M", "Monsieur"
    MADAME = "MME", "Madame"
    MADEMOISELLE = "MLLE", "Mademoiselle (ancien code, non proposé)"


class Nationalite(models.TextChoices):
    FRANCAISE = "francaise", "Française"
    UNION_EUROPEENNE = "union_europeenne", "Union européenne"
    HORS_UNION_EUROPEENNE = "hors_union_europeenne", "Hors Union européenne"


class SituationFamiliale(models.TextChoices):
    CELIBATAIRE = "celibataire", "Célibataire"
    MARIE = "marie", "Marié(e)"
    DIVORCE = "divorce", "Divorcé(e)"
    SEPARE = "separe", "Séparé(e)"
    PACSE = "pacse", "Pacsé(e)"
    CONCUBIN = "concubin", "Concubin(e)"
    VEUF = "veuf", "Veuf(ve)"


class LienCoDemandeur(models.TextChoices):
    CONJOINT = "conjoint", "Conjoint"
    PACSE = "pacse", "Pacsé(e)"
    CONCUBIN = "concubin", "Concubin(e)"
    COLOCATAIRE = "colocataire", "Co-locataire"


class LienParente(models.TextChoices):
    ENFANT = "enfant", "Enfant"
    PARENT = "parent", "Parent"
    AUTRE = "autre", "Autre"


class PieceIdentite(models.TextChoices):
    """FAQ: « les pièces d'identité acceptées sont la carte d'identité, le passeport et le
    titre de séjour le cas échéant »."""

    CARTE_IDENTITE = "carte_identite", "Carte nationale d'identité"
    PASSEPORT = "passeport", "Passeport"
    TITRE_SEJOUR = "titre_sejour", "Titre de séjour"


class SituationProfessionnelle(models.TextChoices):
    CDI = "cdi", "CDI (ou fonctionnaire)"
    CDD = "cdd", "CDD, stage, intérim"
    INDEPENDANT = "independant", "Artisan, commerçant, profession libérale"
    CHOMAGE = "chomage", "Chômage"
    APPRENTI = "apprenti", "Apprenti"
    ETUDIANT = "etudiant", "Étudiant"
    RETRAITE = "retraite", "Retraité"
    AUTRE = "autre", "Autre"


class LogementActuel(models.TextChoices):
    LOCATAIRE_HLM = "locataire_hlm", "Locataire HLM"
    LOCATAIRE_PRIVE = "locataire_prive", "Locataire du parc privé"
    RESIDENCE_SOCIALE = "residence_sociale", "Résidence sociale, foyer ou pension de famille"
    RHVS = "rhvs", "Résidence hôtelière à vocation sociale"
    RESIDENCE_ETUDIANT = "residence_etudiant", "Résidence étudiante"
    SOUS_LOCATAIRE = "sous_locataire", "Sous-locataire ou hébergé à titre temporaire"
    STRUCTURE_HEBERGEMENT = "structure_hebergement", "Structure d'hébergement"
    CENTRE_ENFANCE = "centre_enfance", "Centre de l'enfance et de la famille ou centre maternel"
    CHEZ_PARENTS = "chez_parents", "Chez vos parents ou vos enfants"
    CHEZ_PARTICULIER = "chez_particulier", "Chez un particulier"
    LOGE_GRATUIT = "loge_gratuit", "Logé à titre gratuit"
    LOGEMENT_FONCTION = "logement_fonction", "Logement de fonction"
    PROPRIETAIRE = "proprietaire", "Propriétaire occupant"
    CAMPING = "camping", "Camping, caravaning"
    HOTEL = "hotel", "Logé à l'hôtel"
    SANS_ABRI = "sans_abri", "Sans abri ou abri de fortune"
    SQUAT = "squat", "Dans un squat"


class MotifDemande(models.TextChoices):
    SANS_LOGEMENT = "sans_logement", "Sans logement ou hébergé ou en logement temporaire"
    DEMOLITION = "demolition", "Démolition"
    LOGEMENT_INDECENT = "logement_indecent", "Logement non décent, insalubre ou dangereux"
    LOGEMENT_REPRIS = "logement_repris", "Logement repris ou mis en vente par son propriétaire"
    PROCEDURE_EXPULSION = "procedure_expulsion", "En procédure d'expulsion"
    VIOLENCES_FAMILIALES = "violences_familiales", "Violences familiales"
    HANDICAP = "handicap", "Handicap"
    RAISONS_SANTE = "raisons_sante", "Raisons de santé"
    LOGEMENT_TROP_CHER = "logement_trop_cher", "Logement trop cher"
    LOGEMENT_TROP_GRAND = "logement_trop_grand", "Logement trop grand"
    DIVORCE_SEPARATION = "divorce_separation", "Divorce, séparation"
    DECOHABITATION = "decohabitation", "Décohabitation"
    LOGEMENT_TROP_PETIT = "logement_trop_petit", "Logement trop petit"
    FUTUR_COUPLE = "futur_couple", "Futur mariage, concubinage, PACS"
    REGROUPEMENT_FAMILIAL = "regroupement_familial", "Regroupement familial"
    ASSISTANT_MATERNEL = "assistant_maternel", "Assistant(e) maternel(le) ou familial(e)"
    ENVIRONNEMENT = "environnement", "Problèmes d'environnement ou de voisinage"
    MUTATION_PROFESSIONNELLE = "mutation_professionnelle", "Mutation professionnelle"
    RAPPROCHEMENT_TRAVAIL = "rapprochement_travail", "Rapprochement du lieu de travail"
    RAPPROCHEMENT_SERVICES = "rapprochement_services", "Rapprochement des équipements et services"
    RAPPROCHEMENT_FAMILLE = "rapprochement_famille", "Rapprochement de la famille"
    ACCEDANT_DIFFICULTE = "accedant_difficulte", "Accédant à la propriété en difficulté"
    AUTRE = "autre", "Autre motif particulier"


class Typologie(models.TextChoices):
    CHAMBRE = "chambre", "Chambre"
    T1 = "T1", "T1"
    T2 = "T2", "T2"
    T3 = "T3", "T3"
    T4 = "T4", "T4"
    T5 = "T5", "T5"
    T6_ET_PLUS = "T6_et_plus", "T6 et plus"


class CategorieLogement(models.TextChoices):
    APPARTEMENT = "appartement", "Appartement"
    MAISON = "maison", "Maison"
    INDIFFERENT = "indifferent", "Indifférent"


class StatutDalo(models.TextChoices):
    NON = "non", "Non"
    ACTIF = "actif", "Reconnu prioritaire DALO"
    CADUC = "caduc", "Caduc"
    ACTIF_RELOGE = "actif_reloge", "Actif relogé"


class MotifRadiation(models.TextChoices):
    ATTRIBUTION = "attribution", "Attribution d'un logement"
    RENONCIATION = "renonciation", "Renonciation (abandon) du demandeur"
    IRRECEVABILITE = "irrecevabilite", "Irrecevabilité décidée par la CAL"
    NON_RENOUVELLEMENT = "non_renouvellement", "Non-renouvellement"
    IMPOSSIBILITE_CONTACT = "impossibilite_contact", "Impossibilité de contacter le demandeur"


class SousMotifIrrecevabilite(models.TextChoices):
    IRREGULARITE_SEJOUR = "irregularite_sejour", "Irrégularité de séjour"
    RESSOURCES_SUPERIEURES = "ressources_superieures", "Ressources supérieures au plafond"
    PIECE_FALSIFIEE = "piece_falsifiee", "Pièce d'identité falsifiée (décision de la CAL)"


CODES_NATIONAUX = {
    Civilite: {"M": "1", "MME": "2", "MLLE": "3"},
    Nationalite: {"francaise": "1", "union_europeenne": "2", "hors_union_europeenne": "3"},
    SituationFamiliale: {
        "celibataire": "C",
        "marie": "M",
        "divorce": "D",
        "separe": "S",
        "pacse": "P",
        "concubin": "U",
        "veuf": "V",
    },
    LienCoDemandeur: {"conjoint": "M", "pacse": "P", "concubin": "C", "colocataire": "L"},
    LienParente: {"enfant": "E", "parent": "P", "autre": "A"},
    SituationProfessionnelle: {
        "cdi": "CDI",
        "cdd": "CDD",
        "independant": "ART",
        "chomage": "CHO",
        "apprenti": "APP",
        "etudiant": "ETU",
        "retraite": "RET",
        "autre": "AUT",
    },
    LogementActuel: {
        "locataire_hlm": "HLM",
        "locataire_prive": "LP",
        "residence_sociale": "RS",
        "rhvs": "RHVS",
        "residence_etudiant": "RE",
        "sous_locataire": "SLHT",
        "structure_hebergement": "SH",
        "centre_enfance": "CDEFCM",
        "chez_parents": "CPE",
        "chez_particulier": "CP",
        "loge_gratuit": "LTG",
        "logement_fonction": "FONC",
        "proprietaire": "POCC",
        "camping": "CAMCAR",
        "hotel": "HOT",
        "sans_abri": "SD",
        "squat": "SQUAT",
    },
    MotifDemande: {valeur: f"{i:02d}" for i, valeur in enumerate(MotifDemande.values, start=1)},
    Typologie: {
        "chambre": "C",
        "T1": "T1",
        "T2": "T2",
        "T3": "T3",
        "T4": "T4",
        "T5": "T5",
        "T6_et_plus": "T6P",
    },
    CategorieLogement: {"appartement": "A", "maison": "M", "indifferent": "I"},
    StatutDalo: {"non": "NON", "actif": "ACTIF", "caduc": "CADUC", "actif_reloge": "ACTREL"},
    MotifRadiation: {
        "attribution": "RADATT",
        "renonciation": "RADABA",
        "irrecevabilite": "RADIRR",
        "non_renouvellement": "RADREN",
        "impossibilite_contact": "RADCON",
    },
    SousMotifIrrecevabilite: {
        "irregularite_sejour": "IRRSEJ",
        "ressources_superieures": "IRRRES",
        # Added here: the FAQ's falsified identity document fits neither national sous-motif.
        "piece_falsifiee": "IRRFAL",
    },
}


def code_national(nomenclature, valeur: str) -> str:
    """The code of the national exchange interface for one of our values."""
    return CODES_NATIONAUX[nomenclature][valeur]


def depuis_code_national(nomenclature, code: str) -> str:
    """Our value for a national code (old codes such as Mademoiselle stay readable)."""
    for valeur, code_connu in CODES_NATIONAUX[nomenclature].items():
        if code_connu == code:
            return valeur
    raise KeyError(f"{nomenclature.__name__} : code national inconnu {code!r}")

"""The French title and description of the fields that recur across the API's schemas (a
person's `nom`, an address's `code_postal`…), written once here rather than on each of the
input, copy and modification schemas that share them. `ApiSne.get_openapi_schema` gives them
to every field that has none of its own; a field found nowhere fails the documentation test
(tests/api/test_documentation.py)."""

# (title, description); by field name, or by (schema name fragment, field name) when the same
# name means different things (`type` of an identity document, of the current housing).
CHAMPS: dict[str, tuple[str, str]] = {
    # A person (CERFA 14069, rubriques « Vous » et « Votre conjoint ou co-demandeur »)
    "civilite": ("Civilité", "MME ou M"),
    "nom": ("Nom", "Nom d'usage"),
    "nom_naissance": ("Nom de naissance", "S'il diffère du nom d'usage"),
    "prenom": ("Prénom", "Premier prénom"),
    "date_naissance": ("Date de naissance", "Au format AAAA-MM-JJ"),
    "nationalite": ("Nationalité", "francaise, union_europeenne ou hors_union_europeenne"),
    "lien": ("Lien avec le demandeur", "Pour une personne à charge : enfant, parent…"),
    "email": ("Adresse électronique", "Pour recevoir l'attestation et les avis"),
    "telephone": (
        "Téléphone",
        "Numéro français (outre-mer compris) ou étranger avec « + » ; enregistré au format "
        "E.164 (« +33612345678 »)",
    ),
    "nir": (
        "Numéro de sécurité sociale",
        "Facultatif : 15 caractères clé comprise (2A/2B pour la Corse) ; jamais journalisé",
    ),
    "situation_familiale": (
        "Situation familiale",
        "celibataire, marie, pacse, concubin, separe, divorce, veuf",
    ),
    "situation_professionnelle": ("Situation professionnelle", "Valeur de REFERENCE-CODES"),
    "employeur": ("Employeur", "Nom de l'employeur"),
    "employeur_adresse": ("Adresse de l'employeur", "Une adresse CEDEX est acceptée"),
    "revenus_mensuels": ("Revenus mensuels", "En euros, nets"),
    "piece_identite": (
        "Pièce d'identité",
        "Obligatoire pour le demandeur (CCH R441-2-3) ; une pièce expirée est acceptée",
    ),
    "adresse": ("Adresse", "Adresse actuelle"),
    "ligne1": ("Adresse", "Numéro et voie"),
    "ligne2": ("Complément d'adresse", "Bâtiment, escalier, lieu-dit…"),
    "code_postal": ("Code postal", "5 chiffres ; un code CEDEX donne le code de la commune"),
    "commune": ("Commune", "Nom officiel, graphie courante (« St-Denis ») ou code INSEE"),
    "code_insee": ("Code INSEE", "Code officiel géographique de la commune"),
    "numero": ("Numéro", "Numéro de la pièce d'identité"),
    "date_expiration": ("Date d'expiration", "Sans renouvellement, fin de validité"),
    # The demande
    "reference_externe": (
        "Référence externe",
        "L'identifiant de la demande dans votre système : unique par guichet, il rend "
        "l'enregistrement idempotent",
    ),
    "departement": ("Département", "Code du département (75, 2A, 971…)"),
    "beneficiaire": ("Bénéficiaire", "menage (par défaut) ou association"),
    "association": ("Association", "Pour une demande faite par une association"),
    "date_creation": ("Date de création", "De l'association"),
    "demandeur": ("Demandeur", "La personne qui dépose la demande"),
    "co_demandeur": ("Co-demandeur", "Le conjoint ou la personne qui demande avec lui"),
    "personnes_a_charge": ("Personnes à charge", "Les autres personnes à loger"),
    "deja_locataire_hlm": ("Déjà locataire HLM", "Le ménage occupe-t-il déjà un logement social"),
    "logement_actuel": ("Logement actuel", "Type, loyer, pièces, bailleur"),
    "loyer": ("Loyer", "En euros par mois, charges non comprises"),
    "nombre_pieces": ("Nombre de pièces", "Du logement actuel"),
    "bailleur": ("Bailleur", "Le bailleur du logement actuel"),
    "ressources": ("Ressources", "Revenu fiscal de référence et son année"),
    "revenu_fiscal_reference": ("Revenu fiscal de référence", "En euros, de l'avis d'imposition"),
    "annee_revenus": ("Année des revenus", "L'année de l'avis d'imposition"),
    "motifs": ("Motifs de la demande", "Valeurs de REFERENCE-CODES (logement_trop_petit…)"),
    "motif_precision": ("Précision du motif", "Pour le motif « autre »"),
    "souhaits": ("Souhaits", "Communes, typologies, besoins du logement"),
    "communes": ("Communes souhaitées", "Codes INSEE, par ordre de préférence"),
    "typologies": ("Typologies souhaitées", "T1 à T6"),
    "categorie_logement": ("Type de logement", "appartement, maison ou indifferent"),
    "ascenseur_necessaire": ("Ascenseur nécessaire", "Vrai si le ménage en a besoin"),
    "rez_de_chaussee": ("Rez-de-chaussée souhaité", "Vrai si le ménage le souhaite"),
    "logement_adapte_handicap": ("Logement adapté au handicap", "Vrai s'il est nécessaire"),
    "precisions_handicap": ("Précisions sur le handicap", "Les besoins du logement"),
    "statut_dalo": ("Droit au logement opposable", "non, actif, caduc ou actif_reloge"),
    "date_dernier_renouvellement": ("Dernier renouvellement", "Vide si jamais renouvelée"),
    "date_radiation": ("Radiée le", "Vide pour une demande active"),
    "sous_motif_radiation": ("Sous-motif", "Pour une irrecevabilité"),
    "commentaire_radiation": ("Commentaire de radiation", "Écrit par qui a radié"),
    "enregistree_le": ("Enregistrée le", "Date et heure de l'enregistrement"),
    "guichet_enregistreur": ("Guichet enregistreur", "Code du guichet qui l'a enregistrée"),
    "numero_unique": (
        "Numéro unique",
        "Le numéro de la demande (18 caractères ; espaces et tirets tolérés)",
    ),
    "date_depot": ("Date de dépôt", "L'ancienneté de la demande compte de ce jour"),
    "guichet": ("Guichet", "Code du guichet"),
    "raisons": ("Raisons", "Pourquoi cette demande est suspectée d'être la même personne"),
    "suspicions": ("Suspicions", "Les demandes actives de la même personne"),
    "date": ("Date et heure", "Du changement"),
    "commentaire": ("Commentaire", "Ou justification, écrit par qui a agi"),
    "version": ("Version", "De la demande après ce changement"),
    "demande": ("Demande", "Son état après le changement"),
    "ajouts": ("Personnes qui arrivent", "Une naissance, un mariage…"),
    "role": ("Rôle", "co_demandeur ou personne_a_charge"),
    "id": ("Identifiant", "Identifiant technique, stable"),
}
CHAMPS_PAR_SCHEMA: dict[tuple[str, str], tuple[str, str]] = {
    ("LogementActuel", "type"): ("Type de logement actuel", "Valeur de REFERENCE-CODES"),
    ("PieceIdentite", "type"): ("Type de pièce", "carte_identite, passeport ou titre_sejour"),
    ("PieceIdentite", "date_expiration"): ("Expire le", "Une pièce expirée est acceptée"),
    ("Association", "nom"): ("Nom de l'association", "Si elle n'est pas dans la table"),
    ("Association", "id"): ("Association de la table", "Son identifiant départemental"),
}


def decrire(nom_schema: str, champ: str) -> tuple[str, str] | None:
    for (fragment, nom), texte in CHAMPS_PAR_SCHEMA.items():
        if nom == champ and fragment in nom_schema:
            return texte
    return CHAMPS.get(champ)


def completer(schemas: dict) -> None:
    """Give each field without a description (and without a French title) the glossary's."""
    for nom_schema, schema in schemas.items():
        for champ, proprietes in schema.get("properties", {}).items():
            texte = decrire(nom_schema, champ)
            if texte is None:
                continue
            titre, description = texte
            if not proprietes.get("description"):
                proprietes["description"] = description
            if proprietes.get("title") in (None, champ.replace("_", " ").title()):
                proprietes["title"] = titre

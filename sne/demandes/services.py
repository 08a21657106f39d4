"""The life of a demande: every rule lives here once, and the web application, the API, the
batch lots and the public portal call these very functions (DESIGN « The Demande lifecycle »).

Each service validates, runs in one transaction, writes the history (and the audit log), and
defers its side effects (attestation, e-mails) to after the commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de
from sne.exceptions import ErreurMetier, NonAutorise
from sne.organisations.models import Association
from sne.referentiels.models import Commune, Departement
from sne.referentiels.services import TROUVEE, resoudre_commune

from . import nomenclatures as n
from . import numero as numeros
from .models import Attestation, CommuneSouhaitee, Demande, HistoriqueDemande, Personne, plier
from .schemas import AdresseEntree, DemandeEntree, PersonneEntree, _email, _nir

DUREE_VALIDITE_ANS = 1  # CCH R441-2-7
LIMITE_COMMUNES_SOUHAITEES = 8  # the CERFA's table of wished communes (ADR 0005)
ANCIENNETE_MAX_SAISIE_JOURS = 365  # a paper form keyed in later: at most a year old
DELAI_AVERTISSEMENT = timedelta(days=30)  # registered letter → radiation (CCH R441-2-8)
FENETRE_REACTIVATION_NON_RENOUVELLEMENT_MOIS = 18
FENETRE_REACTIVATION_JOURS = 365  # other motifs: while the data is kept (one year)
SITUATIONS_COUPLE_SEPARABLE = {n.SituationFamiliale.MARIE, n.SituationFamiliale.PACSE}
# In Île-de-France one demande covers the whole region: its wished communes may lie in any of
# the eight départements (the contract's example: a Paris demande wishing Montreuil, 93).
ILE_DE_FRANCE = {"75", "77", "78", "91", "92", "93", "94", "95"}


def departements_souhaitables(departement: str) -> set[str]:
    return ILE_DE_FRANCE if departement in ILE_DE_FRANCE else {departement}


class DonneesInvalides(ErreurMetier):
    statut_http = 422
    code = "donnees_invalides"


class SuspicionDoublon(ErreurMetier):
    statut_http = 409
    code = "suspicion_doublon"


def un_an_apres(jour: date, ans: int = DUREE_VALIDITE_ANS) -> date:
    try:
        return jour.replace(year=jour.year + ans)
    except ValueError:  # 29 February
        return jour.replace(year=jour.year + ans, day=28)


def mois_apres(jour: date, mois: int) -> date:
    annee, m = divmod(jour.month - 1 + mois, 12)
    for jour_du_mois in (jour.day, 30, 29, 28):
        try:
            return jour.replace(year=jour.year + annee, month=m + 1, day=jour_du_mois)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- Duplicates (simple exact match until the duplicate-detection issue lands) -------------


@dataclass(frozen=True)
class Suspicion:
    numero_unique: str
    departement: str
    date_depot: date
    guichet: str
    score: int
    raisons: tuple[str, ...]

    def en_dict(self) -> dict:
        return {
            "numero_unique": self.numero_unique,
            "departement": self.departement,
            "date_depot": self.date_depot.isoformat(),
            "guichet": self.guichet,
            "score": self.score,
            "raisons": list(self.raisons),
        }


def rechercher_doublons(nom: str, prenom: str, date_naissance: date | None, *, exclure=None):
    """Active demandes, nationally and whatever the desk's scope, where the same person
    (nom, prénom, date de naissance) is demandeur or co-demandeur. Only the minimum to act is
    returned (DESIGN « Scopes and rights »): never the personal data."""
    if not date_naissance:
        return []
    nom_cle, prenom_cle = plier(nom), plier(prenom)
    personnes = (
        Personne.objects.filter(
            Q(nom_cle=nom_cle) | Q(nom_naissance_cle=nom_cle),
            prenom_cle=prenom_cle,
            date_naissance=date_naissance,
            role__in=[Personne.Role.DEMANDEUR, Personne.Role.CO_DEMANDEUR],
            demande__statut=Demande.Statut.ACTIVE,
        )
        .exclude(demande=exclure)
        .select_related("demande__guichet_enregistreur")
    )
    suspicions = {}
    for p in personnes:
        d = p.demande
        role = "demandeur" if p.role == Personne.Role.DEMANDEUR else "co-demandeur"
        suspicions[d.numero_unique] = Suspicion(
            d.numero_unique,
            d.departement_id,
            d.date_depot,
            d.guichet_enregistreur.code,
            100,
            ("mêmes nom, prénom et date de naissance", f"en tant que {role}"),
        )
    return list(suspicions.values())


# --- Helpers ---------------------------------------------------------------------------------


def _exiger_saisie(agent, guichet) -> None:
    if not droits_de(agent).saisit_pour(guichet):
        raise NonAutorise(
            f"Vous n'avez pas d'habilitation de saisie pour le guichet {guichet.code}.",
            code="saisie_non_autorisee",
        )


def _exiger_modifiable(demande: Demande) -> None:
    if not demande.est_active:
        raise ErreurMetier(
            f"La demande {demande.numero_unique} est radiée : elle n'est plus modifiable. "
            "Réactivez-la si la radiation peut encore être levée.",
            code="demande_radiee",
        )


def _resoudre(texte: str, departements: set[str] | None, champ: str, erreurs: list):
    """(commune, postal code to keep) for what was typed; a problem is added to `erreurs`.

    `departements` settles namesakes (« Montreuil » in a demande of Île-de-France). A CEDEX
    address gives its commune's reference postal code (FAQ « Cedex »)."""
    if not texte:
        return None, None
    resolution = resoudre_commune(texte)
    if resolution.statut == TROUVEE:
        return Commune.objects.get(pk=resolution.commune.code_insee), resolution.code_postal
    if departements:
        ici = [c for c in resolution.candidats if c.commune.departement in departements]
        if len(ici) == 1 and ici[0].score >= 95:
            return Commune.objects.get(pk=ici[0].commune.code_insee), ici[0].code_postal
    propositions = ", ".join(
        f"{c.commune.nom} ({c.commune.code_insee})" for c in resolution.candidats[:5]
    )
    erreurs.append(
        {
            "champ": champ,
            "code": "commune_ambigue" if resolution.candidats else "commune_inconnue",
            "message": resolution.message
            + (f" Propositions : {propositions}." if propositions else ""),
        }
    )
    return None, None


def _adresse(adresse: AdresseEntree | None, champ: str, erreurs: list, departements=None) -> dict:
    if adresse is None:
        return {}
    saisie = " ".join(p for p in (adresse.code_postal, adresse.commune) if p)
    commune, code_postal = _resoudre(saisie, departements, f"{champ}.commune", erreurs)
    return {
        "adresse_ligne1": adresse.ligne1,
        "adresse_ligne2": adresse.ligne2,
        "code_postal": code_postal or adresse.code_postal,
        "commune": commune,
    }


def _personne(
    entree: PersonneEntree, role: str, champ: str, erreurs: list, ordre: int = 0, departements=None
) -> Personne:
    """A Personne from its entry; `departements` settles namesake communes in addresses."""
    valeurs = {
        "role": role,
        "ordre": ordre,
        "civilite": entree.civilite or "",
        "nom": entree.nom.strip(),
        "nom_naissance": entree.nom_naissance.strip(),
        "prenom": entree.prenom.strip(),
        "date_naissance": entree.date_naissance,
        "nationalite": entree.nationalite or "",
        "lien": entree.lien,
        "email": entree.email,
        "telephone": entree.telephone,
        "nir": entree.nir,
        "situation_professionnelle": entree.situation_professionnelle or "",
        "employeur": entree.employeur,
        "revenus_mensuels": entree.revenus_mensuels,
    }
    if entree.piece_identite:
        valeurs.update(
            piece_identite_type=entree.piece_identite.type,
            piece_identite_numero=entree.piece_identite.numero,
            piece_identite_expiration=entree.piece_identite.date_expiration,
        )
    if entree.employeur_adresse:
        # FAQ « Cedex »: an employer's CEDEX address is mapped to the commune's postal code.
        adresse = _adresse(
            entree.employeur_adresse, f"{champ}.employeur_adresse", erreurs, departements
        )
        valeurs.update(
            employeur_adresse=" ".join(
                p for p in (adresse.get("adresse_ligne1"), adresse.get("adresse_ligne2")) if p
            ),
            employeur_code_postal=adresse.get("code_postal") or "",
            employeur_commune=adresse.get("commune"),
        )
    if hasattr(entree, "adresse"):
        valeurs.update(_adresse(entree.adresse, f"{champ}.adresse", erreurs, departements))
    if hasattr(entree, "situation_familiale"):
        valeurs["situation_familiale"] = entree.situation_familiale or ""
    return Personne(**valeurs).calculer_cles()


def _verifier_exigences_legales(donnees: DemandeEntree, erreurs: list) -> None:
    """What registration may require — and nothing else (CCH R441-2-1, R441-2-3)."""

    def manque(champ, message):
        erreurs.append({"champ": champ, "code": "obligatoire", "message": message})

    d = donnees.demandeur
    if donnees.beneficiaire == "association":
        a = donnees.association
        if not a or not (a.id or a.nom.strip()):
            manque("association.nom", "Le nom de l'association est obligatoire.")
        if not a or not (a.id or a.date_creation):
            manque(
                "association.date_creation", "La date de création de l'association est obligatoire."
            )
        if not a or not (a.id or (a.adresse and a.adresse.ligne1)):
            manque("association.adresse", "L'adresse de l'association est obligatoire.")
    else:
        if not d.date_naissance:
            manque("demandeur.date_naissance", "La date de naissance du demandeur est obligatoire.")
        if (
            not d.adresse
            or not d.adresse.ligne1
            or not (d.adresse.commune or d.adresse.code_postal)
        ):
            manque("demandeur.adresse", "L'adresse du demandeur (voie et commune) est obligatoire.")
    if not d.piece_identite:
        erreurs.append(
            {
                "champ": "demandeur.piece_identite",
                "code": "piece_identite_manquante",
                "message": "Une pièce d'identité est obligatoire pour enregistrer la demande : "
                "carte d'identité, passeport ou titre de séjour (une pièce périmée est acceptée).",
            }
        )
    if donnees.deja_locataire_hlm is None:
        manque(
            "deja_locataire_hlm",
            "Indiquez si le demandeur est déjà locataire d'un logement social.",
        )
    if not donnees.souhaits.communes:
        manque("souhaits.communes", "Indiquez au moins une commune souhaitée dans le département.")


def _communes_souhaitees(codes: list[str], departement: str, erreurs: list) -> list[Commune]:
    communes = []
    if len(codes) > LIMITE_COMMUNES_SOUHAITEES:
        erreurs.append(
            {
                "champ": "souhaits.communes",
                "code": "trop_de_communes",
                "message": f"{LIMITE_COMMUNES_SOUHAITEES} communes souhaitées au plus.",
            }
        )
    for i, code in enumerate(codes[:LIMITE_COMMUNES_SOUHAITEES]):
        commune, _code_postal = _resoudre(
            code, departements_souhaitables(departement), f"souhaits.communes[{i}]", erreurs
        )
        if commune is None:
            continue
        if commune.departement_id not in departements_souhaitables(departement):
            erreurs.append(
                {
                    "champ": f"souhaits.communes[{i}]",
                    "code": "commune_hors_departement",
                    "message": f"{commune.nom} ({commune.code_insee}) n'est pas dans le "
                    f"département {departement} de la demande.",
                }
            )
        elif commune not in communes:
            communes.append(commune)
    return communes


def _historiser(demande, action, *, agent=None, guichet=None, changements=None, commentaire=""):
    HistoriqueDemande.objects.create(
        demande=demande,
        action=action,
        utilisateur=agent,
        guichet=guichet,
        changements=changements or [],
        commentaire=commentaire,
    )
    journaliser(
        EvenementAudit.Action.CREATION
        if action.startswith("creation")
        else EvenementAudit.Action.MODIFICATION,
        utilisateur=agent,
        guichet=guichet,
        objet=demande,
        resume=f"{HistoriqueDemande.Action(action).label} de la demande {demande.numero_unique}",
        details={"champs": sorted({c["champ"] for c in (changements or [])})},
    )


def _envoyer_attestation(demande: Demande, type_: str) -> None:
    from .tasks import produire_et_envoyer_attestation

    transaction.on_commit(lambda: produire_et_envoyer_attestation(demande.pk, type_))


# --- Registration --------------------------------------------------------------------------


@transaction.atomic
def enregistrer_demande(
    guichet, agent, donnees, justification_forcage: str | None = None
) -> Demande:
    """Register a demande and give it its numéro unique (CCH L441-2-1, R441-2-1 to R441-2-4).

    Refused: without an identity document of an accepted type (an expired one is accepted —
    FAQ « Dossier unique »); when the desk is not habilitated on the département (FAQ:
    « réorientez le demandeur vers un guichet habilité »); when a commune is unknown; when the
    same person already has an active demande, unless a written justification is given.
    Nothing else may be required to register. Sends the attestation after commit.
    """
    donnees = (
        donnees if isinstance(donnees, DemandeEntree) else DemandeEntree.model_validate(donnees)
    )
    _exiger_saisie(agent, guichet)
    departement = Departement.objects.filter(code=donnees.departement, date_fermeture=None).first()
    if departement is None:
        raise DonneesInvalides(
            f"Département inconnu : {donnees.departement}.", code="departement_inconnu"
        )
    if not guichet.departements.filter(pk=departement.pk).exists():
        raise NonAutorise(
            f"Le guichet {guichet.code} n'est pas habilité sur le département {departement}. "
            f"Réorientez le demandeur vers un guichet enregistreur habilité sur le département "
            f"{departement.code}.",
            code="departement_non_habilite",
        )
    if donnees.reference_externe:
        existante = Demande.objects.filter(
            guichet_enregistreur=guichet, reference_externe=donnees.reference_externe
        ).first()
        if existante:
            return existante  # idempotent: the same registration sent again

    erreurs: list[dict] = []
    _verifier_exigences_legales(donnees, erreurs)
    aujourd_hui = timezone.localdate()
    date_depot = donnees.date_depot or aujourd_hui
    if date_depot > aujourd_hui:
        erreurs.append(
            {
                "champ": "date_depot",
                "code": "date_future",
                "message": "La date de dépôt ne peut pas être dans le futur.",
            }
        )
    elif (aujourd_hui - date_depot).days > ANCIENNETE_MAX_SAISIE_JOURS:
        erreurs.append(
            {
                "champ": "date_depot",
                "code": "date_trop_ancienne",
                "message": "La date de dépôt remonte à plus d'un an : vérifiez-la.",
            }
        )
    ici = departements_souhaitables(departement.code)
    demandeur = _personne(
        donnees.demandeur, Personne.Role.DEMANDEUR, "demandeur", erreurs, departements=ici
    )
    co = (
        _personne(
            donnees.co_demandeur,
            Personne.Role.CO_DEMANDEUR,
            "co_demandeur",
            erreurs,
            departements=ici,
        )
        if donnees.co_demandeur
        else None
    )
    a_charge = [
        _personne(
            p, Personne.Role.PERSONNE_A_CHARGE, f"personnes_a_charge[{i}]", erreurs, ordre=i + 1
        )
        for i, p in enumerate(donnees.personnes_a_charge)
    ]
    communes = _communes_souhaitees(donnees.souhaits.communes, departement.code, erreurs)
    association = None
    if donnees.beneficiaire == "association" and donnees.association and donnees.association.id:
        association = Association.objects.filter(
            pk=donnees.association.id, departement=departement, active=True
        ).first()
        if association is None:
            erreurs.append(
                {
                    "champ": "association.id",
                    "code": "association_inconnue",
                    "message": "Cette association n'est pas dans la table du département.",
                }
            )
    if erreurs:
        raise DonneesInvalides(
            "La demande ne peut pas être enregistrée : " + erreurs[0]["message"],
            details={"erreurs": erreurs},
        )

    suspicions = rechercher_doublons(demandeur.nom, demandeur.prenom, demandeur.date_naissance)
    if co:
        suspicions += rechercher_doublons(co.nom, co.prenom, co.date_naissance)
    if suspicions and not (justification_forcage or "").strip():
        raise SuspicionDoublon(
            "Une demande active existe déjà pour cette personne : vérifiez-la avant d'en créer une "
            "autre. Ne forcez la création qu'avec une justification écrite.",
            details={"doublons": [s.en_dict() for s in suspicions]},
        )

    adresse_association = {}
    if donnees.beneficiaire == "association" and donnees.association and not association:
        # CCH R441-2-3: an association's address is part of what registration records.
        adresse_association = _adresse(
            donnees.association.adresse, "association.adresse", erreurs, ici
        )
        if erreurs:
            raise DonneesInvalides(erreurs[0]["message"], details={"erreurs": erreurs})
    nombre = donnees.nombre_personnes or (1 + (1 if co else 0) + len(a_charge))
    demande = Demande(
        association_adresse=" ".join(
            p
            for p in (
                adresse_association.get("adresse_ligne1"),
                adresse_association.get("adresse_ligne2"),
            )
            if p
        ),
        association_code_postal=adresse_association.get("code_postal") or "",
        association_commune=adresse_association.get("commune"),
        numero_unique=numeros.attribuer(departement.code, aujourd_hui, guichet.code),
        departement=departement,
        guichet_enregistreur=guichet,
        reference_externe=donnees.reference_externe,
        date_depot=date_depot,
        date_expiration=un_an_apres(date_depot),
        beneficiaire=donnees.beneficiaire,
        association=association,
        association_nom=(
            donnees.association.nom if donnees.association and not association else ""
        ),
        association_date_creation=(
            donnees.association.date_creation if donnees.association else None
        ),
        nombre_personnes=nombre,
        deja_locataire_hlm=donnees.deja_locataire_hlm,
        logement_actuel=(donnees.logement_actuel.type or "") if donnees.logement_actuel else "",
        loyer_actuel=donnees.logement_actuel.loyer if donnees.logement_actuel else None,
        nombre_pieces_actuel=donnees.logement_actuel.nombre_pieces
        if donnees.logement_actuel
        else None,
        bailleur_actuel=donnees.logement_actuel.bailleur if donnees.logement_actuel else "",
        motifs=list(dict.fromkeys(m.value for m in donnees.motifs)),
        motif_precision=donnees.motif_precision,
        revenu_fiscal_reference=donnees.ressources.revenu_fiscal_reference
        if donnees.ressources
        else None,
        annee_revenus=donnees.ressources.annee_revenus if donnees.ressources else None,
        typologies=list(dict.fromkeys(t.value for t in donnees.souhaits.typologies)),
        categorie_logement=donnees.souhaits.categorie_logement or "",
        ascenseur_necessaire=donnees.souhaits.ascenseur_necessaire,
        rez_de_chaussee=donnees.souhaits.rez_de_chaussee,
        logement_adapte_handicap=donnees.souhaits.logement_adapte_handicap,
        precisions_handicap=donnees.souhaits.precisions_handicap,
        statut_dalo=donnees.statut_dalo,
    )
    try:
        with transaction.atomic():
            demande.save()
    except IntegrityError:
        existante = Demande.objects.filter(
            guichet_enregistreur=guichet, reference_externe=donnees.reference_externe
        ).first()
        if donnees.reference_externe and existante:
            return existante  # a concurrent identical request won the race
        raise
    for personne in [demandeur, *([co] if co else []), *a_charge]:
        personne.demande = demande
    Personne.objects.bulk_create([demandeur, *([co] if co else []), *a_charge])
    CommuneSouhaitee.objects.bulk_create(
        [
            CommuneSouhaitee(demande=demande, commune=c, rang=i)
            for i, c in enumerate(communes, start=1)
        ]
    )
    commentaire = ""
    if suspicions:
        commentaire = (
            "Enregistrée malgré une suspicion de doublon ("
            + ", ".join(s.numero_unique for s in suspicions)
            + f") : {justification_forcage.strip()}"
        )
    _historiser(
        demande,
        HistoriqueDemande.Action.CREATION,
        agent=agent,
        guichet=guichet,
        commentaire=commentaire,
    )
    _envoyer_attestation(demande, Attestation.Type.ENREGISTREMENT)
    return demande


# --- Reading ---------------------------------------------------------------------------------


def consulter(demande: Demande, par, guichet=None) -> Demande:
    """Every consultation by an agent is written to the audit log."""
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=par,
        guichet=guichet,
        objet=demande,
        resume=f"Consultation de la demande {demande.numero_unique}",
    )
    return demande


# --- Modification ----------------------------------------------------------------------------

CHAMPS_DEMANDE_MODIFIABLES = (
    "nombre_personnes",
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
    "association_nom",
    "association_date_creation",
)
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


def _valeur(v):
    if hasattr(v, "pk"):
        return str(v.pk)
    if isinstance(v, date):
        return v.isoformat()
    return v if isinstance(v, (int, bool, list, type(None))) else str(v)


@transaction.atomic
def modifier_demande(
    demande: Demande,
    agent,
    guichet,
    *,
    demande_valeurs: dict | None = None,
    personnes: dict | None = None,
    communes: list[str] | None = None,
) -> list[dict]:
    """Change any field; the history keeps old → new. No attestation (FAQ: « il n'y a plus
    d'obligation de délivrer au demandeur une attestation après chaque modification »).

    `personnes` maps a Personne's pk to its new values. Returns the changes recorded.
    """
    _exiger_saisie(agent, guichet)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    _exiger_modifiable(demande)
    changements, erreurs = [], []
    for champ, valeur in (demande_valeurs or {}).items():
        if champ not in CHAMPS_DEMANDE_MODIFIABLES:
            raise DonneesInvalides(
                f"Le champ {champ} ne se modifie pas ainsi.", code="champ_non_modifiable"
            )
        if getattr(demande, champ) != valeur:
            changements.append(
                {
                    "champ": champ,
                    "avant": _valeur(getattr(demande, champ)),
                    "apres": _valeur(valeur),
                }
            )
            setattr(demande, champ, valeur)
    for pk, valeurs in (personnes or {}).items():
        personne = demande.personnes.get(pk=pk)
        for champ, valeur in valeurs.items():
            if champ == "nir" and valeur:
                try:
                    valeur = _nir(valeur)
                except ValueError as e:
                    raise DonneesInvalides(str(e), code="nir_invalide") from e
            if champ == "email" and valeur:
                try:
                    valeur = _email(valeur)
                except ValueError as e:
                    raise DonneesInvalides(str(e), code="email_invalide") from e
            if champ not in CHAMPS_PERSONNE_MODIFIABLES:
                raise DonneesInvalides(
                    f"Le champ {champ} ne se modifie pas ainsi.", code="champ_non_modifiable"
                )
            if getattr(personne, champ) != valeur:
                secret = champ in CHAMPS_SECRETS
                changements.append(
                    {
                        "champ": f"{personne.role}.{champ}",
                        "avant": "•••" if secret else _valeur(getattr(personne, champ)),
                        "apres": "•••" if secret else _valeur(valeur),
                    }
                )
                setattr(personne, champ, valeur)
        if personne.role == Personne.Role.DEMANDEUR and not personne.piece_identite_type:
            erreurs.append(
                {
                    "champ": "demandeur.piece_identite",
                    "code": "piece_identite_manquante",
                    "message": "La pièce d'identité du demandeur ne peut pas être retirée.",
                }
            )
        personne.full_clean(exclude=["demande"])
        personne.save()
    if communes is not None:
        nouvelles = _communes_souhaitees(communes, demande.departement_id, erreurs)
        if not nouvelles and not erreurs:
            erreurs.append(
                {
                    "champ": "souhaits.communes",
                    "code": "obligatoire",
                    "message": "Gardez au moins une commune souhaitée.",
                }
            )
        anciennes = list(demande.communes_souhaitees.values_list("commune_id", flat=True))
        if [c.code_insee for c in nouvelles] != anciennes and not erreurs:
            changements.append(
                {
                    "champ": "souhaits.communes",
                    "avant": anciennes,
                    "apres": [c.code_insee for c in nouvelles],
                }
            )
            demande.communes_souhaitees.all().delete()
            CommuneSouhaitee.objects.bulk_create(
                [
                    CommuneSouhaitee(demande=demande, commune=c, rang=i)
                    for i, c in enumerate(nouvelles, 1)
                ]
            )
    if erreurs:
        raise DonneesInvalides(erreurs[0]["message"], details={"erreurs": erreurs})
    if changements:
        demande.version += 1
        demande.save()
        _historiser(
            demande,
            HistoriqueDemande.Action.MODIFICATION,
            agent=agent,
            guichet=guichet,
            changements=changements,
        )
    return changements


# --- Renewal, radiation, reactivation ----------------------------------------------------


def _prolonger(demande: Demande, aujourd_hui: date) -> None:
    """Renewed today: valid one more year from today (CCH R441-2-7), seniority unchanged."""
    demande.date_dernier_renouvellement = aujourd_hui
    demande.date_expiration = un_an_apres(aujourd_hui)


@transaction.atomic
def renouveler(demande: Demande, agent, guichet) -> Demande:
    """Renew for one year from today (CCH R441-2-7); seniority (date de dépôt) is kept; the
    attestation de renouvellement is sent to the applicant."""
    _exiger_saisie(agent, guichet)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    _exiger_modifiable(demande)
    aujourd_hui = timezone.localdate()
    avant = demande.date_expiration
    _prolonger(demande, aujourd_hui)
    demande.version += 1
    demande.save()
    _historiser(
        demande,
        HistoriqueDemande.Action.RENOUVELLEMENT,
        agent=agent,
        guichet=guichet,
        changements=[
            {
                "champ": "date_expiration",
                "avant": avant.isoformat(),
                "apres": demande.date_expiration.isoformat(),
            }
        ],
    )
    _envoyer_attestation(demande, Attestation.Type.RENOUVELLEMENT)
    return demande


@transaction.atomic
def radier(
    demande: Demande,
    motif: str,
    sous_motif: str = "",
    *,
    par,
    guichet=None,
    commentaire: str = "",
    date_avertissement: date | None = None,
) -> Demande:
    """Strike a demande off (CCH R441-2-8; REFERENCE-CODES.md « Radiation rules »):
    attribution as soon as the lease is signed; renonciation at once; impossibility to contact
    and irrecevabilité (decided by the CAL) one month after a warning by registered letter;
    non-renewal one month after expiry. A radiée demande is read-only."""
    if guichet is not None:
        _exiger_saisie(par, guichet)
    elif not droits_de(par).gere_departement(demande.departement_id):
        raise NonAutorise("Vous ne pouvez pas radier cette demande.")
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    _exiger_modifiable(demande)
    if motif not in n.MotifRadiation.values:
        raise DonneesInvalides(f"Motif de radiation inconnu : {motif}.", code="motif_inconnu")
    aujourd_hui = timezone.localdate()
    if motif == n.MotifRadiation.IRRECEVABILITE:
        if sous_motif not in n.SousMotifIrrecevabilite.values:
            raise DonneesInvalides(
                "Une irrecevabilité se radie avec son sous-motif : irrégularité de séjour, "
                "ressources supérieures au plafond ou pièce d'identité falsifiée.",
                code="sous_motif_requis",
            )
    elif sous_motif:
        raise DonneesInvalides(
            "Seule l'irrecevabilité a des sous-motifs.", code="sous_motif_interdit"
        )
    if motif in (n.MotifRadiation.IRRECEVABILITE, n.MotifRadiation.IMPOSSIBILITE_CONTACT):
        if not date_avertissement:
            raise DonneesInvalides(
                "Indiquez la date du courrier recommandé d'avertissement : la radiation n'est "
                "possible qu'un mois après.",
                code="avertissement_requis",
            )
        if aujourd_hui < date_avertissement + DELAI_AVERTISSEMENT:
            raise ErreurMetier(
                f"La radiation ne sera possible qu'à partir du "
                f"{(date_avertissement + DELAI_AVERTISSEMENT):%d/%m/%Y}, un mois après le courrier "
                "recommandé d'avertissement.",
                code="delai_avertissement",
            )
    if motif == n.MotifRadiation.NON_RENOUVELLEMENT and aujourd_hui < mois_apres(
        demande.date_expiration, 1
    ):
        raise ErreurMetier(
            f"La demande expire le {demande.date_expiration:%d/%m/%Y} : la radiation pour "
            f"non-renouvellement n'est possible qu'un mois après.",
            code="delai_non_renouvellement",
        )
    demande.statut = Demande.Statut.RADIEE
    demande.date_radiation = aujourd_hui
    demande.motif_radiation = motif
    demande.sous_motif_radiation = sous_motif
    demande.commentaire_radiation = commentaire
    demande.version += 1
    demande.save()
    details = {"motif": motif, "code_national": n.code_national(n.MotifRadiation, motif)}
    if sous_motif:
        details["sous_motif"] = sous_motif
    _historiser(
        demande,
        HistoriqueDemande.Action.RADIATION,
        agent=par,
        guichet=guichet,
        changements=[
            {"champ": "statut", "avant": "active", "apres": "radiee"},
            {"champ": "motif_radiation", "avant": "", "apres": motif},
        ]
        + (
            [{"champ": "sous_motif_radiation", "avant": "", "apres": sous_motif}]
            if sous_motif
            else []
        ),
        commentaire=commentaire,
    )
    return demande


def fin_fenetre_reactivation(demande: Demande) -> date | None:
    if demande.est_active:
        return None
    if demande.motif_radiation == n.MotifRadiation.NON_RENOUVELLEMENT:
        base = demande.date_dernier_renouvellement or demande.date_depot
        return mois_apres(base, FENETRE_REACTIVATION_NON_RENOUVELLEMENT_MOIS)
    return demande.date_radiation + timedelta(days=FENETRE_REACTIVATION_JOURS)


@transaction.atomic
def reactiver(demande: Demande, agent, guichet, commentaire: str = "") -> Demande:
    """Déradiation: within the window, the demande comes back with the same numéro and
    seniority. After a non-renewal it is renewed at the same time (attestation sent)."""
    _exiger_saisie(agent, guichet)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    if demande.est_active:
        raise ErreurMetier(
            "Cette demande est active : il n'y a rien à réactiver.", code="deja_active"
        )
    fin = fin_fenetre_reactivation(demande)
    aujourd_hui = timezone.localdate()
    if aujourd_hui > fin:
        raise ErreurMetier(
            f"La réactivation était possible jusqu'au {fin:%d/%m/%Y} : une nouvelle demande doit "
            "être enregistrée.",
            code="fenetre_reactivation_depassee",
        )
    motif = demande.motif_radiation
    demande.statut = Demande.Statut.ACTIVE
    demande.date_radiation = None
    demande.motif_radiation = ""
    demande.sous_motif_radiation = ""
    demande.commentaire_radiation = ""
    renouvelee = (
        motif == n.MotifRadiation.NON_RENOUVELLEMENT or demande.date_expiration <= aujourd_hui
    )
    if renouvelee:
        _prolonger(demande, aujourd_hui)
    demande.version += 1
    demande.save()
    _historiser(
        demande,
        HistoriqueDemande.Action.REACTIVATION,
        agent=agent,
        guichet=guichet,
        changements=[
            {"champ": "statut", "avant": "radiee", "apres": "active"},
            {"champ": "motif_radiation", "avant": motif, "apres": ""},
        ],
        commentaire=commentaire,
    )
    if renouvelee:
        _envoyer_attestation(demande, Attestation.Type.RENOUVELLEMENT)
    return demande


# --- Duplication for separation ------------------------------------------------------------


def peut_dupliquer_pour_separation(demande: Demande) -> bool:
    """FAQ: only for a married or PACS couple with a co-demandeur."""
    demandeur = demande.demandeur
    return bool(
        demande.est_active
        and demandeur
        and demandeur.situation_familiale in SITUATIONS_COUPLE_SEPARABLE
        and demande.co_demandeur
    )


@transaction.atomic
def dupliquer_pour_separation(demande: Demande, agent, guichet) -> Demande:
    """The former co-demandeur gets their own demande with the same date de dépôt (seniority
    kept); they leave the original one. Both are told (attestation for the new one)."""
    _exiger_saisie(agent, guichet)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    _exiger_modifiable(demande)
    if not peut_dupliquer_pour_separation(demande):
        raise ErreurMetier(
            "La duplication pour séparation n'est possible que pour un couple marié ou pacsé "
            "avec un co-demandeur.",
            code="duplication_impossible",
        )
    if not guichet.departements.filter(pk=demande.departement_id).exists():
        raise NonAutorise(
            f"Le guichet {guichet.code} n'est pas habilité sur le département "
            f"{demande.departement_id}.",
            code="departement_non_habilite",
        )
    ancien_co = demande.co_demandeur
    demandeur_origine = demande.demandeur
    aujourd_hui = timezone.localdate()
    nouvelle = Demande.objects.get(pk=demande.pk)
    nouvelle.pk = None
    nouvelle.numero_unique = numeros.attribuer(demande.departement_id, aujourd_hui, guichet.code)
    nouvelle.guichet_enregistreur = guichet
    nouvelle.reference_externe = ""
    nouvelle.nombre_personnes = 1
    nouvelle.date_dernier_renouvellement = None
    nouvelle.date_expiration = max(demande.date_expiration, un_an_apres(aujourd_hui))
    nouvelle.version = 1
    nouvelle.save()
    communes = list(demande.communes_souhaitees.all())
    CommuneSouhaitee.objects.bulk_create(
        [CommuneSouhaitee(demande=nouvelle, commune_id=c.commune_id, rang=c.rang) for c in communes]
    )
    ancien_co.demande = nouvelle
    ancien_co.role = Personne.Role.DEMANDEUR
    ancien_co.lien = ""
    ancien_co.situation_familiale = n.SituationFamiliale.SEPARE
    if not ancien_co.adresse_ligne1:
        ancien_co.adresse_ligne1 = demandeur_origine.adresse_ligne1
        ancien_co.adresse_ligne2 = demandeur_origine.adresse_ligne2
        ancien_co.code_postal = demandeur_origine.code_postal
        ancien_co.commune = demandeur_origine.commune
    ancien_co.save()
    demande.nombre_personnes = max(1, demande.nombre_personnes - 1)
    demande.version += 1
    demande.save()
    _historiser(
        nouvelle,
        HistoriqueDemande.Action.CREATION_SUITE_SEPARATION,
        agent=agent,
        guichet=guichet,
        commentaire=f"Duplication de la demande {demande.numero_unique} pour séparation ; "
        f"ancienneté conservée (dépôt le {demande.date_depot:%d/%m/%Y}).",
    )
    _historiser(
        demande,
        HistoriqueDemande.Action.DUPLICATION_SEPARATION,
        agent=agent,
        guichet=guichet,
        changements=[{"champ": "co_demandeur", "avant": str(ancien_co.pk), "apres": None}],
        commentaire=f"Le co-demandeur a désormais sa propre demande {nouvelle.numero_unique}.",
    )
    _envoyer_attestation(nouvelle, Attestation.Type.ENREGISTREMENT)
    from .tasks import informer_separation

    transaction.on_commit(lambda: informer_separation(demande.pk, nouvelle.pk))
    return nouvelle

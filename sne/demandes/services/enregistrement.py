"""Registering a demande and giving it its numéro unique (CCH L441-2-1, R441-2-1 to R441-2-4)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from sne.organisations.models import Association
from sne.referentiels.models import Departement

from .. import numero as numeros
from ..models import (
    CommuneSouhaitee,
    Demande,
    HistoriqueDemande,
    JetonEnregistrement,
    Personne,
)
from ..regles import (
    DonneesInvalides,
    SuspicionDoublon,
    departements_souhaitables,
    exiger_guichet_habilite,
    exiger_saisie,
    un_an_apres,
    verifier_date_depot,
)
from ..schemas import DemandeEntree
from ..signaux import apres_validation, demande_enregistree
from .doublons import doublons_des_personnes, enregistrer_forcage
from .entree import (
    adresse,
    communes_souhaitees,
    personne,
    verifier_exigences_legales,
)
from .historique import historiser


def _prendre_jeton(jeton: str) -> Demande | None:
    """None when this submission is new (its token is now held by this transaction), else the
    demande it already registered. A concurrent transaction holding the same token makes this
    one wait for its end (unique index), then find its demande."""
    try:
        with transaction.atomic():
            JetonEnregistrement.objects.create(jeton=jeton)
    except IntegrityError:
        return JetonEnregistrement.objects.select_related("demande").get(jeton=jeton).demande
    return None


@transaction.atomic
def enregistrer_demande(
    guichet, agent, donnees, justification_forcage: str | None = None, *, jeton: str = ""
) -> Demande:
    """Register a demande and give it its numéro unique (CCH L441-2-1, R441-2-1 to R441-2-4).

    Refused: without an identity document of an accepted type (an expired one is accepted —
    FAQ « Dossier unique »); when the desk is not habilitated on the département (FAQ:
    « réorientez le demandeur vers un guichet habilité »); when a commune is unknown; when the
    same person already has an active demande, unless a written justification is given.
    Nothing else may be required to register. Sends the attestation after commit.

    Idempotent: the same `reference_externe` of a desk, or the same submission `jeton` (the
    wizard's id, the API's), gives back the demande already registered instead of a second
    one, marked `deja_enregistree = True` (the API answers 200 instead of 201). Two racing
    submissions with the same `jeton` wait for each other (`_prendre_jeton`): one demande.
    """
    donnees = (
        donnees if isinstance(donnees, DemandeEntree) else DemandeEntree.model_validate(donnees)
    )
    exiger_saisie(agent, guichet)
    departement = Departement.objects.filter(code=donnees.departement, date_fermeture=None).first()
    if departement is None:
        raise DonneesInvalides(
            f"Département inconnu : {donnees.departement}.", code="departement_inconnu"
        )
    exiger_guichet_habilite(guichet, departement.code)
    if donnees.reference_externe:
        existante = Demande.objects.filter(
            guichet_enregistreur=guichet, reference_externe=donnees.reference_externe
        ).first()
        if existante:
            existante.deja_enregistree = True  # idempotent: the same registration sent again
            return existante
    if jeton:
        deja = _prendre_jeton(jeton)
        if deja is not None:
            deja.deja_enregistree = True
            return deja

    erreurs: list[dict] = []
    verifier_exigences_legales(donnees, erreurs)
    aujourd_hui = timezone.localdate()
    date_depot = donnees.date_depot or aujourd_hui
    try:
        verifier_date_depot(date_depot, aujourd_hui)
    except DonneesInvalides as e:
        erreurs.append(e.en_erreur())
    ici = departements_souhaitables(departement.code)
    demandeur = personne(
        donnees.demandeur, Personne.Role.DEMANDEUR, "demandeur", erreurs, departements=ici
    )
    co = (
        personne(
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
        personne(
            p, Personne.Role.PERSONNE_A_CHARGE, f"personnes_a_charge[{i}]", erreurs, ordre=i + 1
        )
        for i, p in enumerate(donnees.personnes_a_charge)
    ]
    membres = [demandeur, *([co] if co else []), *a_charge]
    if donnees.nombre_personnes is not None and donnees.nombre_personnes != len(membres):
        # The household is its people (issue 9): a number that contradicts them is refused
        # rather than silently replaced, so that the sending system learns its data disagree.
        erreurs.append(
            {
                "champ": "nombre_personnes",
                "code": "nombre_personnes_incoherent",
                "message": f"Le nombre de personnes à loger ({donnees.nombre_personnes}) ne "
                f"correspond pas aux personnes déclarées ({len(membres)} : le demandeur, "
                f"{'le co-demandeur, ' if co else ''}{len(a_charge)} personne(s) à charge). "
                "Il se déduit des personnes : inutile de l'envoyer.",
            }
        )
    communes = communes_souhaitees(donnees.souhaits.communes, departement.code, erreurs)
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

    suspicions = doublons_des_personnes(demandeur, co)
    if suspicions and not (justification_forcage or "").strip():
        raise SuspicionDoublon(details={"doublons": [s.en_dict() for s in suspicions]})

    adresse_association = {}
    if donnees.beneficiaire == "association" and donnees.association and not association:
        # CCH R441-2-3: an association's address is part of what registration records.
        adresse_association = adresse(
            donnees.association.adresse, "association.adresse", erreurs, ici
        )
        if erreurs:
            raise DonneesInvalides(erreurs[0]["message"], details={"erreurs": erreurs})
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
        # The people about to be saved; `menage.recompter_menage` counts the same once saved.
        nombre_personnes=len(membres),
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
    for p in membres:
        p.demande = demande
    Personne.objects.bulk_create(membres)
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
    historiser(
        demande,
        HistoriqueDemande.Action.CREATION,
        agent=agent,
        guichet=guichet,
        commentaire=commentaire,
    )
    if suspicions:
        enregistrer_forcage(
            demande,
            suspicions,
            justification_forcage,
            agent=agent,
            guichet=guichet,
            operation="creation",
        )
    if jeton:
        JetonEnregistrement.objects.filter(jeton=jeton).update(demande=demande)
    apres_validation(demande_enregistree, demande_id=demande.pk)
    return demande

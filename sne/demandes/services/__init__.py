"""The life of a demande: every rule lives here once, and the web application, the API, the
batch lots and the public portal call these very functions (DESIGN « The Demande lifecycle »).

Each service validates, runs in one transaction, writes the history (and the audit log), and
announces what happened after the commit (`sne.demandes.signaux`: the attestation, e-mails).
The rules that forms also check are in `sne.demandes.regles`.

- `enregistrement`: `enregistrer_demande`;
- `lecture`: `consulter`, `consulter_liste` (and `trouver_demande`, from `recherche`);
- `modification`: `modifier_demande`, `separation_a_proposer`;
- `cycle_de_vie`: `renouveler`, `radier`, `fin_fenetre_reactivation`, `reactivable`,
  `reactiver`;
- `separation`: `peut_dupliquer_pour_separation`, `dupliquer_pour_separation` (with a
  `Separation`: the new demandeur's identity document, address, who follows whom);
- `doublons`: `rechercher_doublons`, `doublons_des_personnes` (the engine of `sne.doublons`),
  and the gestionnaire's decisions on a pair: `confirmer_doublon`, `ecarter_doublon`;
- `evenements`: the change feed read by connected systems (`evenements_pour`, `borne_sure`,
  `purger_evenements`); its events are written by `historique.historiser`;
- `brouillons`: the registrations in progress of the wizard (`commencer_saisie`,
  `saisies_en_cours`, `trouver_saisie`, `sauver_saisie`, `abandonner_saisie`, `terminer_saisie`,
  `purger_brouillons_expires`).
"""

from ..recherche import trouver_demande
from ..regles import DonneesInvalides, SuspicionDoublon
from .brouillons import (
    abandonner_saisie,
    commencer_saisie,
    purger_brouillons_expires,
    saisies_en_cours,
    sauver_saisie,
    terminer_saisie,
    trouver_saisie,
)
from .cycle_de_vie import (
    fin_fenetre_reactivation,
    radiation_non_renouvellement_due,
    radier,
    radier_pour_non_renouvellement,
    reactivable,
    reactiver,
    renouveler,
)
from .doublons import (
    Suspicion,
    a_radier_par_defaut,
    confirmer_doublon,
    doublons_des_personnes,
    ecarter_doublon,
    rechercher_doublons,
)
from .enregistrement import enregistrer_demande
from .evenements import evenements_pour, purger_evenements
from .lecture import consulter, consulter_liste
from .modification import (
    CHAMPS_DEMANDE_MODIFIABLES,
    CHAMPS_PERSONNE_MODIFIABLES,
    modifier_demande,
    separation_a_proposer,
)
from .separation import Separation, dupliquer_pour_separation, peut_dupliquer_pour_separation

__all__ = [
    "CHAMPS_DEMANDE_MODIFIABLES",
    "CHAMPS_PERSONNE_MODIFIABLES",
    "DonneesInvalides",
    "Separation",
    "Suspicion",
    "SuspicionDoublon",
    "a_radier_par_defaut",
    "abandonner_saisie",
    "commencer_saisie",
    "confirmer_doublon",
    "consulter",
    "consulter_liste",
    "doublons_des_personnes",
    "dupliquer_pour_separation",
    "ecarter_doublon",
    "enregistrer_demande",
    "evenements_pour",
    "fin_fenetre_reactivation",
    "modifier_demande",
    "peut_dupliquer_pour_separation",
    "purger_brouillons_expires",
    "purger_evenements",
    "radiation_non_renouvellement_due",
    "radier",
    "radier_pour_non_renouvellement",
    "reactivable",
    "reactiver",
    "rechercher_doublons",
    "renouveler",
    "saisies_en_cours",
    "sauver_saisie",
    "separation_a_proposer",
    "terminer_saisie",
    "trouver_demande",
    "trouver_saisie",
]

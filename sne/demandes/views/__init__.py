"""The agent's pages for demandes, one module per use: `recherche` (find a demande),
`assistant` (step-by-step registration, with `recapitulatif` and `entree`, the translation
between the steps' forms and `DemandeEntree`), `fiche` (the demande page and its tabs),
`actions` (renew, strike off, reactivate, duplicate), `modification`.

Views parse, ask the rights layer who acts for which desk, call `services` and render: no rule
of the register lives here. A refusal (`ErreurMetier`) becomes a French message on the page,
never an error 500: `NonAutorise`/`Introuvable` through `sne.erreurs.ErreursMetierMiddleware`,
the others on their form field (`sne.formulaires.erreur_sur_formulaire`).
"""

"""Forms of the agent's pages for demandes, one module per use: `recherche`, `assistant` (the
registration steps), `association`, `modification`, `actions` (radiation, réactivation);
`sections` holds the parts shared by the steps and the modification, `champs` the fields.

Forms check what a person typed (types, lists, an e-mail's syntax, a NIR's key, a commune that
exists) and call the rules of `sne.demandes.regles` for an early message on the field; the
services have the last word.
"""

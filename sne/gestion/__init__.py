"""Back-office pages that read across the apps (mounted under /gestion/): a web entry point at
the top of the layers, with no models. The journal page lives here because it reads the audit
log (bottom layer) and finds a demande by its numéro (demandes)."""

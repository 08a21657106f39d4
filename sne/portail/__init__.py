"""The Portail Grand Public: the applicants' own pages (docs/portail.md, ADR 0020).

An applicant is not a `Utilisateur`: the portal has its own session (`session.py`, its own
cookie under `/portail/`), and acts through the very services the desks call, as a
`sne.comptes.droits.DemandeurEnLigne` on the portal's desk (`services.guichet_du_portail`).
"""

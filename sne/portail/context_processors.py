"""`portail_connecte` for the portal's frame: whether an applicant is signed in there."""

from .session import CLE_DEMANDE


def portail(request):
    session = getattr(request, "portail", None)
    return {"portail_connecte": session is not None and CLE_DEMANDE in session}

"""Small helpers for tests."""

import html


def texte(reponse) -> str:
    """The page as a person reads it: entities decoded (« L'identifiant », not « L&#x27;… »)."""
    return html.unescape(reponse.content.decode())


def connecter(client, utilisateur):
    """`force_login`, second factor already verified (gestionnaires and administrators must
    have one: `DoubleFacteurMiddleware`)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client.force_login(utilisateur)
    appareil, _ = StaticDevice.objects.get_or_create(
        user=utilisateur, name="Tests", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = appareil.persistent_id
    session.save()

"""Small helpers for tests."""

import html
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine


def a_midi(jour: date) -> datetime:
    """Noon of `jour`, Paris time: a moment whose date is `jour` in every time zone we use."""
    return datetime.combine(jour, time(12), tzinfo=ZoneInfo("Europe/Paris"))


def nous_sommes_le(jour: date) -> time_machine.travel:
    """« Aujourd'hui » is `jour` (time-machine, the clock running from noon): fixes the date
    instead of rewriting dates in the database. `with nous_sommes_le(...) as horloge:` then
    `horloge.move_to(a_midi(...))` turns the calendar."""
    return time_machine.travel(a_midi(jour))


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


def connecter_demandeur(client, demande):
    """The applicant of `demande` signed in on the portal (its own session and cookie,
    sne/portail/session.py), without typing a code."""
    from importlib import import_module

    from django.conf import settings

    from sne.portail.session import CLE_DEMANDE, PREFIXE

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[CLE_DEMANDE] = demande.pk
    session.save()
    client.cookies[settings.SNE_PORTAIL_COOKIE] = session.session_key
    client.cookies[settings.SNE_PORTAIL_COOKIE]["path"] = PREFIXE

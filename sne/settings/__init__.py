"""The SNE's settings: `DJANGO_SETTINGS_MODULE=sne.settings` (manage.py, WSGI, ASGI, Huey,
`make run`, production) reads those of base.py, from the environment. The test suite reads
`sne.settings.test`."""

from .base import *  # noqa: F403

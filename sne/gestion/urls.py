from django.urls import path

from . import journal

# The namespace of the page when it lived in the audit app: templates name it `audit:journal`.
app_name = "audit"

urlpatterns = [
    path("", journal.journal, name="journal"),
]

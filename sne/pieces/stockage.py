"""Where the files of the pièces live: Django's storage named `pieces` (settings `STORAGES`).

- Embedded default: the filesystem under SNE_DATA_DIR/pieces/ (`FileSystemStorage` with no
  `base_url`: the files have no public address, and `MEDIA_URL` does not reach them).
- Production: S3-compatible object storage through django-storages, when
  `SNE_PIECES_S3_BUCKET` is set (docs/deploiement.md, « Pièces justificatives »): a private
  bucket, server-side encryption, no public URL either.

Whatever the backend, a file is read only by `services.lire_piece` (rights, audit) and named
by a random identifier, never by the name the sender gave.
"""

import uuid

from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone


class StockagePrive(FileSystemStorage):
    """The filesystem, without any address: `url()` refuses, so that no template nor serializer
    can ever hand out a link that bypasses the rights check."""

    def url(self, name):
        raise ValueError("Les pièces n'ont pas d'adresse publique : passez par lire_piece.")


def stockage_des_pieces():
    """The storage of the pièces (a callable, so that tests and settings can swap it)."""
    return storages["pieces"]


def chemin_de_piece(piece, nom: str) -> str:
    """`pieces/<département>/<année>/<mois>/<uuid>.<extension>`: nothing personal in a path.
    `nom` is the extension chosen from the content (`controles.examiner`), never the
    sender's file name."""
    extension = nom.rsplit(".", 1)[-1] if "." in nom else "bin"
    maintenant = timezone.now()
    return (
        f"{piece.demande.departement_id}/{maintenant:%Y}/{maintenant:%m}/"
        f"{uuid.uuid4().hex}.{extension}"
    )

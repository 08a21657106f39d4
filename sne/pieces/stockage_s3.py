"""The pièces on S3-compatible object storage (settings `STORAGES["pieces"]` when
`SNE_PIECES_S3_BUCKET` is set; docs/deploiement.md « Stockage des pièces sur S3 »).

Apart from `stockage.py` so that the embedded mode never imports boto3."""

from storages.backends.s3 import S3Storage


class StockagePriveS3(S3Storage):
    """django-storages' S3, without any address: its `url()` would hand out a pre-signed link
    that opens the file for anyone who holds it, bypassing the rights check and the audit of
    `services.lire_piece`."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Les pièces n'ont pas d'adresse publique : passez par lire_piece.")

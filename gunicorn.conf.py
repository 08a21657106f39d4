"""gunicorn's hooks, read from the project's root by default (Procfile.dev sets the rest on
the command line: address, workers, threads, timeout, logs)."""

import gc


def post_worker_init(worker):
    """Once a worker has loaded the application (Django, its models) and its URLs, those
    long-lived objects leave the garbage collector's passes: without it, a full collection
    walks them all and stalls the request it falls in for 50 to 100 ms (measured by
    bench/statistiques.py, docs/performance.md « Statistiques »)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports every view module now
    gc.collect()
    gc.freeze()

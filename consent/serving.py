"""Gunicorn settings for `make run` and the load tests: `gunicorn -c python:consent.serving`."""
# Threads per worker: an idle or slow connection holds one thread, not a whole worker, so
# two stalled clients cannot stall the clinic (the sync worker served one request at a time).
worker_class = "gthread"
threads = 4
timeout = 60
graceful_timeout = 30
keepalive = 5
# Method, path, status, size, time: never a query string, a body or a cookie.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# The master loads the app once and forks its workers from it: a worker that crashes or is
# killed is back in milliseconds, not after importing WeasyPrint, pyHanko and FHIR again
# (1.3 s on an idle machine, far longer on a busy one, while the clinic waits). Loading opens
# nothing a worker inherits: connections, the seal token's session and the fonts are each
# opened by a worker on first use. Code and config change on a restart, not on HUP.
preload_app = True


def post_worker_init(worker):
    """Freeze what loading the app made, so full collections stop re-scanning it."""
    # The app, its templates, WeasyPrint and pyHanko live as long as the worker: leaving
    # them to the collector made each full collection take ~100 ms, inside a request.
    import gc
    gc.freeze()


def child_exit(server, worker):
    """Remove what a dead worker was writing into the archive: it will never finish it."""
    # Forked from the loaded app, a worker never runs wsgi.py's start-up sweep itself.
    if not server.cfg.preload_app:
        return  # each new worker imports wsgi.py and sweeps; do not load the app here
    from consent.evidence import archive
    if removed := archive.sweep_temp_files(server.app.wsgi().config["ARCHIVE_DIR"]):
        server.log.warning("Removed %d temp files left by stopped worker %d", removed,
                           worker.pid)

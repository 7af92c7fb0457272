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


def post_worker_init(worker):
    """Freeze what loading the app made, so full collections stop re-scanning it."""
    # The app, its templates, WeasyPrint and pyHanko live as long as the worker: leaving
    # them to the collector made each full collection take ~100 ms, inside a request.
    import gc
    gc.freeze()

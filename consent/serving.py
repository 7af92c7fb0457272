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

"""Tablets submitting, doctors deciding and practitioners countersigning and recording
treatments against a live server, bounded in time."""
import http.client
import http.cookiejar
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
WAITING = re.compile(r'href="/review/([A-Za-z0-9_-]{20,})"(?:(?!</tr>).)*?needs review</td>',
                     re.DOTALL)
TO_CONSENT = re.compile(r'href="/practice/([A-Za-z0-9_-]{20,})">practitioner: consent')
TO_TREAT = re.compile(r'href="/practice/([A-Za-z0-9_-]{20,})/treatment">practitioner: treatment')
PIN = "246810"
TREATED = {"outcome": "treated", "areas": ["face"], "device_face": "Dermapen 4",
           "needle_depth_mm_face": "0.5", "reaction": ""}
COUNTERSIGNED = {"identity_checked": "y", "discussed": "y", "capacity_confirmed": "y",
                 "interpreter": "none", "pin": PIN}


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Report a redirect as it is (302) instead of following it."""

    def redirect_request(self, *args, **kwargs):
        return None


def error_body(error):
    """Read an error or redirect's body; empty when a killed worker cut it short."""
    try:
        return error.read().decode()
    except (http.client.HTTPException, ConnectionError, TimeoutError):
        return ""


class Browser:
    """A cookie-keeping HTTP client that reports status and seconds per request."""

    def __init__(self, base, cookies=None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        host = urllib.parse.urlsplit(base).hostname
        for name, value in (cookies or {}).items():
            self.jar.set_cookie(http.cookiejar.Cookie(
                0, name, value, None, False, host, False, False, "/", True, False, None, True,
                None, None, {}))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), KeepRedirects())

    def request(self, path, data=None):
        """Send a GET or a form POST; return (status, body, seconds)."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode(), time.perf_counter() - start
        except urllib.error.HTTPError as error:
            return error.code, error_body(error), time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException, TimeoutError):
            return 0, "", time.perf_counter() - start  # the connection dropped (a killed worker)

    def form_post(self, path, data):
        """Fetch a page's CSRF token, then post the form to it."""
        status, page, _ = self.request(path)
        token = TOKEN.search(page)
        return self.request(path, {**data, "csrf_token": token[1] if token else ""})


class Stats:
    """Thread-safe counters and timings."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times, self.statuses = {}, {}
        self.sending, self.cut = [], set()  # patients of requests under way; of cut ones

    def begin(self, patient):
        """Note a request about this patient under way, until its add()."""
        with self.lock:
            self.sending.append(patient)

    def add(self, kind, status, seconds, patient=None):
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)
            self.statuses.setdefault(kind, []).append(status)
            if patient in self.sending:
                self.sending.remove(patient)
                if status == 0:
                    self.cut.add(patient)

    def under_way(self):
        """Tell whether a practitioner's request has begun and not yet ended."""
        with self.lock:
            return bool(self.sending)

    def left_by_a_cut(self, patients):
        """Return those of these patients whose request was cut, with none under way now."""
        with self.lock:
            return set(patients) & (self.cut - set(self.sending))

    def server_errors(self):
        return sum(s >= 500 for statuses in self.statuses.values() for s in statuses)

    def count(self, kind, status):
        return self.statuses.get(kind, []).count(status)

    def percentiles(self, kind):
        ordered = sorted(self.times.get(kind, [0]))
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        return statistics.median(ordered), p95


def tablet(base, device_cookie, forms, stats, stop):
    """Submit questionnaires from one enrolled tablet until told to stop."""
    offset = abs(hash(device_cookie)) % 10**6 * 1000  # distinct patients per tablet
    client = Browser(base, {"consent_kiosk": device_cookie})  # the HTTP (not __Host-) name
    for number in range(10**6):
        if stop.is_set():
            return
        data = forms(offset + number)
        kind = "submit_flagged" if data.get("cold_sore_now") == "yes" else "submit_cleared"
        status, _, seconds = client.form_post("/", data)
        stats.add(kind, status, seconds)


def log_in(client, username, password, totp_secret, home, patience=90):
    """Log a staff member in with password and authenticator code, until home opens.

    A worker killed mid log-in (the crash test kills busy workers, and argon2 keeps one
    busy) cuts the request: try again, as a person would, with a fresh code.
    """
    import pyotp
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        client.form_post("/login", {"username": username, "password": password})
        client.form_post("/login/code", {"code": pyotp.TOTP(totp_secret).now()})
        if client.request(home)[0] == 200:
            return True
        time.sleep(1)  # a spent code is refused until the next one
    return False


def doctor(base, username, password, totp_secret, stats, stop):
    """Log in, then keep approving whatever waits in the queue."""
    client = Browser(base)
    log_in(client, username, password, totp_secret, "/review")
    while not stop.is_set():
        status, page, _ = client.request("/review")
        waiting = WAITING.findall(page) if status == 200 else []
        if not waiting:
            time.sleep(0.2)
            continue
        path = f"/review/{waiting[0]}/decide"
        status, page, seconds = client.request(f"/review/{waiting[0]}")
        token = TOKEN.search(page)
        status, _, seconds = client.request(path, {
            "csrf_token": token[1] if token else "", "outcome": "approved",
            "override_reason": "Reviewed in person.", "product": "P", "batch": "B1"})
        stats.add("decide", status, seconds)


def practitioner(base, username, password, totp_secret, stats, stop):
    """Log in, then countersign and record treatments for whoever waits on Today."""
    client, chance = Browser(base), random.Random(username)
    log_in(client, username, password, totp_secret, "/today")
    while not stop.is_set():
        status, page, _ = client.request("/today")
        treat, consent = TO_TREAT.findall(page), TO_CONSENT.findall(page)
        if treat:  # finish what is started first, as a practitioner would
            kind, patient = "treatment", chance.choice(treat)
            path, data = f"/practice/{patient}/treatment", TREATED
        elif consent:
            kind, patient = "countersign", chance.choice(consent)
            path, data = f"/practice/{patient}", COUNTERSIGNED
        else:
            time.sleep(0.2)
            continue
        stats.begin(patient)
        status, _, seconds = client.form_post(path, data)
        stats.add(kind, status, seconds, patient)  # 409: a colleague took this patient first


def run(base, seconds, devices, doctors, forms, practitioners=(), until=None, patience=180):
    """Run tablets, doctors and practitioners for a bounded time; return the stats.

    until(stats): keep going after the time until it holds (at most patience seconds more),
    so that a slow machine still reaches what a test needs to see.
    """
    stats, stop = Stats(), threading.Event()
    threads = [threading.Thread(target=tablet, args=(base, d, forms, stats, stop))
               for d in devices]
    threads += [threading.Thread(target=doctor, args=(base, *person, stats, stop))
                for person in doctors]
    threads += [threading.Thread(target=practitioner, args=(base, *person, stats, stop))
                for person in practitioners]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    deadline = time.monotonic() + patience
    while until and not until(stats) and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return stats


def patient_name(number):
    """Spell a number as letters: a distinct, valid surname for each patient."""
    return "".join(chr(97 + int(d)) for d in str(number)).title()


def patient_forms(valid_form, flagged_every=3):
    """Build form data for distinct patients; every few are flagged for a doctor."""
    def forms(number):
        name = patient_name(number)
        changes = {"last_name": name, "signed_name": f"Ada {name}"}
        if number % flagged_every == 0:
            changes["cold_sore_now"] = "yes"
        return valid_form(**changes)
    return forms


def staff(db, role, prefix, count, password):
    """Create staff with a confirmed second factor; return (username, password, secret)."""
    from consent.kernel import clock
    from consent.practice import signing
    from consent.staff import accounts, mfa
    credentials = []
    for n in range(count):
        accounts.create(db, f"{prefix}.{n}", role, password)
        secret = mfa.provision(db, f"{prefix}.{n}")
        db["users"].update(f"{prefix}.{n}", {"totp_confirmed_at": clock.iso(clock.now())})
        if role == "practitioner":
            signing.set_pin(db, f"{prefix}.{n}", PIN)
        credentials.append((f"{prefix}.{n}", password, secret))
    return credentials


def setup_people(db, tablet_count, doctor_count, password, practitioner_count=0):
    """Enrol tablets and create doctors and practitioners; return tokens and credentials."""
    from consent.staff import tablets
    devices = [tablets.enrol(db, tablets.create(db, f"Tablet {n}"))[1]
               for n in range(tablet_count)]
    return (devices, staff(db, "doctor", "dr", doctor_count, password),
            staff(db, "practitioner", "nurse", practitioner_count, password))

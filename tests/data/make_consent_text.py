"""Write the words of a fixed patient's sealed consent, as a checkout renders them.

    git archive fe00f39 | tar -x -C /tmp/oldmain
    cp tests/record_text.py /tmp/oldmain/tests/ && cp tests/data/make_consent_text.py \
        /tmp/oldmain/tests/data/
    cd /tmp/oldmain && PYTHONPATH=/tmp/oldmain python tests/data/make_consent_text.py OUT

It imports the checkout's own code, with the clock frozen as the tests freeze it;
tests/evidence/test_record_text.py compares today's words with those.
"""
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path.cwd() / "tests"))
import conftest  # noqa: E402
import record_text  # noqa: E402

from consent.kernel import clock  # noqa: E402

if __name__ == "__main__":
    clock.now = lambda: conftest.FROZEN + timedelta(seconds=1)
    Path(sys.argv[1]).write_text(record_text.consent_text(Path(tempfile.mkdtemp())) + "\n")

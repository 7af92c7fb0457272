"""The make targets' helpers: tools/need-apt waits for another apt instead of failing."""
import os
import subprocess
from pathlib import Path

NEED_APT = Path(__file__).resolve().parents[1] / "tools" / "need-apt"
FAKE_APT = """#!/bin/sh
echo "$@" >> "{calls}"
n=$(wc -l < "{calls}")
if [ "$n" -le {busy} ]; then
  echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4743 (apt-get)" >&2
  exit 100
fi
"""


def run_with_fake_apt(tmp_path, busy, wait="600"):
    """Run need-apt for a missing file, with an apt-get that is busy `busy` times."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    (bin_dir / "apt-get").write_text(FAKE_APT.format(calls=calls, busy=busy))
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n")  # as root, as make runs it in CI
    for tool in ("apt-get", "id"):
        (bin_dir / tool).chmod(0o755)
    result = subprocess.run(
        [str(NEED_APT), str(tmp_path / "missing-*.so"), "libexample0"], capture_output=True,
        text=True, env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
                        "NEED_APT_RETRY_SECONDS": "0.05", "NEED_APT_WAIT": wait})
    return result, calls.read_text().splitlines() if calls.exists() else []


def test_need_apt_waits_while_another_apt_holds_the_lock(tmp_path):
    result, calls = run_with_fake_apt(tmp_path, busy=2)
    assert result.returncode == 0, result.stderr
    assert "Waiting for another apt to finish" in result.stderr
    assert [call.split()[2] for call in calls] == ["update", "update", "update", "install"]
    assert calls[-1].endswith("libexample0")
    assert all("DPkg::Lock::Timeout=600" in call for call in calls)


def test_need_apt_gives_up_after_its_wait_and_says_why(tmp_path):
    result, calls = run_with_fake_apt(tmp_path, busy=1000, wait="0")
    assert result.returncode != 0 and "Could not get lock" in result.stderr
    assert len(calls) == 1

"""The shape of the house: clinic logic free of Flask, no import upwards, commands documented."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "consent"
EDGES = ("web", "forms", "cli")
FRAMEWORK = ("flask", "flask_wtf", "wtforms", "werkzeug")
# The floors of the house, lowest first: a module imports only from its own room or from
# a lower floor. The seal is a leaf under evidence; evidence reads every feature.
FLOORS = {"kernel": 0, "tls": 0, "evidence.seal": 1, "intake": 2, "staff": 2, "review": 3,
          "visits": 3, "forms": 3, "practice": 4, "evidence": 5, "workflow": 6, "instance": 6,
          "db": 6, "serving": 6, "web": 7, "cli": 8, "": 9}


def domain_modules():
    """Name every module outside the web, forms and CLI edges (bar __init__ and db.py)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] in EDGES or parts in (("__init__",), ("db",)):
            continue
        names.append(".".join(("consent",) + tuple(p for p in parts if p != "__init__")))
    return names


@pytest.mark.slow
def test_domain_modules_import_without_flask_or_wtforms():
    modules = domain_modules()
    assert {"consent.workflow", "consent.intake.rules", "consent.evidence.pdf",
            "consent.evidence.archive", "consent.intake.questionnaire",
            "consent.evidence.backup", "consent.kernel.audit"} <= set(modules)
    script = ("import importlib, sys\n"
              f"for name in {modules!r}: importlib.import_module(name)\n"
              f"print(sorted(m for m in {FRAMEWORK!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", f"Flask reached the domain: {result.stdout}"


def room(module):
    """Return the room a dotted consent module lives in (the longest floor that names it)."""
    inside = module.removeprefix("consent").lstrip(".")
    return max((key for key in FLOORS if inside == key or inside.startswith(key + ".")
                or not key), key=len)


def imports(path):
    """Yield every consent module a file imports, as an absolute dotted name."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = list(parts[:-1] if parts[-1] != "__init__" else parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            where = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{where}.{alias.name}"
                is_module = (ROOT / sub.replace(".", "/")).with_suffix(".py").exists() or \
                    (ROOT / sub.replace(".", "/")).is_dir()
                yield sub if is_module else where
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def climbs(module, imported):
    """Say why one import runs up the house or sideways into another room, or None."""
    if not imported.startswith("consent"):
        return None
    here, there = room(module), room(imported)
    if here != there and FLOORS[there] >= FLOORS[here]:
        return f"{module} ({here}) imports {imported} ({there})"
    return None


def test_no_import_runs_up_the_house():
    assert climbs("consent.kernel.ledger", "consent.intake.questionnaire")  # the check bites
    assert climbs("consent.evidence.seal.keys", "consent.evidence.archive")
    assert climbs("consent.visits.outbox", "consent")
    assert not climbs("consent.evidence.archive", "consent.evidence.seal.keys")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found += [why for imported in imports(path) if (why := climbs(module, imported))]
    assert found == []


def commands(group, prefix=()):
    """Walk a click group and yield (words, command) for every command."""
    for name, command in group.commands.items():
        words = prefix + (name,)
        if isinstance(command, click.Group):
            yield from commands(command, words)
        else:
            yield words, command


def test_every_command_has_help_and_is_in_the_readme(app):
    readme = (ROOT / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| `")]
    ours = [(words, command) for words, command in commands(app.cli)
            if command.callback.__module__.startswith("consent.")]
    assert len(ours) >= 14
    for words, command in ours:
        assert command.help, f"{' '.join(words)} is missing its help"
        spoken = " ".join(words)
        documented = re.compile(rf"`{re.escape(spoken)}[ `]|`{re.escape(words[0])} .*"
                                rf"\(or `{re.escape(words[-1])}`\)")
        assert any(documented.search(row) for row in table), \
            f"`{spoken}` is not in README's command table"


@pytest.mark.slow
def test_every_benchmark_module_imports():
    script = ("import bench.coldstart, bench.finalise, bench.http, bench.queue, bench.rules, "
              "bench.verify")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_passwords_are_hashed_with_argon2id_at_its_recommended_cost():
    script = ("from argon2 import PasswordHasher\nfrom consent.staff import accounts\n"
              "default = PasswordHasher()\nh = accounts.hasher\n"
              "print(h.time_cost == default.time_cost and h.memory_cost == default.memory_cost"
              " and accounts.DUMMY_HASH.startswith('$argon2id$'))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "True", result.stderr[-2000:]

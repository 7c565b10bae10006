"""Shared helpers: a private virtualenv with the peer, and the caiji binary."""
import os, subprocess, sys, venv, pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "compare-venv"


def ensure_peer(*packages):
    py = VENV / "bin" / "python"
    if not py.exists():
        venv.create(VENV, with_pip=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", *packages], check=True)
    # The venv's python is a symlink to the system one: tell them apart by prefix, not by path.
    if pathlib.Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(py), [str(py), *sys.argv])


def caiji():
    # The same build as the test suite (dev profile, dependencies optimised): no second compile
    # of the dependency tree with another feature set.
    subprocess.run(["cargo", "test", "-q", "--workspace", "--no-run"], cwd=ROOT, check=True)
    return str(ROOT / "target" / "debug" / "caiji")

"""WeasyPrint loads without the library probes' child processes, and still loads where only
those probes find the libraries."""

from __future__ import annotations

import json

from tests.app.test_startup_imports import run_python

# Any child process started while WeasyPrint loads is recorded (find_library runs ldconfig,
# gcc and ld through subprocess).
NO_CHILDREN = """
import json, subprocess
started = []
real = subprocess.Popen.__init__
def record(self, args, *rest, **options):
    started.append(str(args))
    return real(self, args, *rest, **options)
subprocess.Popen.__init__ = record
from workshops.pdf import load_weasyprint
weasyprint = load_weasyprint()
import ctypes.util
print(json.dumps({"started": started, "html": hasattr(weasyprint, "HTML"),
                  "probe_back": ctypes.util.find_library.__module__ == "ctypes.util"}))
"""

# Every library name fails to load unless find_library locates it: as on a system whose
# libraries are found only by find_library's probes.
ONLY_PROBES_FIND = """
import json, ctypes.util, cffi
real_probe = ctypes.util.find_library
real_dlopen = cffi.FFI.dlopen
refused = []
def probe(name):
    return real_probe(name)
ctypes.util.find_library = probe
def dlopen(self, name, flags=0):
    if ctypes.util.find_library is not probe:  # the fast attempt: nothing loads
        refused.append(name)
        raise OSError(f"cannot load {name}")
    path = real_probe(name) or name
    if "/" not in path and ".so" not in path:
        raise OSError(f"cannot load {name}")
    return real_dlopen(self, path, flags)
cffi.FFI.dlopen = dlopen
from workshops.pdf import load_weasyprint
weasyprint = load_weasyprint()
print(json.dumps({"html": hasattr(weasyprint, "HTML"), "refused": len(refused),
                  "probe_back": ctypes.util.find_library is probe}))
"""


def test_weasyprint_loads_without_starting_a_child_process(tmp_path):
    result = run_python(NO_CHILDREN, KRAFTVERK_INSTANCE=str(tmp_path))

    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"started": [], "html": True, "probe_back": True}


def test_weasyprint_loads_through_the_probes_when_no_name_loads_directly(tmp_path):
    result = run_python(ONLY_PROBES_FIND, KRAFTVERK_INSTANCE=str(tmp_path))

    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["refused"] > 0  # the fast attempt found nothing to load
    assert outcome["html"] is True  # and the ordinary import, tried next, loaded WeasyPrint
    assert outcome["probe_back"] is True  # the fast path gave find_library back
    assert "could not import some external libraries" not in result.stdout  # nor misled

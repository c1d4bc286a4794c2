"""Stands in for the seccomp binding on a machine without libseccomp (put first on PYTHONPATH)."""

raise ImportError("libseccomp.so.2: cannot open shared object file (simulated by the tests)")

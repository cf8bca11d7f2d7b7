"""Every use of a library's private API, and every global patch, in one place per library.

Each entry names the version it was checked against. When a library moves, this is the
only package to read: ``reportlab_private`` and ``pptx_private``. The bounds in
``pyproject.toml`` are the versions tested; CI installs the newest they allow.
"""

"""Nabolaget: the project package (settings, root URLs, API root, base templates)."""

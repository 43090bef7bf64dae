"""Pulse BI: notebook-driven business intelligence over the company's CRM.

Importing this package does no work: nothing connects and nothing starts until a function
asks for it.
"""

# The one place the version is written: hatch reads it from here (pyproject.toml,
# [tool.hatch.version]); CHANGELOG.md says what each version brought.
__version__ = "0.1.0"

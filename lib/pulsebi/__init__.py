"""Pulse BI: notebook-driven business intelligence over the company's CRM.

Importing this package does no work: nothing connects and nothing starts until a function
asks for it.
"""

__version__ = "0.1.0"

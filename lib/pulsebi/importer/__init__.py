"""CSV import into the `crm` contract tables (`pulsebi import DIR [--append]`).

One file per table (`<table>.csv`), one transaction for the whole import: any row that breaks a
type, a NOT NULL or a primary key rejects everything (`pulsebi.errors.ImportRejected`).

    files     find the table files, read and check their headers, map COPY errors to lines
    checks    per-type SQL checks of the raw text, stricter than COPY (one CASE per column)
    validate  run the checks over a staged file, find repeated ids, name the physical lines
    load      the transaction: COPY raw text into staging tables, check, cast into `crm`
"""

from pulsebi.importer.load import ImportResult, TableResult, import_directory

__all__ = ["ImportResult", "TableResult", "import_directory"]

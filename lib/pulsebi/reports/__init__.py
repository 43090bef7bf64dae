"""Scheduled reports: run a notebook with Papermill, convert it (HTML, PDF, Excel), mail it.

execute   run a notebook in-process into the run store, validating its parameters
store     run directories under `data_dir/runs/<run id>/`
html      nbconvert HTML without code or scripts (report file; compact mail body)
pdf       WeasyPrint PDF from the report HTML
excel     xlsxwriter workbook from the tables the notebook marked for export
email     the message (cid images, text part, attachments) and SMTP delivery
sinks     format name -> writer registry
history   `bi.report_runs`: idempotency keys, claims, run history, pruning
deliver   one delivery, exactly once: claim, run, write, send, record
schedules `schedules/*.yaml`: loading, validation, due deliveries
"""

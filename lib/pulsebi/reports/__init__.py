"""Scheduled reports: run a notebook with Papermill, convert it (HTML, PDF, Excel), mail it.

execute   run a notebook in-process into the run store, validating its parameters
store     run directories under `data_dir/runs/<run id>/`
html      nbconvert HTML without code or scripts (report file, print source, compact mail body)
pdf       WeasyPrint PDF (A4) from the print HTML
excel     xlsxwriter workbook from the tables the notebook marked for export
email     the message (cid images, text part, attachments) and SMTP delivery
sinks     format name -> writer registry
history   `bi.report_runs`: idempotency keys, claims, run history, pruning
deliver   one delivery, exactly once: claim, run, write, send, record
schedules `schedules/*.yaml`: loading, validation, the deliveries of a fire time
beat      what is due since the last scan (used by the Celery beat in pulsebi.tasks)
prune     drop old run directories and history rows
"""

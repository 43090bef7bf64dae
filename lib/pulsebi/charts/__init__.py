"""Charts: one spec, drawn live with bqplot under Voilà or as static images under Papermill."""

"""One module per department scorecard; each has `SECTIONS` and `show(**parameters)`."""

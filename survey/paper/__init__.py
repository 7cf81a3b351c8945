"""The survey on paper: the form's columns, the Excel template, and reading filled-in
forms back (validated; nothing is imported from a file with an error)."""

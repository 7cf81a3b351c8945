"""Action plans as files: the XLSX table that the meeting pack prints blank,
``actions export`` fills in and ``actions import`` reads back (``plan``)."""

"""The interface meeting pack (issue 20): what the community said, ready to print.

``content`` picks the pack's numbers out of the digest's analysis (so every
number is the digest's, from the protected publication), ``pdf`` lays them
out as an A4 PDF, ``workbook`` as an XLSX whose Actions sheet is the import
format of ``scorecard-bot actions import``.
"""

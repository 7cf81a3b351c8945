"""Coordinator digests: analysis, text, charts, workbook, Open SDG export, schedules."""

"""Limits of what a person may write, defined once for the forms, the services and the printed documents.

A document prints whatever the app accepted: the documents refuse nothing longer than what the hazards
(and every other free-text field) take, and long text continues across pages.
"""

TEXT_MAX = 10_000  # characters of one free-text field: descriptions, measures, reasons, requirements, remarks

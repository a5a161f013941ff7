"""
What every app builds on and none owns: Markdown rendering and sanitising, scholarly
identifiers (DOI, ORCID iD, ISSN), per-member rate limits, safe redirects and the answers
htmx shows for a refusal. A plain package at the bottom of the layers: it imports no app.
"""

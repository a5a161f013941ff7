"""
What the articles app announces to the apps above it, which it does not know.

Sent explicitly by whatever changes a paper's record (the admin's saves, the import and
add-by-DOI services, the demo, the open-copy and notice checks), in the transaction that
changes it: never from a model's save, so a write that means to change nothing announces
nothing.
"""

from django.dispatch import Signal

# The record of some papers changed (title, authors, abstract, journal, subjects), or what
# their pages show of them besides (a free copy found or gone, a retraction or other notice).
# Arguments: ``articles``, their ids.
papers_changed = Signal()

"""
What the accounts app announces to the apps above it, which it does not know.

Sent explicitly by whatever changes how a member is shown (editing their profile, the
admin, deleting their account), in the transaction that changes it.
"""

from django.dispatch import Signal

# How a member is named or shown changed (display name, handle, affiliation).
# Arguments: ``member``.
member_changed = Signal()

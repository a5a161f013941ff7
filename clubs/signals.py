"""
What the clubs app announces to the apps above it, which it does not know.

Sent explicitly by the services that make the change, in the transaction that makes it.
"""

from django.dispatch import Signal

# A member's standing in a club changed: joined, left, removed, banned, given a role.
# Arguments: ``club``, ``member``. Pages cached for them must be read again, and a member
# who left a private club hears nothing more from it.
membership_changed = Signal()

# What a club is changed: its name, visibility, joining or moderation settings. Every page
# of its discussions is out of date (a club made private must leave every public cache).
# Arguments: ``club``.
club_changed = Signal()

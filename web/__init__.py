"""
Helpers every app's views share (safe redirects, error answers). A plain package below
all the apps: it imports none of them.
"""

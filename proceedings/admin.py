# The admin of exports and of deposits, each in its own module.
from . import deposit_admin, export_admin  # noqa: F401

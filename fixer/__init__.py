"""fixer: get a unified diff from the cheapest model that can do the job, review it, commit it."""

__version__ = "0.1.0"

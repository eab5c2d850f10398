"""``python -m dashboard``: serve the dashboard (see dashboard/app.py for the options)."""

from dashboard.app import main

main()

"""``python -m chipwatch`` runs the CLI."""

from .cli import main

raise SystemExit(main())

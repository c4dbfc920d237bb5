"""APScheduler jobs: wake-up hints only; the database holds the truth (later issues)."""

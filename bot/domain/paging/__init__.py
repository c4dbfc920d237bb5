"""Paging: teams, escalation policies, and the engine that walks them without losing a step."""

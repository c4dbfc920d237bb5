"""Postmortems: the draft, its action items, and the report rendered from an incident."""

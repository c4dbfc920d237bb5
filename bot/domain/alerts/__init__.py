"""Alert intake: normalised alerts from monitoring tools, grouped race-safely into incidents."""

"""The Slack side of the lifecycle: projecting stored incidents into channels, cards and DMs.

The domain decides; these modules make Slack show it. Every projection is idempotent, so a
failed step is repaired by running it again (see `sync.py` and the sweeper).
"""

"""Crisis cases: life cycle, timeline and tasks."""

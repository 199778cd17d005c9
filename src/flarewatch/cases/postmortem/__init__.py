"""A case's post-mortem: the facts gathered from the case, its alert and the stored mentions
(`data.py`), the team's lessons learned (`models.py`, `review.py`), rendered as HTML or PDF
(`render.py`, `charts.py`) from the command line (`cli.py`), the case page and the API."""

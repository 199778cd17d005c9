"""Private contact with the person who started a case (issue 21 §6): each platform's window
(`windows.py`, pure), the contact task and its outcome (`models.py`, `service.py`), and its
command line (`cli.py`), API (`api.py`) and case-page section (`pages.py`)."""

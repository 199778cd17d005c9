"""The reader's language, used by every part that writes for people: the web, notifications,
the case timeline and the terminal.

`languages` knows the UI languages and loads their catalogues (kept in
``flarewatch/web/translations``, where the extract command writes them); `labels` names stored
codes; `formatting` writes numbers, dates and times in a locale and a workspace's time zone.
Choosing a language for a request (cookie, Accept-Language) stays in the web (web/i18n.py).
"""

"""Training and evaluation of the sentiment models, apart from the run-time path.

``train.py`` (``make train-sentiment``) fits the default model (``linear.py``) and the stacked
backends' heads (``heads.py``) from the labelled ``datasets.py`` and the lexicons
(``lexicons.py``, ``seeds.py``); ``evaluate.py`` (``make eval``) measures them with
``metrics.py``. They need the ``train`` extra (scikit-learn, vadersentiment, polvader); nothing
under ``flarewatch.enrich.sentiment`` or the enricher imports this package.
"""

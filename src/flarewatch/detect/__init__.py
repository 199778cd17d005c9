"""Detection: seasonal count-aware baselines, stories and an explained risk score.

Modules, from the bottom up: `stats` (negative binomial tails as σ-equivalents), `baseline`
(hour-of-week history and the cold-start ladder), `lexicon` (crisis terms), `stories` (online
clustering), `score` (risk points, severity, explanation), `detector` (the online per-topic
state machine), `runner` (one topic's minute loop), `service` (live, over storage), `backtest`,
`replay` and `cli` (`flarewatch backtest`), `nab` + `labelled` (NAB scores of a backtest against
labelled windows, `--labels`), `evaluate` + `evaluate_nab` (docs/detection.md), `summary`
(optional LLM summary). See docs/detection.md for the method.
"""

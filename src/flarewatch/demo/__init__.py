"""The bundled demo: a workspace file (workspace.toml) and crisis scenarios (scenarios/*.toml).

`flarewatch demo` loads workspace.toml, whose scenario source replays scenarios/burger.toml: a week
of ordinary chatter about a fictional burger chain, then a worm-in-a-burger crisis that spreads
across platforms in Hebrew and English. scenarios/outage.toml is a smaller drill (a mobile network
outage whose operator takes its Facebook page down). The format is documented in docs/scenarios.md.
"""

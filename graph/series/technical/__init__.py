"""Technical loss (理论线损): the power flow over each area's low-voltage network.

`network.py` turns an area's lines into a radial tree from its source (the gate's busbar),
`sweep.py` runs the backward/forward sweep over many areas and time steps at once (numpy),
`shapes.py` spreads a day's energy over its 96 quarter hours. pandapower is the reference the
tests compare with (tests/graph/series/technical).
"""

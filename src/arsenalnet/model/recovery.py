"""Default time to recover (TTR) of a facility by industry, where the data give none.

TTR is Simchi-Levi, Schmidt and Wei's (Harvard Business Review, 2014) "time it
would take for a particular node to be restored to full functionality after a
disruption". Real values come from supplier surveys (``facility.ttr_days``).
Where a facility has none, the risk report and the generator use the median of
its industry below (days), matched on the longest NAICS prefix.

These medians are **assumptions for illustration**, not published statistics:
orders of magnitude anchored on public recoveries — Renesas' Naka N3 wafer fab
(fire of 19 March 2021) back to pre-fire output in about 100 days per Renesas'
press releases; automotive and chemical plants after the 2011 Tohoku earthquake
and Hurricane Harvey (2017) in two to four months; machine shops and fabricators
in weeks. Replace them with survey data where you have it.
"""

TTR_MEDIAN_DAYS: dict[str, float] = {
    "21": 120.0,  # mining, quarrying, oil and gas extraction
    "31": 30.0,  # food, textiles
    "32": 45.0,  # wood, paper, printing, petroleum, chemicals, plastics, minerals
    "324": 90.0,  # petroleum and coal products
    "325": 90.0,  # chemicals
    "3259": 120.0,  # other chemicals, incl. explosives (325920)
    "326": 30.0,  # plastics and rubber
    "327": 45.0,  # nonmetallic mineral products
    "33": 45.0,  # metals, machinery, electronics, equipment
    "331": 90.0,  # primary metals (melt shops, smelters, refineries)
    "332": 30.0,  # fabricated metal products
    "3329": 60.0,  # other fabricated metal, incl. ammunition
    "333": 45.0,  # machinery
    "334": 60.0,  # computers and electronics
    "3344": 100.0,  # semiconductors and other electronic components
    "335": 45.0,  # electrical equipment
    "336": 60.0,  # transportation equipment (incl. aircraft, missiles)
}
DEFAULT_TTR_DAYS = 30.0
"""TTR of a facility whose industry matches no prefix above (days)."""


def ttr_median_days(naics: str) -> float:
    """The default TTR of a NAICS code (days): the entry of its longest listed prefix."""
    for n in range(len(naics), 1, -1):
        if naics[:n] in TTR_MEDIAN_DAYS:
            return TTR_MEDIAN_DAYS[naics[:n]]
    return DEFAULT_TTR_DAYS

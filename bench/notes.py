#!/usr/bin/env python3
"""Sums the broker WARN/ERROR kinds that bench/run.sh collected ("BROKER SCENARIO: COUNT KIND" lines) over the
repetitions and prints the most frequent kinds per broker and scenario."""
import re
import sys
from collections import Counter, defaultdict

totals = defaultdict(Counter)
for line in open(sys.argv[1]):
    m = re.match(r"\s*(\S+) (\S+):\s+(\d+) (.*)$", line.rstrip())
    if m:
        kind = re.sub(r"^(N )?\[[^]]*\] ", "", m.group(4))
        totals[(m.group(1), m.group(2))][kind] += int(m.group(3))
for (broker, scenario), kinds in sorted(totals.items()):
    for kind, n in kinds.most_common(3):
        print(f"    {broker} {scenario}: {n} × {kind[:150]}")

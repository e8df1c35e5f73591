#!/usr/bin/env python3
"""Turns the RESULT lines of bench/run.sh into one Markdown table: per scenario and metric, each broker's
median [min-max] over the repetitions and the ratio of its median to Mosquitto's."""
import statistics
import sys
from collections import defaultdict

BROKERS = [("mosquitto", "Mosquitto 2.0.11"), ("moquette", "Moquette 0.17"),
           ("edgeport-broker", "Edgeport broker"), ("edgeport", "Edgeport"), ("edgeport-full", "Edgeport full")]
GEN, BCPU, RSS = ("generator CPU %", "gen_cpu_pct"), ("broker CPU %", "broker_cpu_pct"), ("broker RSS MB", "broker_rss_mb")
SCENARIOS = [
    ("fanin-q0", "8 → 1, QoS 0, full speed", [("delivered msg/s", "deliv_rate"), ("published msg/s", "pub_rate"),
                                              ("not delivered %", "lost_pct"), GEN, BCPU, RSS]),
    ("fanin-q1", "8 → 1, QoS 1, ≤ 64 in flight each", [("delivered msg/s", "deliv_rate"),
                                                       ("acked, not delivered at end", "acked_lost"),
                                                       ("reordered", "reordered"), ("duplicates", "dup"),
                                                       ("not delivered %", "lost_pct"), GEN, BCPU]),
    ("fanin-paced", "8 → 1, QoS 0, paced 20,000 msg/s", [BCPU, ("delivered msg/s", "deliv_rate"),
                                                          ("not delivered %", "lost_pct"), GEN]),
    ("fanout", "1 → 50, QoS 0, full speed", [("deliveries/s", "deliv_rate"), ("published msg/s", "pub_rate"),
                                             ("not delivered %", "lost_pct"), GEN, BCPU]),
    ("latency", "1 → 1, QoS 1, 2,000 msg/s", [("latency p50 ms", "lat_p50_ms"), ("latency p99 ms", "lat_p99_ms"),
                                              ("not delivered %", "lost_pct"), GEN, BCPU]),
    ("connections", "5,000 idle connections", [("connects/s", "conn_rate"), ("broker RSS MB", "broker_rss_mb"),
                                               ("failed", "failed"), GEN]),
]


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt(v):
    if v is None:
        return "–"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return f"{v:.3f}".rstrip("0").rstrip(".") if v else "0"


def main(path):
    runs = defaultdict(list)  # (scenario, broker) -> [dict]
    for line in open(path):
        if not line.startswith("RESULT"):
            continue
        kv = dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)
        runs[(kv.get("name", kv.get("scenario")), kv.get("broker"))].append(kv)
    present = [b for b in BROKERS if any(k[1] == b[0] for k in runs)]
    cols = []
    for key, label in present:
        cols.append(label)
        if key != "mosquitto" and any(p[0] == "mosquitto" for p in present):
            cols.append("× Mosq.")
    print("| scenario | metric | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    backlog = [False]
    for name, title, metrics in SCENARIOS:
        if not any(k[0] == name for k in runs):
            continue
        for i, (mlabel, mkey) in enumerate(metrics):
            cells, base = [], None
            for key, _ in present:
                rs = runs.get((name, key), [])
                vals = [v for v in (num(r.get(mkey)) for r in rs) if v is not None]
                errors = sum(1 for r in rs if "error" in r)
                if vals:
                    med = statistics.median(vals)
                    cell = fmt(med) if len(vals) == 1 else f"{fmt(med)} [{fmt(min(vals))}–{fmt(max(vals))}]"
                else:
                    med, cell = None, "–"
                if mkey in ("lost_pct", "acked_lost") and any(r.get("drained") == "false" for r in rs):
                    cell += " †"
                    backlog[0] = True
                if errors:
                    cell += f" ({errors} failed)"
                cells.append(cell)
                if key == "mosquitto":
                    base = med
                elif any(p[0] == "mosquitto" for p in present):
                    cells.append(f"{med / base:.2f}" if med is not None and base else "–")
            print(f"| {title if i == 0 else ''} | {mlabel} | " + " | ".join(cells) + " |")
    if backlog[0]:
        print("\n† in at least one run the broker was still delivering when the drain time ran out: part of the"
              " \"not delivered\" figure is a backlog, not a proven loss.")


if __name__ == "__main__":
    main(sys.argv[1])

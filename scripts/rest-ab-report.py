"""Medians of scripts/rest-ab.sh cells: python3 rest-ab-report.py cells.jsonl..."""
import collections
import json
import statistics as st
import sys

cells = collections.defaultdict(list)
for name in sys.argv[1:]:
    for line in open(name):
        d = json.loads(line)
        cells[(d["scenario"], d["c"], d["label"])].append(d)
print("| workload | clients | before / after / upstream req/s | after ÷ before | after ÷ upstream "
      "| CPU µs per request, before / after / upstream | n |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for s, c in sorted({(s, c) for s, c, _ in cells}):
    def med(who, f):
        return st.median(x[f] for x in cells[(s, c, who)])
    b, a, u = med("before", "rps"), med("after", "rps"), med("up", "rps")
    cb, ca, cu = (med(w, "server_cpu_us_per_req") for w in ("before", "after", "up"))
    errs = sum(x["errors"] for w in ("before", "after", "up") for x in cells[(s, c, w)])
    print(f"| {s} | {c} | {b:,.0f} / {a:,.0f} / {u:,.0f} | {a / b:.2f} | {a / u:.2f} "
          f"| {cb:,.0f} / {ca:,.0f} / {cu:,.0f} | {len(cells[(s, c, 'after')])}{' ERRORS' if errs else ''} |")

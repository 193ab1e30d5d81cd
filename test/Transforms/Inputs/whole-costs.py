"""A cost database for optimize.mlir's whole-program check: BASE's entries
plus the function's keys from REPORT (a --pet-optimize report) as it was
(BEFORE_US) and as optimized (AFTER_US), printed as JSON.

Usage: python whole-costs.py REPORT BASE BEFORE_US AFTER_US
"""
import json
import sys

report, base, before, after = sys.argv[1:]
function = json.load(open(report))["functions"][0]
db = json.load(open(base))
db["entries"] += [{"key": function["key_before"], "time_us": float(before)},
                  {"key": function["key_after"], "time_us": float(after)}]
print(json.dumps(db, indent=1))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print one `N passed, N failed, N skipped` line over the meson test logs
of the build directories given, and exit 1 if anything failed."""
import json
import os
import sys

passed = failed = skipped = 0
for build in sys.argv[1:]:
    log = os.path.join(build, 'meson-logs', 'testlog.json')
    if not os.path.exists(log):
        continue
    with open(log) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            res = r.get('result')
            if res in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif res == 'SKIP':
                skipped += 1
            else:
                failed += 1
                print(f"FAILED: {build}: {r.get('name')} ({res})")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)

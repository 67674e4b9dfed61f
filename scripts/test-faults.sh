#!/usr/bin/env bash
# The fault tests: the fleet (five app processes, 1000 simulated devices, its own broker and database) beside the other
# fault tests, which run one at a time; each measures the load it makes itself. Fails when either fails; the fleet's
# output follows the others'.
set -uo pipefail
cd "$(dirname "$0")/.."
fleet_log=$(mktemp /tmp/ilot-faults-fleet.XXXXXX)
npx jest --runInBand --selectProjects faults --testPathPatterns fleet > "$fleet_log" 2>&1 &
fleet=$!
npx jest --runInBand --selectProjects faults --testPathIgnorePatterns fleet
others=$?
wait "$fleet"
fleet_rc=$?
cat "$fleet_log"
rm -f "$fleet_log"
echo "faults: others exit $others, fleet exit $fleet_rc"
exit $((others != 0 || fleet_rc != 0))

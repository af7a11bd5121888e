#!/usr/bin/env bash
# Mutation testing (mutmut 3) of the security-critical core modules, on a schedule outside CI: it is slow
# (minutes to an hour per module on a loaded 2-core machine). Each module is mutated in its own copy of the
# checkout and only its relevant test files run, so modules can run side by side:
#
#     scripts/mutation.sh                      # every module below, one after the other
#     scripts/mutation.sh roles mrz            # just these
#     MUTATION_JOBS=2 scripts/mutation.sh      # mutmut's --max-children (default 1: the machine is shared)
#     MUTATION_TIME_LIMIT=1800 scripts/mutation.sh officers   # stop each module after 30 min; the mutants
#                                              # checked so far are counted, the rest reported "not checked"
#     MUTATION_MUTANTS='console.core.officers.x_unlock_officer__mutmut_*' scripts/mutation.sh officers
#                                              # only these mutants (mutmut's glob patterns, space-separated)
#
# Results: $MUTATION_DIR/<module>/ (default /tmp/id-console-mutation) holds mutmut's state; the summary line
# per module ("killed/total") is printed at the end and written to $MUTATION_DIR/<module>.summary, the
# surviving mutants to $MUTATION_DIR/<module>.survivors (see them with `cd $MUTATION_DIR/<module> && mutmut show
# NAME`). docs/testing.md records the last run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py="$root/.venv/bin/python"
mutmut="$root/.venv/bin/mutmut"
out=${MUTATION_DIR:-/tmp/id-console-mutation}
jobs=${MUTATION_JOBS:-1}
limit=${MUTATION_TIME_LIMIT:-0}
read -r -a only <<<"${MUTATION_MUTANTS:-}"
mkdir -p "$out"

# module -> the test files that exercise it (mutmut runs, per mutant, only those of them that reach the
# mutated function).
declare -A TESTS=(
  [roles]="tests/core/test_roles.py tests/core/test_permissions.py tests/core/test_accounts.py"
  [accounts]="tests/core/test_accounts.py tests/core/test_accounts_edges.py tests/core/test_permissions.py tests/core/test_officers_edges.py tests/security/test_lockout_bursts.py tests/security/test_keys_leave.py"
  [officers]="tests/core/test_accounts.py tests/core/test_permissions.py tests/core/test_officers_edges.py"
  [requests]="tests/core/test_requests_edges.py tests/core/test_issuance.py tests/core/test_permissions.py tests/core/test_status_list.py"
  [credentials]="tests/core/test_credentials.py tests/core/test_credential_interop.py tests/core/test_credentials_edges.py"
  [coding]="tests/core/test_coding.py tests/core/test_properties.py"
  [mrz]="tests/core/test_mrz.py tests/core/test_properties.py tests/core/test_mrz_edges.py"
  [keystore]="tests/core/test_keystore.py tests/core/test_keystore_format.py"
  [truth]="tests/core/test_truth.py tests/security/test_tampered_tables.py"
  [independence]="tests/core/test_independence.py"
  [ledger]="tests/core/ledger tests/core/test_officelog.py"
  [officelog]="tests/core/test_officelog.py"
  [ledgerverify]="tests/core/test_ledgerverify.py tests/core/test_log_fault.py tests/security/test_ledger_truncation.py"
  [statuslist]="tests/core/test_status_list.py"
  [verification]="tests/core/test_credentials.py tests/core/test_status_list.py tests/core/test_claim169_vectors.py"
)
# Tests left out of a module's run (a pytest -k expression), each with why: under mutmut's trampolines they take
# minutes, and mutmut runs every test that reaches a surviving mutant's function.
#   coding: test_ten_offices_never_collide allocates 100,000 numbers per scheme (58 s plain, ~10 min under the
#   trampolines: the round-four run spent its whole cap on the stats and clean runs); uniqueness and validity of
#   allocated numbers stay checked by the 5,000- and 10,000-number tests of test_coding.py.
declare -A EXCLUDE=(
  [coding]="ten_offices_never_collide"
)
# The module's source: console/core/<module>.py, or a package's modules.
declare -A SOURCES=(
  [ledger]="console/core/ledger/*"
)
ALL=(roles accounts officers requests credentials coding mrz keystore truth independence ledger officelog
  ledgerverify statuslist verification)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=("${ALL[@]}")

for m in "${modules[@]}"; do
  if [ -z "${TESTS[$m]:-}" ]; then
    echo "mutation.sh: unknown module '$m'; choose from: ${ALL[*]}" >&2
    exit 2
  fi
done

for m in "${modules[@]}"; do
  work="$out/$m"
  rm -rf "$work"
  mkdir -p "$work"
  cp -r console resources tests docs pyproject.toml "$work/"  # docs: tests read the documented vectors
  # mutmut reads [tool.mutmut] from the copy's pyproject.toml.
  {
    echo
    echo "[tool.mutmut]"
    echo 'source_paths = ["console"]'
    echo "only_mutate = [\"${SOURCES[$m]:-console/core/$m.py}\"]"
    echo 'also_copy = ["resources", "docs"]'
    printf 'pytest_add_cli_args_test_selection = ['
    first=1
    for t in ${TESTS[$m]}; do
      [ $first -eq 1 ] || printf ', '
      printf '"%s"' "$t"
      first=0
    done
    echo ']'
    # The source scans of test_permissions.py read the code under test, which mutmut rewrites into trampolines;
    # they guard the test table, not the code, so they are left out here.
    # The "mutation" profile (tests/conftest.py) lifts hypothesis's health checks and deadlines.
    excluded="writer or guarded or exemptions or detector${EXCLUDE[$m]:+ or ${EXCLUDE[$m]}}"
    echo "pytest_add_cli_args = [\"-p\", \"no:cacheprovider\", \"-q\", \"-x\", \"--hypothesis-profile=mutation\", \"-k\", \"not ($excluded)\"]"
  } >>"$work/pyproject.toml"
  echo "== $m: mutating ${SOURCES[$m]:-console/core/$m.py} against ${TESTS[$m]}"
  start=$(date +%s)
  status=0
  if [ "$limit" -gt 0 ]; then
    # SIGINT lets mutmut stop its children; every mutant checked so far is already saved in mutants/*.meta.
    (cd "$work" && timeout --signal=INT --kill-after=60 "$limit" "$mutmut" run --max-children "$jobs" "${only[@]}" \
      >"$work/run.log" 2>&1) || status=$?
  else
    (cd "$work" && "$mutmut" run --max-children "$jobs" "${only[@]}" >"$work/run.log" 2>&1) || status=$?
  fi
  if [ "$status" -ne 0 ] && ! { [ "$limit" -gt 0 ] && [ "$status" -eq 124 ] && [ -d "$work/mutants" ]; }; then
    echo "mutation.sh: mutmut failed for $m; see $work/run.log" >&2
    tail -n 20 "$work/run.log" >&2
    continue
  fi
  [ "$status" -eq 0 ] || echo "mutation.sh: $m stopped after the time limit of $limit s" >&2
  (cd "$work" && "$mutmut" results --all true >"$work/results.txt" 2>&1) || true
  "$py" - "$work/results.txt" "$m" "$(($(date +%s) - start))" >"$out/$m.summary" <<'EOF'
import collections, sys
counts = collections.Counter()
survivors = []
for line in open(sys.argv[1], encoding="utf-8"):
    name, _, status = line.strip().rpartition(": ")
    if not name:
        continue
    counts[status] += 1
    if status in ("survived", "no tests"):
        survivors.append(name)
total = sum(counts.values())
checked = total - counts["not checked"]
killed = counts["killed"] + counts["timeout"] + counts["segfault"]
rate = 100.0 * killed / checked if checked else 0.0
detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
scope = f"{killed}/{checked} killed" + (f" (of {total} mutants, {checked} checked)" if checked < total else "")
print(f"{sys.argv[2]}: {scope} ({rate:.1f}%) in {sys.argv[3]} s [{detail}]")
with open(sys.argv[1].replace("results.txt", "survivors.txt"), "w", encoding="utf-8") as f:
    f.write("".join(s + "\n" for s in survivors))
EOF
  cp "$work/survivors.txt" "$out/$m.survivors"
  cat "$out/$m.summary"
done

echo "== summary"
for m in "${modules[@]}"; do
  cat "$out/$m.summary" 2>/dev/null || echo "$m: no result"
done

#!/usr/bin/env bash
# The package's end-to-end test (issue 15), as root: build the previous release's .deb and this one's, install
# them with apt-get in a clean Debian chroot (debootstrap; no venv, no checkout, no build tools inside), and check
# what an office sees:
#   1. previous release installed: init + user add + register + issue + card + verify; keys and schema noted;
#   2. this release installed over it (apt-get install ./id-console_*.deb): --version; the old office's database
#      is migrated on first open, its keys are the same (the old card still verifies, the JWKS keeps its kid, the
#      clerk still signs with the same password); a fresh office does init + register + issue + card + verify;
#      the GUI reaches the login window offscreen with its helper process running; `node serve` answers /health;
#      the node's user and 0700 data folder exist, systemd-analyze accepts its unit;
#   3. the previous release installed back over it (a downgrade) refuses the newer database with one sentence
#      and changes nothing; this release again opens it.
#
#   packaging/smoke.sh          (.ci/run calls it when ID_CONSOLE_PACKAGING=1)
#
# Environment: ID_CONSOLE_PREV_REF (the previous release's commit; default the 0.1.0 of round 1),
# ID_CONSOLE_CHROOT_BASE (a debootstrapped Debian 12 to copy; made and kept at the default path if missing),
# ID_CONSOLE_DEB_COMPRESS (xz or zstd, passed to build.sh), ID_CONSOLE_SMOKE_NEW_DEB / ID_CONSOLE_SMOKE_OLD_DEB
# (test these already built packages instead of building them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
prev_ref=${ID_CONSOLE_PREV_REF:-8b4347e}
base=${ID_CONSOLE_CHROOT_BASE:-/var/cache/id-console-smoke/bookworm}
out="$repo/build/smoke"
started=$(date +%s)

[ "$(id -u)" = 0 ] || { echo "smoke.sh: run as root (it installs packages into a chroot)." >&2; exit 2; }
need=()
for tool in debootstrap appstreamcli dpkg-deb; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${need[@]}" | sed 's/^appstreamcli$/appstream/; s/^dpkg-deb$/dpkg/' | tr '\n' ' ')
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
fi

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

# ---- build both packages (or take the ones named by ID_CONSOLE_SMOKE_NEW_DEB / ID_CONSOLE_SMOKE_OLD_DEB)
compress=${ID_CONSOLE_DEB_COMPRESS:-xz}
mkdir -p "$out"
if [ -n "${ID_CONSOLE_SMOKE_NEW_DEB:-}" ]; then
  new_deb=$ID_CONSOLE_SMOKE_NEW_DEB
else
  rm -rf "$out/new"
  t0=$(date +%s)
  bash "$here/build.sh" --compress "$compress" --out "$out/new" | tee "$out/new.log"
  echo "build time of this release: $(( $(date +%s) - t0 )) s"
  new_deb=$(ls "$out"/new/id-console_*.deb)
fi
if [ -n "${ID_CONSOLE_SMOKE_OLD_DEB:-}" ]; then
  old_deb=$ID_CONSOLE_SMOKE_OLD_DEB
else
  rm -rf "$out/old"
  bash "$here/build.sh" --compress "$compress" --ref "$prev_ref" --out "$out/old" >"$out/old.log"
  old_deb=$(ls "$out"/old/id-console_*.deb)
fi
new_version=$(dpkg-deb -f "$new_deb" Version)
old_version=$(dpkg-deb -f "$old_deb" Version)
dpkg --compare-versions "$new_version" gt "$old_version" || fail "this release ($new_version) is not newer than $prev_ref ($old_version)"

# ---- a clean Debian 12 to install into
if [ ! -x "$base/usr/bin/apt-get" ]; then
  step "debootstrap Debian 12 (minbase) into $base (kept for the next run)"
  rm -rf "$base.tmp" && mkdir -p "$(dirname "$base")"
  debootstrap --variant=minbase bookworm "$base.tmp" http://deb.debian.org/debian >/dev/null
  mv "$base.tmp" "$base"
fi
root=$(mktemp -d /var/tmp/id-console-chroot.XXXXXX)
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true
  for m in dev proc; do umount -R "$root/$m" 2>/dev/null || umount -lR "$root/$m" 2>/dev/null || true; done
  if ! grep -q " $root/" /proc/mounts; then rm -rf "$root"; fi
}
trap cleanup EXIT
cp -a "$base/." "$root/"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"          # /dev/shm: the helper process's semaphores
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/tmp/debs" && cp "$new_deb" "$old_deb" "$root/tmp/debs/"
chroot "$root" useradd --create-home --shell /bin/sh officer
chroot "$root" apt-get update -qq

apt_install() {  # apt-get install ./FILE inside the chroot, as an office's administrator would
  chroot "$root" sh -c "cd /tmp/debs && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --allow-downgrades ./$1" >/dev/null
}
# Run as the officer in a bare environment: no venv, no checkout, no PYTHON* variables; only what the package put
# on the system PATH. Usage: as DATA_DIR PASSWORD COMMAND...
as() {
  local data=$1 password=$2; shift 2
  chroot --userspec=officer:officer "$root" env -i HOME=/home/officer PATH=/usr/local/bin:/usr/bin:/bin \
    LANG=C.UTF-8 ID_CONSOLE_DATA_DIR="$data" ID_CONSOLE_PASSWORD="$password" ID_CONSOLE_NEW_PASSWORD="${NEWPW:-}" \
    "$@"
}
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1], {}, {"d": d}))' "$1"; }
schema() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$root$1/office.db"; }
kids() { python3 -c 'import json, sys; print(" ".join(sorted(k["kid"] for k in json.load(open(sys.argv[1]))["keys"])))' "$root$1"; }

office_day() {  # DATA: init, a clerk, register, issue, card, verify -> prints the ID number
  local data=$1 tag=$2
  as "$data" amber-tulip-4711 id-console init --authority-name "Utopia Identity Authority" \
    --authority-domain ids.utopia.example --office-code HQ-01 --office-name "Central Office" --scheme uin-10 \
    --admin alice >/dev/null
  NEWPW=cedar-river-2718 as "$data" amber-tulip-4711 id-console user add --as alice --username bob --role clerk \
    --full-name "Bob Berger" >/dev/null
  local n
  n=$(as "$data" cedar-river-2718 id-console register --as bob --family-name 张 --given-name 伟 \
    --birth-date 1990-01-02 --sex M --birthplace CHN --json | json 'd["id_number"]')
  as "$data" cedar-river-2718 id-console issue --as bob "$n" --json >/dev/null
  as "$data" cedar-river-2718 id-console card --as bob "$n" --out "/home/officer/card-$tag.pdf" --back >/dev/null
  as "$data" cedar-river-2718 id-console verify --pdf "/home/officer/card-$tag.pdf" >/dev/null \
    || fail "the $tag card does not verify"
  echo "$n"
}

# ---- 1. the previous release, and an office with data
step "install $old_version ($prev_ref) with apt-get"
apt_install "$(basename "$old_deb")"
got=$(as /nowhere x id-console --version)
[ "$got" = "id-console $old_version" ] || fail "installed $old_version says '$got'"
office=/home/officer/office
n_old=$(office_day "$office" old)
as "$office" x id-console trust export --out /home/officer/trust-old.json
schema_old=$(schema "$office")
kids_old=$(kids /home/officer/trust-old.json)
echo "office on $old_version: person $n_old, schema $schema_old, office keys $kids_old"

# ---- 2. this release over it
step "upgrade to $new_version with apt-get install ./$(basename "$new_deb")"
apt_install "$(basename "$new_deb")"
got=$(as /nowhere x id-console --version)
[ "$got" = "id-console $new_version" ] || fail "installed $new_version says '$got'"
verdict=$(as "$office" x id-console verify --pdf /home/officer/card-old.pdf --json | json 'd["status"] if isinstance(d, dict) else d[0]["status"]') \
  || fail "the card printed by $old_version no longer verifies after the upgrade"
schema_new=$(schema "$office")
want=$(cd "$repo" && python3 -c 'import ast, sys; t = ast.parse(open("console/core/store.py").read()); print(next(len(n.value.elts) for n in t.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "MIGRATIONS"))')
[ "$schema_new" = "$want" ] && [ "$schema_new" -gt "$schema_old" ] || fail "schema after the upgrade is $schema_new (was $schema_old, this release has $want)"
as "$office" x id-console trust export --out /home/officer/trust-new.json
for kid in $kids_old; do kids /home/officer/trust-new.json | grep -qw "$kid" || fail "office key $kid was lost in the upgrade"; done
as "$office" cedar-river-2718 id-console issue --as bob "$n_old" --json >/dev/null || fail "the clerk cannot sign after the upgrade"
as "$office" cedar-river-2718 id-console card --as bob "$n_old" --out /home/officer/card-reissued.pdf >/dev/null
as "$office" x id-console verify --pdf /home/officer/card-reissued.pdf >/dev/null || fail "a card issued after the upgrade does not verify"
echo "upgraded office: old card $verdict, schema $schema_old -> $schema_new, office keys kept, clerk signs with the same password"

step "a fresh office on $new_version: init + register + issue + card + verify"
n_new=$(office_day /home/officer/office2 new)
echo "fresh office: person $n_new, card verified"

step "the desktop console reaches its login window (offscreen), helper process in the bundle"
as "$office" x env QT_QPA_PLATFORM=offscreen ID_CONSOLE_SMOKE=gui timeout 300 id-console \
  || fail "the GUI did not reach its login window"

step "node service: user, data folder, unit"
chroot "$root" getent passwd id-console >/dev/null || fail "no id-console system user"
mode=$(chroot "$root" stat -c "%a %U" /var/lib/id-console)  # the chroot's user names, not the host's
[ "$mode" = "700 id-console" ] || fail "/var/lib/id-console is '$mode', expected '700 id-console'"
test -f "$root/lib/systemd/system/id-console-node.service" || fail "no systemd unit"
if command -v systemd-analyze >/dev/null; then
  # on the host's systemd (the minimal chroot has none): the unit as installed; that /usr/bin/id-console exists
  # is checked in the chroot, not here
  test -x "$root/usr/bin/id-console" || fail "no /usr/bin/id-console"
  problems=$(cd / && systemd-analyze verify --man=no "$root/lib/systemd/system/id-console-node.service" 2>&1 \
    | grep -v -e 'Cannot add dependency' -e 'Command /usr/bin/id-console is not executable' || true)
  [ -z "$problems" ] || fail "systemd-analyze finds problems in the unit: $problems"
  echo "systemd-analyze verify: the unit is clean"
fi
as /nowhere x id-console node serve --help >/dev/null || fail "the installed console has no \`node serve\`"
step "node serve answers /health"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as "$office" x id-console node serve --host 127.0.0.1 --port "$port" >"$out/node.log" 2>&1 &
node_pid=$!
python3 - "$port" <<'EOF' || { cat "$out/node.log" >&2; fail "node serve did not answer /health"; }
import sys, time, urllib.request
deadline = time.monotonic() + 120
while True:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=5) as r:
            print("node serve /health:", r.status, r.read(200).decode(errors="replace").strip())
            break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
EOF
kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""

# ---- 3. downgrade
step "downgrade to $old_version: a newer database is refused with one sentence"
apt_install "$(basename "$old_deb")"
set +e
msg=$(as "$office" cedar-river-2718 id-console whoami --as bob 2>&1 >/dev/null); code=$?
set -e
echo "$old_version says (exit $code): $msg"
[ "$code" -ne 0 ] && echo "$msg" | grep -q "newer console" || fail "the older console did not refuse the newer database"
[ "$(echo "$msg" | wc -l)" = 1 ] || fail "the refusal is not one line"
[ "$(schema "$office")" = "$schema_new" ] || fail "the downgrade changed the database's schema"
apt_install "$(basename "$new_deb")"
as "$office" cedar-river-2718 id-console whoami --as bob >/dev/null || fail "$new_version does not open the office again"

step "sizes"
du -sh "$root/opt/id-console" | sed 's/^/installed bundle: /'
ls -l "$(dirname "$new_deb")" | sed -n 's/^.* \([0-9][0-9]*\) [A-Z][a-z][a-z] .* \(.*\)$/\2: \1 bytes/p'
echo "smoke: OK ($(( $(date +%s) - started )) s)"

#!/usr/bin/env bash
# Build the console for Linux on this machine: a PyInstaller one-folder bundle with every resource, a tarball of
# it, and a Debian package (/opt/id-console, launchers in /usr/bin, .desktop entry, AppStream metainfo, hicolor
# icons, man page, the node's systemd unit).
#
#   packaging/build.sh [--ref GITREF] [--version V] [--out DIR] [--compress xz|zstd] [--reuse-bundle]
#
#   --ref GITREF   bundle that commit's sources (with this checkout's spec and packaging files): the upgrade
#                  test builds the previous release this way. Default: this working tree, uncommitted changes too.
#   --version V    stamp V into the staged sources' console/__init__.py (default: the version there).
#   --out DIR      where the results go (default: dist/). Intermediate files go to build/packaging-<version>/.
#   --compress C   the .deb's compression: xz (default, smallest download, what Debian's archive uses) or zstd
#                  (level 9: ~12 % larger, about 20 times faster to build; any apt since Debian 12 installs it).
#   --reuse-bundle the bundle and build venv of the last build of this version stay as they are (packaging
#                  work: only the tarball, the .deb and the wheel are made again).
#
# Needs: python3 (3.11+, with its shared libpython), dpkg-deb, appstreamcli (apt-get install appstream).
# Prints the sizes and the build time at the end (docs/packaging.md records them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ref="" version="" out="$repo/dist" compress=xz reuse=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ref) ref=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --compress) compress=$2; shift 2 ;;
    --reuse-bundle) reuse=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$compress" in
  xz) zflags=(-Zxz -z6) ;;
  zstd) zflags=(-Zzstd -z9) ;;
  *) echo "build.sh: --compress is xz or zstd, not '$compress'" >&2; exit 2 ;;
esac
for tool in python3 dpkg-deb appstreamcli; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing; install it (appstreamcli: apt-get install appstream)." >&2; exit 2; }
done
start=$(date +%s)
mkdir -p "$out"
out=$(cd "$out" && pwd)

# 1. Stage the sources: a commit's tree, or this working tree as git sees it (tracked and untracked, not ignored).
stage=$(mktemp -d "${TMPDIR:-/tmp}/id-console-src.XXXXXX")
trap 'rm -rf "$stage"' EXIT
if [ -n "$ref" ]; then
  git -C "$repo" archive "$ref" | tar -x -C "$stage"
else
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard \
    | tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -x -C "$stage")
fi
test -f "$stage/console/__init__.py" || { echo "build.sh: no console/__init__.py in the staged sources" >&2; exit 1; }
if [ -n "$version" ]; then
  sed -i "s/^__version__ = .*/__version__ = \"$version\"/" "$stage/console/__init__.py"
fi
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$stage/console/__init__.py")
# PEP 440 -> Debian: pre-releases sort before the release (0.3.0rc1 -> 0.3.0~rc1, 0.3.0.dev2 -> 0.3.0~dev2)
debversion=$(echo "$version" | sed -E 's/\.?(a|b|rc|dev)([0-9]+)/~\1\2/')
arch=$(dpkg --print-architecture)
work="$repo/build/packaging-$version"
mkdir -p "$work"
echo "== id-console $version ($debversion, $arch) from ${ref:-the working tree}"

bundle="$work/dist/id-console"
if [ "$reuse" = 1 ] && [ -x "$bundle/id-console" ]; then
  echo "== reusing $bundle"
  venv="$work/venv"
else
  # 2. A build venv of its own with the staged sources installed (not editable: PyInstaller must see exactly
  #    these sources, not this checkout through an editable finder).
  venv="$work/venv"
  test -x "$venv/bin/python" || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade "$stage" "pyinstaller>=6.0" 2>&1 | grep -v '^WARNING: Location' || true
  # -I: not the checkout in the current directory, the installed sources
  got=$("$venv/bin/python" -I -c 'import console; print(console.__version__)')
  test "$got" = "$version" || { echo "build.sh: the build venv $venv holds console $got, not $version; delete it and run again." >&2; exit 1; }

  # 3. The bundle.
  rm -rf "$work/dist"
  ID_CONSOLE_SOURCE="$stage" "$venv/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath "$work/dist" --workpath "$work/pyi" "$here/id-console.spec"
fi
bundled=$(date +%s)
got=$(env -u ID_CONSOLE_RESOURCES "$bundle/id-console" --version)
test "$got" = "id-console $version" || { echo "build.sh: the bundle says '$got', expected id-console $version" >&2; exit 1; }

# 4. The tarball of the bundle (unpack anywhere, run id-console-<v>/id-console).
tarball="$out/id-console-$version-linux-$(uname -m).tar.gz"
tar -C "$work/dist" --transform "s,^id-console,id-console-$version," --owner=0 --group=0 -czf "$tarball" id-console

# 5. The Debian package's tree.
root="$work/deb"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" "$root/usr/share/metainfo" \
  "$root/usr/share/man/man1" "$root/usr/share/doc/id-console" "$root/usr/share/icons/hicolor" \
  "$root/lib/systemd/system"
cp -a "$bundle" "$root/opt/id-console"
ln -s ../../opt/id-console/id-console "$root/usr/bin/id-console"
cat > "$root/usr/bin/id-console-gui" <<'EOS'
#!/bin/sh
# The desktop console (the .desktop entry starts this).
exec /opt/id-console/id-console gui "$@"
EOS
chmod 755 "$root/usr/bin/id-console-gui"
install -m 644 "$here/id-console.desktop" "$root/usr/share/applications/id-console.desktop"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%F)/" "$here/id-console.metainfo.xml.in" \
  > "$root/usr/share/metainfo/org.idconsole.IdConsole.metainfo.xml"
appstreamcli validate --no-net --pedantic "$root/usr/share/metainfo/org.idconsole.IdConsole.metainfo.xml" \
  || appstreamcli validate --no-net "$root/usr/share/metainfo/org.idconsole.IdConsole.metainfo.xml"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$root/usr/share/applications/id-console.desktop"; fi
QT_QPA_PLATFORM=offscreen "$venv/bin/python" "$here/icons.py" "$stage/resources/icons/app.svg" "$root/usr/share/icons/hicolor"
COLUMNS=80 "$venv/bin/python" "$here/manpage.py" "$version" | gzip -9n > "$root/usr/share/man/man1/id-console.1.gz"
ln -s id-console.1.gz "$root/usr/share/man/man1/id-console-gui.1.gz"
install -m 644 "$here/id-console-node.service" "$root/lib/systemd/system/id-console-node.service"
cp "$stage/resources/fonts/"LICENSE-* "$root/usr/share/doc/id-console/"
printf 'ID Console %s\nLicence: Apache-2.0. Bundled fonts and the verifier page carry their own licences (LICENSE-*, %s).\n' \
  "$version" "/opt/id-console/_internal/resources/verifier-page/THIRD-PARTY-LICENSES.txt" \
  > "$root/usr/share/doc/id-console/copyright"
for script in postinst prerm postrm; do install -m 755 "$here/debian/$script" "$root/DEBIAN/$script"; done
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@DEBVERSION@/$debversion/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$here/debian/control.in" \
  > "$root/DEBIAN/control"
deb="$out/id-console_${debversion}_${arch}.deb"
dpkg-deb --root-owner-group "${zflags[@]}" --build "$root" "$deb" >/dev/null
dpkg-deb --info "$deb" >/dev/null

# 6. Wheel and sdist of the same sources (python -m build, in the build venv).
"$venv/bin/pip" install -q build 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -m build --outdir "$out" "$stage" >"$work/pybuild.log" 2>&1 \
  || { tail -20 "$work/pybuild.log" >&2; echo "build.sh: python -m build failed (log: $work/pybuild.log)" >&2; exit 1; }

end=$(date +%s)
echo "== built in $((end - start)) s (bundle $((bundled - start)) s, tarball + .deb + wheel $((end - bundled)) s)"
echo "bundle:  $(du -sh "$bundle" | cut -f1)  $bundle"
echo "tarball: $(du -h "$tarball" | cut -f1)  $tarball"
echo "deb:     $(du -h "$deb" | cut -f1)  $deb (installed size ${size} KiB)"
ls -1 "$out"/id_console-"$version"* 2>/dev/null | sed 's/^/python:  /'

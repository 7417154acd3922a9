# shellcheck shell=bash
# Shared by .ci/run and scripts/demo: installs what swift-sentinel's tests and demo need,
# only when it is missing. Source it from the repository root; it defines functions only.
#
#   ensure_swift           swift on PATH (adds /opt/swift/usr/bin when present)
#   ensure_redis_packages  redis-server, redis-sentinel, redis-cli (Debian 7.0.15), installed
#                          without letting their services start
#   ensure_python_venv     .venv with redis-py, hiredis and prometheus-client (its text parser
#                          checks /metrics)
#   ensure_client_libraries  the client libraries of the compatibility suite: valkey-py and
#                          coredis (PyPI, into .venv), go-redis v5 (golang-go and
#                          golang-gopkg-redis.v5-dev, built offline with GOPATH), redis-rb
#                          (ruby-redis) and prometheus-redis-exporter

deps_log() { echo "[deps] $*" >&2; }

deps_sudo() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        deps_log "need root to run: $*"
        return 1
    fi
}

DEPS_APT_UPDATED=0
deps_apt_install() {
    if [ "$DEPS_APT_UPDATED" -eq 0 ]; then
        deps_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEPS_APT_UPDATED=1
    fi
    deps_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_swift() {
    if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    command -v swift >/dev/null 2>&1 || { deps_log "swift not found (expected Swift 6.3.1 at /opt/swift)"; return 1; }
}

# Installs packages without letting them start services: a policy-rc.d that answers 101 (only
# while the install runs, and only when there is none already).
deps_apt_install_no_services() {
    local policy=/usr/sbin/policy-rc.d created_policy=0 status=0
    if [ ! -e "$policy" ]; then
        deps_sudo sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy"
        created_policy=1
    fi
    deps_apt_install "$@" || status=$?
    if [ "$created_policy" -eq 1 ]; then
        deps_sudo rm -f "$policy"
    fi
    return "$status"
}

# Debian's redis-server and redis-sentinel packages start system services (6379, 26379) on
# install. deps_apt_install_no_services stops that; whatever still got started by this install
# is stopped afterwards by the pid in its pid file. The tests and the demo only use free ports.
ensure_redis_packages() {
    local missing=()
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    [ "${#missing[@]}" -eq 0 ] && return 0
    deps_log "installing ${missing[*]}"
    deps_apt_install_no_services "${missing[@]}" || return
    local pidfile pid
    for pidfile in /run/redis/redis-server.pid /run/sentinel/redis-sentinel.pid; do
        if [ -f "$pidfile" ]; then
            pid=$(cat "$pidfile")
            deps_log "stopping the service started by the install (pid $pid from $pidfile)"
            deps_sudo kill "$pid" 2>/dev/null || true
        fi
    done
}

ensure_python_venv() {
    local venv=.venv
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import redis, hiredis, prometheus_client' 2>/dev/null; then
        return 0
    fi
    if [ ! -x "$venv/bin/python" ]; then
        command -v python3 >/dev/null 2>&1 || deps_apt_install python3
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            rm -rf "$venv"
            deps_log "installing python3-venv"
            deps_apt_install python3-venv
            python3 -m venv "$venv"
        fi
    fi
    deps_log "installing redis-py, hiredis and prometheus-client into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check redis hiredis prometheus-client
    "$venv/bin/python" -c 'import redis, hiredis, prometheus_client' || {
        deps_log "redis-py/hiredis/prometheus-client still not importable"
        return 1
    }
}

ensure_client_libraries() {
    ensure_python_venv
    local missing=()
    command -v go >/dev/null 2>&1 || missing+=(golang-go)
    [ -d /usr/share/gocode/src/gopkg.in/redis.v5 ] || missing+=(golang-gopkg-redis.v5-dev)
    ruby -e 'require "redis"' >/dev/null 2>&1 || missing+=(ruby ruby-redis)
    command -v prometheus-redis-exporter >/dev/null 2>&1 || missing+=(prometheus-redis-exporter)
    # The TLS tests make their certificates with the openssl command (absent from slim images).
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    # The chaos smoke (ChaosSmokeTests, chaos/run --smoke) makes its partitions with nftables
    # inside network namespaces, and runs the sentinels as another uid with setpriv.
    command -v nft >/dev/null 2>&1 || missing+=(nftables)
    command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
    # ListenerSettingsTests reads listen backlogs with ss.
    command -v ss >/dev/null 2>&1 || missing+=(iproute2)
    if [ "${#missing[@]}" -gt 0 ]; then
        deps_log "installing ${missing[*]}"
        # The exporter package starts a service on install; keep it from starting.
        deps_apt_install_no_services "${missing[@]}" || return
    fi
    if ! .venv/bin/python -c 'import valkey, coredis' 2>/dev/null; then
        deps_log "installing valkey-py and coredis into .venv"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check valkey coredis
    fi
}

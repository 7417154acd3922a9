#!/usr/bin/env bash
# The client-compatibility follower for redis-cli alone (no library): what an operator's script
# does. Writes the JSON lines described in scripts/clients/followerlog.py.
#
#   scripts/clients/cli_follower.sh --sentinels 127.0.0.1:26379,127.0.0.1:26380 \
#       --log follower.jsonl --stop-file stop --seconds 60
#
# Discovery: SENTINEL GET-MASTER-ADDR-BY-NAME and SENTINEL REPLICAS on each sentinel. Every
# sentinel gets a `redis-cli --csv SUBSCRIBE +switch-master` in the background. Writes go with
# redis-cli SET to the address the sentinels gave; the address is asked again (first sentinel
# that answers) after a failed write or a +switch-master message, never guessed. "t" is ms of
# wall-clock time since the start (bash has no monotonic clock without a process per read).
set -u

sentinels="" master_name=mymaster log="" stop_file="" seconds=60 interval=0.02 prefix=cc
while [ $# -gt 0 ]; do
    case "$1" in
        --sentinels) sentinels=$2 ;;
        --master-name) master_name=$2 ;;
        --log) log=$2 ;;
        --stop-file) stop_file=$2 ;;
        --seconds) seconds=$2 ;;
        --interval) interval=$2 ;;
        --prefix) prefix=$2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift 2
done
IFS=, read -r -a sentinel_list <<< "$sentinels"
switched_flag="$log.switched"
start_us=${EPOCHREALTIME/./}

now_ms() { echo $(( (${EPOCHREALTIME/./} - start_us) / 1000 )); }
# event KIND 'json fields without braces' (values never contain quotes or backslashes here)
event() { printf '{"event": "%s", "t": %s%s}\n' "$1" "$(now_ms)" "${2:+, $2}" >> "$log"; }
cli() { local address=$1; shift; timeout 5 redis-cli -h "${address%:*}" -p "${address##*:}" "$@" 2>&1; }
json_list() { local out="" item; for item in "$@"; do out+="${out:+, }\"$item\""; done; printf '[%s]' "$out"; }

acks=0 errors=0 failed=false
declare -A acks_by_port=()
error() {
    errors=$((errors + 1))
    [ "$errors" -le 500 ] && event error "\"kind\": \"$1\", \"detail\": \"${2//\"/\'}\", \"where\": \"$3\""
}

# master_from SENTINEL: "host:port" from GET-MASTER-ADDR-BY-NAME, or nothing.
master_from() {
    local reply; mapfile -t reply < <(cli "$1" SENTINEL GET-MASTER-ADDR-BY-NAME "$master_name")
    [ "${#reply[@]}" -eq 2 ] && [[ ${reply[1]} =~ ^[0-9]+$ ]] && echo "${reply[0]}:${reply[1]}"
}

# replicas_from SENTINEL: "host:port" of each replica in SENTINEL REPLICAS (flat field list).
replicas_from() {
    local lines ip="" i; mapfile -t lines < <(cli "$1" SENTINEL REPLICAS "$master_name")
    for ((i = 0; i + 1 < ${#lines[@]}; i += 2)); do
        case "${lines[i]}" in
            ip) ip=${lines[i + 1]} ;;
            port) echo "$ip:${lines[i + 1]}" ;;
        esac
    done | sort
}

ask_master() {
    local sentinel answer
    for sentinel in "${sentinel_list[@]}"; do
        answer=$(master_from "$sentinel") && { echo "$answer"; return 0; }
    done
    return 1
}

for sentinel in "${sentinel_list[@]}"; do
    master=$(master_from "$sentinel")
    mapfile -t replicas < <(replicas_from "$sentinel")
    event discovered "\"via\": \"$sentinel\", \"master\": \"$master\", \"replicas\": $(json_list "${replicas[@]}")"
done

master=$(ask_master)
key="$prefix:readback"
reply=$(cli "$master" SET "$key" readback)
[ "$reply" = OK ] || error SetFailed "$reply" readback
master_read=false; [ "$(cli "$master" GET "$key")" = readback ] && master_read=true
mapfile -t replicas < <(replicas_from "${sentinel_list[0]}")
replica_read=false
for _ in $(seq 100); do
    [ "$(cli "${replicas[0]}" GET "$key")" = readback ] && { replica_read=true; break; }
    sleep 0.05
done
event readback "\"port\": ${master##*:}, \"master_read\": $master_read, \"replica_read\": $replica_read"
event client "\"description\": \"$(redis-cli --version), one process per command\""

# Each listener is a redis-cli whose output goes to a reader loop (process substitution), so
# that $! is redis-cli itself: cleanup stops it by pid and the reader ends at EOF. If this
# script is killed instead, redis-cli ends when its sentinel closes the connection.
listeners=()
cleanup() {
    [ "${#listeners[@]}" -gt 0 ] && kill "${listeners[@]}" 2>/dev/null
    rm -f "$switched_flag"
}
trap cleanup EXIT

# listen SENTINEL: reads redis-cli --csv output: "subscribe","+switch-master",1 then
# "message","+switch-master","<payload>" per message.
listen() {
    local line payload
    while IFS= read -r line; do
        case "$line" in
            '"subscribe",'*) event subscribed "\"sentinel\": \"$1\"" ;;
            '"message",'*)
                payload=${line#\"message\",\"+switch-master\",\"}; payload=${payload%\"}
                event switch "\"sentinel\": \"$1\", \"channel\": \"+switch-master\", \"message\": \"$payload\""
                touch "$switched_flag" ;;
        esac
    done
}

for sentinel in "${sentinel_list[@]}"; do
    redis-cli -h "${sentinel%:*}" -p "${sentinel##*:}" --csv SUBSCRIBE +switch-master > >(listen "$sentinel") 2>&1 &
    listeners+=($!)
done
for _ in $(seq 200); do
    [ "$(grep -c '"event": "subscribed"' "$log")" -ge "${#sentinel_list[@]}" ] && break
    sleep 0.01
done

deadline=$(( $(now_ms) + ${seconds%.*} * 1000 ))
sequence=0
while [ "$(now_ms)" -lt "$deadline" ]; do
    [ -n "$stop_file" ] && [ -e "$stop_file" ] && break
    if [ -e "$switched_flag" ]; then rm -f "$switched_flag"; master=""; fi
    [ -z "$master" ] && master=$(ask_master)
    sequence=$((sequence + 1))
    key="$prefix:$sequence"
    if [ -z "$master" ]; then
        error NoMaster "no sentinel answered GET-MASTER-ADDR-BY-NAME" write
    else
        reply=$(cli "$master" SET "$key" "$sequence")
        if [ "$reply" = OK ]; then
            port=${master##*:}
            acks=$((acks + 1)); acks_by_port[$port]=$(( ${acks_by_port[$port]:-0} + 1 ))
            event ack "\"key\": \"$key\", \"value\": \"$sequence\", \"port\": $port"
        else
            case "$reply" in
                "Could not connect"*) kind=CannotConnect ;;
                Error:*) kind=ConnectionError ;;
                *) kind=${reply%% *} ;;
            esac
            error "$kind" "$reply" write
            master=""
        fi
    fi
    sleep "$interval"
done
sleep 0.1  # late +switch-master messages

by_port="" summary_ports=""
for port in $(printf '%s\n' "${!acks_by_port[@]}" | sort); do
    by_port+="${by_port:+, }\"$port\": ${acks_by_port[$port]}"
    summary_ports+="${summary_ports:+,}$port:${acks_by_port[$port]}"
done
event summary "\"acks\": $acks, \"errors\": $errors, \"acks_by_port\": {$by_port}"
echo "summary acks=$acks errors=$errors acks-by-port=${summary_ports:-none} failed=$failed"

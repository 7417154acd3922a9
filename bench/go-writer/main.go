// The planned-failover benchmark's writer for rates redis-py cannot reach: the write mode of
// scripts/demo_writer.py (same flags, same acks file, same summary line) with go-redis v5
// (Debian golang-gopkg-redis.v5-dev), built offline in GOPATH mode like
// scripts/clients/go-follower (bench/failovers.py builds it once per process):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o go-writer main.go
//	./go-writer -sentinels 127.0.0.1:26379,127.0.0.1:26380 -master-name mymaster -rate 10000 \
//	    -seconds 120 -acks-file acks.tsv -stop-file stop
//
// redis-py (scripts/demo_writer.py) tops out near 3,500 paced writes/s on the 2-core benchmark
// machine. This one, at -rate 10000 against 1 master + 1 replica + 1 sentinel on that machine
// (shared with other work at the time), acknowledged 8,000-9,300 writes/s over 3 s using
// 0.6-0.7 of a core: there, one synchronous round trip per write (SET + CONFIG GET and the
// wake-ups on both sides, about 110 µs per write) is the limit, not the pacing. The benchmark's
// tables state the achieved rate.
//
// The client is redis.NewFailoverClient (it asks the sentinels for the master on every dial and
// subscribes to +switch-master itself, closing its connection to the old master when that
// arrives) with 500 ms dial/read/write timeouts, MaxRetries 0 and PoolSize 2 (see below): one
// goroutine, one write at a time on one connection. Each write is a SET of a fresh key `demo:<n>` to `<n>`,
// pipelined with `CONFIG GET port` on the same connection (one round trip, as demo_writer does),
// so the writer knows which server acknowledged it.
// A write counts as acknowledged when the server answered OK; errors are counted by kind and the
// writer goes on with the next key.
//
// Like redis-py's SentinelManagedConnection, a READONLY reply (the master it is connected to has
// been demoted) drops the connection, so the next write asks the sentinels for the master again;
// it is counted as "ConnectionError", the kind redis-py reports for it. go-redis v5 itself keeps
// such a connection until +switch-master arrives (-readonly-reconnect=false keeps that
// behaviour). Error kinds use redis-py's exception names where there is one (ConnectionError,
// TimeoutError, MasterNotFoundError, ResponseError, NotOK), so both writers' tables read alike.
//
// Pacing (-rate N): a schedule like demo_writer's Pacer (next_due += 1/N; sleep until due; more
// than 50 ms behind: restart the schedule instead of bursting). Go's time.Sleep cannot wait less
// than about 1 ms (its timers go through the netpoller's millisecond epoll timeout), which would
// turn 10,000/s into bursts of ten, so the wait is split: time.Sleep for all but the last
// millisecond of a wait longer than 2 ms, a raw nanosleep(2) for a shorter one (late by up to the
// kernel's 50 µs timer slack plus the wake-up; the schedule is absolute, so lateness is taken
// out of the next wait and the rate does not drift), and a spin on the clock only for a wait
// under 10 µs, where a sleep would overshoot by more than it waits. Spinning through the whole
// gap between two writes (about half of each 100 µs at 10,000/s) would burn half a core of a
// 2-core machine that also runs the three redis-servers and three sentinels being measured; the
// nanosleeps alone cost about 0.2 core at 10,000/s there (measured without any writes).
//
// The process runs on one P (GOMAXPROCS 1 unless the environment sets it): its one goroutine
// parks on its socket and is woken by the same thread's epoll_wait instead of a handoff between
// threads per round trip. On exit, stderr gets the writes attempted and how often the schedule
// restarted; go-redis's own log (every dial's master address, +switch-master) goes there too.
//
// With -acks-file, one line per acknowledged write, exactly as demo_writer writes it:
//
//	<n> <tab> <key> <tab> <port that answered> <tab> <ms since the writer started>
//	    <tab> <CLOCK_MONOTONIC ms when the ack arrived, 1 decimal, comparable across processes>
//
// The lines are written in batches (at least every 5 ms, whole lines per write(2)) instead of one
// write(2) per ack. At the end it prints one line:
//
//	writes acknowledged=N errors=M last-master=host:port longest-stall=S.SSSs error-kinds=Kind:n,...
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"gopkg.in/redis.v5"
)

// monotonic converts Go times to CLOCK_MONOTONIC milliseconds (what Python's time.monotonic()
// reads on Linux). Go's own monotonic clock is CLOCK_MONOTONIC too (runtime.nanotime), but its
// value is only exposed as differences, so one clock_gettime(CLOCK_MONOTONIC) at start is paired
// with a time.Now() and every later reading is that base plus the elapsed monotonic time.
type monotonic struct {
	baseNs int64
	base   time.Time
}

func newMonotonic() monotonic {
	var ts syscall.Timespec
	before := time.Now()
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, uintptr(unsafe.Pointer(&ts)), 0)
	after := time.Now()
	if errno != 0 {
		log.Fatalf("writer: clock_gettime(CLOCK_MONOTONIC): %v", errno)
	}
	return monotonic{baseNs: ts.Nano(), base: before.Add(after.Sub(before) / 2)}
}

func (m monotonic) ms(t time.Time) float64 {
	return float64(m.baseNs+int64(t.Sub(m.base))) / 1e6
}

// pacer: `rate` ticks per second on a schedule (not a sleep per tick); after a stall of more than
// 50 ms the schedule restarts instead of bursting to catch up (demo_writer's Pacer).
type pacer struct {
	interval time.Duration
	nextDue  time.Time
	restarts int // times the schedule restarted (more than 50 ms behind)
}

const (
	coarseAbove = 2 * time.Millisecond  // time.Sleep (1 ms granularity) for waits longer than this
	spinBelow   = 10 * time.Microsecond // spin on the clock for waits shorter than this
)

func (p *pacer) wait() {
	p.nextDue = p.nextDue.Add(p.interval)
	if time.Until(p.nextDue) < -50*time.Millisecond {
		p.nextDue = time.Now()
		p.restarts++
		return
	}
	for {
		delay := time.Until(p.nextDue)
		switch {
		case delay <= 0:
			return
		case delay > coarseAbove:
			time.Sleep(delay - time.Millisecond)
		case delay > spinBelow:
			// A raw nanosleep(2) (under 2 ms): through syscall.Nanosleep the runtime's sysmon
			// would take the P away from the sleeping thread and wake another one each time.
			// EINTR (the runtime's preemption signal) just goes round the loop again.
			ts := syscall.NsecToTimespec(int64(delay))
			syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
		default:
			for time.Now().Before(p.nextDue) {
			}
			return
		}
	}
}

// replyError is the type of go-redis's error replies (internal.RedisError, not importable).
var replyError = reflect.TypeOf(error(redis.Nil))

// classify: the error's kind (redis-py's exception name where there is one) and whether it says
// that the server is no longer the master (redis-py drops the connection then).
func classify(err error) (kind string, demoted bool) {
	if reflect.TypeOf(err) == replyError {
		message := err.Error()
		switch {
		case strings.HasPrefix(message, "READONLY"), strings.HasPrefix(message, "UNBLOCKED force unblock"):
			return "ConnectionError", true // redis-py: "The previous master is now a slave"
		case strings.HasPrefix(message, "LOADING"):
			return "BusyLoadingError", false
		default:
			return "ResponseError", false
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "ConnectionError", false
	}
	var netError net.Error
	if errors.As(err, &netError) {
		if netError.Timeout() {
			return "TimeoutError", false
		}
		return "ConnectionError", false
	}
	switch err.Error() {
	case "redis: all sentinels are unreachable": // no sentinel named a master
		return "MasterNotFoundError", false
	case "redis: connection pool timeout", "redis: client is closed":
		return "ConnectionError", false
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", err), "*"), false
}

// acknowledgingPort: SET key value, pipelined with `CONFIG GET port` on the same connection; the
// port of the server that acknowledged it, "" if it answered something other than OK.
func acknowledgingPort(client *redis.Client, key, value string) (string, error) {
	pipe := client.Pipeline()
	set := pipe.Set(key, value, 0)
	config := pipe.ConfigGet("port")
	_, err := pipe.Exec()
	pipe.Close()
	if err != nil {
		return "", err
	}
	if set.Val() != "OK" {
		return "", nil
	}
	if values := config.Val(); len(values) == 2 {
		if port, ok := values[1].(string); ok {
			return port, nil
		}
	}
	return "?", nil
}

// acks buffers the acks file's lines and writes whole lines at least every flushEvery.
type acks struct {
	file      *os.File
	buffer    []byte
	lastFlush time.Time
}

const flushEvery = 5 * time.Millisecond

func (a *acks) maybeFlush(now time.Time) {
	if a == nil || len(a.buffer) == 0 || (now.Sub(a.lastFlush) < flushEvery && len(a.buffer) < 32<<10) {
		return
	}
	a.flush(now)
}

func (a *acks) flush(now time.Time) {
	if _, err := a.file.Write(a.buffer); err != nil {
		log.Fatalf("writer: acks file: %v", err)
	}
	a.buffer = a.buffer[:0]
	a.lastFlush = now
}

func main() {
	sentinels := flag.String("sentinels", "", "comma-separated host:port list of sentinels (required)")
	masterName := flag.String("master-name", "mymaster", "")
	seconds := flag.Float64("seconds", 5, "stop after this long")
	maxWrites := flag.Int("max-writes", 0, "stop after this many attempts (0: no limit)")
	interval := flag.Float64("interval", 0.01, "pause between writes, seconds (without -rate)")
	rate := flag.Float64("rate", 0, "writes per second, paced (0: sleep -interval)")
	acksFile := flag.String("acks-file", "", "record every acknowledged write here")
	stopFile := flag.String("stop-file", "", "stop as soon as this file exists (checked every 50th write)")
	password := flag.String("password", "", "AUTH password for the data nodes")
	readonlyReconnect := flag.Bool("readonly-reconnect", true,
		"drop the connection after a READONLY reply, as redis-py does (false: go-redis v5's own behaviour)")
	flag.Parse()
	if *sentinels == "" {
		fmt.Fprintln(os.Stderr, "writer: -sentinels is required")
		os.Exit(2)
	}
	// One goroutine does all the work (go-redis's +switch-master listener wakes up rarely): with
	// one P the goroutine parks on its socket and is woken by the same thread's epoll_wait, instead
	// of a handoff between threads per round trip. Garbage is a few hundred bytes per write and the
	// heap stays small: collect less often.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	debug.SetGCPercent(400)
	// go-redis's own log (the master address on every dial, +switch-master): into the writer's log.
	redis.SetLogger(log.New(os.Stderr, "go-redis: ", log.Lmicroseconds))

	options := &redis.FailoverOptions{
		MasterName: *masterName, SentinelAddrs: strings.Split(*sentinels, ","), Password: *password,
		DialTimeout: 500 * time.Millisecond, ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
		// Two, not one: go-redis v5 gives the sentinel client the same pool size, and its
		// +switch-master subscription holds one connection for good; with one, every master
		// lookup after a switch waited for the pool timeout (1.5 s). The writer, one goroutine,
		// still uses one connection to the master at a time.
		MaxRetries: 0, PoolSize: 2,
	}
	newClient := func() *redis.Client {
		copied := *options
		copied.SentinelAddrs = append([]string(nil), options.SentinelAddrs...) // the client reorders it
		return redis.NewFailoverClient(&copied)
	}
	client := newClient()
	clock := newMonotonic()
	var out *acks
	if *acksFile != "" {
		file, err := os.Create(*acksFile)
		if err != nil {
			log.Fatalf("writer: %v", err)
		}
		out = &acks{file: file, buffer: make([]byte, 0, 64<<10), lastFlush: time.Now()}
	}

	acknowledged, failed := 0, 0
	errorKinds := map[string]int{}
	lastMaster := "?"
	start := time.Now()
	lastAck := start
	var longestStall time.Duration
	deadline := start.Add(time.Duration(*seconds * float64(time.Second)))
	var pace *pacer
	if *rate > 0 {
		pace = &pacer{interval: time.Duration(float64(time.Second) / *rate), nextDue: start}
	}
	sequence := 0
	for time.Now().Before(deadline) && (*maxWrites == 0 || sequence < *maxWrites) {
		// Checking for the stop file costs a syscall: only every 50th write.
		if *stopFile != "" && sequence%50 == 0 {
			if _, err := os.Stat(*stopFile); err == nil {
				break
			}
		}
		sequence++
		value := strconv.Itoa(sequence)
		key := "demo:" + value
		port, err := acknowledgingPort(client, key, value)
		now := time.Now()
		switch {
		case err == nil && port != "":
			if stall := now.Sub(lastAck); stall > longestStall {
				longestStall = stall
			}
			lastAck = now
			acknowledged++
			lastMaster = "127.0.0.1:" + port
			if out != nil {
				b := strconv.AppendInt(out.buffer, int64(sequence), 10)
				b = append(b, '\t')
				b = append(b, key...)
				b = append(b, '\t')
				b = append(b, port...)
				b = append(b, '\t')
				b = strconv.AppendInt(b, int64(now.Sub(start)/time.Millisecond), 10)
				b = append(b, '\t')
				b = strconv.AppendFloat(b, clock.ms(now), 'f', 1, 64)
				out.buffer = append(b, '\n')
			}
		case err == nil:
			failed++
			errorKinds["NotOK"]++
		default: // count it and go on: the benchmark reports availability
			failed++
			kind, demoted := classify(err)
			errorKinds[kind]++
			if demoted && *readonlyReconnect {
				// FailoverClient has no way to drop one pooled connection: a new client asks the
				// sentinels (and subscribes to +switch-master) again on its first write.
				client.Close()
				client = newClient()
			}
		}
		out.maybeFlush(now)
		if pace != nil {
			pace.wait()
		} else {
			time.Sleep(time.Duration(*interval * float64(time.Second)))
		}
	}
	// A writer that never got an ack, or stopped in an outage, stalled until its end.
	end := time.Now()
	if stall := end.Sub(lastAck); stall > longestStall {
		longestStall = stall
	}
	if out != nil {
		out.flush(end)
		out.file.Close()
	}
	client.Close()

	kinds := make([]string, 0, len(errorKinds))
	for kind, count := range errorKinds {
		kinds = append(kinds, kind+":"+strconv.Itoa(count))
	}
	sort.Strings(kinds)
	kindText := strings.Join(kinds, ",")
	if kindText == "" {
		kindText = "none"
	}
	if pace != nil {
		fmt.Fprintf(os.Stderr, "writer: %d writes attempted in %.3f s at -rate %g, schedule restarted %d times\n",
			sequence, end.Sub(start).Seconds(), *rate, pace.restarts)
	}
	fmt.Printf("writes acknowledged=%d errors=%d last-master=%s longest-stall=%.3fs error-kinds=%s\n",
		acknowledged, failed, lastMaster, longestStall.Seconds(), kindText)
}

// The client-compatibility follower for go-redis v5 (Debian golang-gopkg-redis.v5-dev), built
// offline in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o go-follower main.go
//	./go-follower -sentinels 127.0.0.1:26379,127.0.0.1:26380 -log follower.jsonl -stop-file stop
//
// It writes the JSON lines described in scripts/clients/followerlog.py. go-redis v5 has no
// discovery API of its own beyond the FailoverClient, so discovery sends the two commands it
// and the spec use (SENTINEL get-master-addr-by-name, SENTINEL slaves) through a plain client
// to each sentinel. All writes go through redis.NewFailoverClient, which asks the sentinels for
// the master on every dial and subscribes to +switch-master by itself: what it receives is
// visible only in its log, so the library's logger is parsed ("sentinel: new "mymaster" addr
// is ..." becomes a "switch" event).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/redis.v5"
)

type follower struct {
	mu     sync.Mutex
	out    *os.File
	start  time.Time
	acks   int
	errors int
	byPort map[string]int
	prefix string
	failed bool
}

func (f *follower) event(kind string, fields map[string]interface{}) {
	record := map[string]interface{}{"event": kind, "t": time.Since(f.start).Milliseconds()}
	for key, value := range fields {
		record[key] = value
	}
	line, _ := json.Marshal(record)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.out.Write(append(line, '\n'))
}

func (f *follower) fail(detail string) {
	f.failed = true
	f.event("fatal", map[string]interface{}{"detail": detail})
}

func (f *follower) error(err error, where string) {
	f.errors++
	if f.errors <= 500 {
		f.event("error", map[string]interface{}{"kind": fmt.Sprintf("%T", err), "detail": err.Error(), "where": where})
	}
}

// libraryLog receives go-redis's internal log lines.
type libraryLog struct{ f *follower }

var newMaster = regexp.MustCompile(`sentinel: new "([^"]+)" addr is (\S+)`)

func (l libraryLog) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if m := newMaster.FindStringSubmatch(line); m != nil {
			l.f.event("switch", map[string]interface{}{"sentinel": "FailoverClient's own subscription", "new_master": m[2]})
		}
		l.f.event("library-log", map[string]interface{}{"line": line})
	}
	return len(p), nil
}

// pairs turns a flat [key, value, key, value, ...] reply into a map.
func pairs(item interface{}) map[string]string {
	result := map[string]string{}
	values, _ := item.([]interface{})
	for i := 0; i+1 < len(values); i += 2 {
		result[fmt.Sprint(values[i])] = fmt.Sprint(values[i+1])
	}
	return result
}

func discover(f *follower, sentinel, name string) error {
	client := redis.NewClient(&redis.Options{Addr: sentinel, DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second})
	defer client.Close()
	master := redis.NewStringSliceCmd("SENTINEL", "get-master-addr-by-name", name)
	client.Process(master)
	address, err := master.Result()
	if err != nil || len(address) != 2 {
		return fmt.Errorf("SENTINEL get-master-addr-by-name via %s: %v %v", sentinel, address, err)
	}
	slaves := redis.NewSliceCmd("SENTINEL", "slaves", name)
	client.Process(slaves)
	items, err := slaves.Result()
	if err != nil {
		return fmt.Errorf("SENTINEL slaves via %s: %v", sentinel, err)
	}
	replicas := []string{}
	for _, item := range items {
		fields := pairs(item)
		replicas = append(replicas, fields["ip"]+":"+fields["port"])
	}
	sort.Strings(replicas)
	f.event("discovered", map[string]interface{}{"via": sentinel, "master": address[0] + ":" + address[1], "replicas": replicas})
	return nil
}

// write sends SET key value and CONFIG GET port in one pipeline; returns the port.
func write(client *redis.Client, key, value string) (string, error) {
	pipe := client.Pipeline()
	defer pipe.Close()
	set := pipe.Set(key, value, 0)
	port := pipe.ConfigGet("port")
	if _, err := pipe.Exec(); err != nil {
		return "", err
	}
	if set.Val() != "OK" {
		return "", fmt.Errorf("SET answered %q", set.Val())
	}
	values := port.Val()
	if len(values) != 2 {
		return "", fmt.Errorf("CONFIG GET port answered %v", values)
	}
	return fmt.Sprint(values[1]), nil
}

func run(f *follower, sentinels []string, name, stopFile string, seconds float64, interval time.Duration) error {
	for _, sentinel := range sentinels {
		if err := discover(f, sentinel, name); err != nil {
			return err
		}
	}
	client := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName: name, SentinelAddrs: sentinels,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
	})
	defer client.Close()

	key, value := f.prefix+":readback", "readback"
	port, err := write(client, key, value)
	if err != nil {
		return fmt.Errorf("first write through the FailoverClient: %v", err)
	}
	read, _ := client.Get(key).Result()
	replicaRead := false
	replicas := replicasOf(sentinels, name)
	if len(replicas) > 0 {
		replica := redis.NewClient(&redis.Options{Addr: replicas[0]})
		for i := 0; i < 100 && !replicaRead; i++ {
			got, _ := replica.Get(key).Result()
			replicaRead = got == value
			if !replicaRead {
				time.Sleep(50 * time.Millisecond)
			}
		}
		replica.Close()
	}
	f.event("readback", map[string]interface{}{"port": atoi(port), "master_read": read == value, "replica_read": replicaRead})
	f.event("client", map[string]interface{}{"description": "go-redis v5 (gopkg.in/redis.v5) NewFailoverClient, RESP2"})
	f.event("subscribed", map[string]interface{}{"sentinel": "FailoverClient's own subscription"})

	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	for sequence := 1; time.Now().Before(deadline); sequence++ {
		if stopFile != "" {
			if _, err := os.Stat(stopFile); err == nil {
				break
			}
		}
		key, value := fmt.Sprintf("%s:%d", f.prefix, sequence), fmt.Sprint(sequence)
		if port, err := write(client, key, value); err != nil {
			f.error(err, "write")
		} else {
			f.acks++
			f.byPort[port]++
			f.event("ack", map[string]interface{}{"key": key, "value": value, "port": atoi(port)})
		}
		time.Sleep(interval)
	}
	time.Sleep(100 * time.Millisecond) // late +switch-master messages
	return nil
}

// replicasOf asks the first sentinel that answers for the replicas (for the read check only).
func replicasOf(sentinels []string, name string) []string {
	for _, sentinel := range sentinels {
		client := redis.NewClient(&redis.Options{Addr: sentinel})
		slaves := redis.NewSliceCmd("SENTINEL", "slaves", name)
		client.Process(slaves)
		client.Close()
		if items, err := slaves.Result(); err == nil {
			var result []string
			for _, item := range items {
				fields := pairs(item)
				result = append(result, fields["ip"]+":"+fields["port"])
			}
			return result
		}
	}
	return nil
}

func atoi(text string) int {
	var n int
	fmt.Sscan(text, &n)
	return n
}

func main() {
	sentinels := flag.String("sentinels", "", "comma-separated host:port list")
	name := flag.String("master-name", "mymaster", "")
	logPath := flag.String("log", "", "the JSON-lines log to write")
	stopFile := flag.String("stop-file", "", "stop writing as soon as this file exists")
	seconds := flag.Float64("seconds", 60, "stop writing after this long")
	interval := flag.Float64("interval", 0.02, "pause between writes, seconds")
	prefix := flag.String("prefix", "cc", "key prefix, unique per follower")
	flag.Parse()
	out, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	f := &follower{out: out, start: time.Now(), byPort: map[string]int{}, prefix: *prefix}
	redis.SetLogger(log.New(libraryLog{f}, "", 0))
	if err := run(f, strings.Split(*sentinels, ","), *name, *stopFile, *seconds, time.Duration(*interval*float64(time.Second))); err != nil {
		f.fail(err.Error())
	}
	f.event("summary", map[string]interface{}{"acks": f.acks, "errors": f.errors, "acks_by_port": f.byPort})
	var ports bytes.Buffer
	keys := make([]string, 0, len(f.byPort))
	for port := range f.byPort {
		keys = append(keys, port)
	}
	sort.Strings(keys)
	for i, port := range keys {
		if i > 0 {
			ports.WriteString(",")
		}
		fmt.Fprintf(&ports, "%s:%d", port, f.byPort[port])
	}
	fmt.Printf("summary acks=%d errors=%d acks-by-port=%s failed=%v\n", f.acks, f.errors, ports.String(), f.failed)
	if f.failed {
		os.Exit(1)
	}
}

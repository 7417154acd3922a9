#!/usr/bin/env ruby
# frozen_string_literal: true

# The client-compatibility follower for redis-rb (Debian ruby-redis 4.8):
#
#   ruby scripts/clients/ruby_follower.rb --sentinels 127.0.0.1:26379,127.0.0.1:26380 \
#       --log follower.jsonl --stop-file stop --seconds 60
#
# Writes the JSON lines described in scripts/clients/followerlog.py. Discovery uses
# Redis#sentinel("get-master-addr-by-name") and Redis#sentinel("slaves") on each sentinel (the
# two commands redis-rb's own sentinel connector sends); all writes go through
# Redis.new(url: "redis://mymaster", sentinels: [...], role: :master), which asks the sentinels
# on every connect and checks ROLE; the replica read through role: :slave. Each sentinel gets a
# SUBSCRIBE +switch-master of redis-rb's own pub/sub, in a thread.

require "json"
require "optparse"
require "redis"

options = { master_name: "mymaster", seconds: 60.0, interval: 0.02, prefix: "cc" }
OptionParser.new do |parser|
  parser.on("--sentinels LIST") { |v| options[:sentinels] = v }
  parser.on("--master-name NAME") { |v| options[:master_name] = v }
  parser.on("--log PATH") { |v| options[:log] = v }
  parser.on("--stop-file PATH") { |v| options[:stop_file] = v }
  parser.on("--seconds N", Float) { |v| options[:seconds] = v }
  parser.on("--interval N", Float) { |v| options[:interval] = v }
  parser.on("--prefix P") { |v| options[:prefix] = v }
end.parse!

# One JSON object a line, with "t" in ms on this process's monotonic clock.
class FollowerLog
  attr_reader :acks, :errors, :acks_by_port

  def initialize(path)
    @file = File.open(path, "a")
    @file.sync = true
    @lock = Mutex.new
    @start = now
    @acks = 0
    @errors = 0
    @acks_by_port = Hash.new(0)
  end

  def now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  def event(kind, fields = {})
    record = { event: kind, t: ((now - @start) * 1000).to_i }.merge(fields)
    @lock.synchronize { @file.puts(JSON.generate(record)) }
  end

  def error(error, where)
    @errors += 1
    event("error", kind: error.class.name, detail: error.message[0, 200], where: where) if @errors <= 500
  end

  def ack(key, value, port)
    @acks += 1
    @acks_by_port[port.to_s] += 1
    event("ack", key: key, value: value, port: port.to_i)
  end
end

log = FollowerLog.new(options.fetch(:log))
name = options[:master_name]
sentinels = options.fetch(:sentinels).split(",").map do |item|
  host, port = item.split(":")
  { host: host, port: port.to_i }
end
failed = false
subscribers = []

# SET key value pipelined with CONFIG GET port; returns [reply to SET, port].
def write(client, key, value)
  set, config = client.pipelined do |pipe|
    pipe.set(key, value)
    pipe.config(:get, "port")
  end
  port = config.is_a?(Hash) ? config["port"] : config[1]
  [set, port]
end

begin
  sentinels.each do |sentinel|
    client = Redis.new(host: sentinel[:host], port: sentinel[:port], timeout: 2)
    master = client.sentinel("get-master-addr-by-name", name)
    replicas = client.sentinel("slaves", name).map { |r| "#{r['ip']}:#{r['port']}" }.sort
    log.event("discovered", via: "#{sentinel[:host]}:#{sentinel[:port]}", master: master.join(":"), replicas: replicas)
    client.close
  end

  managed = { url: "redis://#{name}", sentinels: sentinels, timeout: 2, connect_timeout: 2 }
  master = Redis.new(**managed, role: :master)
  replica = Redis.new(**managed, role: :slave)
  key = "#{options[:prefix]}:readback"
  _, port = write(master, key, "readback")
  master_read = master.get(key) == "readback"
  replica_read = false
  100.times do
    replica_read = replica.get(key) == "readback"
    break if replica_read

    sleep 0.05
  end
  log.event("readback", port: port.to_i, master_read: master_read, replica_read: replica_read)
  log.event("client", description: "redis-rb #{Redis::VERSION} (ruby #{RUBY_VERSION}) sentinel url, role: :master, RESP2")

  sentinels.each do |sentinel|
    where = "#{sentinel[:host]}:#{sentinel[:port]}"
    subscriber = Redis.new(host: sentinel[:host], port: sentinel[:port], timeout: 0)
    subscribers << Thread.new do
      subscriber.subscribe("+switch-master") do |on|
        on.subscribe { |_channel, _count| log.event("subscribed", sentinel: where) }
        on.message { |channel, message| log.event("switch", sentinel: where, channel: channel, message: message) }
      end
    rescue StandardError => e
      log.error(e, "pubsub #{where}")
    end
  end
  200.times do
    break if File.read(options[:log]).scan('"event":"subscribed"').size >= sentinels.size

    sleep 0.01
  end

  deadline = log.now + options[:seconds]
  sequence = 0
  while log.now < deadline
    break if options[:stop_file] && File.exist?(options[:stop_file])

    sequence += 1
    key = "#{options[:prefix]}:#{sequence}"
    begin
      ok, port = write(master, key, sequence.to_s)
      if ok == "OK"
        log.ack(key, sequence.to_s, port)
      else
        log.error(RuntimeError.new("SET answered #{ok.inspect}"), "write")
      end
    rescue StandardError => e # the library is expected to recover by itself
      log.error(e, "write")
    end
    sleep options[:interval]
  end
  sleep 0.1 # late +switch-master messages
rescue StandardError => e
  failed = true
  log.event("fatal", detail: "#{e.class}: #{e.message}", trace: e.backtrace.first(10).join("\n"))
end

subscribers.each(&:kill)
log.event("summary", acks: log.acks, errors: log.errors, acks_by_port: log.acks_by_port)
ports = log.acks_by_port.sort.map { |port, count| "#{port}:#{count}" }.join(",")
puts "summary acks=#{log.acks} errors=#{log.errors} acks-by-port=#{ports.empty? ? 'none' : ports} failed=#{failed}"
exit(failed ? 1 : 0)

import Foundation

/// One client program of `scripts/clients/`: a real client library (or redis-cli) run as a
/// follower, with the library's own Sentinel support doing the work. Every program takes the
/// same options (`--sentinels --master-name --log --stop-file --seconds --prefix`) and writes the
/// JSON lines described in `scripts/clients/followerlog.py`.
struct ClientProgram {
    /// Shown in every message about this client, e.g. "redis-py sync RESP3 pure-Python parser".
    let name: String
    let executable: String
    /// The program's own arguments; the common options are added by `ClientFollower`.
    let arguments: [String]
    /// True for go-redis v5, whose FailoverClient subscribes to `+switch-master` on the sentinel
    /// it uses by itself (logged as `new_master`); the others subscribe on every sentinel with
    /// the library's pub/sub (logged as the message payload, per sentinel).
    var subscribesItself = false

    /// Every client of the compatibility suite, and a reason for each one that cannot run here
    /// (a missing interpreter or library, or a Go build that failed).
    static func all(buildDirectory: URL) async -> (programs: [ClientProgram], unavailable: [String]) {
        var programs: [ClientProgram] = []
        var unavailable: [String] = []
        let clients = Binaries.script("clients")
        if let python = try? Binaries.python() {
            let follower = "\(clients)/python_follower.py"
            for mode in ["sync", "asyncio"] {
                for protocolVersion in ["2", "3"] {
                    for parser in ["hiredis", "python"] {
                        programs.append(ClientProgram(
                            name: "redis-py \(mode) RESP\(protocolVersion) \(parser == "python" ? "pure-Python" : "hiredis") parser",
                            executable: python,
                            arguments: [follower, "--client", "redis-py", "--mode", mode, "--protocol", protocolVersion, "--parser", parser]))
                    }
                }
            }
            programs.append(ClientProgram(name: "valkey-py sync (default RESP2)", executable: python,
                                          arguments: [follower, "--client", "valkey-py"]))
            programs.append(ClientProgram(name: "coredis asyncio (RESP3)", executable: python,
                                          arguments: [follower, "--client", "coredis", "--mode", "asyncio"]))
        } else {
            unavailable.append("the Python clients: no python (run ./.ci/run, or python3 -m venv .venv && .venv/bin/pip install redis hiredis valkey coredis)")
        }
        do {
            let binary = try await buildGoFollower(into: buildDirectory)
            programs.append(ClientProgram(name: "go-redis v5 FailoverClient", executable: binary, arguments: [], subscribesItself: true))
        } catch {
            unavailable.append("go-redis v5: \(error)")
        }
        if let ruby = try? Binaries.onPath("ruby", hint: "") {
            programs.append(ClientProgram(name: "redis-rb 4.8 (sentinel url)", executable: ruby,
                                          arguments: ["\(clients)/ruby_follower.rb"]))
        } else {
            unavailable.append("redis-rb: no ruby (apt-get install -y ruby ruby-redis, or run ./.ci/run)")
        }
        if (try? Binaries.onPath("redis-cli", hint: "")) != nil, let bash = try? Binaries.onPath("bash", hint: "") {
            programs.append(ClientProgram(name: "redis-cli (bash script)", executable: bash,
                                          arguments: ["\(clients)/cli_follower.sh"]))
        } else {
            unavailable.append("redis-cli: not on PATH (apt-get install -y redis-tools, or run ./.ci/run)")
        }
        return (programs, unavailable)
    }

    /// Builds scripts/clients/go-follower/main.go against Debian's gopkg.in/redis.v5, offline in
    /// GOPATH mode, into `directory`; the Go build cache lives in .build/gocache, so a rebuild
    /// takes a fraction of a second.
    static func buildGoFollower(into directory: URL) async throws -> String {
        let go = try Binaries.onPath("go", hint: "apt-get install -y golang-go golang-gopkg-redis.v5-dev (or run ./.ci/run)")
        guard FileManager.default.fileExists(atPath: "/usr/share/gocode/src/gopkg.in/redis.v5/sentinel.go") else {
            throw HarnessError("/usr/share/gocode/src/gopkg.in/redis.v5 is missing: apt-get install -y golang-gopkg-redis.v5-dev (or run ./.ci/run)")
        }
        let output = directory.appendingPathComponent("go-follower").path
        let cache = Binaries.repositoryRoot.appendingPathComponent(".build/gocache").path
        let (status, log) = try await ManagedProcess.run(
            label: "go build go-follower", executable: try Binaries.onPath("env", hint: ""),
            arguments: [
                "GO111MODULE=off", "GOPATH=/usr/share/gocode", "GOCACHE=\(cache)", "GOFLAGS=", go, "build", "-o", output,
                Binaries.script("clients/go-follower/main.go"),
            ],
            logURL: directory.appendingPathComponent("go-build.log"), timeout: .seconds(120))
        guard status == 0 else { throw HarnessError("go build failed (\(status)):\n\(log)") }
        return output
    }
}

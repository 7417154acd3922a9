//===----------------------------------------------------------------------===//
// swift-sentinel — libFuzzer entry point for every fuzz target (docs/fuzzing.md)
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Usage: sentinel-fuzz <target> [libFuzzer options] [corpus directories | input files]
// `chaos/fuzz` runs it; a crash input replays with `sentinel-fuzz <target> <file>`.

/// The targets, one file each in this directory.
enum FuzzTargets {
    static let all: [(name: String, run: @Sendable (UnsafeRawBufferPointer) -> Void, about: String)] = [
        ("request", RequestTarget.run, "RESP request decoder (multibulk and inline): split feeding, round trip"),
        ("reply", ReplyTarget.run, "RESP2/RESP3 reply decoder: split feeding, re-encoding round trip"),
        ("config", ConfigTarget.run, "sentinel.conf parser; the rewrite must reload; a core started from it"),
        ("hello", HelloTarget.run, "hellos on the master's __sentinel__:hello channel, then a failover"),
        ("info", InfoTarget.run, "INFO replies of the master or replica, parser and core, then a failover"),
        ("acl", AclTarget.run, "ACL rules: SETUSER, ACL SAVE/LOAD round trip, ACL file parser"),
        ("commands", CommandsTarget.run, "client commands on a running core (numeric SET / CONFIG SET / DEBUG paths)"),
    ]

    nonisolated(unsafe) static var selected: (UnsafeRawBufferPointer) -> Void = { _ in }
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

func fuzzMain() -> Never {
    let arguments = CommandLine.arguments
    // The target is the first argument, or SENTINEL_FUZZ_TARGET: libFuzzer's -fork and -jobs
    // modes run this executable again with libFuzzer's arguments only, and the environment
    // (set below) carries the choice over.
    let named = arguments.count >= 2 ? FuzzTargets.all.first(where: { $0.name == arguments[1] }) : nil
    let inherited = getenv("SENTINEL_FUZZ_TARGET").map { String(cString: $0) }
    guard let target = named ?? FuzzTargets.all.first(where: { $0.name == inherited }) else {
        var usage = "usage: sentinel-fuzz <target> [libFuzzer options] [corpus dirs | files]\ntargets:\n"
        for t in FuzzTargets.all {
            usage += "  " + t.name + String(repeating: " ", count: max(1, 10 - t.name.count)) + t.about + "\n"
        }
        _ = usage.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        exit(2)
    }
    FuzzTargets.selected = target.run
    setenv("SENTINEL_FUZZ_TARGET", target.name, 1)
    // libFuzzer sees argv without the target name.
    var fuzzerArguments: [UnsafeMutablePointer<CChar>?] = [CommandLine.unsafeArgv[0]]
    for index in (named == nil ? 1 : 2)..<Int(CommandLine.argc) { fuzzerArguments.append(CommandLine.unsafeArgv[index]) }
    fuzzerArguments.append(nil)
    var fuzzerArgc = CInt(fuzzerArguments.count - 1)
    let status = fuzzerArguments.withUnsafeMutableBufferPointer { buffer in
        var base = buffer.baseAddress!
        return runFuzzerDriver(&fuzzerArgc, &base, fuzzTestOneInput)
    }
    exit(status)
}


/// libFuzzer's own `main` (linked in with `-sanitize=fuzzer`) needs this symbol; ours runs
/// instead (SwiftPM points `main` at this module's entry point) and passes the same function.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.selected(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

fuzzMain()

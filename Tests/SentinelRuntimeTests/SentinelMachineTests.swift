@testable import SentinelCore
import Testing

@testable import SentinelRuntime

/// The runtime reaches the real core only through ``SentinelMachine``. When the core's API was
/// narrowed, two members the runtime needs (`unsavedConfig`, `executablesToCheck`) became
/// internal, and the conformance silently took the protocol's default answers (nil, []): script
/// paths were no longer checked and a change not yet written would have been lost at exit. The
/// defaults are gone, and this checks the real answers through the protocol.
@Suite("The core as the runtime sees it")
struct SentinelMachineTests {
    static func core() -> any SentinelMachine {
        var config = SentinelConfig()
        config.masters = [MasterConfig(name: "m", address: HostPort("127.0.0.1", 6379), quorum: 1)]
        return Sentinel(config: config, seed: 1)
    }

    @Test("script paths of a SENTINEL SET are named for the runtime to check")
    func executables() {
        let core = Self.core()
        #expect(core.executablesToCheck(["SENTINEL", "SET", "m", "notification-script", "/bin/n.sh"]) == ["/bin/n.sh"])
        #expect(core.executablesToCheck(["SENTINEL", "SET", "m", "quorum", "2"]).isEmpty)
    }

    @Test("a change not yet handed out in a write is there to save at exit")
    func unsaved() {
        var core = Self.core()
        // A new myid is generated at start and must be persisted: until the write is handed out
        // (at the end of the event), the core has an unsaved config.
        _ = core.start(now: 1, wall: 1_800_000_000_000)
        #expect(core.unsavedConfig == nil, "start handed the change out in a persistConfig")
        _ = core.handle(.clientConnected(ClientID(1), address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: 2, wall: nil)
        _ = core.handle(.clientCommand(ClientID(1), ["SENTINEL", "SET", "m", "quorum", "2"]), now: 3, wall: nil)
        #expect(core.unsavedConfig?.masters.first?.quorum == 2, "the SET waits for the write in flight and must be saved at exit")
    }
}
